"""The Investigations section of BENCHMARKS.md, from a bench/investigations.py result."""

from __future__ import annotations

from bench.investigations import SECTION, InvResult, Measured
from bench.report import machine, met, probe_note, table, versions
from graph.tracing import SUPER_DEGREE

TARGET_RPS, TARGET_LINKED_MS, TARGET_CONNECTION_MS, TARGET_NEIGHBORHOOD_MS = 30_000, 50, 100, 150


def _row(name: str, m: Measured) -> list[list[str]]:
    h, r = m.http, m.raw
    return [[f"{name} over HTTP", str(h.requests), f"{h.p50_ms:.1f}", f"{h.p95_ms:.1f}",
             f"{h.p99_ms:.1f}", f"{h.rps:.0f}"],
            [f"{name}: raw Cypher", str(r.requests), f"{r.p50_ms:.1f}", f"{r.p95_ms:.1f}",
             f"{r.p99_ms:.1f}", f"{r.rps:.0f}"],
            ["**HTTP / raw**", "", f"{h.p50_ms / r.p50_ms:.2f}×", f"{h.p95_ms / r.p95_ms:.2f}×",
             f"{h.p99_ms / r.p99_ms:.2f}×", f"{h.rps / r.rps:.2f}×"]]


def _verdict(value: float, target: float, below: bool = True) -> str:
    return met(value <= target if below else value >= target)


