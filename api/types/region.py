from __future__ import annotations

import strawberry

from api.types.enums import RegionKind
from graph import types as t


@strawberry.type(description="One of Kazakhstan's 17 regions and 3 cities of republican significance.")
class Region:
    code: str
    kind: RegionKind
    name_en: str
    name_ru: str
    center: str = strawberry.field(description="The administrative center")
    lat: float
    lon: float

    @classmethod
    def of(cls, r: t.Region) -> Region:
        return cls(code=r.code, kind=RegionKind(r.kind), name_en=r.name_en, name_ru=r.name_ru,
                   center=r.center_en, lat=r.lat, lon=r.lon)
