"""`referralnet load cases`: check a whole FollowTheMoney JSON-lines file, then write it like
`load directory` (validated first, all or nothing, idempotent, batched, with progress and a
report of what was created, updated, unchanged and skipped).

Order: read and check every line (loaders/ftm_read.py); look up in the database the entities the
file refers to without defining them, and the roles it holds for the file's people (who is a
victim); map to case-graph rows, normalizing identifiers
(loaders/ftm_map.py, with loaders/ftm_mapcore.py and loaders/ftm_edges.py); only when no problem
was found anywhere, write (graph/case_chunks.py): under the load journal the directory loader
uses too (graph/load_journal.py), entities the database does not hold yet are committed in
chunks of REFERRALNET_LOAD_CHUNK rows and changed ones in one closing transaction, so a file of
hundreds of thousands of entities fits a small Neo4j heap; when anything fails (an id held under
another label, an interruption, the database), what the load created is deleted again, and a
load whose process died is undone by the next one."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graph.access import CLI
from graph.case_chunks import load_case_rows
from graph.db import Database
from graph.exceptions import InvalidData, Problem
from graph.investigations_write import ROLE_TYPES, CaseRows, LabelConflict, edge_types_held
from graph.load_journal import CASES
from graph.load_lease import LoadLease
from graph.types import Principal
from loaders.directory_load import LoadReport
from loaders.ftm_map import FtmMapper, Known
from loaders.ftm_read import Entity, FtmInput, read_entities
from loaders.gc_pause import gc_paused

Progress = Callable[[str, int], None]
KINDS = {"nodes": "cases, people, companies", "identifiers": "identifiers",
         "records": "kept FtM records", "edges": "relationships (FtM edges)",
         "links": "relationships (stated by properties)"}


@dataclass
class CasesReport(LoadReport):
    """LoadReport with what only case files have: entities skipped by schema, victims kept
    under a pseudonym."""

    skipped: dict[str, int] = field(default_factory=dict)
    pseudonymized: int = 0

    def to_json(self) -> dict[str, Any]:
        body = super().to_json()
        body.pop("merges", None)
        body.update(skipped=self.skipped, pseudonymized=self.pseudonymized)
        return body

    def human(self) -> str:
        lines = [f"loaded {self.source} ({self.format}): {self.rows_total} entities in "
                 f"{self.seconds:.1f}s"]
        for kind, o in self.written.items():
            lines.append(f"  {KINDS.get(kind, kind):<38} {o['created']:>8} created "
                         f"{o['updated']:>8} updated {o['unchanged']:>8} unchanged")
        if self.skipped:
            lines.append("  skipped (schema not held): " + ", ".join(
                f"{n} {s}" for s, n in sorted(self.skipped.items())))
        if self.warnings:
            lines.append(f"  {len(self.warnings)} warning(s):")
            lines += [f"    {w}" for w in self.warnings[:50]]
        return "\n".join(lines)


async def _resolve(db: Database, wanted: set[str]) -> dict[str, Known]:
    return {i: Known(label, node) for part in await db.read_in_parts("ftm_resolve", "ids", sorted(wanted))
            for i, label, node in part["found"]}


async def resolve_victims(db: Database, mapper: FtmMapper) -> None:
    """Who is a victim, with the roles the database holds for the file's people; people an earlier
    file stored by name whom this file leaves victims only are mapped again, as victims, and so
    are the entities (records, payments) through which earlier files tied victims to an
    identifier, and the cases and relationships whose texts name them: without them."""
    stored: list[tuple[str, str, str]] = []
    if await edge_types_held(db) & ROLE_TYPES:  # else no one holds a role: nothing to ask
        stored = [(a, b, c) for part in await db.read_in_parts(
            "ftm_stored_roles", "ids", mapper.people()) for a, b, c in part["found"]]
    mapper.resolve_roles(stored)
    named = mapper.stored_victims()
    if named:
        mapper.mask([Entity.from_json(text) for part in await db.read_in_parts(
            "ftm_stored_people", "ids", named) for text in part["found"]])
    added = mapper.restate([Entity.from_json(text) for part in await db.read_in_parts(
        "ftm_stored_held", "ids", sorted(mapper.victims)) for text in part["found"]])
    known = sorted(v for v in mapper.victims if v in mapper.src.entities)  # names known here
    texts = [(v, Entity.from_json(text)) for part in await db.read_in_parts(
        "ftm_stored_texts", "ids", known) for v, text in part["found"]]
    cases = mapper.cases_of(known)  # named by the file's parties, stated by an earlier file
    texts += [(v, Entity.from_json(text)) for part in await db.read_in_parts(
        "ftm_stored_cases", "ids", sorted(cases)) for c, text in part["found"] for v in cases[c]]
    added += mapper.restate_texts(texts)
    if added:
        mapper.resolve(await _resolve(db, mapper.references(added)))


def _conflicts(src: FtmInput, rows: CaseRows, ids: list[str]) -> InvalidData:
    labels = {r["id"]: r["label"] for r in rows.nodes}
    problems = [Problem(src.path.name, src.entities[i].line if i in src.entities else None,
                        "schema", f"{i} is already in the database as something else than a "
                                  f"{labels.get(i, '?')}; nothing written") for i in ids]
    return InvalidData(problems)


async def load_cases(db: Database, path: Path, *, progress: Progress | None = None,
                     max_problems: int = 1000, wait: bool = True,
                     by: Principal = CLI) -> CasesReport:
    """Load a case file for `by` under the cases lease, taken before anything is read: wait
    for another case load to end (reported to `progress`) or, unless `wait`, raise
    LoadRunning. Raise InvalidData listing every problem, having written nothing."""
    async with LoadLease(db, CASES.name, path.name, by=by, wait=wait,
                         progress=progress) as lease:
        with gc_paused():  # the whole file is held until it is written (loaders/gc_pause.py)
            return await _load_cases(db, path, progress, max_problems, lease)


async def _load_cases(db: Database, path: Path, progress: Progress | None,
                      max_problems: int, lease: LoadLease) -> CasesReport:
    started = time.perf_counter()
    src = read_entities(path, max_problems=max_problems, strict=False,
                        progress=(lambda n: progress("checked", n)) if progress else None)
    mapper = FtmMapper(src)
    mapper.resolve(await _resolve(db, mapper.references()))
    await resolve_victims(db, mapper)
    result = mapper.build()
    problems = src.problems + result.problems
    if problems:
        problems.sort(key=lambda p: (p.line or 0))
        raise InvalidData(problems[:max_problems])
    report = CasesReport(source=path.name, format="ftm", rows_read=dict(src.rows),
                         skipped=dict(src.skipped), pseudonymized=result.pseudonymized)
    try:
        report.written = await load_case_rows(db, result.rows, path.name, progress, lease)
    except LabelConflict as e:
        raise _conflicts(src, result.rows, e.ids) from None
    await db.write("ftm_await_name_index")  # the name index follows commits in the background
    report.warnings = src.warnings + result.warnings
    report.seconds = time.perf_counter() - started
    return report

