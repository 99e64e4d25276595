from __future__ import annotations

import strawberry

from api.types.enums import Jurisdiction, NeedCode
from api.types.legal_provision import LegalProvision
from api.types.organization import Organization
from api.types.region import Region
from api.types.responsibility import Responsibility
from api.types.service import Service
from graph import types as t


@strawberry.type(description="A body that holds a responsibility covering the need.")
class ResponsibleBody:
    _b: strawberry.Private[t.ResponsibleBody]
    responsibility: Responsibility
    legal_basis: LegalProvision | None
    distance_km: float = strawberry.field(description="Between region centers; 0 in the region")
    in_region: bool
    jurisdiction: Jurisdiction
    why: str = strawberry.field(description="Why this body is listed, in plain words")

    @strawberry.field
    async def organization(self, info: strawberry.Info) -> Organization:
        return Organization.of(await info.context.organization.load(self._b.organization_id))

    @strawberry.field
    async def region(self, info: strawberry.Info) -> Region:
        return Region.of((await info.context.directory.regions())[self._b.region])


@strawberry.type(description="A service that meets the need, in or nearest to the region.")
class ServiceOption:
    _o: strawberry.Private[t.ServiceOption]
    distance_km: float
    in_region: bool
    legal_basis: list[Responsibility] = strawberry.field(
        description="The provider's responsibilities for this need, with their provisions")
    why: str

    @strawberry.field
    async def service(self, info: strawberry.Info) -> Service:
        return Service.of(await info.context.service.load(self._o.service_id))

    @strawberry.field
    async def organization(self, info: strawberry.Info) -> Organization:
        return Organization.of(await info.context.organization.load(self._o.organization_id))

    @strawberry.field(description="The region it serves that is closest to the one asked about")
    async def region(self, info: strawberry.Info) -> Region:
        return Region.of((await info.context.directory.regions())[self._o.region])


@strawberry.type(description="Who handles a need in a region, and on what legal basis.")
class WhoHandles:
    need: NeedCode
    region: Region
    served_in_region: bool = strawberry.field(
        description="False when no service in the region meets the need and the nearest are shown")
    responsible: list[ResponsibleBody]
    services: list[ServiceOption]
