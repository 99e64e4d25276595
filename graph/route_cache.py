"""What routeReferral reads from the directory, kept by the API process between requests.

Candidates are kept per (need, region) as `route_candidates` returned them (every status, the
distance left at 0, set per request); who holds a responsibility is kept per (responsibilities,
region); the free places of every capacity-bound service are kept too. One small statement per
request, `route_live`, brings the directory's version (bumped by every directory write:
graph/directory_write.py, graph/directory_chunks.py) and the free places of the services whose
places referrals took or gave back since the last look (each such change stamps the service's
`places_changed_at`, which is indexed): a changed version empties the cache, and a referral
accepted a moment ago counts.
"""

from __future__ import annotations

import gc
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from graph.coalesce import Coalesced
from graph.db import Database
from graph.route_pool import OrgIds, Pool
from graph.routing import Candidate
from graph.types import Organization, Service

Key = tuple[str, str]  # need, region
# A referral's transaction stamps the place it takes with the clock when it started, and may
# commit later: each look goes back this far (longer than a transaction may run), so that no
# change is missed; seeing one twice is harmless.
SYNC_MARGIN_MS = 60_000


@dataclass
class RouteCache:
    version: str | None = None
    candidates: dict[Key, list[Candidate]] = field(default_factory=dict)
    holders: dict[tuple[tuple[str, ...], str], list[dict[str, Any]]] = field(default_factory=dict)
    # The services and organizations answers list, as the API's DataLoaders load them.
    services: dict[str, Service] = field(default_factory=dict)
    organizations: dict[str, Organization] = field(default_factory=dict)
    # What the API makes of the cached organizations and services (its GraphQL objects),
    # emptied with them; a service's view is remade when its free places change.
    views: dict[str, Any] = field(default_factory=dict)
    service_views: dict[str, Any] = field(default_factory=dict)
    free: dict[str, int | None] = field(default_factory=dict)  # capacity-bound services
    free_seq: int = 0  # changes whenever a value in `free` does (pools keep what they read)
    synced_at: int | None = None  # database clock (ms) of the last look at free places
    resets: int = 0
    # Per (need, region): the candidates as columns (graph/route_pool.py), made on first use.
    pools: dict[Key, Pool] = field(default_factory=dict)
    org_ids: OrgIds = field(default_factory=OrgIds)
    _looks: Coalesced[None, dict[str, int | None] | None] | None = field(default=None, repr=False)
    looks_sent: int = 0  # looks at what changed, numbered as they are sent
    looks_in: int = 0  # the newest look taken into `free`

    def reset(self, version: str | None) -> None:
        self.version = version
        self.free = {}
        self.free_seq += 1
        self.synced_at = None
        self.candidates = {}
        self.holders = {}
        self.services = {}
        self.organizations = {}
        self.views = {}
        self.service_views = {}
        self.pools = {}
        self.resets += 1

    async def candidates_for(self, db: Database, needs: list[str], regions: list[str],
                             make: Callable[[dict[str, Any], float], Candidate]
                             ) -> dict[Key, list[Candidate]]:
        """(need, region) -> candidates, reading the missing pairs in one statement; `make`
        turns a route_candidates row into a Candidate."""
        missing_needs = sorted({n for n in needs for g in regions if (n, g) not in self.candidates})
        if missing_needs:
            missing_regions = sorted({g for g in regions for n in missing_needs
                                      if (n, g) not in self.candidates})
            found: dict[Key, dict[str, Candidate]] = {(n, g): {} for n in missing_needs
                                                      for g in missing_regions}
            for row in await db.read("route_candidates", needs=missing_needs,
                                     regions=missing_regions, active_only=False):
                c = make(row, 0.0)
                found[(c.need, c.region)][c.service_id] = c
            version = self.version
            for key, cands in found.items():
                if self.version == version:
                    self.candidates.setdefault(key, list(cands.values()))
            # What the cache holds lives until the directory changes: keep the cyclic garbage
            # collector from walking it again at every full collection (refcounting still
            # frees it when the cache is emptied).
            gc.freeze()
        return {(n, g): self.candidates.get((n, g), []) for n in needs for g in regions}

    def pool(self, key: Key, candidates: list[Candidate]) -> Pool:
        """The candidates candidates_for gave for `key` as columns, kept while the cache holds
        that very list (a directory change meanwhile empties it: the pool is then not kept)."""
        pool = self.pools.get(key)
        if pool is None or pool.source is not candidates:
            pool = Pool(candidates, self.org_ids)
            if self.candidates.get(key) is candidates:
                self.pools[key] = pool
        return pool

    async def live(self, db: Database, after: int = 0) -> dict[str, int | None] | None:
        """Free places of every capacity-bound service, brought up to date; None when the
        directory changed since the cache was filled (it is emptied: read again). `after`: a
        look the caller knows was sent after its request arrived (api/arrivals.py); when that
        one or a later one is in, no read is needed. Otherwise the look is shared by the
        requests that asked for it while the previous one was on its way (graph/coalesce.py):
        each still sees every change committed before it asked."""
        if after and self.synced_at is not None and self.looks_in >= after:
            return self.free
        if self._looks is None:
            async def look(_: list[None]) -> dict[None, dict[str, int | None] | None]:
                return {None: await self._look(db)}

            self._looks = Coalesced(look, None)
        return await self._looks.get(None)

    def look_since(self) -> int | None:
        """route_live's `since` for a look sent now; None until a first look has read every
        capacity-bound service."""
        return None if self.synced_at is None else self.synced_at - SYNC_MARGIN_MS

    def sending_look(self) -> int:
        """The number of a look about to be sent (looks are numbered as they are sent)."""
        self.looks_sent += 1
        return self.looks_sent

    async def _look(self, db: Database) -> dict[str, int | None] | None:
        seq = self.sending_look()
        since = self.look_since()
        if since is None:
            return self.take_look(seq, (await db.read_plain("route_places"))[0], whole=True)
        return self.take_look(seq, (await db.read_plain("route_live", since=since))[0])

    def take_look(self, seq: int, row: dict[str, Any], whole: bool = False
                  ) -> dict[str, int | None] | None:
        """A look's answer (version, live, now), `seq` its number when sent; None when the
        directory changed. A look older than one already taken is dropped: looks sent by
        different requests may come back out of order."""
        if seq <= self.looks_in:
            return self.free if self.synced_at is not None else None
        self.looks_in = seq
        if row["version"] != self.version:
            self.reset(row["version"])
            return None
        if whole:
            self.free = {}
        changed = {sid: free for sid, free in row["live"]
                   if sid not in self.free or self.free[sid] != free}
        if changed:  # the same changes come back for SYNC_MARGIN_MS: count only new values
            self.free.update(changed)
            self.free_seq += 1
        self.synced_at = row["now"]
        return self.free


def with_live(c: Candidate, free: dict[str, int | None], distance_km: float) -> Candidate:
    """The candidate with today's free places and its distance from the person."""
    now = free.get(c.service_id, c.capacity_available)
    if now == c.capacity_available and distance_km == c.distance_km:
        return c
    return replace(c, capacity_available=now, distance_km=distance_km)


_CACHES: weakref.WeakKeyDictionary[Database, RouteCache] = weakref.WeakKeyDictionary()


def cache_for(db: Database) -> RouteCache:
    """The process's cache for this database connection."""
    cache = _CACHES.get(db)
    if cache is None:
        cache = _CACHES[db] = RouteCache()
    return cache
