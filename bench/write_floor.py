"""Neo4j's own floor for the case import's relationship writes, in the same run: bare
relationships (no property, no index, both ends found by element id) created in transactions of
the loader's size, as many at once as the loader commits, on the Neo4j the import just warmed.
The import's write phase is set against it in BENCHMARKS.md: how far the loader's write is from
what Neo4j itself needs."""

from __future__ import annotations

import asyncio
import random
import time
from dataclasses import dataclass

from bench.harness import cpu_seconds
from graph.config import Settings
from graph.db import Database

FLOOR_RELS = 200_000
FLOOR_NODES = 100_000


@dataclass(frozen=True)
class Floor:
    rels: int
    seconds: float
    neo4j_cpu_s: float

    @property
    def rps(self) -> float:
        return self.rels / self.seconds

    @property
    def cpu_us(self) -> float:
        """Neo4j CPU per relationship, in microseconds."""
        return self.neo4j_cpu_s / self.rels * 1e6


async def write_floor(settings: Settings, chunk: int, writers: int, seed: int,
                      neo4j_pid: int | None, rels: int = FLOOR_RELS) -> Floor:
    db = Database(settings)
    try:
        ends = [r["eid"] for r in await db.read("bench_floor_nodes", limit=FLOOR_NODES)]
        rng = random.Random(seed + 7)
        rows = [{"a": rng.choice(ends), "b": rng.choice(ends)} for _ in range(rels)]
        parts = iter(range(0, rels, chunk))
        made = 0

        async def worker() -> None:
            nonlocal made
            for start in parts:
                got = await db.write("bench_floor_create", rows=rows[start:start + chunk])
                made += got[0]["n"]  # after the await: the other writers add to it meanwhile

        cpu0, t0 = cpu_seconds(neo4j_pid), time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(writers)))
        return Floor(made, time.perf_counter() - t0, cpu_seconds(neo4j_pid) - cpu0)
    finally:
        await db.close()
