"""Writes of the directory: batched UNWIND statements, all in one transaction, each row
hashed so that a re-load leaves unchanged records alone and says so."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from graph.db import Database, Tx

Rows = list[dict[str, Any]]
Outcomes = dict[str, int]
BATCH = 5000
OUTCOMES = ("created", "updated", "unchanged")


@dataclass
class DirectoryRows:
    """Rows ready for the upsert_* queries, in the order they must be written.

    organizations: {id, props, region, responsibilities}; links: {id, partners, member_of};
    services: {id, organization_id, props, needs, regions}; records: {key, props}.
    A missing `hash` is computed from the rest of the row."""

    regions: Rows = field(default_factory=list)
    needs: Rows = field(default_factory=list)
    provisions: Rows = field(default_factory=list)
    responsibilities: Rows = field(default_factory=list)
    organizations: Rows = field(default_factory=list)
    links: Rows = field(default_factory=list)
    services: Rows = field(default_factory=list)
    records: Rows = field(default_factory=list)


_STEPS = (("regions", "upsert_regions"), ("needs", "upsert_needs"),
          ("provisions", "upsert_provisions"), ("responsibilities", "upsert_responsibilities"),
          ("organizations", "upsert_organizations"), ("links", "link_organizations"),
          ("services", "upsert_services"), ("records", "upsert_records"))
_COUNTED = frozenset({"organizations", "services", "records"})


def row_hash(row: dict[str, Any]) -> str:
    """A stable hash of a row's content (key order and list order as given)."""
    body = {k: v for k, v in row.items() if k != "hash"}
    text = json.dumps(body, sort_keys=True, ensure_ascii=False, default=str, separators=(",", ":"))
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


def _hashed(batch: Rows) -> Rows:
    return [r if "hash" in r else {**r, "hash": row_hash(r)} for r in batch]


async def write_rows(tx: Tx, rows: DirectoryRows,
                     progress: Callable[[str, int], None] | None = None) -> dict[str, Outcomes]:
    """Write every kind of row in order inside the caller's transaction."""
    counts: dict[str, Outcomes] = {}
    for kind, name in _STEPS:
        batch: Rows = getattr(rows, kind)
        outcome = dict.fromkeys(OUTCOMES, 0)
        for i in range(0, len(batch), BATCH):
            part = batch[i:i + BATCH]
            if kind in _COUNTED:
                for r in await tx.run(name, rows=_hashed(part)):
                    outcome[r["outcome"]] += r["n"]
            else:
                await tx.run(name, rows=part)
                outcome["created"] += len(part)  # reference data: upserted, not counted apart
            if progress:
                progress(kind, len(part))
        if batch:
            counts[kind] = outcome
    return counts


async def write_directory(db: Database, rows: DirectoryRows,
                          progress: Callable[[str, int], None] | None = None
                          ) -> dict[str, Outcomes]:
    """Write everything or nothing; returns created/updated/unchanged counts per kind."""

    async def work(tx: Tx) -> dict[str, Outcomes]:
        return await write_rows(tx, rows, progress)

    counts = await db.in_write_tx(work, "write_directory", float(db.settings.load_timeout_s))
    db.forget_cached()
    return counts
