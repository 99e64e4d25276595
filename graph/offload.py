"""CPU-heavy pure work of a request (keyPlayers' centrality and communities, same-person
scoring) in worker processes, so that the API's one event loop keeps answering meanwhile: a
thread would not do, the work holds Python's GIL. The pool is the Database's (one per API
process), made at first use, with REFERRALNET_CPU_WORKERS processes started with "spawn";
0 runs the work in a thread instead."""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import os
import signal
import sys
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

T = TypeVar("T")


def die_with_parent(parent: int) -> None:
    """In a worker process started by process `parent`: be killed when it dies, even by kill -9
    (Linux: PR_SET_PDEATHSIG; elsewhere a worker ends when its pipe closes); end at once if it
    died before (while this process started)."""
    if sys.platform == "linux":
        with contextlib.suppress(Exception):
            import ctypes

            ctypes.CDLL(None, use_errno=True).prctl(1, int(signal.SIGKILL))
    if os.getppid() != parent:
        os._exit(1)


class Offload:
    def __init__(self, workers: int) -> None:
        self.workers = workers
        self._pool: ProcessPoolExecutor | None = None

    def _executor(self) -> ProcessPoolExecutor:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(
                self.workers,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=die_with_parent,
                initargs=(os.getpid(),),
            )
        return self._pool

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        """`fn(*args)` in a worker process (fn and args picklable); its answer or its error."""
        if self.workers <= 0:
            return await asyncio.to_thread(fn, *args)
        try:
            return await asyncio.wrap_future(self._executor().submit(fn, *args))
        except BrokenProcessPool:  # a worker died (killed): a new pool, the work once more
            self.close()
            return await asyncio.wrap_future(self._executor().submit(fn, *args))

    def close(self) -> None:
        pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)
