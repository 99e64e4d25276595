from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import strawberry

from api.types.enums import Citizenship, ExploitationType, NeedCode, ServiceStatus, Sex
from api.types.region import Region
from graph import types as t

if TYPE_CHECKING:
    from api.types.organization import Organization

OrganizationRef = Annotated["Organization", strawberry.lazy("api.types.organization")]


@strawberry.type(description="A service an organization provides, with its eligibility and capacity.")
class Service:
    _s: strawberry.Private[t.Service]
    id: strawberry.ID
    name: str
    description: str | None
    status: ServiceStatus
    needs: list[NeedCode]
    min_age: int | None
    max_age: int | None
    sexes: list[Sex] = strawberry.field(description="Empty means any")
    citizenship: Citizenship
    exploitation_types: list[ExploitationType] = strawberry.field(description="Empty means any")
    languages: list[str]
    capacity_total: int | None = strawberry.field(description="Null when not capacity-bound")
    capacity_available: int | None
    hours: str | None
    illustrative_fields: list[str]

    @classmethod
    def of(cls, s: t.Service) -> Service:
        return cls(
            _s=s, id=strawberry.ID(s.id), name=s.name, description=s.description,
            status=ServiceStatus(s.status), needs=[NeedCode(n) for n in s.needs],
            min_age=s.min_age, max_age=s.max_age, sexes=[Sex(x) for x in s.sexes],
            citizenship=Citizenship(s.citizenship),
            exploitation_types=[ExploitationType(x) for x in s.exploitation_types],
            languages=list(s.languages), capacity_total=s.capacity_total,
            capacity_available=s.capacity_available, hours=s.hours,
            illustrative_fields=list(s.illustrative))

    @strawberry.field
    async def organization(self, info: strawberry.Info) -> OrganizationRef:
        from api.types.organization import Organization

        o = await info.context.organization.load(self._s.organization_id)
        return Organization.of(o)

    @strawberry.field(description="Regions it serves")
    async def regions(self, info: strawberry.Info) -> list[Region]:
        regions = await info.context.directory.regions()
        return [Region.of(regions[c]) for c in self._s.regions if c in regions]
