"""One read for many concurrent callers who need the same kind of answer (the token look-up of
every request, the routing cache's look at what changed), without ever answering a caller from
a read that was sent before the caller asked.

A caller joins the next read that has not been sent yet; at most one read is on its way at a
time, and the next one is sent as soon as it returns. A caller therefore sees everything that was
committed before it asked (a revoked token is refused at once, a place taken a moment ago
counts), waits at most for the read on its way and its own, and under load one statement serves
all the callers that arrived while the previous one was out. With one caller at a time, each
call is one read, as before."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable, Iterable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class _Batch(Generic[K, V]):
    __slots__ = ("done", "keys")

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.keys: set[K] = set()
        self.done: asyncio.Future[dict[K, V]] = loop.create_future()


class Coalesced(Generic[K, V]):
    """`await get(key)`: `fetch(keys)` of the batch the key joined, then its answer for the key
    (`missing` when the answer does not name it). `fetch` is called with one batch at a time."""

    def __init__(self, fetch: Callable[[list[K]], Awaitable[dict[K, V]]], missing: V) -> None:
        self._fetch = fetch
        self._missing = missing
        self._loop: asyncio.AbstractEventLoop | None = None
        self._waiting: _Batch[K, V] | None = None  # not sent yet: callers join it
        self._sending: asyncio.Task[None] | None = None
        self.reads = 0  # statements sent, for tests and benchmarks

    async def get(self, key: K) -> V:
        answer = await self.get_many((key,))
        return answer.get(key, self._missing)

    async def get_many(self, keys: Iterable[K]) -> dict[K, V]:
        loop = asyncio.get_running_loop()
        if loop is not self._loop:  # a new event loop (tests): nothing of the old one is usable
            self._loop, self._waiting, self._sending = loop, None, None
        batch = self._waiting
        if batch is None:
            batch = self._waiting = _Batch(loop)
            if self._sending is None:
                self._sending = loop.create_task(self._send())
        batch.keys.update(keys)
        # A caller that gives up (a cancelled request) leaves the read to the others.
        return await asyncio.shield(batch.done)

    async def _send(self) -> None:
        # Runs one loop step after the first caller: callers of the same step join too.
        try:
            while (batch := self._waiting) is not None:
                self._waiting = None  # from here on, new callers wait for the next read
                self.reads += 1
                try:
                    answer = await self._fetch(list(batch.keys))
                except Exception as e:  # noqa: BLE001 - handed to every caller of the batch
                    batch.done.set_exception(e)
                    batch.done.exception()  # seen, also when every caller has given up
                except BaseException:
                    batch.done.cancel()
                    raise
                else:
                    batch.done.set_result(answer)
        finally:
            self._sending = None
