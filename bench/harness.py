"""What every benchmark needs: a throw-away run folder, a local Neo4j of its own, the real API
served by `referralnet serve` in its own process, and a closed-loop load driver with percentiles.

Nothing here touches the developer's Neo4j (port 7687): instances run on free ports in folders
under bench/.runs/, and everything started is stopped in `finally`/`__exit__`.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

import httpx

from graph.config import PROJECT_ROOT, Settings
from graph.localdb import Instance, free_port

RUNS_DIR = PROJECT_ROOT / "bench" / ".runs"


class BenchError(RuntimeError):
    """A benchmark could not run, or its requests failed; the message says why."""


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


@contextmanager
def run_dir(prefix: str) -> Iterator[Path]:
    """A fresh folder under bench/.runs/; removed on success, kept (and named) on failure."""
    RUNS_DIR.mkdir(parents=True, exist_ok=True)
    path = Path(tempfile.mkdtemp(prefix=f"{prefix}-", dir=RUNS_DIR))
    try:
        yield path
    except BaseException:
        log(f"kept {path} (logs) for inspection")
        raise
    shutil.rmtree(path, ignore_errors=True)


@contextmanager
def local_neo4j(home: Path, *, heap: str, pagecache_mb: int, tx_timeout_s: int) -> Iterator[Instance]:
    """A Neo4j of our own on a free port, stopped whatever happens."""
    inst = Instance(home, free_port())
    try:
        inst.start(heap=heap, pagecache_mb=pagecache_mb, tx_timeout_s=tx_timeout_s)
        yield inst
    finally:
        inst.stop()


def settings_for(inst: Instance, tx_timeout_s: int = 15) -> Settings:
    return Settings(neo4j_uri=inst.uri, neo4j_user="neo4j", neo4j_password=inst.password(),
                    neo4j_database="neo4j", neo4j_port=inst.port, tx_timeout_s=tx_timeout_s)


class ApiServer:
    """`referralnet serve` (uvicorn, `workers` worker processes) in a process of its own, as
    deployed; talking to `settings`' Neo4j through the environment, like the container does."""

    def __init__(self, settings: Settings, log_file: Path, workers: int = 1) -> None:
        self.settings = settings
        self.workers = workers
        self.log_file = log_file
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen[bytes] | None = None

    def _env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(NEO4J_URI=self.settings.neo4j_uri, NEO4J_USER=self.settings.neo4j_user,
                   NEO4J_PASSWORD=self.settings.neo4j_password,
                   NEO4J_DATABASE=self.settings.neo4j_database,
                   REFERRALNET_NEO4J_PORT=str(self.settings.neo4j_port))
        return env

    def start(self, timeout: float = 60.0) -> None:
        cmd = [sys.executable, "-m", "cli", "serve", "--host", "127.0.0.1", "--port", str(self.port),
               "--log-level", "warning", "--workers", str(self.workers)]
        with open(self.log_file, "ab") as out:
            self.proc = subprocess.Popen(cmd, cwd=PROJECT_ROOT, env=self._env(), stdout=out,
                                         stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                         start_new_session=True)
        deadline = time.monotonic() + timeout
        with httpx.Client(base_url=self.url, timeout=2.0) as client:
            while time.monotonic() < deadline:
                if self.proc.poll() is not None:
                    raise BenchError(f"the API exited with code {self.proc.returncode}:\n{self.log_tail()}")
                try:
                    # every worker listens once its start-up is done: a connection made
                    # before then would stay with the workers already up
                    if (client.get("/readyz").status_code == 200
                            and listening_sockets(self.port) >= self.workers):
                        return
                except httpx.TransportError:
                    pass
                time.sleep(0.2)
        raise BenchError(f"the API was not ready on {self.url} within {timeout:.0f}s:\n{self.log_tail()}")

    def stop(self, timeout: float = 15.0) -> None:
        proc, self.proc = self.proc, None
        if proc is None or proc.poll() is not None:
            return
        proc.send_signal(signal.SIGTERM)  # uvicorn shuts down gracefully, closing the driver
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc is not None else None

    def log_tail(self, n: int = 30) -> str:
        try:
            return "\n".join(self.log_file.read_text(errors="replace").splitlines()[-n:])
        except OSError:
            return "(no log)"

    def __enter__(self) -> ApiServer:
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()


LISTEN, ESTABLISHED = "0A", "01"  # TCP states as /proc/net/tcp writes them


def tcp_sockets(port: int, state: str) -> list[str]:
    """The inodes of the TCP sockets with local `port` in `state` (Linux /proc)."""
    hex_port = f":{port:04X}"
    found = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if fields[1].endswith(hex_port) and fields[3] == state:
                found.append(fields[9])
    return found


def listening_sockets(port: int) -> int:
    """How many TCP sockets listen on `port`: one for each worker of `referralnet serve`,
    which binds a socket in each worker with SO_REUSEPORT."""
    return len(tcp_sockets(port, LISTEN))


