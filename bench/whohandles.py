"""whoHandles end to end (GraphQL over HTTP, the real app in its own process) against the floor:
the same two Cypher statements run raw through the async driver, for the same (need, region)
pairs at the same concurrency, on a synthetic directory in a Neo4j of the benchmark's own."""

from __future__ import annotations

import asyncio
import itertools
import os
import random
import time
from dataclasses import dataclass, field
from typing import Any, cast

import httpx

from bench.generate import SEED, generate, synthetic, write_in_chunks
from bench.harness import (
    ApiServer,
    BenchError,
    Pair,
    Stats,
    drive,
    local_neo4j,
    log,
    run_dir,
    settings_for,
)
from bench.report import machine, now_utc, probe_note, speed_probe, table, versions
from graph.access import create_token
from graph.config import Settings
from graph.db import Database
from graph.directory_write import DirectoryRows
from graph.queries import query
from neo4j import RoutingControl

SECTION = "whoHandles"
LIMIT = 50  # the GraphQL field's default `limit`, passed explicitly to the raw query
LOAD_TX_TIMEOUT_S = 600
WHO_HANDLES = """
query($need: NeedCode!, $region: String!) {
  whoHandles(need: $need, region: $region) {
    servedInRegion
    responsible { organization { id name } legalBasis { id } distanceKm why }
    services { service { id name } organization { id } distanceKm why }
  }
}
"""


@dataclass(frozen=True)
class Options:
    organizations: int = 5000
    services: int = 25000
    requests: int = 2000
    concurrency: int = 20
    seed: int = SEED
    heap: str = "2g"
    pagecache_mb: int = 512


@dataclass(frozen=True)
class Prepared:
    counts: dict[str, int]
    load_s: float
    server: str
    token: str


@dataclass(frozen=True)
class Result:
    options: Options
    warmup: int
    generated: dict[str, int]
    prepared: Prepared
    http: Stats
    raw: Stats
    probes: tuple[float, float]  # bench.report.speed_probe at the start and at the end
    at: str = field(default_factory=now_utc)


def pairs_for(rows: DirectoryRows, n: int, seed: int) -> tuple[list[Pair], list[Pair]]:
    """Every (need, region) pair once, for the warm-up, and `n` random pairs to measure."""
    needs = [r["code"] for r in rows.needs]
    regions = [r["code"] for r in rows.regions]
    every = list(itertools.product(needs, regions))
    rng = random.Random(seed + 1)
    return every, [rng.choice(every) for _ in range(n)]


async def _prepare(settings: Settings, rows: DirectoryRows) -> Prepared:
    db = Database(settings)
    try:
        await db.apply_schema()
        t0 = time.perf_counter()
        await write_in_chunks(db, rows)
        load_s = time.perf_counter() - t0
        counts: dict[str, int] = dict((await db.read("dataset_counts"))[0])
        for kind in ("organizations", "services"):
            if counts[kind] != len(getattr(rows, kind)):
                raise BenchError(f"{counts[kind]} {kind} in Neo4j, {len(getattr(rows, kind))} generated")
        comps = await db.read("server_components")
        server = "; ".join(f"{c['name']} {', '.join(c['versions'])} {c['edition']}" for c in comps)
        token = (await create_token(db, name="bench whoHandles", role="ADMIN")).token
        return Prepared(counts=counts, load_s=load_s, server=server, token=token)
    finally:
        await db.close()


