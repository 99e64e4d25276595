"""What every request reads first, shared by the requests that arrive together: their tokens
and, once routing has started, what the routing cache must know (graph/route_cache.py), so that
a routeReferral answer needs no read of its own. One statement serves all the requests that
arrived while the previous one was on its way, and no request is answered by a read sent
before it arrived (graph/coalesce.py): a token revoked a moment ago is refused, a place taken a
moment ago counts."""

from __future__ import annotations

from dataclasses import dataclass

from graph import access
from graph.coalesce import Coalesced
from graph.db import Database
from graph.route_cache import RouteCache, cache_for
from graph.types import Principal


@dataclass(frozen=True)
class Arrival:
    principal: Principal | None  # None: the token is unknown or revoked
    look: int  # the routing cache's look read with the token (0: none), for RouteCache.live


class Arrivals:
    def __init__(self, db: Database) -> None:
        self.db = db
        self.reads: Coalesced[str, Arrival] = Coalesced(self._read, Arrival(None, 0))

    @property
    def cache(self) -> RouteCache:
        return cache_for(self.db)

    async def arrive(self, token: str) -> Arrival:
        if not access.well_formed(token):
            return Arrival(None, 0)
        return await self.reads.get(access.hash_secret(token))

    async def _read(self, hashes: list[str]) -> dict[str, Arrival]:
        cache = self.cache
        since = cache.look_since()
        if since is None:  # routing has not read every service's places yet: tokens only
            rows = await self.db.read_plain("find_tokens", secret_hashes=hashes)
            return {r["secret_hash"]: Arrival(access.principal(r["token"]), 0) for r in rows}
        look = cache.sending_look()
        row = (await self.db.read_plain("arrivals", secret_hashes=hashes, since=since))[0]
        cache.take_look(look, row)
        return {t["secret_hash"]: Arrival(access.principal(t["token"]), look)
                for t in row["tokens"]}
