"""Investigations (issue 5) on a generated case graph with power-law degrees (default 1,000,000
nodes and 3,000,000 relationships): the FtM import rate through the case loader, then
linkedSuspects (maxHops 3), connection between two random suspects and a 1,000-node
neighborhood, each over HTTP against the real API and beside its raw Cypher through the driver
in the same run (p50/p95/p99 and the ratio).

The generated file is FollowTheMoney JSON lines: cases, people and companies whose phones,
emails, addresses and document numbers are drawn with Zipf weights (a few are shared by
thousands: super-nodes), parties of cases, and associates, payments and employments between
entities drawn with Zipf weights too. It goes through loaders.ftm_read, loaders.ftm_map and
graph.case_chunks as `referralnet load cases` does: what the database holds of the file is read,
then new entities are committed `chunk` rows a transaction, `writers` transactions at a time,
under the load journal."""

from __future__ import annotations

import asyncio
import os
import random
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, cast

import httpx

from bench.cases_gen import Generated, generate
from bench.generate import SEED
from bench.harness import ApiServer, BenchError, Stats, drive, local_neo4j, log, run_dir, settings_for
from bench.report import now_utc, speed_probe
from bench.write_floor import Floor, write_floor
from graph.access import create_token
from graph.case_chunks import load_case_rows
from graph.config import Settings
from graph.db import Database
from graph.directory_write import Outcomes
from graph.investigations_write import CaseRows
from graph.queries import query
from graph.tracing import SUPER_DEGREE
from loaders.ftm_load import load_cases, resolve_victims
from loaders.ftm_map import FtmMapper
from loaders.ftm_read import read_entities
from loaders.gc_pause import gc_paused
from neo4j import RoutingControl

SECTION = "Investigations"
TX_TIMEOUT_S = 3600
LINKED_Q = """query($c: ID!) { linkedSuspects(caseId: $c, maxHops: 3) {
  suspects { suspect { id } reason path { hops } } superNodes { entity { id } } } }"""
CONNECTION_Q = """query($a: ID!, $b: ID!) { connection(fromId: $a, toId: $b, maxHops: 4) {
  paths { reason path { hops } } } }"""
NEIGHBORHOOD_Q = """query($e: ID!) { neighborhood(entityId: $e, depth: 2, limit: 1000) {
  nodes { id label caption } edges { type source target } truncated } }"""


@dataclass(frozen=True)
class InvOptions:
    nodes: int = 1_000_000
    rels: int = 3_000_000
    requests: int = 500
    concurrency: int = 1
    seed: int = SEED
    heap: str = "4g"
    pagecache_mb: int = 2048
    chunk: int = 2_500  # new rows a transaction: the product's default (REFERRALNET_LOAD_CHUNK)
    writers: int = 2  # chunks committed at once: the product's default (REFERRALNET_LOAD_CONCURRENCY)


@dataclass
class Loaded:
    rows: int
    read_s: float
    map_s: float
    write_s: float
    written: dict[str, Outcomes]
    counts: dict[str, int]

    @property
    def seconds(self) -> float:
        return self.read_s + self.map_s + self.write_s

    @property
    def rps(self) -> float:
        return self.rows / self.seconds


@dataclass
class Later:
    """A later, smaller case file of new entities sharing identifiers with the loaded graph,
    through load_cases as `referralnet load cases` runs it; then the same file again."""

    lines: int
    nodes: int  # created by the first load
    first_s: float
    again_s: float  # nothing to change: read, check, map and compare only


@dataclass
class Measured:
    http: Stats
    raw: Stats
    answer: str  # what an answer held, on average


@dataclass
class InvResult:
    options: InvOptions
    generated: Generated
    loaded: Loaded
    linked: Measured
    connection: Measured
    neighborhood: Measured
    later: Later
    floor: Floor
    server: str
    probes: tuple[float, float]  # bench.report.speed_probe at the start and at the end
    at: str = field(default_factory=now_utc)


async def _load(settings: Settings, path: Path, chunk: int, writers: int) -> tuple[Loaded, str]:
    t0 = time.perf_counter()
    src = read_entities(path)
    t1 = time.perf_counter()
    db = Database(replace(settings, load_chunk_rows=chunk, load_concurrency=writers))
    written: dict[str, Outcomes] = {}
    try:
        await db.apply_schema()  # not the load's: mapping is timed from here
        mapped = time.perf_counter()
        mapper = FtmMapper(src)
        if mapper.references():
            raise BenchError("the generated file refers to entities it does not define")
        await resolve_victims(db, mapper)  # as load_cases does
        result = mapper.build()
        if result.problems:
            raise BenchError(f"the generated file has problems: {result.problems[:3]}")
        rows: CaseRows = result.rows
        t2 = time.perf_counter()
        with gc_paused():  # as load_cases does
            written = await load_case_rows(db, rows, path.name)  # what `referralnet load cases` runs
        for kind, total in written.items():
            log(f"  wrote {kind}: {total}")
        await db.write("ftm_await_name_index")  # as load_cases does: names searchable on return
        t3 = time.perf_counter()
        counts = dict((await db.read("investigation_counts", super_degree=SUPER_DEGREE))[0])
        comps = await db.read("server_components")
        server = "; ".join(f"{c['name']} {', '.join(c['versions'])} {c['edition']}" for c in comps)
    finally:
        await db.close()
    return Loaded(src.lines, t1 - t0, t2 - mapped, t3 - t2, written, counts), server


