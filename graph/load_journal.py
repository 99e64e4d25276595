"""The journal of a load that commits in chunks and is still all or nothing, shared by directory
loads (graph/directory_chunks.py) and case loads (graph/case_chunks.py).

One transaction holding a whole big file needs gigabytes of Neo4j heap (its state is kept until
commit). Here a load is journaled as a DirectoryLoad node (its `kind` says which loader wrote
it): rows that do not exist yet are committed in chunks, each stamped with the load's id
(`created_by_load`); rows that change what is stored are written at the end in one closing
transaction (`finish`). When anything fails, what the load created is deleted again (undo); a
load of the same kind whose process died is undone by the next one before it starts. No reader
sees what a load created before it is DONE: its nodes carry the label Staged and its
relationships between older nodes a `staged` property (graph/model/loads.yaml), which every
read statement leaves out; the closing transaction removes both as it marks the journal DONE.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Self

from graph.db import Database, Tx
from graph.exceptions import ReferralnetError
from graph.model import load_model

Progress = Callable[[str, int], None]
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
    """Usage: `async with LoadJournal(db, source, kind) as load:` then `await load.commit(label,
    work, rows)` per chunk (work stamps what it creates with `load.id`), and `await
    load.finish(work, written)` with the closing transaction's work."""

    def __init__(self, db: Database, source: str, kind: LoadKind,
                 progress: Progress | None = None) -> None:
        self.db, self.source, self.kind, self.progress = db, source, kind, progress
        self.id = uuid.uuid4().hex
        self._timeout = float(db.settings.load_timeout_s)

    async def __aenter__(self) -> Self:
        for stale in await self.db.write("unfinished_loads", kind=self.kind.name):
            await self._undo(stale["id"])
        await self.db.write("start_load", id=self.id, source=self.source, kind=self.kind.name)
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, *_: Any) -> None:
        if exc_type is None:
            return
        try:
            await asyncio.shield(self._undo(self.id))
        except ReferralnetError:
            pass  # the database is gone too: the next load undoes this one before it starts

    async def _undo(self, load_id: str) -> None:
        for name in self.kind.undo:
            while (await self.db.write(name, id=load_id, limit=UNDO_BATCH))[0]["n"]:
                pass
        await self.db.write("finish_load", id=load_id, status="UNDONE", written=None)
        for name in self.kind.after:  # over the whole graph (a role's refresh): a load's budget
            await self.db.write(name, timeout_=self._timeout)

    async def commit(self, label: str, work: Callable[[Tx], Awaitable[None]], rows: int) -> None:
        """Commit one chunk (`work` may be retried as a whole), then report its rows."""
        await self.db.in_write_tx(work, f"load_{label}", self._timeout)
        if self.progress:
            self.progress(label, rows)

    async def finish(self, work: Callable[[Tx], Awaitable[None]],
                     written: Callable[[], dict[str, Any]]) -> None:
        """Run `work(tx)` (updates, merges, clean-ups) in one transaction that also closes the
        journal with `written()` (the report's counts, read after `work`)."""

        async def closing(tx: Tx) -> None:
            await work(tx)
            for name in self.kind.unstage:  # visible to readers with DONE, in one commit
                await tx.run(name, id=self.id)
            await tx.run("finish_load", id=self.id, status="DONE", written=json.dumps(written()))
            for name in self.kind.after:
                await tx.run(name)

        await self.db.in_write_tx(closing, "load_finish", self._timeout)
