"""A real local Neo4j Community 5.26 without Docker: jars from Maven Central, run embedded with
a Bolt connector by neo4j/Launcher.java on 127.0.0.1, authentication on."""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from graph.config import PROJECT_ROOT, cache_dir

NEO4J_DIR = PROJECT_ROOT / "neo4j"
POM = NEO4J_DIR / "pom.xml"
LAUNCHER = NEO4J_DIR / "Launcher.java"


class LocalDbError(RuntimeError):
    """The local Neo4j could not be fetched, started or stopped; the message says why."""


def neo4j_version() -> str:
    text = POM.read_text()
    start = text.index("<neo4j.version>") + len("<neo4j.version>")
    return text[start:text.index("</neo4j.version>")]


def jars_dir() -> Path:
    return cache_dir() / f"neo4j-{neo4j_version()}"


def ensure_jars(quiet: bool = False) -> Path:
    """Fetch org.neo4j:neo4j and neo4j-bolt with their dependencies once, atomically."""
    target = jars_dir()
    if (target / ".complete").exists():
        return target
    if shutil.which("mvn") is None:
        raise LocalDbError("Maven (mvn) is needed to fetch the Neo4j jars (apt-get install maven)")
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="neo4j-jars-", dir=target.parent))
    if not quiet:
        print(f"fetching Neo4j {neo4j_version()} jars with Maven into {target} ...", file=sys.stderr)
    cmd = ["mvn", "-q", "-B", "-f", str(POM), "dependency:copy-dependencies",
           f"-DoutputDirectory={tmp}", "-DincludeScope=runtime"]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        shutil.rmtree(tmp, ignore_errors=True)
        raise LocalDbError("Maven could not fetch the Neo4j jars:\n" + (proc.stdout + proc.stderr)[-3000:])
    (tmp / ".complete").write_text(neo4j_version())
    if target.exists():
        shutil.rmtree(target)
    tmp.rename(target)
    return target


