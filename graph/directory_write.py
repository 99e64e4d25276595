"""Writes of the directory: batched UNWIND statements, all in one transaction."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from graph.db import Database, Tx

Rows = list[dict[str, Any]]
BATCH = 5000


@dataclass
class DirectoryRows:
    """Rows ready for the upsert_* queries, in the order they must be written."""

    regions: Rows = field(default_factory=list)
    needs: Rows = field(default_factory=list)
    provisions: Rows = field(default_factory=list)
    responsibilities: Rows = field(default_factory=list)
    organizations: Rows = field(default_factory=list)
    links: Rows = field(default_factory=list)
    services: Rows = field(default_factory=list)


_STEPS = (("regions", "upsert_regions"), ("needs", "upsert_needs"),
          ("provisions", "upsert_provisions"), ("responsibilities", "upsert_responsibilities"),
          ("organizations", "upsert_organizations"), ("links", "link_organizations"),
          ("services", "upsert_services"))


async def write_directory(db: Database, rows: DirectoryRows) -> dict[str, int]:
    """Write everything or nothing; returns the number of rows written per kind."""

    async def work(tx: Tx) -> dict[str, int]:
        counts: dict[str, int] = {}
        for kind, name in _STEPS:
            batch: Rows = getattr(rows, kind)
            for i in range(0, len(batch), BATCH):
                await tx.run(name, rows=batch[i:i + BATCH])
            counts[kind] = len(batch)
        return counts

    return await db.in_write_tx(work, "write_directory")
