"""Several uvicorn worker processes, each listening on a socket of its own.

uvicorn's own supervisor hands one listening socket to every worker, and whichever worker
wakes first accepts every connection waiting (asyncio and uvloop accept up to the backlog at
once). Kept-alive connections then stay where they landed: under load one worker can hold
most of the clients while the other idles. Here every worker binds the same address with
SO_REUSEPORT, and the kernel spreads new connections over the workers by their address.
"""

from __future__ import annotations

import errno
import logging
import signal
import socket
import threading

from uvicorn.config import STARTUP_FAILURE, Config
from uvicorn.supervisors.multiprocess import Process

logger = logging.getLogger("uvicorn.error")


def bind(host: str, port: int) -> socket.socket:
    """A TCP socket bound to host:port with SO_REUSEPORT, not yet listening (the worker
    that gets it listens). OSError when the address is taken by another program."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    sock.set_inheritable(True)
    return sock


def _listened(host: str, port: int) -> bool:
    """Whether something accepts connections on host:port already."""
    wildcard = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}  # noqa: S104 - probed on loopback
    target = wildcard.get(host, host)
    try:
        with socket.create_connection((target, port), timeout=1.0):
            return True
    except OSError:
        return False


class Supervisor:
    """Starts `count` workers, replaces one that dies, and stops them all on SIGINT or
    SIGTERM. A worker that fails before it serves (a broken app, a bad setting) stops the
    supervisor: it would fail the same way every time."""

    def __init__(self, config: Config, count: int) -> None:
        self.config = config
        config.server_header = False  # no `server: uvicorn` banner from any worker
        self.count = count
        self.workers: list[Process] = []
        self.should_exit = threading.Event()
        # SO_REUSEPORT lets any program of the same user listen on the address too, a second
        # `referralnet serve` included, which would then share the connections: refused here.
        if config.port and _listened(config.host, config.port):
            raise OSError(errno.EADDRINUSE, "address already in use")
        # Holds the address for the workers (a bound socket that does not listen gets no
        # connections) and tells now, not in a worker, when another program has it.
        self.holder = bind(config.host, config.port)
        self.port: int = self.holder.getsockname()[1]

    def spawn(self) -> Process:
        sock = bind(self.config.host, self.port)
        try:
            worker = Process(self.config, [sock])
            worker.start()
        finally:
            sock.close()  # the worker has its own copy: when it ends, its socket ends too
        return worker

    def run(self) -> None:
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: self.should_exit.set())
        logger.info("serving on http://%s:%d with %d workers, one socket each",
                    self.config.host, self.port, self.count)
        try:
            self.workers = [self.spawn() for _ in range(self.count)]
            while not self.should_exit.wait(0.5):
                self.keep_alive()
        finally:
            for worker in self.workers:
                worker.terminate()
            for worker in self.workers:
                worker.join()
            self.holder.close()

    def keep_alive(self) -> None:
        for k, worker in enumerate(self.workers):
            if worker.is_alive(timeout=self.config.timeout_worker_healthcheck):
                continue
            worker.kill()  # hung, or already gone
            worker.join()
            if worker.exitcode == STARTUP_FAILURE:
                logger.error("worker [%s] failed to start; stopping", worker.pid)
                self.should_exit.set()
                return
            if self.should_exit.is_set():
                return
            logger.info("worker [%s] died; starting another", worker.pid)
            self.workers[k] = self.spawn()
