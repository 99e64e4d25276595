"""Directory import (issue 3): `referralnet load directory` of a generated HSDS package, in a
process of its own on an empty, warmed-up Neo4j (rows/s, peak RSS), again unchanged, and the same kind of
rows written one transaction per row on a sample, in the same run (bench/load_rows.py)."""

from __future__ import annotations

import asyncio
import csv
import json
import os
import random
import subprocess
import sys
import time
from contextlib import AbstractContextManager, ExitStack
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import Any

from bench.generate import SEED
from bench.harness import (
    BenchError,
    cpu_seconds,
    local_neo4j,
    log,
    machine_busy_seconds,
    others_share,
    run_dir,
    settings_for,
)
from bench.load_rows import PER_ENTITY, PER_HSDS_ROW, Sample, row_at_a_time
from bench.report import now_utc, speed_probe
from graph.config import PROJECT_ROOT, Settings
from graph.db import Database
from graph.exceptions import ReferralnetError
from graph.localdb import Instance
from graph.model import load_model
from loaders.directory_load import load_hsds

SECTION = "Directory import"
TX_TIMEOUT_S = 3600
COLUMNS = {  # HSDS 3.0 column names (data/hsds-3.0/schema)
    "organizations.csv": "id name description email website",
    "locations.csv": "id location_type organization_id name latitude longitude",
    "addresses.csv": "id location_id address_1 city state_province postal_code country address_type",
    "taxonomy_terms.csv": "id code name description taxonomy",
    "services.csv": "id organization_id name description status minimum_age maximum_age email url",
    "service_areas.csv": "id service_id name",
    "attributes.csv": "id link_id link_entity taxonomy_term_id",
    "languages.csv": "id service_id name code",
}
_FORMS = ("Общественный фонд", "ОФ", "Қоғамдық қор", "Public Foundation")
_WORDS = ("Береке", "Шұғыла", "Rodnik", "Sana", "Umit", "Samal")
_LANGS = (("kk", "Kazakh"), ("ru", "Russian"), ("en", "English"), ("uz", "Uzbek"), ("ky", "Kyrgyz"))
_STATUSES = ("active",) * 17 + ("inactive", "temporarily closed", "defunct")
_AGES = (("", ""), ("", ""), ("", ""), (0, 17), (18, ""), (14, 30))
_TEXT = "Приют, юридическая консультация, психологическая поддержка. Көмек көрсету."
Phase = tuple[str, float, float, float]  # name, wall s, loader CPU s, Neo4j CPU s


@dataclass(frozen=True)
class LoadOptions:
    organizations: int = 20_000
    services: int = 100_000
    sample_organizations: int = 1_000
    sample_services: int = 5_000
    seed: int = SEED
    heaps: tuple[str, ...] = ("1g",)  # a bulk load (and re-load) on a fresh Neo4j per heap size
    pagecache_mb: int = 512


@dataclass
class Run:  # one `referralnet load directory` process; report: its JSON report, None if it failed
    name: str
    heap: str
    report: dict[str, Any] | None
    error: str | None
    wall_s: float
    rss_mb: float
    cpu_s: float
    neo4j_cpu_s: float
    others: float

    @property
    def seconds(self) -> float:
        return float(self.report["seconds"]) if self.report else self.wall_s

    @property
    def rps(self) -> float:
        return self.report["rows_total"] / self.seconds if self.report else float("nan")


@dataclass
class Result:
    options: LoadOptions
    files: dict[str, tuple[int, int]]  # file -> (rows, bytes)
    runs: list[Run]
    heap: str  # of the split and the samples, and of the bulk run the ratio uses
    samples: dict[str, Sample]  # row-at-a-time baselines by mode (bench/load_rows.py)
    phases: list[Phase]
    split_error: str | None
    probes: tuple[float, float]  # bench.report.speed_probe at the start and at the end
    at: str = field(default_factory=now_utc)


