"""python -m bench [--out BENCHMARKS.md] [--orgs N] [--services N] [--requests N] [--concurrency N]"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bench.generate import SEED
from bench.harness import BenchError, log
from bench.report import write_section
from bench.whohandles import SECTION, Options, render, run
from graph.exceptions import ReferralnetError
from graph.localdb import LocalDbError


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench", description=(
        "Benchmark whoHandles (GraphQL over HTTP against the raw Cypher) on a synthetic directory "
        "in a Neo4j of its own; write the figures into a section of --out."))
    p.add_argument("--out", type=Path, default=Path("BENCHMARKS.md"), help="Markdown file to update")
    p.add_argument("--orgs", type=int, default=5000, help="synthetic organizations (default 5000)")
    p.add_argument("--services", type=int, default=25000, help="synthetic services (default 25000)")
    p.add_argument("--requests", type=int, default=2000, help="measured requests per path (default 2000)")
    p.add_argument("--concurrency", type=int, default=20, help="requests in flight (default 20)")
    p.add_argument("--seed", type=int, default=SEED, help=f"generator and pair seed (default {SEED})")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    opts = Options(organizations=args.orgs, services=args.services, requests=args.requests,
                   concurrency=args.concurrency, seed=args.seed)
    try:
        result = run(opts)
    except (BenchError, LocalDbError, ReferralnetError) as e:
        print(f"bench failed: {e}", file=sys.stderr)
        return 1
    write_section(args.out, SECTION, render(result))
    h, r = result.http, result.raw
    log(f"wrote the '{SECTION}' section of {args.out}")
    for name, s in (("HTTP", h), ("raw", r)):
        print(f"{name:>4}: p50 {s.p50_ms:.1f} ms  p95 {s.p95_ms:.1f} ms  p99 {s.p99_ms:.1f} ms  "
              f"{s.rps:.0f} req/s")
    print(f"HTTP/raw: p50 {h.p50_ms / r.p50_ms:.2f}x  p99 {h.p99_ms / r.p99_ms:.2f}x  "
          f"rps {h.rps / r.rps:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
