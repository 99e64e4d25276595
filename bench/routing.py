"""routeReferral end to end (GraphQL over HTTP, the real app in its own process) against the
raw Cypher of the same routing: for every request profile, the exact statements graph/route.py
sends (recorded once in the warm-up) are replayed through the async driver at the same
concurrency, on the synthetic directory of bench/generate.py in a Neo4j of the benchmark's own."""

from __future__ import annotations

import asyncio
import os
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx

from bench.generate import SEED, generate, synthetic
from bench.harness import ApiServer, BenchError, Stats, drive, local_neo4j, log, run_dir, settings_for
from bench.report import machine, now_utc, table, versions
from bench.whohandles import LOAD_TX_TIMEOUT_S, Prepared, _prepare
from graph.config import Settings
from graph.db import Database, Row
from graph.directory import Directory
from graph.queries import query
from graph.route import route
from graph.routing import Profile
from neo4j import RoutingControl

SECTION = "routeReferral"
LIMIT = 5
ROUTE = """query($r: RouteRequestInput!) { routeReferral(request: $r) {
  needs { need servedInRegion note
          options { rank service { id name } organization { id name } distanceKm freePlaces reasons }
          excluded { rule detail service { id } } }
  plan { organization { id } services { need service { id } } }
  uncoveredNeeds
  notifications { code mandatory requiresConsent notify { organization { id } } } } }"""
_NEEDS = ("SHELTER", "MEDICAL", "PSYCHOLOGICAL", "LEGAL_AID", "DOCUMENT_RESTORATION",
          "RETURN_ASSISTANCE", "CHILD_PROTECTION", "SOCIAL_SERVICES", "BASIC_NEEDS")
_CITIZENSHIP = ("KZ", "KZ", "KZ", "KZ", "UZ", "KG", "TJ")
_EXPLOITATION = ((), ("SEXUAL",), ("LABOR",), ("FORCED_BEGGING",))


@dataclass(frozen=True)
class Options:
    organizations: int = 5000
    services: int = 25000
    requests: int = 2000
    concurrency: int = 50
    profiles: int = 400
    seed: int = SEED


@dataclass(frozen=True)
class Result:
    options: Options
    prepared: Prepared
    http: Stats
    raw: Stats
    statements: float
    at: str = field(default_factory=now_utc)


def profiles(regions: Sequence[str], n: int, seed: int) -> list[dict[str, Any]]:
    rng = random.Random(seed + 7)
    out = []
    for _ in range(n):
        age = rng.choice((rng.randint(0, 17), rng.randint(18, 45), rng.randint(46, 70)))
        out.append({"profile": {"region": rng.choice(regions), "age": age,
                                "sex": rng.choice(("FEMALE", "MALE")),
                                "citizenship": rng.choice(_CITIZENSHIP), "languages": ["ru"],
                                "exploitationTypes": list(rng.choice(_EXPLOITATION))},
                    "needs": rng.sample(_NEEDS, rng.randint(1, 3)), "limit": LIMIT})
    return out


class _Recorder(Database):
    """Records every named read that graph/route.py sends, with its parameters."""

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.log: list[tuple[str, dict[str, Any]]] = []

    async def read(self, name: str, /, **params: Any) -> list[Row]:
        self.log.append((name, params))
        return await super().read(name, **params)


def _domain(r: dict[str, Any]) -> Profile:
    p = r["profile"]
    return Profile(region=p["region"], age=p["age"], sex=p["sex"], citizenship=p["citizenship"],
                   languages=tuple(p["languages"]),
                   exploitation_types=tuple(p["exploitationTypes"]))


async def _record(settings: Settings, requests: list[dict[str, Any]]
                  ) -> list[list[tuple[str, dict[str, Any]]]]:
    db = _Recorder(settings)
    try:
        directory = Directory(db)
        await directory.regions()
        plans = []
        for r in requests:
            db.log = []
            await route(db, directory, _domain(r), list(r["needs"]), LIMIT)
            plans.append(list(db.log))
        return plans
    finally:
        await db.close()


async def _measure(settings: Settings, server: ApiServer, token: str, requests: list[dict[str, Any]],
                   plans: list[list[tuple[str, dict[str, Any]]]], n: int, concurrency: int,
                   neo4j_pid: int | None) -> tuple[Stats, Stats]:
    rng = random.Random(n)
    picks = [str(rng.randrange(len(requests))) for _ in range(n)]
    work = [(p, "") for p in picks]
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    db = Database(settings)
    pids = {"load generator": os.getpid(), "API": server.pid, "Neo4j": neo4j_pid}
    try:
        async with httpx.AsyncClient(base_url=server.url, limits=limits, timeout=60.0,
                                     headers={"Authorization": f"Bearer {token}"}) as client:
            async def over_http(i: str, _: str) -> None:
                r = await client.post("/graphql", json={"query": ROUTE,
                                                        "variables": {"r": requests[int(i)]}})
                body = r.json()
                if r.status_code != 200 or body.get("errors"):
                    raise BenchError(f"HTTP {r.status_code}: {str(body)[:300]}")

            async def raw(i: str, _: str) -> None:
                for name, params in plans[int(i)]:
                    await db.driver.execute_query(query(name).text, params, database_="neo4j",
                                                  routing_=RoutingControl.READ)

            warm = [(str(i), "") for i in range(len(requests))]
            for name, call in (("HTTP", over_http), ("raw", raw)):
                warmed = await drive(warm, concurrency, call)
                if warmed.errors:
                    raise BenchError(f"warm-up over {name} failed: {warmed.first_error}")
            log(f"warm-up done ({len(warm)} requests per path); measuring {n} requests")
            http = await drive(work, concurrency, over_http, pids)
            raw_stats = await drive(work, concurrency, raw, pids)
    finally:
        await db.close()
    for name, s in (("HTTP", http), ("raw", raw_stats)):
        if s.errors:
            raise BenchError(f"{s.errors} of {n} {name} requests failed; first: {s.first_error}")
    return http, raw_stats


