"""The routing cache's looks at what changed: taken in the order they were sent, and a request
whose arrival read brought one in needs no read of its own."""

from __future__ import annotations

import asyncio
from typing import Any, cast

import pytest

from graph.db import Database
from graph.route_cache import RouteCache

pytestmark = pytest.mark.unit


def _row(version: str, live: list[list[Any]], now: int) -> dict[str, Any]:
    return {"version": version, "live": live, "now": now}


def test_a_look_older_than_one_taken_is_dropped() -> None:
    cache = RouteCache(version="v1")
    older, newer = cache.sending_look(), cache.sending_look()
    assert cache.take_look(newer, _row("v1", [["s1", 3]], 2000), whole=True) == {"s1": 3}
    # the older look (sent before a directory write and a referral) comes back last
    assert cache.take_look(older, _row("v0", [["s1", 5]], 1000)) == {"s1": 3}
    assert cache.version == "v1" and cache.synced_at == 2000 and cache.looks_in == newer


def test_a_changed_version_empties_the_cache() -> None:
    cache = RouteCache(version="v1")
    cache.take_look(cache.sending_look(), _row("v1", [["s1", 3]], 2000), whole=True)
    assert cache.take_look(cache.sending_look(), _row("v2", [], 2100)) is None
    assert cache.version == "v2" and cache.synced_at is None and cache.free == {}
    assert cache.look_since() is None  # the next look reads every service's places again


def test_no_read_when_the_arrival_brought_a_look_in() -> None:
    cache = RouteCache(version="v1")
    first = cache.sending_look()
    cache.take_look(first, _row("v1", [["s1", 3]], 2000), whole=True)
    arrival = cache.sending_look()  # read with the request's token, after it arrived
    cache.take_look(arrival, _row("v1", [["s1", 2]], 2500))
    no_db = cast(Database, None)  # a read would fail: none may be sent
    assert asyncio.run(cache.live(no_db, after=arrival)) == {"s1": 2}
    later = cache.sending_look()  # sent, not yet in: this request must read
    with pytest.raises(AttributeError):
        asyncio.run(cache.live(no_db, after=later))
