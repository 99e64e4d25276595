"""The row-at-a-time baselines of the directory import benchmark (bench/load.py). The sample is
validated and mapped as `load_hsds` does; then every write is a transaction of its own, through
the product's `write_kind` (hash compared with the stored one, created or updated):

- per HSDS row (the issue's baseline, "the same rows one transaction per row"): an organization
  or a service is written with its own row first, then again with each further row it keeps
  (its address, service areas, attributes, languages ...), the pack growing by one row a
  transaction, as a loader taking one input row at a time would update it;
- per organization or service: each written once with all its rows.

A row kept on its own (a location, a taxonomy term) is one transaction either way."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson

from bench.harness import BenchError, cpu_seconds, machine_busy_seconds, others_share
from graph.config import Settings
from graph.db import Database, Tx
from graph.directory_write import Outcomes, write_kind
from loaders.directory_load import ensure_reference_data, first_pass
from loaders.hsds_map import HsdsMapper
from loaders.hsds_read import open_source
from loaders.needs_mapping import NeedsMapping
from loaders.regions import RegionResolver

Sample = tuple[int, int, float, float]  # HSDS rows, transactions, seconds, others' CPU share
PER_HSDS_ROW, PER_ENTITY = "per HSDS row", "per organization or service"


def grown(kind: str, row: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """`row` as written one HSDS row at a time: with the first row of its pack, then with each
    further one (the pack's JSON as loaders/hsds_keep.py makes it). Rows without a pack as is."""
    pack = row["props"].get("hsds") if kind in ("organizations", "services") else None
    if not pack:
        yield row
        return
    so_far: dict[str, list[Any]] = {}
    n = 0
    for table, rows in orjson.loads(pack).items():
        for r in rows:
            so_far.setdefault(table, []).append(r)
            n += 1
            yield {**row, "props": {**row["props"], "hsds": orjson.dumps(so_far).decode()},
                   "kept": n}


async def row_at_a_time(settings: Settings, package: Path, neo4j_pid: int | None,
                        mode: str) -> Sample:
    """The sample written one transaction per HSDS row or per organization or service (`mode`):
    HSDS rows, transactions, seconds, other processes' CPU share."""
    db = Database(settings)
    try:
        await db.apply_schema()
        await db.in_write_tx(ensure_reference_data, "reference data")
        t0, busy0, cpu0 = time.perf_counter(), machine_busy_seconds(), time.process_time()
        neo0 = cpu_seconds(neo4j_pid)
        source = open_source(package)
        mapper = HsdsMapper(source, [], RegionResolver.load(), NeedsMapping.load(None))
        try:
            rows = sum(first_pass(source, mapper).rows.values())
            if mapper.problems:
                raise BenchError(f"the sample does not map: {mapper.problems[0]}")
            writes = 0
            for kind, stream in (("organizations", mapper.organizations),
                                 ("aliases", mapper.alias_rows), ("services", mapper.services),
                                 ("records", mapper.records)):
                for mapped in stream():
                    for row in grown(kind, mapped) if mode == PER_HSDS_ROW else (mapped,):
                        async def one(tx: Tx, kind: str = kind,
                                      row: dict[str, Any] = row) -> Outcomes | None:
                            return await write_kind(tx, kind, [row])
                        await db.in_write_tx(one, "one row")
                        writes += 1
        finally:
            mapper.close()
        wall = time.perf_counter() - t0
        own = time.process_time() - cpu0 + cpu_seconds(neo4j_pid) - neo0
        return rows, writes, wall, others_share(busy0, own, wall)
    finally:
        await db.close()
