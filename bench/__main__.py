"""python -m bench [--only whohandles|load|investigations] [--out BENCHMARKS.md] [sizes ...]"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bench import (
    investigations,
    investigations_report,
    load,
    load_report,
    routing,
    routing_report,
    whohandles,
)
from bench.generate import SEED
from bench.harness import BenchError, log
from bench.report import write_section
from graph.exceptions import ReferralnetError
from graph.localdb import LocalDbError

BENCHMARKS = ("whohandles", "routing", "load", "investigations")


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench", description=(
        "Benchmarks, each in Neo4j instances of its own: whoHandles (GraphQL over HTTP against the "
        "raw Cypher) and the directory import (bulk load against one transaction per row); each "
        "writes its figures into its section of --out."))
    p.add_argument("--only", choices=BENCHMARKS, action="append",
                   help="run only this benchmark (repeatable; default: all)")
    p.add_argument("--out", type=Path, default=Path("BENCHMARKS.md"), help="Markdown file to update")
    p.add_argument("--seed", type=int, default=SEED, help=f"generator and pair seed (default {SEED})")
    w = p.add_argument_group("whohandles")
    w.add_argument("--orgs", type=int, default=5000, help="synthetic organizations (default 5000)")
    w.add_argument("--services", type=int, default=25000, help="synthetic services (default 25000)")
    w.add_argument("--requests", type=int, default=2000, help="measured requests per path (default 2000)")
    w.add_argument("--concurrency", type=int, default=20, help="requests in flight (default 20)")
    p.add_argument("--route-concurrency", type=int, default=50,
                   help="routeReferral clients in flight (default 50)")
    p.add_argument("--route-rate", type=float, default=300.0,
                   help="routeReferral requests/s offered in the open-loop phase (default 300)")
    p.add_argument("--route-paced-requests", type=int, default=6000,
                   help="routeReferral requests of the HTTP open-loop phase (default 6000)")
    p.add_argument("--route-paced-warmups", type=int, default=2,
                   help="routeReferral open-loop phases run before the measured one, to warm "
                        "Neo4j's JIT for paced traffic (default 2)")
    p.add_argument("--route-workers", type=int, default=2,
                   help="uvicorn worker processes of the API in the routeReferral benchmark "
                        "(default 2, one per CPU)")
    d = p.add_argument_group("load")
    d.add_argument("--load-orgs", type=int, default=20_000, help="HSDS organizations (default 20000)")
    d.add_argument("--load-services", type=int, default=100_000,
                   help="HSDS services (default 100000)")
    d.add_argument("--sample-orgs", type=int, default=1000,
                   help="organizations of the one-transaction-per-row sample (default 1000)")
    d.add_argument("--sample-services", type=int, default=5000,
                   help="services of the one-transaction-per-row sample (default 5000)")
    d.add_argument("--load-heap", action="append", metavar="SIZE",
                   help="Neo4j heap of a bulk run (repeatable: one run per heap; default 1g)")
    i = p.add_argument_group("investigations")
    i.add_argument("--inv-nodes", type=int, default=1_000_000, help="case graph nodes (default 1000000)")
    i.add_argument("--inv-rels", type=int, default=3_000_000,
                   help="case graph relationships (default 3000000)")
    i.add_argument("--inv-requests", type=int, default=500, help="requests per path (default 500)")
    i.add_argument("--inv-concurrency", type=int, default=1, help="requests in flight (default 1)")
    return p.parse_args(argv)


def run_whohandles(args: argparse.Namespace) -> None:
    opts = whohandles.Options(organizations=args.orgs, services=args.services, requests=args.requests,
                              concurrency=args.concurrency, seed=args.seed)
    result = whohandles.run(opts)
    write_section(args.out, whohandles.SECTION, whohandles.render(result))
    h, r = result.http, result.raw
    log(f"wrote the '{whohandles.SECTION}' section of {args.out}")
    for name, s in (("HTTP", h), ("raw", r)):
        print(f"{name:>4}: p50 {s.p50_ms:.1f} ms  p95 {s.p95_ms:.1f} ms  p99 {s.p99_ms:.1f} ms  "
              f"{s.rps:.0f} req/s")
    print(f"HTTP/raw: p50 {h.p50_ms / r.p50_ms:.2f}x  p99 {h.p99_ms / r.p99_ms:.2f}x  "
          f"rps {h.rps / r.rps:.2f}x")


def run_load(args: argparse.Namespace) -> None:
    opts = load.LoadOptions(organizations=args.load_orgs, services=args.load_services,
                            sample_organizations=args.sample_orgs,
                            sample_services=args.sample_services, seed=args.seed,
                            heaps=tuple(args.load_heap or ["1g"]))
    result = load.run(opts)
    command = "python -m bench --only load" + "".join(f" --load-heap {h}" for h in opts.heaps)
    write_section(args.out, load.SECTION, load_report.render(result, command))
    log(f"wrote the '{load.SECTION}' section of {args.out}")
    for x in result.runs:
        print(f"{x.name} (heap {x.heap}): " + (f"{x.report['rows_total']} rows in {x.seconds:.1f}s = "
              f"{x.rps:.0f} rows/s" if x.report else f"FAILED after {x.wall_s:.0f}s: {x.error}")
              + f"; peak RSS {x.rss_mb:.0f} MB, loader CPU {x.cpu_s:.0f}s, Neo4j CPU {x.neo4j_cpu_s:.0f}s")
    for mode, (rows, writes, secs, others) in result.samples.items():
        print(f"one tx {mode}: {rows} rows ({writes} transactions) in {secs:.1f}s = "
              f"{rows / secs:.0f} rows/s (other processes {100 * others:.0f}% of the CPU)")
    for name, wall, cpu, neo in result.phases:
        print(f"  {name:<40} {wall:7.1f}s  loader CPU {cpu:6.1f}s  Neo4j CPU {neo:6.1f}s")
    if result.split_error:
        print(f"  the split run failed: {result.split_error}")


def run_investigations(args: argparse.Namespace) -> None:
    opts = investigations.InvOptions(nodes=args.inv_nodes, rels=args.inv_rels,
                                     requests=args.inv_requests, concurrency=args.inv_concurrency,
                                     seed=args.seed)
    result = investigations.run(opts)
    write_section(args.out, investigations.SECTION, investigations_report.render(result))
    log(f"wrote the '{investigations.SECTION}' section of {args.out}")
    print(f"import: {result.loaded.rows} rows in {result.loaded.seconds:.1f}s = "
          f"{result.loaded.rps:.0f} rows/s")
    for name, m in (("linkedSuspects", result.linked), ("connection", result.connection),
                    ("neighborhood", result.neighborhood)):
        print(f"{name}: HTTP p95 {m.http.p95_ms:.1f} ms, raw p95 {m.raw.p95_ms:.1f} ms")


def run_routing(args: argparse.Namespace) -> None:
    opts = routing.Options(organizations=args.orgs, services=args.services, requests=args.requests,
                           concurrency=args.route_concurrency, rate=args.route_rate,
                           paced_requests=args.route_paced_requests,
                           paced_warmups=args.route_paced_warmups, workers=args.route_workers,
                           seed=args.seed)
    result = routing.run(opts)
    write_section(args.out, routing.SECTION, routing_report.render(result))
    h, r = result.http, result.raw
    log(f"wrote the '{routing.SECTION}' section of {args.out}")
    print(f"routeReferral HTTP p50 {h.p50_ms:.1f} ms p99 {h.p99_ms:.1f} ms {h.rps:.0f} req/s; "
          f"raw p50 {r.p50_ms:.1f} ms p99 {r.p99_ms:.1f} ms {r.rps:.0f} req/s")


RUNNERS = {"whohandles": run_whohandles, "routing": run_routing, "load": run_load,
           "investigations": run_investigations}


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    failed = 0
    for name in args.only or BENCHMARKS:
        try:
            RUNNERS[name](args)
        except (BenchError, LocalDbError, ReferralnetError) as e:
            print(f"bench {name} failed: {e}", file=sys.stderr)
            failed += 1
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
