"""BENCHMARKS.md: one `## <name>` section per benchmark. A benchmark rewrites only its own
section (from its heading to the next `## ` heading), so that benchmarks added later (imports,
routing, ...) keep theirs; sections not yet in the file are appended."""

from __future__ import annotations

import os
import platform
import subprocess
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

TITLE = "# Benchmarks"
PREAMBLE = (
    "Figures measured by `make bench` (`python -m bench`, code in bench/). Every benchmark starts\n"
    "its own Neo4j and, where it needs one, the real API in its own process on free ports, loads\n"
    "its own data set, and stops all of it afterwards. Each `## ` section below belongs to one\n"
    "benchmark and is rewritten only by it; compare figures only between runs on the same machine\n"
    "with the same sizes.\n")


def _first(path: str, key: str) -> str | None:
    try:
        for line in Path(path).read_text(errors="replace").splitlines():
            name, _, value = line.partition(":")
            if name.strip() == key:
                return value.strip()
    except OSError:
        pass
    return None


def machine() -> dict[str, str]:
    """CPU model, logical CPUs usable by this process, memory, OS."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:
        cpus = os.cpu_count() or 0
    mem = _first("/proc/meminfo", "MemTotal")
    mem_gib = f"{int(mem.split()[0]) / 1024 / 1024:.1f} GiB" if mem else "unknown"
    return {"cpu": _first("/proc/cpuinfo", "model name") or platform.processor() or "unknown",
            "nproc": str(cpus), "memory": mem_gib,
            "os": f"{platform.system()} {platform.release()} ({platform.machine()})"}


def package_version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


def versions() -> dict[str, str]:
    return {"python": platform.python_version(),
            "strawberry-graphql": package_version("strawberry-graphql"),
            "neo4j (driver)": package_version("neo4j"),
            "neo4j-rust-ext": package_version("neo4j-rust-ext"),
            "uvicorn": package_version("uvicorn"), "httpx": package_version("httpx")}


def now_utc() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")


def met(ok: bool) -> str:
    """A target's verdict in a table."""
    return "met" if ok else "**not met**"


def table(header: Sequence[str], rows: Sequence[Sequence[str]], align: str = "") -> str:
    """A Markdown table; `align` has one letter per column, l or r (default: l then r)."""
    align = align or "l" + "r" * (len(header) - 1)
    sep = ["---:" if a == "r" else "---" for a in align]
    lines = [header, sep, *rows]
    return "\n".join("| " + " | ".join(cells) + " |" for cells in lines) + "\n"


def replace_section(text: str, heading: str, body: str) -> str:
    """`text` with the section `## heading` replaced by `body` (which starts with that heading),
    or with `body` appended when there is no such section."""
    mark = f"## {heading}"
    body = body.rstrip("\n") + "\n"
    lines = text.splitlines(keepends=True)
    start = next((i for i, ln in enumerate(lines) if ln.rstrip() == mark), None)
    if start is None:
        return text.rstrip("\n") + "\n\n" + body
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines))
    tail = "".join(lines[end:])
    return "".join(lines[:start]) + body + ("\n" + tail if tail else "")


def write_section(path: Path, heading: str, body: str) -> None:
    """Write one benchmark's section into `path`, creating the file when needed (atomically)."""
    if not body.startswith(f"## {heading}\n"):
        raise ValueError(f"the section must start with '## {heading}'")
    text = path.read_text(encoding="utf-8") if path.exists() else f"{TITLE}\n\n{PREAMBLE}"
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(replace_section(text, heading, body), encoding="utf-8")
    tmp.replace(path)


_PROBE = """
import time
best = float("inf")
for _ in range({rounds}):
    t0 = time.perf_counter()
    table = {{}}
    for i in range(300_000):
        table.setdefault(f"k{{i * 7919 % 100_003}}", []).append(i)
    sum(len(v) for v in sorted(table.values(), key=len))
    best = min(best, time.perf_counter() - t0)
print(best)
"""


def speed_probe(rounds: int = 3) -> float:
    """Seconds a fixed single-threaded workload takes (best of `rounds`), in a fresh interpreter
    so that what the calling process holds does not weigh on it: how fast this machine runs at
    the moment. Its speed varies from hour to hour; figures of two runs compare only as far as
    their probes agree."""
    out = subprocess.run([sys.executable, "-c", _PROBE.format(rounds=rounds)], check=True,
                         capture_output=True, text=True, timeout=120)
    return float(out.stdout)


def probe_note(probes: tuple[float, float]) -> str:
    """The 'Machine speed' item of a section's machine list, from speed_probe at the start and
    at the end of its run."""
    return (f"- Machine speed (bench.report.speed_probe, a fixed single-threaded workload; lower is "
            f"faster):\n  {probes[0]:.3f} s at the start of the run, {probes[1]:.3f} s at the end. "
            "This machine's\n  speed varies from hour to hour; compare two runs' figures only as "
            "far as their probes agree.")
