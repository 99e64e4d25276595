"""The access log of `referralnet serve` holds the method, path and status of each request, never
its query string (a GET /graphql?query=... carries a person's profile) nor anything else of it:
a real server in a process of its own, its output captured."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from api.access_log import request_line
from graph.config import Settings
from graph.localdb import free_port
from tests.conftest import ROOT, make_token

MARKER = "Zhanargul1985marker"


def _serve(settings: Settings, log: Path, workers: int) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = {**os.environ, "NEO4J_URI": settings.neo4j_uri, "NEO4J_PASSWORD": settings.neo4j_password}
    with open(log, "wb") as out:  # the default log level (info): the access log is on
        proc = subprocess.Popen(
            [sys.executable, "-m", "cli", "serve", "--port", str(port), "--workers", str(workers)],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert proc.poll() is None, log.read_text()
        try:
            if httpx.get(url + "/readyz", timeout=2).status_code == 200:
                return proc, url
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    proc.kill()
    raise AssertionError("the API did not start:\n" + log.read_text())


@pytest.mark.parametrize("workers", [1, 2])
def test_the_access_log_holds_paths_not_query_strings(seeded: Settings, tmp_path: Path, workers: int) -> None:
    token = make_token(seeded, "COORDINATOR", "access log")
    log = tmp_path / "api.log"
    proc, url = _serve(seeded, log, workers)
    try:
        query = (
            '{ routeReferral(request: {profile: {region: "shymkent", age: 24, sex: FEMALE, '
            f'citizenship: "UZ", languages: ["{MARKER}"]}}, needs: [SHELTER]}}) '
            "{ needs { need } } }"
        )
        answered = httpx.get(
            url + "/graphql",
            params={"query": query, "note": MARKER},
            headers={"Authorization": f"Bearer {token}", "User-Agent": f"agent {MARKER}"},
            timeout=30,
        )
        assert answered.status_code == 200, answered.text
        refused = httpx.get(url + f"/graphql?query={MARKER}", timeout=30)
        assert refused.status_code == 401
        missing = httpx.get(url + f"/nowhere?{MARKER}=1", timeout=30)
        assert missing.status_code == 404
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(30)
    text = log.read_text()
    assert MARKER not in text
    assert "GET /graphql 200" in text and "GET /graphql 401" in text
    assert "GET /nowhere 404" in text
    # nothing else of the request: not who asked, nor the protocol
    access = [line for line in text.splitlines() if "GET /" in line]
    assert len(access) >= 3  # the readiness probes are logged too
    assert all(re.fullmatch(r"INFO: +GET /[a-z]* \d{3}", line) for line in access), access


@pytest.mark.unit
def test_request_line_keeps_method_path_and_status_only() -> None:
    args = ("10.0.0.7:5100", "GET", f"/graphql?query=%7B{MARKER}%7D", "1.1", 200)
    assert request_line(args) == "GET /graphql 200"
    assert request_line(("a", "POST", "/x" * 300, "2", 413)) == "POST " + ("/x" * 100) + " 413"
    assert request_line(("not", "an", "access", "record")) is None
    assert request_line(None) is None
