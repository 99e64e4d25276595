"""A case load without one big transaction, still all or nothing: the load journal of
graph/load_journal.py, shared with directory loads.

Once a stale case load is undone (the journal's start), what the database holds of the file is
read (ftm_stored_nodes, ftm_stored_records, mark_known_edges): an id held under another label
aborts the load before anything is written (LabelConflict). Then, kind after kind (nodes,
identifiers, records, edges, links), the rows whose entity does not exist yet are committed in
chunks of `load_chunk_rows`, stamped with the load; rows that change a stored entity are written
in the closing transaction, followed by the relationships the changed entities state (their
update drops the old ones); for people the load leaves victims only, it also drops the identity
documents, accounts, vehicles and other identifiers that earlier files tied to them and no one
else holds (loaders/ftm_load.resolve_victims has mapped again, without them, what they held with
others). Unchanged rows cost nothing more. When anything fails, the journal deletes what the
load created, so the case graph is as it was. What the chunks create is Staged, hidden from every
reader until the closing transaction (graph/load_journal.py)."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

from graph.db import Database, Tx
from graph.directory_write import BATCH, OUTCOMES, Outcomes, Rows, batches, row_hash
from graph.investigations_write import (
    CaseRows,
    LabelConflict,
    check_rows,
    mark_known_edges,
    write_batches,
)
from graph.load_journal import CASES, LoadJournal, Progress
from graph.load_lease import LoadLease

# per kind: the statement creating what is new (in chunks), the one writing what changed
# (closing transaction); identifiers never change. Links stated by an entity the load creates
# cannot exist yet (the mapper states each once): created outright, without looking for them.
_CREATE = {"nodes": "ftm_new_nodes", "identifiers": "ftm_new_identifiers",
           "records": "ftm_new_records", "edges": "ftm_new_edges", "links": "ftm_new_links"}
_FRESH_LINKS = "ftm_fresh_links"
_UPDATE = {"nodes": "ftm_upsert_nodes", "records": "ftm_upsert_records",
           "edges": "ftm_upsert_edges", "links": "ftm_link"}
KINDS = ("nodes", "identifiers", "records", "edges", "links")


def _zero() -> Outcomes:
    return dict.fromkeys(OUTCOMES, 0)


async def _stored(db: Database, query: str, rows: Rows) -> dict[str, dict[str, Any]]:
    parts = await db.read_in_parts(query, "ids", [r["id"] for r in rows])
    return {i: {"hash": h, "labels": labels} for part in parts for i, h, labels in part["found"]}


class _Plan:
    """Each kind's rows split into new (created in chunks), changed (written at the end) and
    unchanged (counted only), from what the database holds."""

    def __init__(self) -> None:
        self.new: dict[str, Rows] = {}
        self.fresh_links: Rows = []  # stated by an entity the load creates
        self.changed: dict[str, Rows] = {k: [] for k in _UPDATE}
        self.unchanged: dict[str, int] = dict.fromkeys(KINDS, 0)

    def split(self, kind: str, rows: Rows, stored: Mapping[str, str | None]) -> None:
        self.new[kind] = [r for r in rows if r["id"] not in stored]
        self.changed[kind] = [r for r in rows if r["id"] in stored and stored[r["id"]] != r["hash"]]
        self.unchanged[kind] = len(rows) - len(self.new[kind]) - len(self.changed[kind])


async def _plan(db: Database, rows: CaseRows) -> _Plan:
    for r in rows.nodes + rows.records:
        if "hash" not in r:
            r["hash"] = row_hash(r)
    plan = _Plan()
    nodes = await _stored(db, "ftm_stored_nodes", rows.nodes)
    clash = [r["id"] for r in rows.nodes if r["id"] in nodes
             and r["label"] not in nodes[r["id"]]["labels"]]
    if clash:
        raise LabelConflict(clash)
    plan.split("nodes", rows.nodes, {k: v["hash"] for k, v in nodes.items()})
    records = await _stored(db, "ftm_stored_records", rows.records)
    plan.split("records", rows.records, {k: v["hash"] for k, v in records.items()})
    plan.split("edges", rows.edges, await mark_known_edges(db, rows))
    plan.new["identifiers"] = rows.identifiers
    # relationships stated by a changed entity are dropped by its update: stated again after it
    changed = {r["id"] for kind in ("nodes", "records", "edges") for r in plan.changed[kind]}
    created = {r["id"] for kind in ("nodes", "records", "edges") for r in plan.new[kind]}
    plan.fresh_links = [r for r in rows.links if r["via"] in created]
    plan.new["links"] = [r for r in rows.links if r["via"] not in changed and r["via"] not in created]
    plan.changed["links"] = [r for r in rows.links if r["via"] in changed]
    return plan


async def _create(load: LoadJournal, kind: str, statement: str, rows: Rows,
                  outcome: Outcomes) -> None:
    """Commit `rows` of a kind by `statement` in chunks of `load_chunk_rows`, stamped with the load,
    `load_concurrency` chunks at a time (each transaction runs on one Neo4j thread). After a
    failure no chunk starts, and those under way are waited for before it is raised, so that
    the journal's undo finds every chunk that committed."""
    size = max(1, load.db.settings.load_chunk_rows)
    chunks = iter(range(0, len(rows), size))
    failed: list[BaseException] = []

    async def one(start: int) -> None:
        part, got = rows[start:start + size], _zero()

        async def work(tx: Tx) -> None:
            got.update(_zero())  # retried as a whole: counts start again
            for batch in batches(part, BATCH):
                for r in await tx.run(statement, rows=batch, load=load.id):
                    got[r["outcome"]] += r["n"]

        await load.commit(kind, work, len(part))
        for k in OUTCOMES:
            outcome[k] += got[k]

    async def worker() -> None:
        for start in chunks:
            if failed:
                return
            try:
                await one(start)
            except BaseException as e:  # noqa: BLE001 - raised once the chunks under way end
                failed.append(e)
                return

    await asyncio.gather(*(worker() for _ in range(max(1, load.db.settings.load_concurrency))))
    if failed:
        raise failed[0]