def run(opts: Options) -> Result:
    rows = generate(opts.organizations, opts.services, opts.seed)
    requests = profiles([r["code"] for r in rows.regions], opts.profiles, opts.seed)
    with run_dir("routing") as home:
        with local_neo4j(home / "neo4j", heap="2g", pagecache_mb=512,
                         tx_timeout_s=LOAD_TX_TIMEOUT_S) as inst:
            log(f"loading {len(synthetic(rows.organizations))} + real organizations, "
                f"{len(synthetic(rows.services))} + real services")
            prepared = asyncio.run(_prepare(settings_for(inst, LOAD_TX_TIMEOUT_S), rows))
            plans = asyncio.run(_record(settings_for(inst), requests))
            with ApiServer(settings_for(inst), home / "api.log") as server:
                http, raw = asyncio.run(_measure(settings_for(inst), server, prepared.token,
                                                 requests, plans, opts.requests, opts.concurrency,
                                                 inst.pid()))
    statements = sum(len(p) for p in plans) / len(plans)
    return Result(options=opts, prepared=prepared, http=http, raw=raw, statements=statements)


def _ms(x: float) -> str:
    return f"{x:.1f}"


def _ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}×" if b else "n/a"


def _met(ok: bool) -> str:
    return "met" if ok else "**not met**"


def render(r: Result) -> str:
    o, h, w = r.options, r.http, r.raw
    m, v = machine(), versions()
    figures = table(
        ["Path", "Requests", "p50 ms", "p95 ms", "p99 ms", "Requests/s"],
        [["GraphQL `routeReferral` over HTTP", str(h.requests), _ms(h.p50_ms), _ms(h.p95_ms),
          _ms(h.p99_ms), f"{h.rps:.0f}"],
         ["Raw Cypher (the same statements, async driver)", str(w.requests), _ms(w.p50_ms),
          _ms(w.p95_ms), _ms(w.p99_ms), f"{w.rps:.0f}"],
         ["**HTTP / raw**", "", _ratio(h.p50_ms, w.p50_ms), _ratio(h.p95_ms, w.p95_ms),
          _ratio(h.p99_ms, w.p99_ms), _ratio(h.rps, w.rps)]])
    targets = table(["Target", "Measured", ""],
                    [["p99 under 25 ms", f"{h.p99_ms:.1f} ms", _met(h.p99_ms < 25)],
                     ["at least 300 requests/s", f"{h.rps:.0f}", _met(h.rps >= 300)],
                     ["GraphQL and Python add at most half again (p50 ratio ≤ 1.5)",
                      _ratio(h.p50_ms, w.p50_ms), _met(w.p50_ms > 0 and h.p50_ms / w.p50_ms <= 1.5)]])
    procs = list(h.cpu_ms)
    cpu = table(["CPU ms per request", *procs],
                [["HTTP", *(_ms(h.cpu_ms[k]) for k in procs)],
                 ["raw", *(_ms(w.cpu_ms.get(k, 0.0)) for k in procs)]])
    c = r.prepared.counts
    return f"""## {SECTION}

Measured {r.at} by `python -m bench --only routing` (bench/routing.py), seed {o.seed}:
{o.requests} requests per path drawn from {o.profiles} generated person profiles (region, age,
sex, citizenship, exploitation type, 1-3 needs), {o.concurrency} in flight, after a warm-up of
every profile on each path, on {c["organizations"]} organizations and {c["services"]} services
(the Kazakhstan directory plus bench/generate.py's). The raw path replays, per profile, exactly
the named statements graph/route.py sent for it ({r.statements:.1f} on average: the candidates
of the person's region, farther regions only when nothing qualified, and the notification
holders) through the same async driver with READ routing.

{figures}
{targets}
{cpu}
Machine: {m["cpu"]}, {m["nproc"]} logical CPUs, {m["memory"]}; {r.prepared.server} embedded
(heap 2g, page cache 512 MiB); Python {v["python"]}, strawberry-graphql {v["strawberry-graphql"]},
neo4j driver {v["neo4j (driver)"]}; the API is one uvicorn worker in its own process; Neo4j, the
API and the load generator share the CPUs.

How to read it: the HTTP path also looks up the token, reads the region list (cached), the
responsibilities (cached for seconds), and loads the listed services and organizations in one
batch each, then ranks, plans and serialises in Python; the ratio is what the API layer costs
over the statements themselves, and the CPU table says which process pays it. With the CPUs
shared by all three processes, requests/s is bound by CPU and the tail latencies mostly measure
queueing behind the {o.concurrency} requests in flight.
"""
