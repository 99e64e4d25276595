"""routeReferral as the API computes it (the routing cache, pools judged column-wise, farther
regions from the cache) answers exactly as the routing read from the graph one service at a
time, over the built-in Kazakhstan directory in a real Neo4j: for every region, every need
and people of every kind, including the needs found only in farther regions."""

from __future__ import annotations

import random
from typing import Any

from graph.config import Settings
from graph.db import Database
from graph.directory import Directory
from graph.route import RouteResult, route
from graph.route_cache import RouteCache
from graph.routing import Profile
from tests.conftest import with_db

NEEDS = ("SHELTER", "MEDICAL", "PSYCHOLOGICAL", "LEGAL_AID", "DOCUMENT_RESTORATION",
         "RETURN_ASSISTANCE", "CHILD_PROTECTION", "SOCIAL_SERVICES", "BASIC_NEEDS")


def _shape(r: RouteResult) -> Any:
    return ([(n.need, n.searched_regions, [(x.candidate, x.reasons, x.key) for x in n.ranked],
              n.excluded.first(), n.excluded.by_rule(), len(n.excluded)) for n in r.needs],
            r.plan, r.notices)


def test_cached_routing_answers_as_the_graph_does(seeded: Settings) -> None:
    rng = random.Random(7)

    async def go(db: Database) -> tuple[int, int]:
        directory = Directory(db)
        regions = sorted(await directory.regions())
        cache = RouteCache()
        farther = compared = 0
        for region in regions:
            for _ in range(6):
                p = Profile(region=region, age=rng.choice((0, 9, 15, 17, 19, 30, 64)),
                            sex=rng.choice(("FEMALE", "MALE", None)),
                            citizenship=rng.choice(("KZ", "UZ", "KG", None)),
                            languages=tuple(rng.sample(("ru", "kk", "uz", "en"), 1)),
                            exploitation_types=tuple(rng.sample(("SEXUAL", "LABOR",
                                                                 "FORCED_BEGGING"), 1)))
                needs = rng.sample(NEEDS, rng.randint(1, 4))
                limit = rng.choice((1, 5, 10))
                ours = await route(db, directory, p, needs, limit, cache)
                theirs = await route(db, directory, p, needs, limit, None)
                assert _shape(ours) == _shape(theirs), (p, needs)
                farther += sum(1 for n in ours.needs if n.fallback)
                compared += 1
        return farther, compared

    farther, compared = with_db(seeded, go)
    assert compared == 120
    assert farther > 0  # some needs were met only in a farther region: that way is compared too