@dataclass
class Instance:
    """One local Neo4j: its folder (data, password, log, pid) and its Bolt port."""

    home: Path
    port: int
    _proc: subprocess.Popen[bytes] | None = field(default=None, repr=False, compare=False)

    @property
    def uri(self) -> str:
        return f"bolt://127.0.0.1:{self.port}"

    @property
    def password_file(self) -> Path:
        return self.home / "neo4j-password"

    @property
    def pid_file(self) -> Path:
        return self.home / "neo4j.pid"

    @property
    def ready_file(self) -> Path:
        return self.home / "neo4j.ready"

    @property
    def log_file(self) -> Path:
        return self.home / "neo4j.log"

    def password(self) -> str:
        if not self.password_file.exists():
            self.home.mkdir(mode=0o700, parents=True, exist_ok=True)
            fd = os.open(self.password_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as f:
                f.write(secrets.token_urlsafe(24))
        return self.password_file.read_text().strip()

    def pid(self) -> int | None:
        try:
            pid = int(self.pid_file.read_text().strip())
        except (OSError, ValueError):
            return None
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return None
        except PermissionError:
            return pid
        return pid

    def bolt_open(self) -> bool:
        with socket.socket() as s:
            s.settimeout(0.5)
            return s.connect_ex(("127.0.0.1", self.port)) == 0

    def status(self) -> str:
        pid = self.pid()
        if pid is None:
            return "stopped"
        ready = self.ready_file.exists() and self.bolt_open()
        return f"running (pid {pid}, {self.uri})" if ready else f"starting (pid {pid})"

    def start(self, *, timeout: float = 180.0, heap: str = "1g", pagecache_mb: int = 256,
              tx_timeout_s: int = 3600) -> None:
        """Start (or find running) and wait until Bolt answers with our password."""
        if self.pid() is not None:
            self.wait_ready(timeout)
            return
        if self.bolt_open():
            raise LocalDbError(f"port {self.port} is taken by another program; set REFERRALNET_NEO4J_PORT")
        if shutil.which("java") is None:
            raise LocalDbError("Java 17 is needed to run Neo4j; install openjdk-17-jre-headless")
        jars = ensure_jars()
        self.password()
        (self.home / "data").mkdir(mode=0o700, parents=True, exist_ok=True)
        owner_only(self.home)  # a folder an older version left open is closed too
        # The whole heap from the start (initial = max, as Neo4j's own configuration advises),
        # not resized while a load runs.
        cmd = ["java", f"-Xms{heap}", f"-Xmx{heap}", "-XX:+UseG1GC", "-Dfile.encoding=UTF-8",
               "-cp", f"{jars}/*", str(LAUNCHER), str(self.home / "data"), str(self.port),
               str(self.password_file), str(self.ready_file), str(pagecache_mb), str(tx_timeout_s)]
        # umask 077: what Neo4j creates (store, transaction logs, its own logs) is the owner's only
        with open(self.log_file, "ab", opener=_private) as log:
            proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT,
                                    stdin=subprocess.DEVNULL, start_new_session=True, umask=0o077)
        self._proc = proc
        with open(self.pid_file, "w", opener=_private) as f:
            f.write(str(proc.pid))
        try:
            self.wait_ready(timeout, proc)
        except LocalDbError:
            self.stop()
            raise

    def wait_ready(self, timeout: float, proc: subprocess.Popen[bytes] | None = None) -> None:
        from neo4j.exceptions import AuthError

        from neo4j import GraphDatabase

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if proc is not None and proc.poll() is not None:
                raise LocalDbError(f"Neo4j exited with code {proc.returncode}; log tail:\n{self.log_tail()}")
            if self.ready_file.exists() and self.bolt_open():
                try:
                    with GraphDatabase.driver(self.uri, auth=("neo4j", self.password())) as d:
                        d.verify_connectivity()
                    return
                except AuthError as e:
                    raise LocalDbError(f"Neo4j on {self.uri} refused the password in "
                                       f"{self.password_file}: {e.message}") from e
                except Exception:  # noqa: BLE001, S110 - still starting: try again
                    pass
            time.sleep(0.5)
        raise LocalDbError(f"Neo4j did not answer on {self.uri} within {timeout:.0f}s; log tail:\n"
                           f"{self.log_tail()}")

    def stop(self, timeout: float = 60.0) -> bool:
        """Stop cleanly (SIGTERM runs Neo4j's shutdown); True when something was stopped."""
        pid = self.pid()
        if pid is None:
            self.pid_file.unlink(missing_ok=True)
            return False
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._proc is not None and self._proc.poll() is not None:
                break
            if self._proc is None and self.pid() is None:
                break
            time.sleep(0.2)
        else:
            os.kill(pid, signal.SIGKILL)
            if self._proc is not None:
                self._proc.wait()
        self._proc = None
        self.pid_file.unlink(missing_ok=True)
        return True

    def kill(self) -> None:
        """Kill the process started here with SIGKILL (a fault test's crash): no shutdown."""
        if self._proc is not None:
            self._proc.kill()
            self._proc.wait()
        self._proc = None
        self.pid_file.unlink(missing_ok=True)
        self.ready_file.unlink(missing_ok=True)

    def log_tail(self, n: int = 30) -> str:
        try:
            return "\n".join(self.log_file.read_text(errors="replace").splitlines()[-n:])
        except OSError:
            return "(no log)"


def _private(path: str, flags: int) -> int:
    """An `open` opener that creates a file readable and writable by its owner only."""
    return os.open(path, flags, 0o600)


def owner_only(home: Path) -> None:
    """Close `home` and everything under it to group and others (folders 0700, files lose
    their group and other bits); symbolic links are left as they are, not followed."""
    paths = [home]
    for folder, dirs, files in os.walk(home):  # links to folders are not walked into
        paths += [Path(folder, name) for name in (*dirs, *files)]
    for path in paths:
        mode = path.lstat().st_mode
        if stat.S_ISLNK(mode) or not mode & 0o077:
            continue
        path.chmod(0o700 if stat.S_ISDIR(mode) else stat.S_IMODE(mode) & 0o700)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
