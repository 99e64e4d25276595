"""Plain-language reasons for directory answers. Pure functions, unit-tested."""

from __future__ import annotations

from graph.types import Region, ResponsibleBody, ServiceOption


def _place(region: Region, distance_km: float, asked: Region) -> str:
    if distance_km == 0.0:
        return f"in {asked.name_en}"
    return f"nearest: {region.name_en}, {distance_km:.0f} km from {asked.center_en}"


def why_responsible(b: ResponsibleBody, responsibility_title: str | None, region: Region,
                    asked: Region) -> str:
    basis = f" under {responsibility_title}" if responsibility_title else ""
    if b.jurisdiction == "NATIONAL":
        where = "competent nationwide"
    else:
        where = _place(region, b.distance_km, asked)
        if b.distance_km > 0.0:
            where = f"no holder in {asked.name_en}; {where}"
    return f"holds {b.responsibility}{basis}; {where}"


def why_service(o: ServiceOption, need: str, region: Region, asked: Region) -> str:
    basis = ", ".join(b.responsibility for b in o.basis)
    duty = f"; provider's duty: {basis}" if basis else ""
    return f"meets {need}; {_place(region, o.distance_km, asked)}{duty}"