def render(r: InvResult) -> str:
    o, g, ld, f, lt = r.options, r.generated, r.loaded, r.floor, r.later
    m, v = machine(), versions()
    full = o.nodes >= 1_000_000 and o.rels >= 3_000_000
    size_note = "" if full else (
        f"\n**Size**: this run used {o.nodes:,} nodes / {o.rels:,} relationships, not the full "
        "1,000,000 / 3,000,000 of the benchmark's default (`python -m bench --only investigations` "
        "runs the full size).\n")
    figures = table(["Path", "Requests", "p50 ms", "p95 ms", "p99 ms", "Requests/s"],
                    _row("`linkedSuspects` maxHops 3", r.linked)
                    + _row("`connection` maxHops 4", r.connection)
                    + _row("`neighborhood` depth 2, limit 1000", r.neighborhood))
    targets = table(["Target", "Measured", ""], [
        [f"import ≥ {TARGET_RPS:,} rows/s", f"{ld.rps:,.0f} rows/s", _verdict(ld.rps, TARGET_RPS, False)],
        [f"linkedSuspects p95 < {TARGET_LINKED_MS} ms", f"{r.linked.http.p95_ms:.1f} ms",
         _verdict(r.linked.http.p95_ms, TARGET_LINKED_MS)],
        [f"connection p95 < {TARGET_CONNECTION_MS} ms", f"{r.connection.http.p95_ms:.1f} ms",
         _verdict(r.connection.http.p95_ms, TARGET_CONNECTION_MS)],
        [f"neighborhood (1,000 nodes) < {TARGET_NEIGHBORHOOD_MS} ms (p95)",
         f"{r.neighborhood.http.p95_ms:.1f} ms", _verdict(r.neighborhood.http.p95_ms,
                                                           TARGET_NEIGHBORHOOD_MS)]], "llr")
    c = ld.counts
    budget = round(ld.rows / TARGET_RPS)  # seconds the target leaves for the whole file
    load = table(["Phase", "Seconds", "Rows/s"], [
        ["read and check (loaders.ftm_read)", f"{ld.read_s:.1f}", f"{ld.rows / ld.read_s:,.0f}"],
        ["map and normalize (loaders.ftm_map)", f"{ld.map_s:.1f}", f"{ld.rows / ld.map_s:,.0f}"],
        [f"write (chunked, {o.chunk:,} new rows a transaction, {o.writers} at a time)", f"{ld.write_s:.1f}",
         f"{ld.rows / ld.write_s:,.0f}"],
        ["**all**", f"{ld.seconds:.1f}", f"**{ld.rps:,.0f}**"]])
    later = table(["Load of the later file", "Seconds", "Rows/s"], [
        [f"into this graph ({lt.nodes:,} new cases, people and companies)", f"{lt.first_s:.1f}",
         f"{lt.lines / lt.first_s:,.0f}"],
        ["the same file again (nothing to change)", f"{lt.again_s:.1f}", f"{lt.lines / lt.again_s:,.0f}"]])
    return f"""## {SECTION}

Measured {r.at} by `python -m bench --only investigations` (bench/investigations.py), seed
{o.seed}. {o.requests} requests per path, {o.concurrency} in flight (latency of one client;
more in flight on 2 CPUs measures queueing), after a warm-up; each latency is from sending a
request to having its whole answer. No request failed.
{size_note}
{targets}
{figures}
Answers held on average: linkedSuspects {r.linked.answer}; connection {r.connection.answer};
neighborhood {r.neighborhood.answer} (entities whose depth-2 neighborhood reaches the limit).

linkedSuspects searches up to 3 hops from each suspect of the case and keeps the ends that carry
the Suspect role, a label the case loads keep on whoever has a SUSPECT_IN (graph/model). Testing
each reached node's relationships instead doubled the search: timed by hand on this graph
(2026-12-05, the same 500 cases, in one hour), the search with its end test had a raw p95 of
43.4 ms reading relationships and 23.5 ms testing the label, with the same answers.

### Import

{g.lines:,} FtM lines ({g.people:,} people, {g.companies:,} companies, {g.cases:,} cases, their
parties, and associates, payments and employments), loaded into an empty Neo4j: Neo4j then held
{c['nodes']:,} nodes and {c['rels']:,} relationships ({c['identifiers']:,} identifier nodes;
{c['super_nodes']:,} of them with more than {SUPER_DEGREE} relationships, the super-nodes traces
report without following). Rows/s counts FtM lines.

{load}
Neo4j's own floor, in the same run after the measurements above (bench/write_floor.py):
{f.rels:,} bare relationships (no property, no index, both ends found by element id) in
transactions of {o.chunk:,}, {o.writers} at a time, on the Neo4j the import warmed:
{f.rps:,.0f} relationships/s, {f.cpu_us:.0f} µs of Neo4j CPU each. At that rate this file's
{c['rels']:,} relationships alone take {c['rels'] / f.rps:.0f} s, against the
{budget} s in which an import at {TARGET_RPS:,} rows/s reads, checks, maps and
writes the whole file.

Cases arrive one file at a time into a graph that already holds others: after the measurements
above, a later file of {lt.lines:,} lines of the same kind (new entities whose phones, emails,
addresses and documents are drawn from the same values, so that they share identifiers with the
graph) went through `load_cases` as `referralnet load cases` runs it, reading and mapping
included, then the same file again:

{later}
Such a load first reads what the graph holds of its entities; those look-ups must seek their
index (USING INDEX SEEK). Planned on statistics taken while the graph was empty, the planner
chose to scan the whole index for every row: a second 53,100-line file into a graph one such
file had filled took 77 s instead of 10 before that (2026-12-05). The file's edges (parties,
payments...) are looked for in one list per relationship type, each in the index of its own
type: asked as one list of ids and types, every edge went through the test of each type, and
reading what the graph held of a later 530,000-line file took 9.5 s instead of 2.3, with the
parts of such reads sent two at a time (timed by hand, 2026-12-05).

Where the time goes (measured on their own on this machine, 2026-12-05; the figures of one
session vary by a third from hour to hour, so compare phases within one run): reading and mapping
run in the loader on one CPU while Neo4j waits, as the whole file is checked before anything is
written. Python's cycle collector is paused for the whole load (loaders/gc_pause.py): reading
this file took 35.4 s with it running and 21.7 s paused, in the same hour, with mapping and
writing unchanged. While writing, the loader is nearly idle and Neo4j keeps both CPUs busy: each
transaction runs on one Neo4j thread, hence {o.writers} at a time, and for most of the first
minute its JIT compiler takes about a CPU of its own. Timed by hand on a warm instance, a
relationship as this loader creates it (two seeks of the id index, a type from the row, its
properties) costs Neo4j about twice the floor's CPU. The links an entity states (its phones,
addresses...) are created without a look-up when the entity is new in the load: on a 530,000-line
file that took the links from 8.1-8.6 s to 5.4-5.5 s, without the "outdated read" retries the
look-up caused when the other writer was adding to the same identifier. Mapping slows per line
as the file grows (13 µs a line at 530,000 lines, 18-20 at 1.3 and 2.65 million, timed by hand
without the database's answers): most of its time goes to tens of millions of look-ups in the
entities' property maps, spread over a heap of several GB. The map phase also asks the database
in what roles it holds the file's people (5.7 s for this file into an empty graph).
{TARGET_RPS:,} rows/s means this file in
{budget} s, that is {budget * int(m["nproc"])} CPU-seconds on these {m["nproc"]} CPUs for reading, checking,
mapping and writing together. Neo4j's
offline importer would write that fast, but only into an empty database that is not running,
which is not how cases arrive.

### Machine and versions

- CPU: {m["cpu"]}, {m["nproc"]} logical CPUs; memory {m["memory"]}; OS {m["os"]}
{probe_note(r.probes)}
- Neo4j: {r.server} (heap {o.heap}, page cache {o.pagecache_mb} MiB); the API: `referralnet
  serve`, one uvicorn worker; Python {v["python"]}, strawberry-graphql {v["strawberry-graphql"]},
  neo4j driver {v["neo4j (driver)"]}. Neo4j, the API and the load generator share the CPUs.

### How to read these figures

The raw rows are the floor: the statements behind each field through the same async driver
(linkedSuspects: `case_with_parties`, `linked_suspects_h3`; connection: `connection_h4`;
neighborhood: `entity_by_any_id`, one `explore_expand` per hop of its breadth-first search,
`edges_among`, both without edge details, as the measured query asks only for each edge's type
and ends), without HTTP, the token check, the audit event every
investigation read writes, GraphQL, or building paths and reasons. The ratio is what the API
layer costs on top; for neighborhood that is mostly serialising a few thousand GraphQL objects.
"""