async def _measure(settings: Settings, server: ApiServer, token: str, g: Generated, opts: InvOptions,
                   neo4j_pid: int | None) -> tuple[Measured, Measured, Measured]:
    rng = random.Random(opts.seed + 5)
    cases = [rng.choice(g.suspects)[1] for _ in range(opts.requests)]
    pairs = [(rng.choice(g.suspects)[0], rng.choice(g.suspects)[0]) for _ in range(opts.requests)]
    pairs = [(a, b) for a, b in pairs if a != b]
    db = Database(settings)
    pids = {"load generator": os.getpid(), "API": server.pid, "Neo4j": neo4j_pid}
    limits = httpx.Limits(max_connections=opts.concurrency, max_keepalive_connections=opts.concurrency)
    sizes: dict[str, list[int]] = {"linked": [], "connection": [], "neighborhood": []}

    async def raw(name: str, **params: Any) -> list[dict[str, Any]]:
        r = await db.driver.execute_query(query(name).text, params, database_="neo4j",
                                          routing_=RoutingControl.READ)
        return [dict(zip(x.keys(), x.values(), strict=True)) for x in r.records]

    async def bfs(statement: str, starts: list[str], hops: int,
                  budget: int) -> tuple[set[str], set[str], bool]:
        """The breadth-first search graph/tracing.py runs, as bare statements: the ids seen, those
        of them that are not super-nodes, and whether the budget ran out."""
        seen, frontier, full = set(starts), list(starts), False
        expand = set(starts)
        for _ in range(hops):
            if not frontier or full:
                break
            cap = 3 * (budget - len(seen)) + 50
            got = await raw(statement, ids=frontier, seen=sorted(seen), limit=cap, details=False)
            steps = got[0]["steps"] if got else []
            full = len(steps) >= cap
            frontier = []
            for _source, (node_id, _caption, _pseud, _label, degree), _edge in steps:
                if node_id in seen:
                    continue
                if len(seen) >= budget:
                    full = True
                    break
                seen.add(node_id)
                if degree <= SUPER_DEGREE:
                    frontier.append(node_id)
                    expand.add(node_id)
        return seen, expand, full

    try:
        hubs: list[str] = []
        for person, _ in g.suspects[: opts.requests * 4]:
            if (await bfs("explore_expand", [person], 2, 1001))[2]:
                hubs.append(person)
            if len(hubs) >= opts.requests:
                break
        if not hubs:
            raise BenchError("no entity has a 1,000-node neighborhood at depth 2")
        hubs = [hubs[i % len(hubs)] for i in range(opts.requests)]
        async with httpx.AsyncClient(base_url=server.url, limits=limits, timeout=60.0,
                                     headers={"Authorization": f"Bearer {token}"}) as client:
            async def gql(q: str, **variables: Any) -> dict[str, Any]:
                r = await client.post("/graphql", json={"query": q, "variables": variables})
                body = r.json()
                if r.status_code != 200 or body.get("errors") or not body.get("data"):
                    raise BenchError(f"HTTP {r.status_code}: {str(body)[:300]}")
                return cast(dict[str, Any], body["data"])

            async def linked_http(c: str, _: str) -> None:
                d = await gql(LINKED_Q, c=c)
                sizes["linked"].append(len(d["linkedSuspects"]["suspects"]))

            async def linked_raw(c: str, _: str) -> None:
                await raw("case_with_parties", case_id=c)
                await raw("linked_suspects_h3", case_id=c, super_degree=SUPER_DEGREE, rows=201)

            async def conn_http(a: str, b: str) -> None:
                d = await gql(CONNECTION_Q, a=a, b=b)
                sizes["connection"].append(len(d["connection"]["paths"]))

            async def conn_raw(a: str, b: str) -> None:
                await raw("connection_h4", from_id=a, to_id=b, super_degree=SUPER_DEGREE, limit=11)

            async def hood_http(e: str, _: str) -> None:
                d = (await gql(NEIGHBORHOOD_Q, e=e))["neighborhood"]
                sizes["neighborhood"].append(len(d["nodes"]) + len(d["edges"]))

            async def hood_raw(e: str, _: str) -> None:
                await raw("entity_by_any_id", id=e)
                seen, expand, _full = await bfs("explore_expand", [e], 2, 1001)
                await raw("edges_among", ids=sorted(seen), expand=sorted(expand), details=False)

            out: list[Measured] = []
            for label, items, http_call, raw_call in (
                    ("linked", [(c, "") for c in cases], linked_http, linked_raw),
                    ("connection", pairs, conn_http, conn_raw),
                    ("neighborhood", [(h, "") for h in hubs], hood_http, hood_raw)):
                warm = items[: max(10, len(items) // 10)]
                for call in (http_call, raw_call):
                    w = await drive(warm, opts.concurrency, call)
                    if w.errors:
                        raise BenchError(f"warm-up of {label} failed: {w.first_error}")
                sizes[label].clear()
                http = await drive(items, opts.concurrency, http_call, pids)
                rawstats = await drive(items, opts.concurrency, raw_call, pids)
                for name, s in (("HTTP", http), ("raw", rawstats)):
                    if s.errors:
                        raise BenchError(f"{s.errors} {label} {name} requests failed: {s.first_error}")
                got = sizes[label]
                mean = sum(got) / len(got) if got else 0.0
                what = {"linked": f"{mean:.1f} linked suspects",
                        "connection": f"{mean:.2f} shortest paths ({sum(1 for x in got if x)} of "
                                      f"{len(got)} pairs connected within 4 hops)",
                        "neighborhood": f"{mean:.0f} nodes and edges"}[label]
                log(f"{label}: HTTP p95 {http.p95_ms:.1f} ms, raw p95 {rawstats.p95_ms:.1f} ms; {what}")
                out.append(Measured(http, rawstats, what))
    finally:
        await db.close()
    return out[0], out[1], out[2]


async def _later(settings: Settings, path: Path, opts: InvOptions) -> Later:
    g = generate(path, max(100, opts.nodes // 50), max(300, opts.rels // 50), opts.seed + 1, "later-")
    db = Database(replace(settings, load_chunk_rows=opts.chunk, load_concurrency=opts.writers))
    try:
        t0 = time.perf_counter()
        first = await load_cases(db, path)
        t1 = time.perf_counter()
        again = await load_cases(db, path)
        t2 = time.perf_counter()
    finally:
        await db.close()
    if any(o["created"] or o["updated"] for o in again.written.values()):
        raise BenchError(f"loading the later file again changed the graph: {again.written}")
    return Later(g.lines, first.written["nodes"]["created"], t1 - t0, t2 - t1)


async def _token(settings: Settings) -> str:
    db = Database(settings)
    try:
        return (await create_token(db, name="bench investigations", role="INVESTIGATOR")).token
    finally:
        await db.close()


def run(opts: InvOptions) -> InvResult:
    if min(opts.nodes, opts.rels, opts.requests, opts.concurrency, opts.chunk, opts.writers) < 1:
        raise BenchError("sizes, requests, concurrency, chunk and writers must be at least 1")
    probe = speed_probe()
    with run_dir("investigations") as home:
        path = home / "cases.ijson"
        t0 = time.perf_counter()
        g = generate(path, opts.nodes, opts.rels, opts.seed)
        log(f"generated {g.lines} FtM lines ({path.stat().st_size / 1e6:.0f} MB) in "
            f"{time.perf_counter() - t0:.0f}s")
        with local_neo4j(home / "neo4j", heap=opts.heap, pagecache_mb=opts.pagecache_mb,
                         tx_timeout_s=TX_TIMEOUT_S) as inst:
            loaded, server_name = asyncio.run(_load(settings_for(inst, TX_TIMEOUT_S), path, opts.chunk,
                                                     opts.writers))
            log(f"loaded {loaded.rows} rows in {loaded.seconds:.0f}s = {loaded.rps:.0f} rows/s; "
                f"{loaded.counts}")
            token = asyncio.run(_token(settings_for(inst)))
            with ApiServer(settings_for(inst), home / "api.log") as server:
                linked, conn, hood = asyncio.run(_measure(settings_for(inst), server, token, g, opts,
                                                          inst.pid()))
            later = asyncio.run(_later(settings_for(inst, TX_TIMEOUT_S), home / "later.ijson", opts))
            log(f"later file: {later.lines} lines in {later.first_s:.1f}s, again in "
                f"{later.again_s:.1f}s")
            # last: it adds relationships to a graph nothing measures any more
            floor = asyncio.run(write_floor(settings_for(inst, TX_TIMEOUT_S), opts.chunk,
                                            opts.writers, opts.seed, inst.pid()))
            log(f"write floor: {floor.rels} bare relationships in {floor.seconds:.1f}s = "
                f"{floor.rps:.0f}/s, {floor.cpu_us:.1f} µs of Neo4j CPU each")
    return InvResult(opts, g, loaded, linked, conn, hood, later, floor, server_name,
                     (probe, speed_probe()))
