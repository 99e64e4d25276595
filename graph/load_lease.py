"""One load of a kind at a time: the lease a load holds in Neo4j while it runs.

A `LoadLease` node per kind (directory, cases) names the load that holds it and when the lease
ends; its owner renews it every third of `load_lease_s` from a background task, and lets it go
when it ends (in its closing transaction, or after its undo). A second load waits until the lease
is free, reporting so, or is refused with LOAD_RUNNING. A lease that expired belongs to a process
that died or stalled: the next load takes it over and undoes that load's journal
(graph/load_journal.py). A load that finds its lease taken over fails (LOAD_LEASE_LOST) and
undoes itself rather than go on beside the new holder.

Loads take the lease before they read what the database holds (what they plan depends on it),
and hand it to their journal, whose id is the lease's.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Callable
from typing import Any, Self

from graph.access import CLI
from graph.db import Database
from graph.exceptions import LoadLeaseLost, LoadRunning, ReferralnetError
from graph.types import Principal

log = logging.getLogger("referralnet.load")
Progress = Callable[[str, int], None]


class LoadLease:
    """Usage: `async with LoadLease(db, "directory", source, by=who, wait=True) as lease:`;
    `lease.id` is the load's id. Raises LoadRunning at entry when another load of the kind runs
    and `wait` is false; LoadLeaseLost at exit when the lease was taken over meanwhile (the
    task that entered it is cancelled as soon as the renewal finds out)."""

    def __init__(
        self,
        db: Database,
        kind: str,
        source: str,
        *,
        by: Principal = CLI,
        wait: bool = True,
        progress: Progress | None = None,
    ) -> None:
        self.db, self.kind, self.source, self.by = db, kind, source, by
        self.wait, self.progress = wait, progress
        self.id = uuid.uuid4().hex
        self.seconds = max(1, db.settings.load_lease_s)
        self.lost = False
        self.ending = False  # set by the journal before it closes or undoes the load
        self._owner: asyncio.Task[Any] | None = None
        self._renewer: asyncio.Task[None] | None = None

    async def __aenter__(self) -> Self:
        await self._acquire()
        self._owner = asyncio.current_task()
        self._renewer = asyncio.create_task(self._renew(), name=f"lease-{self.kind}")
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, *_: Any) -> None:
        await self._stop()
        with contextlib.suppress(ReferralnetError):  # else it expires by itself
            await self.db.write("release_load_lease", kind=self.kind, id=self.id)
        if (
            self.lost
            and exc_type is not None
            and issubclass(exc_type, asyncio.CancelledError)
            and self._owner is not None
            and self._owner.uncancel() == 0
        ):
            raise LoadLeaseLost(self.kind) from None  # cancelled by _renew, by no one else

    async def _acquire(self) -> None:
        shown: tuple[str, str] | None = None
        while True:
            row = (
                await self.db.write(
                    "acquire_load_lease", kind=self.kind, id=self.id, source=self.source, seconds=self.seconds
                )
            )[0]
            if row["acquired"]:
                return
            if not self.wait:
                raise LoadRunning(self.kind, row["since"], row["source"])
            if self.progress and shown != (row["holder"], row["since"]):
                shown = (row["holder"], row["since"])
                self.progress(waiting(self.kind, row["since"], row["source"]), 0)
            await asyncio.sleep(min(1.0, self.seconds / 3))

    async def _renew(self) -> None:
        while True:
            await asyncio.sleep(self.seconds / 3)
            try:
                held = await self.db.write(
                    "renew_load_lease", kind=self.kind, id=self.id, seconds=self.seconds
                )
            except Exception as e:  # noqa: BLE001 - the database is away: the next one may do
                log.warning("could not renew the %s load's lease: %s", self.kind, e)
                continue
            if held:
                continue
            if not self.ending:  # else released by the closing transaction, or checked there
                log.error("the %s load %s lost its lease: it stops and undoes itself", self.kind, self.id)
                self.lost = True
                if self._owner is not None:
                    self._owner.cancel()
            return

    async def _stop(self) -> None:
        if self._renewer is not None:
            self._renewer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._renewer
            self._renewer = None


def waiting(kind: str, since: str, source: str) -> str:
    """What a load waiting for another reports (as a progress label, with 0 rows)."""
    return f"waiting: another {kind} load is running since {since} (source {source})"
