"""Bulk reading with Python's cycle collector paused.

Reading a case file keeps millions of small dicts and lists alive until it is written, and none
of them form reference cycles. The cycle collector would still walk all of them again and again
as they pile up: on the benchmark's 2,650,000-line file it cost a third of the reading time
(BENCHMARKS.md). Reference counting frees everything else as usual; the collector runs again
once the bulk step is over. Loads run in the `referralnet` command's own process, never inside
the API server."""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cycle collector for the block; nested uses leave it to the outermost."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def without_gc(fn: Callable[P, R]) -> Callable[P, R]:
    """Run `fn` with the cycle collector paused (gc_paused)."""
    @wraps(fn)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        with gc_paused():
            return fn(*args, **kwargs)
    return run
