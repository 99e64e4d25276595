"""Writes of the directory: batched UNWIND statements, all in one transaction, each row
hashed so that a re-load leaves unchanged records alone and says so."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from graph.db import Database, Tx

Rows = list[dict[str, Any]]
Outcomes = dict[str, int]
Progress = Callable[[str, int], None]
BATCH = 5000
OUTCOMES = ("created", "updated", "unchanged")


@dataclass
class DirectoryRows:
    """Rows ready for the upsert_* queries, in the order they must be written.

    organizations: {id, props, region, responsibilities}; links: {id, partners, member_of};
    aliases: {id, merged_id, name}; services: {id, organization_id, props, needs, regions};
    records: {key, props}. A missing `hash` is computed from the rest of the row."""

    regions: Rows = field(default_factory=list)
    needs: Rows = field(default_factory=list)
    provisions: Rows = field(default_factory=list)
    responsibilities: Rows = field(default_factory=list)
    organizations: Rows = field(default_factory=list)
    links: Rows = field(default_factory=list)
    aliases: Rows = field(default_factory=list)
    services: Rows = field(default_factory=list)
    records: Rows = field(default_factory=list)


STEPS = (("regions", "upsert_regions"), ("needs", "upsert_needs"),
         ("provisions", "upsert_provisions"), ("responsibilities", "upsert_responsibilities"),
         ("organizations", "upsert_organizations"), ("links", "link_organizations"),
         ("aliases", "merge_organization_aliases"), ("services", "upsert_services"),
         ("records", "upsert_records"))
_COUNTED = frozenset({"organizations", "services", "records"})


def row_hash(row: dict[str, Any]) -> str:
    """A stable hash of a row's content (key order and list order as given)."""
    body = {k: v for k, v in row.items() if k != "hash"}
    text = json.dumps(body, sort_keys=True, ensure_ascii=False, default=str, separators=(",", ":"))
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


def _batches(rows: Iterable[dict[str, Any]], size: int) -> Iterable[Rows]:
    batch: Rows = []
    for r in rows:
        batch.append(r)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


async def write_kind(tx: Tx, kind: str, rows: Iterable[dict[str, Any]],
                     progress: Progress | None = None) -> Outcomes | None:
    """Write one kind of row in batches (rows may be a stream); None when there were none."""
    name = dict(STEPS)[kind]
    outcome = dict.fromkeys(OUTCOMES, 0)
    seen = False
    for part in _batches(rows, BATCH):
        seen = True
        if kind in _COUNTED:
            hashed = [r if "hash" in r else {**r, "hash": row_hash(r)} for r in part]
            for r in await tx.run(name, rows=hashed):
                outcome[r["outcome"]] += r["n"]
        else:
            await tx.run(name, rows=part)
            outcome["created"] += len(part)  # reference data and links: upserted, not told apart
        if progress:
            progress(kind, len(part))
    return outcome if seen else None


async def write_rows(tx: Tx, rows: DirectoryRows,
                     progress: Progress | None = None) -> dict[str, Outcomes]:
    """Write every kind of row in order inside the caller's transaction."""
    counts: dict[str, Outcomes] = {}
    for kind, _ in STEPS:
        outcome = await write_kind(tx, kind, getattr(rows, kind), progress)
        if outcome is not None:
            counts[kind] = outcome
    return counts


async def write_directory(db: Database, rows: DirectoryRows,
                          progress: Progress | None = None) -> dict[str, Outcomes]:
    """Write everything or nothing; returns created/updated/unchanged counts per kind."""

    async def work(tx: Tx) -> dict[str, Outcomes]:
        return await write_rows(tx, rows, progress)

    counts = await db.in_write_tx(work, "write_directory", float(db.settings.load_timeout_s))
    db.forget_cached()
    return counts
