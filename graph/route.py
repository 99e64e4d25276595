"""routeReferral against the graph: reads candidates region by region (the person's own region
first, then the nearest ones until something qualifies), and resolves who must be notified.
The decisions themselves are graph/routing.py's pure functions."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from graph.db import Database
from graph.directory import Directory
from graph.exceptions import BadInput
from graph.geo import haversine_km
from graph.route_cache import RouteCache, with_live
from graph.routing import (
    Candidate,
    Exclusion,
    NeedRoute,
    NotificationRule,
    Profile,
    notifications,
    plan,
    rank,
    split,
)
from graph.types import Basis, Region

REGION_BATCH = 3  # farther regions are searched this many at a time


@dataclass(frozen=True)
class Holder:
    organization_id: str
    organization_name: str
    region: str
    distance_km: float
    jurisdiction: str


@dataclass(frozen=True)
class Notice:
    rule: NotificationRule
    holders: tuple[Holder, ...]


@dataclass
class RouteResult:
    profile: Profile
    needs: list[NeedRoute]
    plan: list[tuple[str, dict[str, Candidate]]] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)

    @property
    def uncovered(self) -> list[str]:
        return [r.need for r in self.needs if not r.ranked]


def _candidate(row: dict[str, Any], distance: float) -> Candidate:
    s = row["service"]
    return Candidate(
        need=row["need"], service_id=s["id"], service_name=s["name"],
        organization_id=row["organization_id"], organization_name=row["organization_name"],
        region=row["region"], distance_km=round(distance, 1), status=s["status"],
        citizenship=s.get("citizenship") or "ANY", min_age=s.get("min_age"),
        max_age=s.get("max_age"), sexes=tuple(s.get("sexes") or ()),
        exploitation_types=tuple(s.get("exploitation_types") or ()),
        languages=tuple(s.get("languages") or ()), capacity_total=s.get("capacity_total"),
        capacity_available=s.get("capacity_available"),
        basis=tuple(Basis(b["responsibility"], b["provision_id"], b["provision_title"])
                    for b in row["basis"]))


def regions_by_distance(regions: dict[str, Region], origin: str) -> list[tuple[str, float]]:
    o = regions[origin]
    return sorted(((code, 0.0 if code == origin else haversine_km(o.lat, o.lon, g.lat, g.lon))
                   for code, g in regions.items()), key=lambda x: (x[1], x[0]))


async def _read(db: Database, needs: list[str], regions: list[str], km: dict[str, float],
                active_only: bool) -> dict[str, dict[str, Candidate]]:
    """Per need, per service: the candidate row at its nearest served region among `regions`."""
    out: dict[str, dict[str, Candidate]] = {n: {} for n in needs}
    rows = await db.read("route_candidates", needs=needs, regions=regions, active_only=active_only)
    for row in rows:
        c = _candidate(row, km[row["region"]])
        best = out[c.need].get(c.service_id)
        if best is None or c.distance_km < best.distance_km:
            out[c.need][c.service_id] = c
    return out


async def _read_cached(db: Database, cache: RouteCache, needs: list[str], regions: list[str],
                       km: dict[str, float], active_only: bool
                       ) -> dict[str, dict[str, Candidate]] | None:
    """As _read, from the cache with live free places; None when the directory changed."""
    cands = await cache.candidates_for(db, needs, regions, _candidate)
    free = await cache.live(db)
    if free is None:
        return None
    out: dict[str, dict[str, Candidate]] = {n: {} for n in needs}
    for (need, region), cs in cands.items():
        d = round(km[region], 1)
        found = out[need]
        for c in cs:
            best = found.get(c.service_id) if found else None
            if best is not None and best.distance_km <= d:
                continue
            if c.capacity_total is not None or c.distance_km != d:  # cached at distance 0
                c = with_live(c, free, d)
            if active_only and (c.status != "ACTIVE" or (
                    c.capacity_total is not None and not (c.capacity_available or 0) > 0)):
                continue
            found[c.service_id] = c
    return out


async def route(db: Database, directory: Directory, p: Profile, needs: list[str],
                limit: int = 10, cache: RouteCache | None = None) -> RouteResult:
    """With a cache (the API's), the directory is read from it and only the version and the
    free places from Neo4j; without one, everything is read (graph/route_cache.py)."""
    for _ in range(3):  # the directory changing under a request: read it again
        try:
            return await _route(db, directory, p, needs, limit, cache)
        except _Changed:
            continue
    return await _route(db, directory, p, needs, limit, None)


def _exclusion_order(x: tuple[Candidate, Exclusion]) -> tuple[str, str]:
    return x[1].rule, x[0].service_name


class _Changed(Exception):
    pass


async def _route(db: Database, directory: Directory, p: Profile, needs: list[str],
                 limit: int, cache: RouteCache | None) -> RouteResult:

    async def read(needs: list[str], regions: list[str], active_only: bool
                   ) -> dict[str, dict[str, Candidate]]:
        if cache is None:
            return await _read(db, needs, regions, km, active_only)
        found = await _read_cached(db, cache, needs, regions, km, active_only)
        if found is None:
            raise _Changed
        return found

    regions = await directory.regions()
    if p.region not in regions:
        raise BadInput(f"unknown region {p.region!r}", field="region")
    if not needs:
        raise BadInput("name at least one need", field="needs")
    needs = list(dict.fromkeys(needs))
    order = regions_by_distance(regions, p.region)
    km = dict(order)
    routes = {n: NeedRoute(need=n, searched_regions=[p.region]) for n in needs}
    found = await read(needs, [p.region], active_only=False)
    eligible: dict[str, list[Candidate]] = {}
    for n in needs:
        eligible[n], routes[n].excluded = split(found[n].values(), p)
    rest = [code for code, _ in order[1:]]
    for i in range(0, len(rest), REGION_BATCH):
        missing = [n for n in needs if not eligible[n]]
        if not missing:
            break
        batch = rest[i:i + REGION_BATCH]
        more = await read(missing, batch, active_only=True)
        for n in missing:
            routes[n].searched_regions += batch
            ok, _ = split(more[n].values(), p)
            if ok:
                nearest = min(c.distance_km for c in ok)
                eligible[n] = [c for c in ok if c.distance_km == nearest]
    needs_of_org: defaultdict[str, set[str]] = defaultdict(set)
    for n in needs:
        for oid in {c.organization_id for c in eligible[n]}:
            needs_of_org[oid].add(n)
    names = {code: g.name_en for code, g in regions.items()}
    for n in needs:
        routes[n].ranked = rank(eligible[n], p, needs_of_org, len(needs), names, limit)
        routes[n].excluded.sort(key=_exclusion_order)
    result = RouteResult(profile=p, needs=[routes[n] for n in needs])
    result.plan = plan(result.needs)
    result.notices = await _notices(db, p, cache)
    return result


async def _notices(db: Database, p: Profile, cache: RouteCache | None) -> list[Notice]:
    rules = notifications(p)
    if not rules:
        return []
    codes = tuple(sorted({r.notify for r in rules}))
    rows = cache.holders.get((codes, p.region)) if cache is not None else None
    if rows is None:
        version = cache.version if cache is not None else None
        rows = await db.read("responsibility_holders", codes=list(codes), region=p.region)
        if cache is not None and cache.version == version:
            cache.holders[(codes, p.region)] = rows
    holders: dict[str, list[Holder]] = {}
    for r in rows:
        holders.setdefault(r["responsibility"], []).append(Holder(
            r["organization_id"], r["organization_name"], r["region"],
            round(float(r["distance_km"]), 1), r["jurisdiction"]))
    return [Notice(rule, tuple(holders.get(rule.notify, ()))) for rule in rules]
