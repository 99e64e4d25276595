"""Writes of case data: the rows loaders/ftm_map.py builds, in batched UNWIND statements, each
entity row hashed so that a re-load leaves unchanged entities alone and says so (a case load
commits them in chunks under a load journal: graph/case_chunks.py). Batching, hashing and the
created/updated/unchanged counts are those of graph.directory_write (`row_hash`, `batches`,
BATCH, OUTCOMES).

Labels and relationship types travel in the rows (Cypher 5.26 dynamic labels, `$(r.label)`), so
that one statement serves every kind; `check_rows` makes sure each is one the model defines."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from graph.db import Database, Tx
from graph.directory_write import BATCH, OUTCOMES, Outcomes, Progress, Rows, batches, row_hash
from graph.model import load_model

# label kinds per row list, for check_rows
NODE_LABELS = frozenset({"Case", "Person", "Company"})
IDENTIFIER_LABELS = frozenset({"Phone", "Email", "Address", "BankAccount", "Vehicle", "IdDocument",
                               "OnlineAccount"})
EDGE_TYPES = frozenset({"SUSPECT_IN", "VICTIM_IN", "WITNESS_IN", "ASSOCIATE_OF", "FAMILY_OF",
                        "EMPLOYED_BY", "MEMBER_OF_ORG", "OWNS", "PAID", "LINKED_TO"})
LINK_TYPES = frozenset({"USES", "REGISTERED_AT"})
ROLE_TYPES = frozenset({"SUSPECT_IN", "VICTIM_IN", "WITNESS_IN"})  # a case party, by role


@dataclass
class CaseRows:
    """Rows for the ftm_* statements, written in this order.

    nodes: {id, label, props} (Case, Person, Company; the FtM JSON in props.ftm);
    identifiers: {id, label, caption, props}; records: {id, target, props} (FtM entities merged
    into an identifier: the Address, BankAccount... entity itself, an Identification);
    edges: {id, type, from, to, props} (FtM edge entities: CourtCaseParty, Payment...);
    links: {type, from, to, via} (relationships stated by a property of the entity `via`);
    victims: ids of the people this load leaves victims only (what earlier files tied to them,
    identity documents, accounts, vehicles, is dropped in the closing transaction);
    withdrawn: ids of records the file states as held by victims only (not kept: an older
    statement of them is deleted in the closing transaction).
    A missing `hash` is computed from the rest of the row."""

    nodes: Rows = field(default_factory=list)
    identifiers: Rows = field(default_factory=list)
    records: Rows = field(default_factory=list)
    edges: Rows = field(default_factory=list)
    links: Rows = field(default_factory=list)
    victims: list[str] = field(default_factory=list)
    withdrawn: list[str] = field(default_factory=list)

    def size(self) -> int:
        return sum(len(getattr(self, k)) for k, _ in STEPS)


STEPS = (("nodes", "ftm_upsert_nodes"), ("identifiers", "ftm_upsert_identifiers"),
         ("records", "ftm_upsert_records"), ("edges", "ftm_upsert_edges"), ("links", "ftm_link"))
_HASHED = frozenset({"nodes", "records", "edges"})
# rows flagged `known: False` (mark_known_edges found no such id) go to a statement that only
# creates: looking up what cannot be there costs more than the write
_FRESH = {"ftm_upsert_edges": "ftm_create_edges"}


def check_rows(rows: CaseRows) -> None:
    """Every label and relationship type in the rows is one of the model's (a programming error
    otherwise: the mapper builds them from constants)."""
    model = load_model()
    for kind, allowed, key, known in (("nodes", NODE_LABELS, "label", model.nodes),
                                      ("identifiers", IDENTIFIER_LABELS, "label", model.nodes),
                                      ("edges", EDGE_TYPES, "type", model.relationships),
                                      ("links", LINK_TYPES, "type", model.relationships)):
        for r in getattr(rows, kind):
            if r[key] not in allowed or r[key] not in known:
                raise ValueError(f"{kind} row {r.get('id') or r} has {key} {r[key]!r}")


class LabelConflict(Exception):
    """Ids the database holds under another label than the rows give them."""

    def __init__(self, ids: list[str]) -> None:
        super().__init__(f"{len(ids)} id(s) are known under another label")
        self.ids = ids


async def write_batches(tx: Tx, query: str, rows: Iterable[dict[str, Any]], kind: str,
                        hashed: bool, progress: Progress | None = None,
                        batch: int = BATCH) -> Outcomes | None:
    """Run `query` over `rows` in batches; it returns (outcome, n) rows. None when no rows."""
    outcome = dict.fromkeys(OUTCOMES, 0)
    seen = False
    for part in batches(rows, batch):
        seen = True
        if hashed:
            part = [r if "hash" in r else {**r, "hash": row_hash(r)} for r in part]
        conflicts: list[str] = []
        runs = [(query, part)]
        if query in _FRESH:
            runs = [(_FRESH[query], [r for r in part if r.get("known") is False]),
                    (query, [r for r in part if r.get("known") is not False])]
        for name, rows_of in runs:
            if not rows_of:
                continue
            for r in await tx.run(name, rows=rows_of):
                if r["outcome"] == "conflict":
                    conflicts += r["ids"]
                else:
                    outcome[r["outcome"]] += r["n"]
        if conflicts:
            raise LabelConflict(conflicts)
        if progress:
            progress(kind, len(part))
    return outcome if seen else None


def _asked_by_type(edges: list[Any]) -> dict[str, list[str]]:
    """ftm_known_edges' parameter: the ids of these edge rows per relationship type, every type
    present; parties under one key, looked for under every role."""
    ids: dict[str, list[str]] = {t: [] for t in EDGE_TYPES - ROLE_TYPES}
    ids["parties"] = []
    for r in edges:
        ids["parties" if r["type"] in ROLE_TYPES else r["type"]].append(r["id"])
    return ids


async def edge_types_held(db: Database) -> set[str]:
    """The FtM edge relationship types the database holds at least one of."""
    return {r["type"] for r in await db.read("ftm_edge_types_held")}


async def mark_known_edges(db: Database, rows: CaseRows) -> dict[str, str]:
    """Hash every edge row, then flag (`known`) those whose id the database already holds, so
    that the write looks up only those (none is asked for whose type the database holds no
    relationship of: a first load asks nothing). Returns the stored hash of each known one."""
    held = await edge_types_held(db)
    if held & ROLE_TYPES:
        held |= ROLE_TYPES  # a party is looked for under every role: the role may have changed
    asked = [r for r in rows.edges if r["type"] in held]
    known = {i: h for part in await db.read_in_parts("ftm_known_edges", "ids", asked,
                                                     shape=_asked_by_type)
             for i, h in part["found"]}
    for r in rows.edges:
        r.setdefault("hash", row_hash(r))
        r["known"] = r["id"] in known
    return known
