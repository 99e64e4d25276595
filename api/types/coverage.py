from __future__ import annotations

import strawberry

from api.types.enums import NeedCode
from api.types.region import Region


@strawberry.type(description="A need no active service in the region meets.")
class NeedGap:
    need: NeedCode
    nearest_region: Region | None = strawberry.field(
        description="The nearest region where a service meets it, if any")
    distance_km: float | None


@strawberry.type(description="A responsibility no body in the region (and no national body) holds.")
class ResponsibilityGap:
    code: str
    description: str
    legal_basis_id: str | None
    held_in: list[str] = strawberry.field(description="Region codes where a body holds it")


@strawberry.type
class CoverageGaps:
    region: Region
    needs: list[NeedGap]
    responsibilities: list[ResponsibilityGap]
