"""The graphql-http audit (the GraphQL-over-HTTP spec's checks, tests/http_audit/, node)
against the real server with an ADMIN token (two checks ask `__type`, which
REFERRALNET_INTROSPECTION=admin keeps to ADMINs): every MUST passes, and the SHOULDs that fail
are exactly those README lists, each with its reason."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import ROOT, Server

AUDIT = ROOT / "tests" / "http_audit"


@pytest.fixture(scope="module")
def audit_packages() -> Path:
    """The audit's node packages, as package-lock.json pins them (`make test` installs them
    first; a bare `pytest` does here)."""
    assert shutil.which("node") and shutil.which("npm"), "the audit needs node and npm"
    if not (AUDIT / "node_modules" / "graphql-http" / "package.json").exists():
        subprocess.run(
            ["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=AUDIT, check=True, timeout=300
        )
    return AUDIT


def _readme_shoulds() -> set[str]:
    """The audit ids README lists as SHOULDs left (`none`, or `ID` with a reason each)."""
    text = (ROOT / "README.md").read_text()
    found = re.search(r"SHOULDs left:(.*?)(?:\n\n|$)", text, re.S)
    assert found, "README's Access section lists the SHOULDs left by the graphql-http audit"
    return set(re.findall(r"`([0-9A-Z]{4})`", found.group(1)))


def test_graphql_http_audit(api: Server, admin_token: str, audit_packages: Path) -> None:
    done = subprocess.run(
        ["node", "audit.mjs", f"{api.url}/graphql"],
        cwd=audit_packages,
        env={**os.environ, "REFERRALNET_AUDIT_TOKEN": admin_token},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    results = json.loads(done.stdout)
    assert len(results) > 50, results
    failed = {r["id"]: r for r in results if r["status"] != "ok"}
    musts = [r for r in failed.values() if r["name"].startswith("MUST")]
    assert musts == [], musts
    shoulds = {i for i, r in failed.items() if r["name"].startswith("SHOULD")}
    assert shoulds == _readme_shoulds(), [failed[i] for i in shoulds]
