"""graph/coalesce.py: callers who ask together share a read, and no caller is answered by a read
sent before it asked."""

from __future__ import annotations

import asyncio

import pytest

from graph.coalesce import Coalesced

pytestmark = pytest.mark.unit


class Store:
    """A stand-in for the database: a value that writers change, and reads that take a while
    and answer with the value as it was when they were sent."""

    def __init__(self) -> None:
        self.value = 0
        self.sent: list[list[str]] = []
        self.fail_next = False

    async def fetch(self, keys: list[str]) -> dict[str, int]:
        seen = self.value  # what the database holds when the read is sent
        self.sent.append(sorted(keys))
        await asyncio.sleep(0.01)
        if self.fail_next:
            self.fail_next = False
            raise RuntimeError("database unavailable")
        return {k: seen for k in keys if k != "unknown"}


def test_callers_of_one_moment_share_one_read() -> None:
    async def go() -> None:
        store = Store()
        c = Coalesced(store.fetch, -1)
        got = await asyncio.gather(*(c.get(k) for k in ("a", "b", "a", "unknown")))
        assert got == [0, 0, 0, -1]
        assert store.sent == [["a", "b", "unknown"]] and c.reads == 1

    asyncio.run(go())


def test_one_caller_at_a_time_is_one_read_each() -> None:
    async def go() -> None:
        store = Store()
        c = Coalesced(store.fetch, -1)
        for i in range(3):
            store.value = i
            assert await c.get("a") == i
        assert c.reads == 3

    asyncio.run(go())


def test_a_caller_never_gets_a_read_sent_before_it_asked() -> None:
    async def go() -> None:
        store = Store()
        c = Coalesced(store.fetch, -1)
        first = asyncio.create_task(c.get("a"))
        await asyncio.sleep(0.002)  # the first read is on its way, holding value 0
        store.value = 1  # committed before the next callers ask
        later = [asyncio.create_task(c.get(k)) for k in ("a", "b", "c")]
        assert await first == 0
        assert await asyncio.gather(*later) == [1, 1, 1]
        assert store.sent == [["a"], ["a", "b", "c"]]  # the three shared the second read

    asyncio.run(go())


def test_a_failed_read_fails_its_callers_only() -> None:
    async def go() -> None:
        store = Store()
        c = Coalesced(store.fetch, -1)
        store.fail_next = True
        results = await asyncio.gather(c.get("a"), c.get("b"), return_exceptions=True)
        assert all(isinstance(r, RuntimeError) for r in results)
        assert await c.get("a") == 0  # the next read is sent as usual

    asyncio.run(go())


def test_a_caller_that_gives_up_leaves_the_read_to_the_others() -> None:
    async def go() -> None:
        store = Store()
        c = Coalesced(store.fetch, -1)
        quitter = asyncio.create_task(c.get("a"))
        stayer = asyncio.create_task(c.get("b"))
        await asyncio.sleep(0.002)
        quitter.cancel()
        assert await stayer == 0
        with pytest.raises(asyncio.CancelledError):
            await quitter

    asyncio.run(go())


def test_works_again_on_a_new_event_loop() -> None:
    store = Store()
    c = Coalesced(store.fetch, -1)
    assert asyncio.run(c.get("a")) == 0
    store.value = 5
    assert asyncio.run(c.get("a")) == 5
