"""A directory load in a worker process of its own, for the API: reading, validating, mapping
and hashing a 45 MB upload is a minute of CPU that holds Python's GIL, and even the writing
packs megabytes of rows per statement; in the API process either would stall every request on
its one event loop. The worker (started with "spawn") runs `load_hsds` with a driver of its own
and sends back the report or the problems; the API process only waits.

If the request is cancelled, the worker is told to stop (SIGTERM: it cancels its load, which
undoes what it wrote) and killed if it does not within UNDO_WAIT seconds. If the API process
dies, the worker is killed with it (Linux: PR_SET_PDEATHSIG), and its load is undone like any
load whose process died."""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import os
import signal
from multiprocessing.connection import Connection
from pathlib import Path
from typing import TYPE_CHECKING, Any

from graph.exceptions import InvalidData, ReferralnetError, UploadTooLarge
from graph.offload import die_with_parent

if TYPE_CHECKING:  # the worker imports the loaders once it is tied to its parent
    from graph.config import Settings
    from loaders.directory_load import LoadReport

UNDO_WAIT = 60.0


class Relayed(ReferralnetError):
    """A coded error of the worker's load, raised again in the API process."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


async def _load(settings: Settings, path: Path, options: dict[str, Any]) -> LoadReport:
    from graph.db import Database
    from loaders.directory_load import load_hsds

    task = asyncio.current_task()
    assert task is not None
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, task.cancel)
    db = Database(settings)
    try:
        return await load_hsds(db, path, **options)
    finally:
        await db.close()


def _work(parent: int, conn: Connection, settings: Settings, path: Path, options: dict[str, Any]) -> None:
    """The worker process: the load, then its outcome over the pipe."""
    die_with_parent(parent)
    try:
        outcome: tuple[str, Any] = ("ok", asyncio.run(_load(settings, path, options)))
    except UploadTooLarge as e:
        outcome = ("too_large", e.problems)
    except InvalidData as e:
        outcome = ("invalid", e.problems)
    except ReferralnetError as e:
        outcome = ("error", (e.code, e.message))
    except BaseException as e:  # noqa: BLE001 - logged here, a plain failure for the client
        import traceback

        traceback.print_exception(e)
        outcome = ("error", ("INTERNAL", "the load failed; it has been logged and undone"))
    with contextlib.suppress(OSError):
        conn.send(outcome)
    conn.close()


async def load_in_process(settings: Settings, path: Path, **options: Any) -> LoadReport:
    """`load_hsds(db, path, **options)` in a worker process; its report, or its error."""
    ctx = multiprocessing.get_context("spawn")
    receiver, sender = ctx.Pipe(duplex=False)
    worker = ctx.Process(
        target=_work,
        args=(os.getpid(), sender, settings, path, options),
        name="referralnet-load",
        daemon=True,
    )
    worker.start()
    sender.close()
    try:
        kind, value = await asyncio.to_thread(_outcome, receiver)
    except BaseException:
        worker.terminate()  # SIGTERM: the load is cancelled and undoes what it wrote
        await asyncio.to_thread(worker.join, UNDO_WAIT)
        raise
    finally:
        if worker.is_alive():
            worker.kill()
        await asyncio.to_thread(worker.join)
        receiver.close()
    if kind == "ok":
        report: LoadReport = value
        return report
    if kind == "too_large":
        raise UploadTooLarge(value)
    if kind == "invalid":
        raise InvalidData(value)
    raise Relayed(*value)


def _outcome(receiver: Connection) -> tuple[str, Any]:
    try:
        outcome: tuple[str, Any] = receiver.recv()
    except EOFError:
        return "error", ("INTERNAL", "the load's worker process died; its load is undone")
    return outcome