async def _measure(settings: Settings, server: ApiServer, token: str, warm: list[Pair],
                   pairs: list[Pair], concurrency: int, neo4j_pid: int | None) -> tuple[Stats, Stats]:
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    db = Database(settings)
    resp_q = query("who_handles_responsible").text
    svc_q = query("who_handles_services").text
    pids = {"load generator": os.getpid(), "API": server.pid, "Neo4j": neo4j_pid}
    try:
        async with httpx.AsyncClient(base_url=server.url, limits=limits, timeout=60.0,
                                     headers={"Authorization": f"Bearer {token}"}) as client:

            async def over_http(need: str, region: str) -> dict[str, Any]:
                r = await client.post("/graphql", json={"query": WHO_HANDLES,
                                                        "variables": {"need": need, "region": region}})
                body = r.json()
                if r.status_code != 200 or body.get("errors") or not body.get("data"):
                    raise BenchError(f"HTTP {r.status_code}: {str(body)[:300]}")
                return cast(dict[str, Any], body["data"]["whoHandles"])

            async def raw(need: str, region: str) -> tuple[int, int]:
                resp = await db.driver.execute_query(
                    resp_q, {"need": need, "region": region, "limit": LIMIT},
                    database_="neo4j", routing_=RoutingControl.READ)
                svc = await db.driver.execute_query(
                    svc_q, {"need": need, "region": region, "limit": LIMIT},
                    database_="neo4j", routing_=RoutingControl.READ)
                return len(resp.records), len(svc.records)

            async def http_call(need: str, region: str) -> None:
                await over_http(need, region)

            async def raw_call(need: str, region: str) -> None:
                await raw(need, region)

            for need, region in warm[:: max(1, len(warm) // 20)]:  # both paths see the same rows
                w = await over_http(need, region)
                got = (len(w["responsible"]), len(w["services"]))
                if got != await raw(need, region):
                    raise BenchError(f"{need}/{region}: GraphQL and raw Cypher disagree on row counts")
            for name, call in (("HTTP", http_call), ("raw", raw_call)):
                warmed = await drive(warm, concurrency, call)
                if warmed.errors:
                    raise BenchError(f"warm-up over {name} failed: {warmed.first_error}")
            log(f"warm-up done ({len(warm)} requests per path); measuring {len(pairs)} requests")
            http = await drive(pairs, concurrency, http_call, pids)
            raw_stats = await drive(pairs, concurrency, raw_call, pids)
    finally:
        await db.close()
    for name, s in (("HTTP", http), ("raw", raw_stats)):
        if s.errors:
            raise BenchError(f"{s.errors} of {len(pairs)} {name} requests failed; first: {s.first_error}")
    return http, raw_stats


def run(opts: Options) -> Result:
    """Start everything, load, warm up, measure, stop everything (also on error)."""
    if min(opts.organizations, opts.services, opts.requests, opts.concurrency) < 1:
        raise BenchError("--orgs, --services, --requests and --concurrency must be at least 1")
    rows = generate(opts.organizations, opts.services, opts.seed)
    generated = {"organizations": len(synthetic(rows.organizations)),
                 "services": len(synthetic(rows.services))}
    warm, pairs = pairs_for(rows, opts.requests, opts.seed)
    probe = speed_probe()
    with run_dir("whohandles") as home:
        log(f"starting Neo4j in {home} (heap {opts.heap}, page cache {opts.pagecache_mb} MiB)")
        with local_neo4j(home / "neo4j", heap=opts.heap, pagecache_mb=opts.pagecache_mb,
                         tx_timeout_s=LOAD_TX_TIMEOUT_S) as inst:
            log(f"loading {len(rows.organizations)} organizations, {len(rows.services)} services")
            prepared = asyncio.run(_prepare(settings_for(inst, LOAD_TX_TIMEOUT_S), rows))
            log(f"loaded in {prepared.load_s:.1f}s; starting the API")
            with ApiServer(settings_for(inst), home / "api.log") as server:
                http, raw = asyncio.run(_measure(settings_for(inst), server, prepared.token, warm,
                                                 pairs, opts.concurrency, inst.pid()))
    log("stopped the API and Neo4j")
    return Result(options=opts, warmup=len(warm), generated=generated, prepared=prepared,
                  http=http, raw=raw, probes=(probe, speed_probe()))


def _ms(x: float) -> str:
    return f"{x:.1f}"


def _ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}×" if b else "n/a"


def _share(x: float) -> str:
    return "unknown" if x != x else f"{100 * x:.0f}%"


def render(r: Result) -> str:
    """The `## whoHandles` section of BENCHMARKS.md."""
    o, h, w, p = r.options, r.http, r.raw, r.prepared
    m, v = machine(), versions()
    figures = table(
        ["Path", "Requests", "p50 ms", "p95 ms", "p99 ms", "Requests/s"],
        [["GraphQL `whoHandles` over HTTP", str(h.requests), _ms(h.p50_ms), _ms(h.p95_ms),
          _ms(h.p99_ms), f"{h.rps:.0f}"],
         ["Raw Cypher (the 2 queries, async driver)", str(w.requests), _ms(w.p50_ms), _ms(w.p95_ms),
          _ms(w.p99_ms), f"{w.rps:.0f}"],
         ["**HTTP / raw**", "", _ratio(h.p50_ms, w.p50_ms), _ratio(h.p95_ms, w.p95_ms),
          _ratio(h.p99_ms, w.p99_ms), _ratio(h.rps, w.rps)]])
    procs = list(h.cpu_ms)
    cpu = table(["CPU ms per request", *procs],
                [["HTTP", *(_ms(h.cpu_ms[k]) for k in procs)],
                 ["raw", *(_ms(w.cpu_ms.get(k, 0.0)) for k in procs)]])
    c = p.counts
    data = table(["", "Generated (`bench-` ids)", "In Neo4j after loading"],
                 [["Organizations", str(r.generated["organizations"]), str(c["organizations"])],
                  ["Services", str(r.generated["services"]), str(c["services"])],
                  ["Regions / responsibilities", "(the real ones)",
                   f"{c['regions']} / {c['responsibilities']}"],
                  ["HOLDS / MEETS / SERVES relationships", "",
                   f"{c['holds']} / {c['meets']} / {c['serves']}"]])
    return f"""## {SECTION}

Measured {r.at} by `python -m bench` (bench/whohandles.py), seed {o.seed}: {o.requests}
requests per path for random (need, region) pairs with {o.concurrency} in flight, after a
warm-up of every pair ({r.warmup} requests) on each path. Latency is per request, from
sending it to having its whole answer parsed; requests/s is over the measured phase's wall
time. No request failed.

{figures}
CPU time per request by process during each measured phase (from /proc; the load generator
is the benchmark's own process). "Other processes" is everything else running on the machine
meanwhile: {_share(h.others_share)} of its CPU capacity during the HTTP phase and
{_share(w.others_share)} during the raw phase.

{cpu}
### Data set

The built-in Kazakhstan directory plus generated organizations (jurisdiction mostly LOCAL or
REGIONAL, 0-3 responsibilities) and services (1-3 needs, 1-3 regions or rarely all, mostly
ACTIVE, some capacity-bound), from bench/generate.py; loaded with graph.directory_write in
5000-row transactions in {p.load_s:.1f} s.

{data}
### Machine and versions

- CPU: {m["cpu"]}, {m["nproc"]} logical CPUs
- Memory: {m["memory"]}; OS: {m["os"]}
{probe_note(r.probes)}
- Neo4j: {p.server}, embedded by neo4j/Launcher.java (heap {o.heap}, page cache {o.pagecache_mb} MiB)
- API: `referralnet serve`, one uvicorn worker, in its own process
- Python {v["python"]}, strawberry-graphql {v["strawberry-graphql"]}, neo4j driver {v["neo4j (driver)"]}
  (neo4j-rust-ext {v["neo4j-rust-ext"]}), uvicorn {v["uvicorn"]}, httpx {v["httpx"]}
- Neo4j, the API and the load generator all run on this machine and share its CPUs.

### How to read these figures

The raw row is the floor: only the two Cypher statements behind `whoHandles`
(`who_handles_responsible`, then `who_handles_services`) sent through the same async driver
with READ routing, without HTTP, authentication, GraphQL or building objects. The HTTP row is
what a client of the service sees: besides those two statements each request looks up its
token, reads the region list and the responsibilities with their provisions, and loads the
listed organizations and services in one batch each (seven round trips to Neo4j in all),
then parses, validates and executes the GraphQL document and serialises the answer. The
ratios (HTTP over raw; for requests/s, below 1 means fewer) therefore sit well above 1 for
latency by design: they are what the API layer costs on top of the queries, and the CPU table
says where that cost is paid (the API process itself, or Neo4j answering the extra round
trips). Both paths run closed-loop with {o.concurrency} requests in flight, so a latency
includes waiting behind the other requests; when Neo4j, the API and the load generator share
a few CPUs, requests/s is bounded by CPU and p95/p99 mostly reflect that contention (and any
other processes busy at the time). Compare runs only on the same machine with the same sizes:
a ratio that grows points at the API layer, both rows growing together points at the
queries, the indexes or the data.
"""