def write_package(folder: Path, organizations: int, services: int, seed: int) -> dict[str, int]:
    """A valid HSDS CSV package, streamed to the files; rows per file. Same seed, same bytes."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    with (PROJECT_ROOT / "data" / "kazakhstan" / "regions.csv").open(encoding="utf-8") as fh:
        regions = list(csv.DictReader(fh))
    areas = [r["name_en"] for r in regions]  # "Almaty", "Shymkent", "Akmola Region", ...
    needs = list(load_model().enum("NeedCode"))
    counts = dict.fromkeys(COLUMNS, 0)
    with ExitStack() as stack:
        files = {n: csv.writer(stack.enter_context((folder / n).open("w", newline="", encoding="utf-8")))
                 for n in COLUMNS}
        for n, header in COLUMNS.items():
            files[n].writerow(header.split())

        def out(name: str, *cells: Any) -> None:
            files[name + ".csv"].writerow(cells)
            counts[name + ".csv"] += 1

        for i in range(organizations):
            reg = rng.choice(regions)
            oid, city = f"org-{i:06d}", reg["center_en"]
            out("organizations", oid, f"{rng.choice(_FORMS)} «{rng.choice(_WORDS)} {i}»",
                f"НПО, {city}: помощь пострадавшим", f"info{i}@example.kz", f"https://org{i}.example.kz")
            out("locations", f"loc-{i:06d}", "physical", oid, f"Офис {i}",
                round(float(reg["center_lat"]) + rng.uniform(-0.05, 0.05), 5),
                round(float(reg["center_lon"]) + rng.uniform(-0.05, 0.05), 5))
            out("addresses", f"adr-{i:06d}", f"loc-{i:06d}", f"ул. Абая, {rng.randint(1, 200)}", city,
                reg["name_en"], f"{rng.randint(10000, 199999):06d}", "KZ", "physical")
        for code in needs:
            out("taxonomy_terms", f"term-{code}", code, code.replace("_", " ").title(), f"Need {code}",
                "referralnet-needs")
        for j in range(services):
            sid = f"svc-{j:06d}"
            low, high = rng.choice(_AGES)
            out("services", sid, f"org-{j * organizations // services:06d}", f"Услуга {j}", _TEXT,
                rng.choice(_STATUSES), low, high, f"help{j}@example.kz", f"https://example.kz/s/{j}")
            names = ["Kazakhstan"] if rng.random() < 0.02 else rng.sample(areas, rng.choice((1, 1, 2)))
            for k, name in enumerate(names):
                out("service_areas", f"sa-{j:06d}-{k}", sid, name)
            for k, code in enumerate(rng.sample(needs, rng.choice((1, 2, 2, 3)))):
                out("attributes", f"at-{j:06d}-{k}", sid, "service", f"term-{code}")
            for k, (code, name) in enumerate(rng.sample(_LANGS, rng.choice((1, 2)))):
                out("languages", f"ln-{j:06d}-{k}", sid, name, code)
    return counts


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "cli", *args]


def _env(inst: Instance) -> dict[str, str]:
    s = settings_for(inst)
    return {**os.environ, "NEO4J_URI": s.neo4j_uri, "NEO4J_USER": s.neo4j_user,
            "NEO4J_PASSWORD": s.neo4j_password, "NEO4J_DATABASE": s.neo4j_database,
            "REFERRALNET_NEO4J_PORT": str(s.neo4j_port), "REFERRALNET_LOAD_TIMEOUT": str(TX_TIMEOUT_S)}


def cli_load(name: str, heap: str, inst: Instance, package: Path, logs: Path) -> Run:
    """`python -m cli load directory PACKAGE --json` in a process of its own: report or error,
    wall time, peak RSS and CPU (wait4 on that child), Neo4j's CPU, the other processes' share."""
    out, err = logs.with_suffix(".json"), logs.with_suffix(".err")
    neo0, busy0, t0 = cpu_seconds(inst.pid()), machine_busy_seconds(), time.perf_counter()
    with out.open("wb") as fo, err.open("wb") as fe:
        proc = subprocess.Popen(_cli("load", "directory", str(package), "--json"), cwd=PROJECT_ROOT,
                                env=_env(inst), stdout=fo, stderr=fe, stdin=subprocess.DEVNULL,
                                start_new_session=True)
    try:
        _, status, usage = os.wait4(proc.pid, 0)
    except BaseException:
        proc.kill()
        proc.wait()
        raise
    proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - t0
    neo, cpu = cpu_seconds(inst.pid()) - neo0, usage.ru_utime + usage.ru_stime
    share = others_share(busy0, cpu + neo, wall)
    report, error = None, None
    if proc.returncode == 0:
        report = json.loads(out.read_text(encoding="utf-8"))
    else:
        lines = err.read_text(errors="replace").splitlines() or [f"exit code {proc.returncode}"]
        error = next((ln for ln in lines if "neo4j error" in ln), lines[-1])[-300:]
        log(f"{name} failed after {wall:.0f}s: {error}")
    return Run(name, heap, report, error, wall, usage.ru_maxrss * 1024 / 1e6, cpu, neo, share)


async def split(settings: Settings, package: Path, neo4j_pid: int | None) -> tuple[list[Phase], str | None]:
    """load_hsds in this process, cut into phases at the progress callback's last call per kind
    (first attempt only: the driver retries a failed transaction): wall, own CPU, Neo4j CPU."""
    marks: dict[str, tuple[float, float, float]] = {}
    error = None
    db = Database(settings)

    def progress(kind: str, _n: int) -> None:
        if kind == "organizations" and "records" in marks:
            marks.setdefault("retry", marks["records"])
        if "retry" not in marks or kind == "end":
            marks[kind] = (time.perf_counter(), time.process_time(), cpu_seconds(neo4j_pid))

    try:
        await db.apply_schema()
        progress("start", 0)
        await load_hsds(db, package, progress=progress)
    except ReferralnetError as e:
        error = f"{type(e).__name__}: {e}"
    finally:
        await db.close()
    progress("end", 0)
    names = {"validated": "validation, with the side tables' first pass (rows kept for packs)",
             "organizations": "organizations",
             "services": "services with their packs", "records": "rows kept one by one",
             "end": "closing transaction (changes, merges, journal)" if error is None
             else "until the failure (retry included)"}
    cuts = [("start", "")] + [(k, n) for k, n in names.items() if k in marks] + [("end", "total")]
    phases: list[Phase] = []
    for (before, _), (kind, name) in pairwise(cuts):
        a, b = marks[kind], marks["start" if name == "total" else before]
        phases.append((name, a[0] - b[0], a[1] - b[1], a[2] - b[2]))
    return phases, error


async def _wipe(settings: Settings) -> None:
    db = Database(settings)
    try:
        await db.write("wipe_directory")
    finally:
        await db.close()


def _fresh(home: Path, heap: str, opts: LoadOptions) -> AbstractContextManager[Instance]:
    log(f"starting Neo4j in {home} (heap {heap}, page cache {opts.pagecache_mb} MiB)")
    return local_neo4j(home, heap=heap, pagecache_mb=opts.pagecache_mb, tx_timeout_s=TX_TIMEOUT_S)


def run(opts: LoadOptions) -> Result:
    """Generate, then each measurement on a fresh Neo4j; everything stopped, also on error."""
    if min(opts.organizations, opts.services, opts.sample_organizations, opts.sample_services) < 1:
        raise BenchError("organization and service counts must be at least 1")
    probe = speed_probe()
    with run_dir("load") as home:
        full, sample = home / "directory", home / "sample"
        log(f"generating {opts.organizations} organizations, {opts.services} services in {full}")
        files = {n: (c, (full / n).stat().st_size) for n, c in
                 write_package(full, opts.organizations, opts.services, opts.seed).items()}
        write_package(sample, opts.sample_organizations, opts.sample_services, opts.seed)
        runs: list[Run] = []
        for heap in opts.heaps:
            with _fresh(home / f"neo4j-bulk-{heap}", heap, opts) as inst:
                if subprocess.run(_cli("schema", "apply"), cwd=PROJECT_ROOT, env=_env(inst),
                                  stdout=subprocess.DEVNULL).returncode:
                    raise BenchError("`referralnet schema apply` failed")
                log("warm-up: the sample loaded and wiped (a running server has compiled its "
                    "hot paths)")
                warm = cli_load("warm-up", heap, inst, sample, home / f"warmup-{heap}")
                if warm.report is None:
                    raise BenchError(f"the warm-up load failed: {warm.error}")
                asyncio.run(_wipe(settings_for(inst, TX_TIMEOUT_S)))
                log("bulk load (referralnet load directory, own process)")
                bulk = cli_load("bulk", heap, inst, full, home / f"bulk-{heap}")
                runs.append(bulk)
                if bulk.report is not None:
                    log(f"{bulk.rps:.0f} rows/s; loading again (unchanged)")
                    runs.append(cli_load("re-load", heap, inst, full, home / f"reload-{heap}"))
                    first, again = bulk.report["written"], (runs[-1].report or {"written": {}})["written"]
                    if any(o["created"] or o["updated"] or o["unchanged"] != first[k]["created"]
                           for k, o in again.items()):
                        raise BenchError(f"the re-load changed rows: {again}")
        heap = next((r.heap for r in reversed(runs) if r.report), opts.heaps[-1])
        with _fresh(home / "neo4j-split", heap, opts) as inst:
            log("bulk load again in this process, for the time split")
            phases, split_error = asyncio.run(split(settings_for(inst, TX_TIMEOUT_S), full, inst.pid()))
        samples: dict[str, Sample] = {}
        for i, mode in enumerate((PER_HSDS_ROW, PER_ENTITY)):
            with _fresh(home / f"neo4j-rows-{i}", heap, opts) as inst:
                log(f"one transaction {mode}: {opts.sample_organizations} organizations, "
                    f"{opts.sample_services} services")
                samples[mode] = asyncio.run(row_at_a_time(settings_for(inst), sample, inst.pid(), mode))
    log("stopped every Neo4j")
    return Result(opts, files, runs, heap, samples, phases, split_error, (probe, speed_probe()))
