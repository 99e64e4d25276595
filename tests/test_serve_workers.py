"""`referralnet serve --workers N`: each worker listens on a socket of its own (SO_REUSEPORT),
so the kernel spreads connections over the workers; a dead worker is replaced; SIGTERM stops
them all; an address held by another program is refused with a clear message."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import httpx

from bench.harness import ESTABLISHED, LISTEN, ApiServer, descendants, listening_sockets, tcp_sockets
from graph.config import Settings
from graph.localdb import free_port

ROOT = Path(__file__).resolve().parent.parent


def sockets_by_pid(pids: list[int], port: int, state: str) -> Counter[int]:
    """How many TCP sockets with local `port` in `state` each of `pids` holds."""
    owner: dict[str, int] = {}
    for pid in pids:
        fd_dir = Path(f"/proc/{pid}/fd")
        for fd in fd_dir.iterdir() if fd_dir.exists() else ():
            try:
                target = os.readlink(fd)
            except OSError:
                continue
            if target.startswith("socket:["):
                owner[target[8:-1]] = pid
    return Counter(owner[inode] for inode in tcp_sockets(port, state) if inode in owner)


def wait_for(check, timeout: float = 30.0):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError("condition not met in time")


def test_each_worker_listens_on_its_own_socket_and_gets_connections(
        settings: Settings, tmp_path: Path) -> None:
    with ApiServer(settings, tmp_path / "api.log", workers=2) as server:
        assert server.pid is not None
        workers = descendants(server.pid)
        listening = sockets_by_pid([server.pid, *workers], server.port, LISTEN)
        # two workers, one listening socket each; the supervisor listens on none
        assert sorted(listening.values()) == [1, 1]
        assert server.pid not in listening

        clients = [httpx.Client(base_url=server.url, timeout=5.0) for _ in range(64)]
        try:
            for client in clients:
                r = client.get("/healthz")
                assert r.status_code == 200
                assert "server" not in r.headers and r.headers["cache-control"] == "no-store"
            held = sockets_by_pid(list(listening), server.port, ESTABLISHED)
            # the kernel spread the 64 kept-alive connections: both workers hold some
            assert sum(held.values()) == 64
            assert len(held) == 2
        finally:
            for client in clients:
                client.close()

        # a second server on the same address is refused, not let in beside the first
        second = subprocess.run(
            [sys.executable, "-m", "cli", "serve", "--port", str(server.port), "--workers", "2"],
            cwd=ROOT, capture_output=True, text=True, timeout=60)
        assert second.returncode == 1
        assert f"cannot listen on 127.0.0.1:{server.port}: address already in use" in second.stderr
        assert sorted(sockets_by_pid([server.pid, *descendants(server.pid)], server.port,
                                     LISTEN).values()) == [1, 1]

        # a worker that dies is replaced, and the new one listens too
        dead = next(iter(listening))
        os.kill(dead, signal.SIGKILL)
        after = wait_for(lambda: (lambda c: c if len(c) == 2 and dead not in c else None)(
            sockets_by_pid(descendants(server.pid), server.port, LISTEN)))
        assert sorted(after.values()) == [1, 1]
        with httpx.Client(base_url=server.url, timeout=5.0) as client:
            assert all(client.get("/healthz").status_code == 200 for _ in range(10))
        proc = server.proc
        assert proc is not None
    # SIGTERM (ApiServer.stop) stopped the supervisor and both workers; the port is free
    assert proc.returncode is not None
    assert listening_sockets(server.port) == 0
    for pid in after:
        assert not Path(f"/proc/{pid}").exists() or "zombie" in Path(
            f"/proc/{pid}/status").read_text()


def test_one_worker_does_not_name_its_server(settings: Settings, tmp_path: Path) -> None:
    with ApiServer(settings, tmp_path / "api.log", workers=1) as server:
        r = httpx.get(f"{server.url}/healthz", timeout=5.0)
        assert r.status_code == 200 and "server" not in r.headers
        assert r.headers["x-content-type-options"] == "nosniff"


def test_an_address_in_use_is_refused_clearly(settings: Settings) -> None:
    port = free_port()
    with socket.socket() as other:  # another program's listener, without SO_REUSEPORT
        other.bind(("127.0.0.1", port))
        other.listen()
        done = subprocess.run(
            [sys.executable, "-m", "cli", "serve", "--port", str(port), "--workers", "2"],
            cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert f"cannot listen on 127.0.0.1:{port}" in done.stderr
    assert "Traceback" not in done.stderr


def test_bind_shares_an_address_between_sockets_of_one_user() -> None:
    from api.workers import bind

    first = bind("127.0.0.1", 0)
    port = first.getsockname()[1]
    second = bind("127.0.0.1", port)
    try:
        first.listen()
        second.listen()
        assert listening_sockets(port) == 2
    finally:
        first.close()
        second.close()
    assert listening_sockets(port) == 0
