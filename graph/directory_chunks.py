"""A big directory load without one big transaction, still all or nothing.

One transaction holding a whole 100,000-service directory needs gigabytes of Neo4j heap (its
state is kept until commit) and commits in one long stop. Here the load is journaled
(graph/load_journal.py, shared with case loads): new rows are committed in chunks of
`load_chunk_rows`, each stamped with the load's id; rows that change what is stored, merges and
clean-ups are written at the end in one transaction. When anything fails, what the load created
is deleted again (undo), so the directory is as it was; a load whose process died is undone by
the next load before it starts. No reader sees the rows a load creates before it is DONE: they are
Staged until its closing transaction (graph/load_journal.py).
"""

from __future__ import annotations

import asyncio
import queue
import threading
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator
from typing import Any

from graph.db import Database, Tx
from graph.directory_write import (
    BATCH,
    OUTCOMES,
    Outcomes,
    Progress,
    Rows,
    hashed_batches,
    write_part,
)
from graph.load_journal import DIRECTORY, LoadJournal
from graph.load_lease import LoadLease
from graph.referral_holds import ReferralHolds

_DONE = object()


async def prefetched(parts: Iterator[Rows], depth: int = 2) -> AsyncIterator[Rows]:
    """`parts` produced by a worker thread up to `depth` batches ahead (the mapping and hashing
    of the next batches overlaps Neo4j's writing of this one)."""
    ready: queue.Queue[Any] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def offer(item: Any) -> bool:
        while not stop.is_set():
            try:
                ready.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def take() -> Any:  # gives up once stopped: a cancelled consumer leaves no thread waiting
        while not stop.is_set():
            try:
                return ready.get(timeout=0.1)
            except queue.Empty:
                continue
        return _DONE

    def produce() -> None:
        try:
            for part in parts:
                if not offer(part):
                    return
            offer(_DONE)
        except Exception as e:  # noqa: BLE001 - handed to the consumer, raised there
            offer(e)

    worker = threading.Thread(target=produce, name="load-mapper", daemon=True)
    worker.start()
    try:
        while True:
            item = await asyncio.to_thread(take)
            if item is _DONE:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        await asyncio.to_thread(worker.join)


class ChunkedLoad(LoadJournal):
    """Usage: `async with ChunkedLoad(db, source) as load:` then `await load.create(kind,
    rows)` per kind, `await load.finish(work)` with the closing transaction's work."""

    def __init__(self, db: Database, source: str, progress: Progress | None = None,
                 lease: LoadLease | None = None) -> None:
        super().__init__(db, source, DIRECTORY, progress, lease)
        self.kept: Outcomes = dict.fromkeys(OUTCOMES, 0)
        self.written: dict[str, Outcomes] = {}

    async def create(self, kind: str, rows: Iterable[dict[str, Any]]) -> None:
        """Commit the kind's new rows, a chunk per transaction; count the others."""
        outcome = self.written.setdefault(kind, dict.fromkeys(OUTCOMES, 0))
        size = self.db.settings.load_chunk_rows
        chunk: list[Rows] = []
        async for part in prefetched(hashed_batches(kind, rows, min(BATCH, size))):
            chunk.append(part)
            if sum(len(p) for p in chunk) >= size:
                await self._commit(kind, chunk, outcome)
                chunk = []
        if chunk:
            await self._commit(kind, chunk, outcome)

    async def _commit(self, kind: str, chunk: list[Rows], outcome: Outcomes) -> None:
        counts = dict.fromkeys(OUTCOMES, 0)
        kept = dict.fromkeys(OUTCOMES, 0)

        async def work(tx: Tx) -> None:  # retried as a whole: counts start again each time
            for key in OUTCOMES:
                counts[key] = kept[key] = 0
            for part in chunk:
                await write_part(tx, kind, part, counts, kept, only="new", load=self.id)

        await self.commit(kind, work, sum(len(p) for p in chunk))
        for key in OUTCOMES:
            outcome[key] += counts[key]
            self.kept[key] += kept[key]

    @property
    def changed(self) -> int:
        """Rows found changed by create(), written by finish()."""
        return sum(o["updated"] for o in self.written.values())

    async def update(self, tx: Tx, kind: str, rows: Iterable[dict[str, Any]],
                     holds: ReferralHolds | None = None) -> None:
        """In finish()'s transaction: write the kind's changed rows (the new ones are in);
        `holds`: see graph/referral_holds.py."""
        ignored = dict.fromkeys(OUTCOMES, 0)
        for part in hashed_batches(kind, rows, BATCH):
            await write_part(tx, kind, part, ignored, self.kept, only="changed", holds=holds)

    async def finish(self, work: Callable[[Tx], Awaitable[None]],
                     written: Callable[[], dict[str, Any]] | None = None) -> None:
        """Run `work(tx)` (updates, merges, clean-ups) in one transaction, then close the
        journal. Counts of a retried `work` are not doubled: kept tallies are reset."""
        base = dict(self.kept)

        async def closing(tx: Tx) -> None:
            self.kept.update(base)
            await work(tx)

        await super().finish(closing, written or (lambda: {**self.written, "records": self.kept}))
