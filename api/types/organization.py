from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import strawberry

from api.types.enums import Jurisdiction, OrganizationKind
from api.types.region import Region
from api.types.responsibility import Responsibility
from graph import types as t

if TYPE_CHECKING:
    from api.types.service import Service

ServiceRef = Annotated["Service", strawberry.lazy("api.types.service")]


@strawberry.type(description="An agency, NGO, shelter or institution.")
class Organization:
    _o: strawberry.Private[t.Organization]
    id: strawberry.ID
    name: str
    alternate_names: list[str]
    kind: OrganizationKind
    jurisdiction: Jurisdiction
    description: str | None
    website: str | None
    email: str | None
    phone: str | None
    illustrative_fields: list[str] = strawberry.field(
        description="Fields whose values are illustrative, not facts from the sources")
    sources: list[str]

    @classmethod
    def of(cls, o: t.Organization) -> Organization:
        return cls(_o=o, id=strawberry.ID(o.id), name=o.name, alternate_names=list(o.alternate_names),
                   kind=OrganizationKind(o.kind), jurisdiction=Jurisdiction(o.jurisdiction),
                   description=o.description, website=o.website, email=o.email, phone=o.phone,
                   illustrative_fields=list(o.illustrative), sources=list(o.sources))

    @strawberry.field(description="Where it sits")
    async def region(self, info: strawberry.Info) -> Region | None:
        if self._o.region is None:
            return None
        regions = await info.context.directory.regions()
        return Region.of(regions[self._o.region])

    @strawberry.field
    async def services(self, info: strawberry.Info) -> list[ServiceRef]:
        from api.types.service import Service

        ids = await info.context.service_ids_of.load(self._o.id)
        found = await info.context.service.load_many(ids)
        return [Service.of(s) for s in found if s is not None]

    @strawberry.field(description="Responsibilities the law assigns to it, with their legal basis")
    async def responsibilities(self, info: strawberry.Info) -> list[Responsibility]:
        codes = await info.context.responsibility_codes_of.load(self._o.id)
        known = await info.context.responsibilities()
        return [Responsibility.of(known[c]) for c in codes if c in known]

    async def _related(self, info: strawberry.Info, key: str) -> list[Organization]:
        ids = (await info.context.related_of.load(self._o.id))[key]
        found = await info.context.organization.load_many(ids)
        return [Organization.of(o) for o in found if o is not None]

    @strawberry.field
    async def partners(self, info: strawberry.Info) -> list[Organization]:
        return await self._related(info, "partners")

    @strawberry.field(description="Bodies it is a member of (e.g. the Interdepartmental Commission)")
    async def member_of(self, info: strawberry.Info) -> list[Organization]:
        return await self._related(info, "member_of")

    @strawberry.field
    async def members(self, info: strawberry.Info) -> list[Organization]:
        return await self._related(info, "members")
