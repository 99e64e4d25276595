"""Writes of the directory: batched UNWIND statements, each row hashed so that a re-load
leaves unchanged records alone and says so. `write_directory` writes in one transaction;
graph/directory_chunks.py commits a big load's new rows chunk by chunk."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, TypeVar

import orjson

from graph.db import Database, Tx
from graph.hsds_packs import diff_packs, encode
from graph.referral_holds import ReferralHolds

Rows = list[dict[str, Any]]
Outcomes = dict[str, int]
Progress = Callable[[str, int], None]
BATCH = 5000
T = TypeVar("T")
OUTCOMES = ("created", "updated", "unchanged")


@dataclass
class DirectoryRows:
    """Rows ready for the upsert_* queries, in the order they must be written.

    organizations: {id, props, region, responsibilities}; links: {id, partners, member_of};
    aliases: {id, merged_id, name}; services: {id, organization_id, props, needs, regions};
    records: {key, props}. A missing `hash` is computed from the rest of the row but `at`
    (where a service row was read: file, line, field prefix; for problems only)."""

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
    body = {k: v for k, v in row.items() if k not in ("hash", "at")}
    text = orjson.dumps(body, default=str, option=orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS)
    return hashlib.blake2b(text, digest_size=16).hexdigest()


def batches(rows: Iterable[T], size: int) -> Iterable[list[T]]:
    batch: list[T] = []
    for r in rows:
        batch.append(r)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


async def write_kind(tx: Tx, kind: str, rows: Iterable[dict[str, Any]],
                     progress: Progress | None = None,
                     kept: Outcomes | None = None,
                     holds: ReferralHolds | None = None) -> Outcomes | None:
    """Write one kind of row in batches (rows may be a stream); None when there were none.
    `kept` adds up the HSDS rows kept whole (packs of organizations and services, records).

    The next batch is mapped and hashed in a worker thread while Neo4j writes this one."""
    outcome = dict.fromkeys(OUTCOMES, 0)
    parts = hashed_batches(kind, rows, BATCH)
    part = await asyncio.to_thread(next, parts, None)
    seen = part is not None
    while part is not None:
        following = asyncio.ensure_future(asyncio.to_thread(next, parts, None))
        try:
            await write_part(tx, kind, part, outcome, kept, holds=holds)
        except BaseException:
            await asyncio.wait([following])  # never leave the worker running on its own
            if not following.cancelled():
                following.exception()  # the first failure is the one to report
            raise
        if progress:
            progress(kind, len(part))
        part = await following
    return outcome if seen else None


def hashed_batches(kind: str, rows: Iterable[dict[str, Any]], size: int) -> Iterator[Rows]:
    """Batches of `size` rows, each with its `hash` when the kind is counted, as written."""
    for part in batches(rows, size):
        if kind in _COUNTED:
            part = [_stored(r if "hash" in r else {**r, "hash": row_hash(r)}) for r in part]
        yield part


def _stored(row: dict[str, Any]) -> dict[str, Any]:
    """The row as written: its `hsds` pack compressed (graph/hsds_packs.py), after the hash,
    which is of the pack's JSON text."""
    props = row.get("props")
    if props and isinstance(props.get("hsds"), str):
        return {**row, "props": {**props, "hsds": encode(props["hsds"])}}
    return row


