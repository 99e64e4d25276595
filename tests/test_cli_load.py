"""`referralnet load directory` on a database nobody has prepared: the command applies the
schema first (constraints and indexes), as `load cases` and `seed` do."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from graph.config import Settings
from tests.conftest import own_database, with_db

ROOT = Path(__file__).resolve().parent.parent
CSV_EXAMPLE = ROOT.parent / "shared" / "data" / "hsds-3.0" / "examples" / "csv"


@pytest.fixture(scope="module")
def bare(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    yield from own_database(tmp_path_factory, "neo4j-bare", heap="512m", pagecache_mb=64,
                            schema=False)


def constraints(settings: Settings) -> set[str]:
    rows = with_db(settings, lambda db: db.read("schema_constraint_names"))
    return set(rows[0]["names"])


def test_load_directory_applies_the_schema_to_a_bare_database(bare: Settings) -> None:
    assert "organization_id" not in constraints(bare)
    env = {**os.environ, "NEO4J_URI": bare.neo4j_uri, "NEO4J_PASSWORD": bare.neo4j_password}
    done = subprocess.run([sys.executable, "-m", "cli", "load", "directory", str(CSV_EXAMPLE),
                           "--json"], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["written"]["organizations"]["created"] >= 1
    assert {"organization_id", "service_id", "region_code"} <= constraints(bare)
