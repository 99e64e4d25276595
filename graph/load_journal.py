"""The journal of a load that commits in chunks and is still all or nothing, shared by directory
loads (graph/directory_chunks.py) and case loads (graph/case_chunks.py).

One transaction holding a whole big file needs gigabytes of Neo4j heap (its state is kept until
commit). Here a load is journaled as a DirectoryLoad node (its `kind` says which loader wrote
it): rows that do not exist yet are committed in chunks, each stamped with the load's id
(`created_by_load`); rows that change what is stored are written at the end in one closing
transaction (`finish`), with the load's audit event. When anything fails, what the load created
is deleted again (undo). One load of a kind runs at a time, under its lease (graph/load_lease.py,
the journal's id is the lease's): a load of the same kind left RUNNING is one whose lease the
next load could take, as it had expired (its process died or stalled), and is undone by it
before it starts. Each chunk ends, and the closing transaction begins, by locking the journal and
checking that it is still RUNNING and the lease still the load's own; an undo marks the journal
UNDOING (locked) before it deletes anything: a stalled load taken over cannot commit behind the
undo. No reader sees what a load created before it is DONE: its nodes carry the label Staged
and its relationships between older nodes a `staged` property (graph/model/loads.yaml), which
every read statement leaves out; the closing transaction removes both as it marks the journal
DONE.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Self

from graph.access import audit_in
from graph.db import Database, Tx
from graph.exceptions import LoadLeaseLost, ReferralnetError
from graph.load_lease import LoadLease
from graph.load_lease import Progress as Progress
from graph.model import load_model

UNDO_BATCH = 10_000


@dataclass(frozen=True)
class LoadKind:
    """What differs between loaders: `undo` names statements (id, limit) -> n, each run until it
    returns 0; `after` names statements without parameters run after an undo and at the end of
    the closing transaction (a directory load changes the directory's version; a case load
    refreshes the Suspect role); `unstage` names statements (id) run in the closing transaction
    that make the load's rows visible (see the module's docstring)."""

    name: str
    undo: tuple[str, ...]
    after: tuple[str, ...] = ()
    unstage: tuple[str, ...] = ("unstage_load_nodes",)


DIRECTORY = LoadKind("directory", ("undo_directory_load_part",), ("bump_directory_version",))
CASES = LoadKind("cases", ("undo_case_load_nodes", "undo_case_load_relationships"),
                 (load_model().roles["Suspect"].refresh,),
                 ("unstage_load_nodes", "unstage_case_load_relationships"))


class LoadJournal:
    """Usage: `async with LoadJournal(db, source, kind, lease=lease) as load:` then `await
    load.commit(label, work, rows)` per chunk (work stamps what it creates with `load.id`), and
    `await load.finish(work, written)` with the closing transaction's work. Without a lease,
    the journal takes one of its own (waiting for another load of the kind), by the CLI."""

    def __init__(self, db: Database, source: str, kind: LoadKind,
                 progress: Progress | None = None, lease: LoadLease | None = None) -> None:
        self.db, self.source, self.kind, self.progress = db, source, kind, progress
        self._own_lease = lease is None
        self.lease = lease or LoadLease(db, kind.name, source, progress=progress)
        self.id = self.lease.id
        self._timeout = float(db.settings.load_timeout_s)

    async def __aenter__(self) -> Self:
        if self._own_lease:
            await self.lease.__aenter__()
        try:
            for stale in await self.db.write("unfinished_loads", kind=self.kind.name):
                await self._undo(stale["id"])  # its lease expired: we hold the kind's lease now
            await self.db.write("start_load", id=self.id, source=self.source, kind=self.kind.name)
        except BaseException as e:
            if self._own_lease:
                await self.lease.__aexit__(type(e), e, e.__traceback__)
            raise
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        try:
            if exc_type is not None:
                self.lease.ending = True
                try:
                    await asyncio.shield(self._undo(self.id))
                except ReferralnetError:
                    pass  # the database is gone too: the next load undoes this one (lease expired)
        finally:
            if self._own_lease:
                await self.lease.__aexit__(exc_type, exc, tb)

    async def _undo(self, load_id: str) -> None:
        if not await self.db.write("mark_load_undoing", id=load_id):
            return  # DONE (its closing transaction came first), or undone already
        for name in self.kind.undo:
            while (await self.db.write(name, id=load_id, limit=UNDO_BATCH))[0]["n"]:
                pass
        await self.db.write("finish_load", id=load_id, status="UNDONE", written=None)
        for name in self.kind.after:  # over the whole graph (a role's refresh): a load's budget
            await self.db.write(name, timeout_=self._timeout)

    async def _hold(self, tx: Tx) -> None:
        """In a transaction of the load: fail unless it still runs under its own lease."""
        if not await tx.run("hold_load", id=self.id, kind=self.kind.name):
            raise LoadLeaseLost(self.kind.name)

    async def commit(self, label: str, work: Callable[[Tx], Awaitable[None]], rows: int) -> None:
        """Commit one chunk (`work` may be retried as a whole), then report its rows."""

        async def chunk(tx: Tx) -> None:
            await work(tx)
            await self._hold(tx)  # last: concurrent chunks wait for each other only to commit

        await self.db.in_write_tx(chunk, f"load_{label}", self._timeout)
        if self.progress:
            self.progress(label, rows)

    async def finish(self, work: Callable[[Tx], Awaitable[None]],
                     written: Callable[[], dict[str, Any]]) -> None:
        """Run `work(tx)` (updates, merges, clean-ups) in one transaction that also closes the
        journal with `written()` (the report's counts, read after `work`), records the load's
        audit event and lets the lease go: a DONE load always has its event."""

        async def closing(tx: Tx) -> None:
            await self._hold(tx)
            await work(tx)
            for name in self.kind.unstage:  # visible to readers with DONE, in one commit
                await tx.run(name, id=self.id)
            counts = json.dumps(written())
            await tx.run("finish_load", id=self.id, status="DONE", written=counts)
            await audit_in(tx, self.lease.by, f"{self.kind.name}.load", self.source, counts)
            for name in self.kind.after:
                await tx.run(name)
            await tx.run("release_load_lease", kind=self.kind.name, id=self.id)

        self.lease.ending = True
        await self.db.in_write_tx(closing, "load_finish", self._timeout)