def cpu_seconds(pid: int | None) -> float:
    """User + system CPU time so far (Linux /proc) of a process and of the processes it started
    that still run (uvicorn's workers); 0.0 when unknown."""
    if pid is None:
        return 0.0
    if pid == os.getpid():
        return time.process_time()
    total = 0.0
    for stat in [Path(f"/proc/{p}/stat") for p in (pid, *descendants(pid))]:
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def descendants(pid: int) -> list[int]:
    """The processes `pid` started, and theirs, that still run (Linux /proc)."""
    parent_of: dict[int, int] = {}
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                parent_of[int(d.name)] = int((d / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
    found, todo = [], [pid]
    while todo:
        p = todo.pop()
        kids = [c for c, pp in parent_of.items() if pp == p]
        found += kids
        todo += kids
    return found


def machine_busy_seconds() -> float:
    """CPU seconds every process on the machine has spent so far (Linux /proc/stat); 0.0 when unknown."""
    try:
        first = Path("/proc/stat").read_text().splitlines()[0].split()
    except (OSError, IndexError):
        return 0.0
    # cpu user nice system idle iowait irq softirq steal ...: busy is all but idle and iowait
    ticks = [int(x) for x in first[1:9]]
    return (sum(ticks) - ticks[3] - ticks[4]) / os.sysconf("SC_CLK_TCK")


def others_share(busy0: float, own: float, wall: float) -> float:
    """The share of the machine's CPU that processes other than `own` CPU seconds' used since
    `machine_busy_seconds()` was `busy0`, over `wall` seconds."""
    return max(0.0, machine_busy_seconds() - busy0 - own) / (wall * (os.cpu_count() or 1))


OTHERS = "other processes"


@dataclass(frozen=True)
class Stats:
    """Latencies in milliseconds of the requests that succeeded; rps over the phase's wall time."""

    requests: int
    errors: int
    first_error: str | None
    wall_s: float
    mean_ms: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    rps: float
    cpu_ms: dict[str, float]  # CPU milliseconds per request, by process (and OTHERS)
    others_share: float  # the share of the machine's CPU that processes not in `pids` used

    @staticmethod
    def of(latencies_s: Sequence[float], wall_s: float, errors: Sequence[str],
           cpu_s: dict[str, float] | None = None, others_share: float = float("nan")) -> Stats:
        ms = sorted(x * 1000.0 for x in latencies_s)
        n = len(ms)
        if n >= 2:
            q = statistics.quantiles(ms, n=100, method="inclusive")
            p50, p95, p99 = q[49], q[94], q[98]
        else:
            p50 = p95 = p99 = ms[0] if ms else float("nan")
        return Stats(
            requests=n, errors=len(errors), first_error=errors[0] if errors else None, wall_s=wall_s,
            mean_ms=statistics.fmean(ms) if ms else float("nan"), p50_ms=p50, p95_ms=p95, p99_ms=p99,
            max_ms=ms[-1] if ms else float("nan"), rps=n / wall_s if wall_s > 0 else float("nan"),
            cpu_ms={k: 1000.0 * v / n for k, v in (cpu_s or {}).items()} if n else {},
            others_share=others_share)


Pair = tuple[str, str]
Call = Callable[[str, str], Awaitable[None]]


async def drive(pairs: Sequence[Pair], concurrency: int, call: Call,
                pids: dict[str, int | None] | None = None, rate: float | None = None) -> Stats:
    """Run `call(need, region)` once per pair with at most `concurrency` requests in flight.
    Without `rate`, closed loop: each worker sends its next request when the previous one
    answered (the most the system can do). With `rate`, open loop: request i is due at
    start + i / rate, whoever is free sends it, and its latency counts from when it was due, so
    waiting for a free worker is counted too (no coordinated omission). Latency is measured with
    time.perf_counter; a call that raises counts as an error, not a latency. `pids` names
    processes whose CPU time is charged to the phase; the rest of the machine's busy time in the
    phase is reported as OTHERS (other programs competing for the CPUs)."""
    latencies: list[float] = []
    errors: list[str] = []
    todo = iter(enumerate(pairs))  # shared: each pair is taken by exactly one worker

    async def worker() -> None:
        for i, (need, region) in todo:
            if rate is not None:
                due = t0 + i / rate
                wait = due - time.perf_counter()
                if wait > 0:
                    await asyncio.sleep(wait)
                start = due
            else:
                start = time.perf_counter()
            try:
                await call(need, region)
            except Exception as e:  # noqa: BLE001 - counted and reported, never hidden
                errors.append(f"{need}/{region}: {type(e).__name__}: {e}")
                continue
            latencies.append(time.perf_counter() - start)

    pids = pids or {}
    cpu0 = {k: cpu_seconds(p) for k, p in pids.items()}
    busy0 = machine_busy_seconds()
    t0 = time.perf_counter()  # read by the workers once they run
    await asyncio.gather(*(worker() for _ in range(max(1, concurrency))))
    wall = time.perf_counter() - t0
    cpu = {k: cpu_seconds(p) - cpu0[k] for k, p in pids.items()}
    share = float("nan")
    if pids:
        others = max(0.0, machine_busy_seconds() - busy0 - sum(cpu.values()))
        cpu[OTHERS] = others
        share = others / (wall * (os.cpu_count() or 1)) if wall > 0 else share
    return Stats.of(latencies, wall, errors, cpu, share)
