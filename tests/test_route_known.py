"""api/types/route_result.Known: the services and organizations of a routeReferral answer,
gathered by several resolvers of one request at once (every need's `excluded`), over the
Kazakhstan directory in a real Neo4j."""

from __future__ import annotations

import asyncio

from api.context import Context
from api.types.route_result import Known
from graph.config import Settings
from graph.db import Database
from graph.directory import Directory
from graph.route import route
from graph.route_cache import RouteCache
from graph.routing import Profile
from graph.types import Principal
from tests.conftest import with_db

ADMIN = Principal(token_id="t", name="test", role="ADMIN")


def test_a_service_held_before_its_organization_waits_for_it(seeded: Settings) -> None:
    async def go(db: Database) -> None:
        directory = Directory(db)
        result = await route(db, directory, Profile(region="shymkent", age=30, sex="FEMALE"),
                             ["SHELTER"], 5, None)
        c = result.needs[0].ranked[0].candidate
        # The routing cache holds the service (another request read it) but not yet its
        # organization: the first gather waits for the organization; the second finds the
        # service known and must wait for the organization too.
        cache = RouteCache(version="v")
        cache.services.update(await directory.services_by_ids([c.service_id]))
        known = Known(Context(db=db, principal=ADMIN), cache)

        async def use() -> str:
            await known.gather([c])
            return str(known.organization(c.organization_id).id)

        assert await asyncio.gather(use(), use()) == [c.organization_id] * 2
        assert known.service(c.service_id).capacity_available == c.capacity_available
        assert c.organization_id in cache.organizations  # kept for the next requests

    with_db(seeded, go)