async def write_part(tx: Tx, kind: str, part: Rows, outcome: Outcomes,
                     kept: Outcomes | None = None, only: str | None = None,
                     load: str | None = None, holds: ReferralHolds | None = None) -> None:
    """One batch. Counted kinds: each row's hash is compared with the stored one; new rows
    are created by the lean create_* statements (stamped with `load`), changed ones go through
    the upsert, unchanged ones cost nothing more. `only` ("new" or "changed") writes, counts
    and tallies just those, for a load that creates in chunks and updates at the end. Changed
    services are checked against what their referrals hold first (`holds`; by default any
    conflict is refused: graph/referral_holds.py)."""
    if kind not in _COUNTED:
        for r in await tx.run(dict(STEPS)[kind], rows=part):  # reference data, links
            outcome[r["outcome"]] += r["n"]
        return
    key = "key" if kind == "records" else "id"
    stored = {r["key"]: r["hash"] for r in
              await tx.run(f"stored_{kind[:-1]}_hashes", keys=[r[key] for r in part])}
    new: Rows = []
    changed: Rows = []
    for r in part:
        k = r[key]
        if k not in stored:
            new.append(r)
            stored[k] = None  # a second row with this key in the batch updates the first
        elif stored[k] != r["hash"]:
            changed.append(r)
    if only != "changed":
        outcome["created"] += len(new)
        outcome["unchanged"] += len(part) - len(new) - len(changed)
        if kept is not None:
            _tally_same(kind, part, new, changed, kept)
        if new:
            await _create(tx, kind, new, load)
    outcome["updated"] += len(changed)
    if only != "new" and changed:
        if kind == "services":
            await (holds or ReferralHolds()).check(tx, changed)
        if kept is not None:
            await _tally_changed(tx, kind, changed, kept)
        await tx.run(dict(STEPS)[kind], rows=changed)


def _kept_rows(kind: str, r: dict[str, Any]) -> int:
    return 1 if kind == "records" else int(r.get("kept", 0))


def _tally_same(kind: str, rows: Rows, new: Rows, changed: Rows, kept: Outcomes) -> None:
    """Kept HSDS rows of new and unchanged nodes: a record is one row, a pack all of its."""
    created = sum(_kept_rows(kind, r) for r in new)
    kept["created"] += created
    kept["unchanged"] += sum(_kept_rows(kind, r) for r in rows) - created \
        - sum(_kept_rows(kind, r) for r in changed)


async def _tally_changed(tx: Tx, kind: str, changed: Rows, kept: Outcomes) -> None:
    """Kept HSDS rows of changed nodes: a changed pack is compared row by row with the stored
    one (before it is overwritten)."""
    if kind == "records":
        kept["updated"] += len(changed)
        return
    packs = [r for r in changed if r["props"].get("hsds")]
    kept["updated"] += sum(_kept_rows(kind, r) for r in changed if not r["props"].get("hsds"))
    if packs:
        old = {r["key"]: r["hsds"] for r in await tx.run(
            f"stored_{kind[:-1]}_packs", keys=[r["id"] for r in packs])}
        for r in packs:
            created, updated, same = diff_packs(old.get(r["id"]), r["props"]["hsds"])
            kept["created"] += created
            kept["updated"] += updated
            kept["unchanged"] += same


async def _create(tx: Tx, kind: str, rows: Rows, load: str | None) -> None:
    await tx.run(f"create_{kind}", rows=rows, load=load)


async def write_rows(tx: Tx, rows: DirectoryRows, progress: Progress | None = None,
                     holds: ReferralHolds | None = None) -> dict[str, Outcomes]:
    """Write every kind of row in order inside the caller's transaction."""
    counts: dict[str, Outcomes] = {}
    for kind, _ in STEPS:
        outcome = await write_kind(tx, kind, getattr(rows, kind), progress, holds=holds)
        if outcome is not None:
            counts[kind] = outcome
    return counts


async def write_directory(db: Database, rows: DirectoryRows,
                          progress: Progress | None = None,
                          holds: ReferralHolds | None = None) -> dict[str, Outcomes]:
    """Write everything or nothing; returns created/updated/unchanged counts per kind. A
    service row that conflicts with its referrals is refused unless `holds` allows it."""

    async def work(tx: Tx) -> dict[str, Outcomes]:
        counts = await write_rows(tx, rows, progress, holds)
        await tx.run("bump_directory_version")
        return counts

    counts = await db.in_write_tx(work, "write_directory", float(db.settings.load_timeout_s))
    db.forget_cached()
    return counts
