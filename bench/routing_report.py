"""The routeReferral section of BENCHMARKS.md, from a bench/routing.py result."""

from __future__ import annotations

from bench.harness import Stats
from bench.report import machine, met, probe_note, table, versions
from bench.routing import SECTION, Result


def _ms(x: float) -> str:
    return f"{x:.1f}"


def _ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}×" if b else "n/a"


def _row(name: str, x: Stats) -> list[str]:
    return [name, str(x.requests), _ms(x.p50_ms), _ms(x.p95_ms), _ms(x.p99_ms), f"{x.rps:.0f}"]


def _ratios(a: Stats, b: Stats) -> list[str]:
    return ["**HTTP / raw**", "", _ratio(a.p50_ms, b.p50_ms), _ratio(a.p95_ms, b.p95_ms),
            _ratio(a.p99_ms, b.p99_ms), _ratio(a.rps, b.rps)]


_SEVERAL = ", each with its own routing cache and its own listening socket"


def render(r: Result) -> str:
    o, h, w, hp, wp = r.options, r.http, r.raw, r.http_paced, r.raw_paced
    m, v = machine(), versions()
    head = ["Path", "Requests", "p50 ms", "p95 ms", "p99 ms", "Requests/s"]
    paced = table(head, [_row("GraphQL `routeReferral` over HTTP", hp),
                         _row("Raw Cypher (the routing's statements, async driver)", wp),
                         _ratios(hp, wp)])
    closed = table(head, [_row("GraphQL `routeReferral` over HTTP", h),
                          _row("Raw Cypher (the routing's statements, async driver)", w),
                          _ratios(h, w)])
    targets = table(["Target", "Measured", ""],
                    [[f"p99 under 25 ms (at {o.rate:.0f} requests/s offered)", f"{hp.p99_ms:.1f} ms",
                      met(hp.p99_ms < 25)],
                     ["at least 300 requests/s (closed loop)", f"{h.rps:.0f}", met(h.rps >= 300)],
                     [f"GraphQL and Python add at most half again (p50 ratio ≤ 1.5 at "
                      f"{o.rate:.0f}/s)", _ratio(hp.p50_ms, wp.p50_ms),
                      met(wp.p50_ms > 0 and hp.p50_ms / wp.p50_ms <= 1.5)]])
    phases = [*r.http_warmups, hp]
    steady = table(["Open-loop phase over HTTP", "Requests", "p50 ms", "p95 ms", "p99 ms",
                    "API CPU ms/request", "Neo4j CPU ms/request"],
                   [[f"{k + 1}{' (measured)' if x is hp else ' (warm-up)'}", str(x.requests),
                     _ms(x.p50_ms), _ms(x.p95_ms), _ms(x.p99_ms), _ms(x.cpu_ms.get("API", 0.0)),
                     _ms(x.cpu_ms.get("Neo4j", 0.0))] for k, x in enumerate(phases)])
    procs = list(h.cpu_ms)
    cpu = table(["CPU ms per request (closed loop)", *procs],
                [["HTTP", *(_ms(h.cpu_ms[k]) for k in procs)],
                 ["raw", *(_ms(w.cpu_ms.get(k, 0.0)) for k in procs)]])
    c = r.prepared.counts
    return f"""## {SECTION}

Measured {r.at} by `python -m bench --only routing` (bench/routing.py), seed {o.seed}:
{o.requests} requests per path and phase ({o.paced_requests} in the HTTP open-loop phase: a
tail latency needs a run of some length; {o.paced_warmups} such phases before it, as a
warm-up) drawn from {o.profiles} generated person profiles (region, age, sex, citizenship,
exploitation type, 1-3 needs), by {o.concurrency} clients, after
a warm-up (over HTTP every profile on each of the {o.concurrency} connections, so that
every worker's cache is warm; every profile once on the raw path), on {c["organizations"]}
organizations and {c["services"]} services (the Kazakhstan directory plus bench/generate.py's). The raw path
replays, per profile, the named statements graph/route.py sends to compute that routing from the
graph ({r.statements:.1f} on average: the candidates of the person's region, farther regions only
when nothing qualified, and the notification holders) through the same async driver with READ
routing.

{targets}
Open loop: {o.rate:.0f} requests/s offered by {o.concurrency} clients; a latency counts from
when the request was due, so waiting for a free client counts too.

{paced}
The open-loop phases in the order they ran, the last one measured above. The ones before it
warm Neo4j's JIT for what paced traffic sends: reads of one token each, where the concurrent
warm-up and the closed loop share reads of many tokens.

{steady}
Closed loop: {o.concurrency} requests in flight, each client sending its next request when the
last one answered: the most each path can do on this machine.

{closed}
{cpu}
Machine: {m["cpu"]}, {m["nproc"]} logical CPUs, {m["memory"]}; {r.prepared.server} embedded
(heap 2g, page cache 512 MiB); Python {v["python"]}, strawberry-graphql {v["strawberry-graphql"]},
neo4j driver {v["neo4j (driver)"]}; the API is `referralnet serve --workers {o.workers}` (uvicorn
worker processes{_SEVERAL if o.workers > 1 else ""}; its CPU
above is theirs together); Neo4j, the API and the load generator share the CPUs. The measured
phases use new connections, which the kernel spreads over the workers.

{probe_note(r.probes)}

How to read it: the API keeps the routing's candidates per (need, region) and the notification
holders between requests (graph/route_cache.py), judged column-wise (graph/route_pool.py). Per
request it needs one read, sent after the request arrived: the token with what changed for the
cache (the directory's version, free places taken or given back), shared by the requests that
arrived while the previous such read was out (api/arrivals.py, graph/coalesce.py); then it ranks,
plans and serialises in Python. The HTTP phases run before the raw ones, whose statements keep
Neo4j busy for minutes. The load generator is a lean HTTP/1.1 client (bench/http1.py). The raw path
is the Cypher that computes the same routing without that cache. A ratio below 1 means the API
answers faster than the statements alone. The query asks for the first 3 exclusions per need
with their count and counts by rule (`excluded(limit: 3)`, `excludedCount`, `excludedByRule`),
as a coordinator's screen would; without a limit every excluded service is listed.
"""
