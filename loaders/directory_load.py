"""`referralnet load directory`: validate a whole HSDS input, then write it, all or nothing.

Order: open and validate every file (schemas, then the project's rules); look up in the
database the references the input leaves to it; join and map (regions, needs, BINs, merges);
only when no problem was found anywhere, write organizations, aliases, services and the kept
HSDS rows (loaders/hsds_keep.py): new rows committed in chunks, changes at the end, everything
undone on failure (graph/directory_chunks.py). The report says what was created, updated,
unchanged and merged."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from graph.access import CLI
from graph.db import Database, Tx
from graph.directory_chunks import ChunkedLoad
from graph.directory_write import (
    BATCH,
    DirectoryRows,
    Outcomes,
    batches,
    write_kind,
    write_rows,
)
from graph.exceptions import InvalidData, Problem
from graph.load_journal import DIRECTORY
from graph.load_lease import LoadLease
from graph.referral_holds import ReferralHolds
from graph.types import Principal
from loaders.hsds_map import HsdsMapper, KnownOrg, Merge
from loaders.hsds_read import Catalog, HsdsSource, open_source, validate
from loaders.kazakhstan import load_directory
from loaders.needs_mapping import NeedsMapping
from loaders.regions import RegionResolver

Progress = Callable[[str, int], None]


@dataclass
class LoadReport:
    source: str
    format: str
    rows_read: dict[str, int]
    written: dict[str, Outcomes] = field(default_factory=dict)
    merges: list[Merge] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def rows_total(self) -> int:
        return sum(self.rows_read.values())

    def to_json(self) -> dict[str, Any]:
        return {"source": self.source, "format": self.format, "rows_read": self.rows_read,
                "rows_total": self.rows_total, "written": self.written,
                "merges": [asdict(m) for m in self.merges],
                "warnings": [asdict(w) for w in self.warnings], "seconds": round(self.seconds, 3)}

    def human(self) -> str:
        lines = [f"loaded {self.source} ({self.format}): {self.rows_total} rows in "
                 f"{self.seconds:.1f}s"]
        for kind, o in self.written.items():
            if kind in ("organizations", "services", "records"):
                kind = "hsds rows" if kind == "records" else kind
                lines.append(f"  {kind:<14} {o['created']:>7} created {o['updated']:>7} updated "
                             f"{o['unchanged']:>7} unchanged")
        skipped = len(self.merges)
        if skipped:
            lines.append(f"  {skipped} organization(s) merged into known ones, not created:")
            lines += [f"    {m.incoming_id} {m.incoming_name!r} -> {m.into_id}: {m.reason}"
                      for m in self.merges]
        if self.warnings:
            lines.append(f"  {len(self.warnings)} warning(s):")
            lines += [f"    {w}" for w in self.warnings[:50]]
        return "\n".join(lines)


async def _known(db: Database) -> list[KnownOrg]:
    return [KnownOrg(r["id"], r["name"], tuple(r["alternate_names"]), r["bin"],
                     tuple(r["merged_ids"])) for r in await db.read("organization_identity")]


async def _still_missing(db: Database, catalog: Catalog) -> list[Problem]:
    """Hard references the input did not resolve itself must exist in the database."""
    wanted: dict[str, set[str]] = {}
    for _, table, ref in catalog.unresolved:
        wanted.setdefault(table, set()).add(ref)
    found: set[tuple[str, str]] = set()
    for table, ids in wanted.items():
        if table == "organization":
            rows = await db.read("existing_organizations", ids=sorted(ids))
            found |= {(table, r["id"]) for r in rows}
        elif table == "service":
            rows = await db.read("existing_services", ids=sorted(ids))
            found |= {(table, r["id"]) for r in rows}
        else:
            rows = await db.read("existing_records", keys=[f"{table}:{i}" for i in sorted(ids)])
            found |= {(table, r["key"].split(":", 1)[1]) for r in rows}
    return [p for p, table, ref in catalog.unresolved if (table, ref) not in found]


async def ensure_reference_data(tx: Tx) -> None:
    """Regions, needs, provisions and responsibilities: an HSDS load maps onto them."""
    kz = load_directory()
    await write_rows(tx, DirectoryRows(regions=kz.regions, needs=kz.needs,
                                       provisions=kz.provisions,
                                       responsibilities=kz.responsibilities))


def first_pass(source: HsdsSource, mapper: HsdsMapper, max_problems: int = 1000,
               progress: Progress | None = None) -> Catalog:
    """Validate the input, the mapper's first pass made on the way (loaders/hsds_sides.py)."""
    catalog = validate(source, max_problems=max_problems, first_pass=mapper,
                       progress=(lambda n: progress("validated", n)) if progress else None)
    mapper.seal()
    for table in set(catalog.ids) - {"organization", "service"}:
        del catalog.ids[table]  # the mapper needs no others: memory goes with the file's size
    return catalog


async def load_hsds(db: Database, path: Path, *, mapping: Path | None = None,
                    progress: Progress | None = None, max_problems: int = 1000,
                    wait: bool = True, by: Principal = CLI,
                    allow_referral_conflicts: bool = False) -> LoadReport:
    """Load an HSDS input for `by` under the directory lease, taken before anything is read:
    wait for another directory load to end (reported to `progress`) or, unless `wait`, raise
    LoadRunning. Raise InvalidData listing every problem, having written nothing. A changed
    service that would take from its live referrals (graph/referral_holds.py) is such a
    problem, or with `allow_referral_conflicts` a warning."""
    async with LoadLease(db, DIRECTORY.name, path.name, by=by, wait=wait,
                         progress=progress) as lease:
        return await _load_hsds(db, path, mapping, progress, max_problems, lease,
                                allow_referral_conflicts)


async def _load_hsds(db: Database, path: Path, mapping: Path | None, progress: Progress | None,
                     max_problems: int, lease: LoadLease,
                     allow_referral_conflicts: bool) -> LoadReport:
    started = time.perf_counter()
    source: HsdsSource = open_source(path, db.settings.max_unpacked_bytes)
    mapper = HsdsMapper(source, await _known(db), RegionResolver.load(), NeedsMapping.load(mapping))
    try:
        catalog = first_pass(source, mapper, max_problems, progress)
        problems = await _still_missing(db, catalog) + mapper.problems
        if problems:
            raise InvalidData(problems[:max_problems])
        report = LoadReport(source=path.name, format=source.kind, rows_read=dict(catalog.rows))
        holds = ReferralHolds(allow=allow_referral_conflicts)
        async with ChunkedLoad(db, path.name, progress, lease) as load:
            await db.in_write_tx(ensure_reference_data, "reference data")
            had_records = (await db.write("count_records"))[0]["n"] > 0
            await load.create("organizations", mapper.organizations())
            await load.create("services", mapper.services())
            await load.create("records", mapper.records())

            async def closing(tx: Tx) -> None:
                if load.changed:
                    for kind, rows in (("organizations", mapper.organizations()),
                                       ("services", mapper.services()),
                                       ("records", mapper.records())):
                        await load.update(tx, kind, rows, holds)
                await write_kind(tx, "aliases", mapper.alias_rows())
                if had_records:  # rows an earlier load kept one by one, now in a pack
                    for part in batches(mapper.packed_keys(), BATCH):
                        await tx.run("delete_superseded_records", keys=part)

            await load.finish(closing)
    finally:
        mapper.close()
    report.written = {**load.written, "records": load.kept}
    db.forget_cached()
    report.merges = mapper.merges
    report.warnings = catalog.warnings + mapper.warnings + holds.warnings
    report.seconds = time.perf_counter() - started
    return report
