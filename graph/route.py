"""routeReferral against the graph: reads candidates region by region (the person's own region
first, then the nearest ones until something qualifies), and resolves who must be notified.
The decisions themselves are graph/routing.py's pure functions."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from graph.db import Database
from graph.directory import Directory
from graph.exceptions import BadInput
from graph.geo import haversine_km
from graph.route_cache import RouteCache, with_live
from graph.route_pool import OrgIds, PoolExcluded, Selection
from graph.routing import (
    Candidate,
    ListExcluded,
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
                limit: int = 10, cache: RouteCache | None = None, after: int = 0) -> RouteResult:
    """With a cache (the API's), the directory is read from it and only the version and the
    free places from Neo4j (none when the look `after`, read as the request arrived, is in:
    RouteCache.live); without one, everything is read (graph/route_cache.py)."""
    for _ in range(3):  # the directory changing under a request: read it again
        try:
            return await _route(db, directory, p, needs, limit, cache, after)
        except _Changed:
            continue
    return await _route(db, directory, p, needs, limit, None)


class _Changed(Exception):
    pass


async def _route(db: Database, directory: Directory, p: Profile, needs: list[str],
                 limit: int, cache: RouteCache | None, after: int = 0) -> RouteResult:

    async def read(needs: list[str], regions: list[str], active_only: bool
                   ) -> dict[str, dict[str, Candidate]]:
        if cache is None:
            return await _read(db, needs, regions, km, active_only)
        found = await _read_cached(db, cache, needs, regions, km, active_only)
        if found is None:
            raise _Changed
        return found

    await directory.check_region(p.region)
    regions = await directory.regions()
    if not needs:
        raise BadInput("name at least one need", field="needs")
    needs = list(dict.fromkeys(needs))
    order = regions_by_distance(regions, p.region)
    km = dict(order)
    routes = {n: NeedRoute(need=n, searched_regions=[p.region]) for n in needs}
    # In the person's region: with the cache, every (need, region) pool judged at once
    # (graph/route_pool.py); without it, one candidate at a time.
    chosen: dict[str, Selection] = {}
    eligible: dict[str, list[Candidate]] = {}
    if cache is not None:
        chosen = await _select_cached(db, cache, p, needs, after)
        for n, sel in chosen.items():
            routes[n].excluded = PoolExcluded(sel)
    else:
        found = await read(needs, [p.region], active_only=False)
        for n in needs:
            eligible[n], out = split(found[n].values(), p)
            routes[n].excluded = ListExcluded(out)
    rest = [code for code, _ in order[1:]]
    for i in range(0, len(rest), REGION_BATCH):
        missing = [n for n in needs if not (len(chosen[n].eligible) if n in chosen
                                            else eligible[n])]
        if not missing:
            break
        batch = rest[i:i + REGION_BATCH]
        for n in missing:
            routes[n].searched_regions += batch
        nearest = (await _nearest_cached(db, cache, p, missing, batch, km, after)
                   if cache is not None else {})
        scalar = [n for n in missing if n not in nearest]
        more = await read(scalar, batch, active_only=True) if scalar else {}
        for n in missing:
            if (near := nearest.get(n)) is not None:
                chosen[n] = near  # its exclusions in the person's region stay listed
                continue
            if n not in more:
                continue
            ok, _ = split(more[n].values(), p)
            if ok:
                closest = min(c.distance_km for c in ok)
                chosen.pop(n, None)
                eligible[n] = [c for c in ok if c.distance_km == closest]
    names = {code: g.name_en for code, g in regions.items()}
    if cache is None:
        counts = _count_by_org(needs, eligible)
        for n in needs:
            routes[n].ranked = rank(eligible[n], p, counts, len(needs), names, limit)
    else:
        ids = cache.org_ids
        covered = _covered(needs, chosen, eligible, ids)
        for n in needs:
            if n in chosen:
                routes[n].ranked = chosen[n].ranked(covered, len(needs), names, limit)
            else:  # found farther away, one by one
                cs = eligible.get(n, [])
                counts = {c.organization_id: int(covered[ids(c.organization_id)]) for c in cs}
                routes[n].ranked = rank(cs, p, counts, len(needs), names, limit)
    result = RouteResult(profile=p, needs=[routes[n] for n in needs])
    result.plan = plan(result.needs)
    result.notices = await _notices(db, p, cache)
    return result


async def _cached(db: Database, cache: RouteCache, needs: list[str], regions: list[str],
                  after: int) -> tuple[dict[tuple[str, str], list[Candidate]], dict[str, int | None]]:
    """The cached candidates of these (need, region) pairs, and today's free places."""
    cands = await cache.candidates_for(db, needs, regions, _candidate)
    free = await cache.live(db, after)
    if free is None:
        raise _Changed
    return cands, free


async def _select_cached(db: Database, cache: RouteCache, p: Profile, needs: list[str],
                         after: int) -> dict[str, Selection]:
    cands, free = await _cached(db, cache, needs, [p.region], after)
    return {n: cache.pool((n, p.region), cands[(n, p.region)]).select(p, free, 0.0,
                                                                      cache.free_seq)
            for n in needs}


async def _nearest_cached(db: Database, cache: RouteCache, p: Profile, needs: list[str],
                          batch: list[str], km: dict[str, float], after: int
                          ) -> dict[str, Selection | None]:
    """Per need, the selection of the nearest region of `batch` with an eligible service (None:
    none there). A need whose nearest such regions are equally far is left out, for the
    one-by-one way, which puts their services together."""
    cands, free = await _cached(db, cache, needs, batch, after)
    out: dict[str, Selection | None] = {}
    nearest_first = sorted(batch, key=lambda g: (round(km[g], 1), g))
    for n in needs:
        found: list[Selection] = []
        for g in nearest_first:
            if found and round(km[g], 1) != found[0].distance_km:
                break  # farther than the nearest region with an eligible service
            s = cache.pool((n, g), cands[(n, g)]).select(p, free, km[g], cache.free_seq)
            if len(s.eligible):
                found.append(s)
        if len(found) > 1:  # equally far
            continue
        out[n] = found[0] if found else None
    return out


def _count_by_org(needs: list[str], eligible: dict[str, list[Candidate]]) -> dict[str, int]:
    """How many of the asked needs each organization has an eligible service for."""
    counts: dict[str, int] = defaultdict(int)
    for n in needs:
        for oid in {c.organization_id for c in eligible.get(n, [])}:
            counts[oid] += 1
    return counts


def _covered(needs: list[str], chosen: dict[str, Selection], eligible: dict[str, list[Candidate]],
             ids: OrgIds) -> npt.NDArray[np.int64]:
    """_count_by_org as an array over the cache's organization numbers."""
    per_need = [chosen[n].organizations() if n in chosen else
                np.array(sorted({ids(c.organization_id) for c in eligible.get(n, [])}),
                         dtype=np.int64) for n in needs]
    covered = np.zeros(len(ids.ids), dtype=np.int64)
    for orgs in per_need:
        covered[orgs] += 1
    return covered


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
