"""The directory import section of BENCHMARKS.md, from a bench/load.py result."""

from __future__ import annotations

from bench.load import SECTION, Result
from bench.load_rows import PER_HSDS_ROW
from bench.report import machine, probe_note, table, versions

TARGET_RPS, TARGET_RATIO, TARGET_RSS_MB = 30_000, 50.0, 500.0


def _met(ok: bool) -> str:
    return "**yes**" if ok else "**no**"


def render(r: Result, command: str) -> str:
    o, m, v = r.options, machine(), versions()
    bulk = next((x for x in r.runs if x.report and x.name == "bulk" and x.heap == r.heap), None)
    bulk_rps = bulk.rps if bulk else float("nan")
    rate = {mode: rows / secs for mode, (rows, _, secs, _) in r.samples.items()}
    ratio = bulk_rps / rate[PER_HSDS_ROW]
    rss = max(x.rss_mb for x in r.runs if x.name == "bulk")  # the largest of the bulk runs
    targets = table(["Target", "Result", "Met"], [
        [f"bulk load ≥ {TARGET_RPS:,} rows/s", f"{bulk.rps:,.0f} (heap {bulk.heap})" if bulk else "failed",
         _met(bulk is not None and bulk.rps >= TARGET_RPS)],
        [f"≥ {TARGET_RATIO:.0f}× one transaction per HSDS row ({rate[PER_HSDS_ROW]:,.0f} rows/s)",
         f"{ratio:,.1f}×", _met(ratio >= TARGET_RATIO)],
        [f"peak RSS of the loading process < {TARGET_RSS_MB:.0f} MB", f"{rss:,.0f} MB",
         _met(rss < TARGET_RSS_MB)]], "lrl")
    runs = table(["Run", "heap", "rows/s", "load s", "process s", "peak RSS MB", "loader CPU s",
                  "Neo4j CPU s", "others"],
                 [[x.name, x.heap, f"{x.rps:,.0f}" if x.report else "**failed**", f"{x.seconds:.1f}",
                   f"{x.wall_s:.1f}", f"{x.rss_mb:.0f}", f"{x.cpu_s:.1f}", f"{x.neo4j_cpu_s:.1f}",
                   f"{100 * x.others:.0f}%"] for x in r.runs], "llrrrrrrr")
    errors = "".join(f"\n- {x.name}, heap {x.heap}: `{x.error}`" for x in r.runs if x.error)
    data = table(["File", "Rows", "MB"], [[n, f"{c:,}", f"{b / 1e6:.1f}"] for n, (c, b) in r.files.items()]
                 + [["**total**", f"{sum(c for c, _ in r.files.values()):,}",
                     f"{sum(b for _, b in r.files.values()) / 1e6:.1f}"]])
    phases = table(["Phase", "wall s", "loader CPU s", "Neo4j CPU s"],
                   [[n, f"{w:.1f}", f"{c:.1f}", f"{n4:.1f}"] for n, w, c, n4 in r.phases])
    failed = f" It failed: `{r.split_error}`." if r.split_error else ""
    busy = max([x.others for x in r.runs] + [o_ for *_, o_ in r.samples.values()])
    baselines = table(["One transaction", "HSDS rows", "transactions", "s", "rows/s",
                       "bulk load / this", "others"],
                      [[mode, f"{rows:,}", f"{n:,}", f"{secs:.1f}", f"{rate[mode]:,.0f}",
                        f"{bulk_rps / rate[mode]:,.1f}×", f"{100 * o_:.0f}%"]
                       for mode, (rows, n, secs, o_) in r.samples.items()], "lrrrrrr")
    noisy = (f" Other processes used up to {100 * busy:.0f}% of the machine's CPU during this run,"
             " which slows every figure here." if busy > 0.2 else "")
    return f"""## {SECTION}

Measured {r.at} by `{command}` (bench/load.py), seed {o.seed}: a
generated HSDS CSV package of {o.organizations:,} organizations and {o.services:,} services loaded by
`referralnet load directory PATH --json` in a process of its own into an empty Neo4j per heap
size (warmed up by loading and wiping the sample first), then again (every row unchanged).
Rows are HSDS rows read (`rows_total`) over the report's `seconds`.

{targets}
{runs}
Peak RSS: `ru_maxrss` of the loading process (wait4; MB = 10⁶ bytes), Neo4j not included. CPU
seconds from the kernel; "others": the share of the machine's CPU other processes used
meanwhile. A failed load writes nothing; its time runs until it failed.{errors}

### Data set

Kazakhstan cities with their region as `state_province`; service areas such as "Almaty",
"Akmola Region" (2% "Kazakhstan"); 1-3 needs per service (taxonomy "referralnet-needs"); 1-2
languages per service.

{data}
Row at a time (bench/load_rows.py), on a fresh Neo4j each, heap {r.heap}: {o.sample_organizations:,}
organizations and {o.sample_services:,} services from the same generator, validated and mapped as
`load_hsds` does, then every write a `db.in_write_tx` → `write_kind` of its own. Per HSDS row
(the issue's baseline): an organization or service is written with its own row, then again
with each further row it keeps, its pack growing by one row a transaction. Per organization or
service: each written once with all its rows (a stronger baseline than the issue asks for,
shown for comparison). A row kept on its own is one transaction either way.

{baselines}
### Where the bulk time goes

`load_hsds` once more in the benchmark's process (fresh Neo4j, heap {r.heap}), cut at the
progress callback's last call per kind (one call per committed chunk); mapping runs in a worker
thread a few batches ahead of the writes, so a phase's loader CPU includes mapping and hashing
its rows.{failed}

{phases}
### Machine and versions

- CPU: {m["cpu"]}, {m["nproc"]} logical CPUs; memory {m["memory"]}; OS: {m["os"]}
- Neo4j 5 community (neo4j/Launcher.java, page cache {o.pagecache_mb} MiB); Python {v["python"]},
  neo4j driver {v["neo4j (driver)"]} (neo4j-rust-ext {v["neo4j-rust-ext"]})
{probe_note(r.probes)}

### How to read these figures

The bulk rate is one operator command end to end, from a cold start of the loading process, on a
Neo4j that first loaded and wiped the sample (as a server that has been running has compiled its
hot paths; the re-load follows the bulk load on the same server): the side tables read once
(validated, their rows set aside for packs on the way), organizations and services twice
(validated, then mapped); every HSDS row kept whole, most of them in the `hsds` pack of their
organization or service (loaders/hsds_keep.py); new rows committed in chunks of
`REFERRALNET_LOAD_CHUNK` (default 2,500) under a DirectoryLoad journal that undoes them if the
load fails (graph/directory_chunks.py), so Neo4j's heap does not have to hold the whole load.
The row-at-a-time rates come from a sample (the whole package would take hours) and the ratios
use the bulk run with the same heap. Loader and Neo4j share the CPUs; the CPU columns say which
one the time goes to.{noisy} Compare only runs on one machine with the same sizes and heaps.
"""