async def _held_by(tx: Tx, victims: list[str]) -> tuple[list[str], list[str]]:
    """The identifiers the people a load leaves victims only are tied to, and those these are
    registered at (an account's phone)."""
    theirs: list[str] = []
    beyond: list[str] = []
    for part in batches(victims, BATCH):
        found = (await tx.run("ftm_identifiers_of", ids=part))[0]
        theirs += found["found"]
        beyond += found["beyond"]
    return theirs, beyond


async def _drop_victim_ties(tx: Tx, victims: list[str], held: tuple[list[str], list[str]]) -> None:
    """Victims keep no identifier: drop what earlier files tied to them through documents,
    accounts, vehicles or payments, then whatever of `held` no one else holds any more."""
    for part in batches(victims, BATCH):
        await tx.run("ftm_drop_victim_ties", ids=part)
    for ids in held:  # an account first, then the phone it was registered at
        for part in batches(ids, BATCH):
            await tx.run("ftm_drop_orphan_identifiers", ids=part)


async def load_case_rows(db: Database, rows: CaseRows, source: str,
                         progress: Progress | None = None,
                         lease: LoadLease | None = None) -> dict[str, Outcomes]:
    """Write a file's case rows, all or nothing, under the cases lease (one of its own when
    none is given); created/updated/unchanged counts per kind (kinds without rows left out).
    Raises LabelConflict, having written nothing."""
    check_rows(rows)
    early = {k: _zero() for k in KINDS}  # committed in chunks, or unchanged
    late: dict[str, Outcomes] = {}  # the closing transaction's

    def written() -> dict[str, Outcomes]:
        out: dict[str, Outcomes] = {}
        for kind in KINDS:
            if getattr(rows, kind):
                out[kind] = {k: early[kind][k] + late.get(kind, {}).get(k, 0) for k in OUTCOMES}
        return out

    async with LoadJournal(db, source, CASES, progress, lease) as load:
        plan = await _plan(db, rows)
        for kind in KINDS:
            if kind == "links":
                await _create(load, kind, _FRESH_LINKS, plan.fresh_links, early[kind])
            await _create(load, kind, _CREATE[kind], plan.new[kind], early[kind])
            early[kind]["unchanged"] += plan.unchanged[kind]
            if progress and plan.unchanged[kind]:
                progress(kind, plan.unchanged[kind])

        async def closing(tx: Tx) -> None:
            late.clear()  # retried as a whole
            held = await _held_by(tx, rows.victims)  # before their update drops the ties
            for kind, query in _UPDATE.items():
                got = await write_batches(tx, query, plan.changed[kind], kind,
                                          kind != "links", progress)
                if got:
                    late[kind] = got
            for part in batches(rows.withdrawn, BATCH):
                await tx.run("ftm_withdraw_records", ids=part)
            await _drop_victim_ties(tx, rows.victims, held)

        await load.finish(closing, written)
    return written()

