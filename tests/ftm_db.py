"""What the case-import tests share: a Neo4j of their own per test module (own_neo4j), and
loading, wiping and reading it."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from graph.config import Settings
from graph.localdb import Instance, free_port
from loaders.ftm_load import CasesReport, load_cases
from tests.conftest import with_db


def own_neo4j(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    """A Neo4j of the module's own with the schema applied; each module makes it its `fresh`
    fixture: `fresh = pytest.fixture(scope="module", name="fresh")(own_neo4j)`."""
    inst = Instance(tmp_path_factory.mktemp("neo4j-ftm"), free_port())
    inst.start(heap="768m", pagecache_mb=128)
    settings = Settings(neo4j_uri=inst.uri, neo4j_password=inst.password())
    with_db(settings, lambda db: db.apply_schema())
    yield settings
    inst.stop()


def wipe(settings: Settings) -> None:
    with_db(settings, lambda db: db.write("wipe_investigations"))


def load(settings: Settings, path: Path) -> CasesReport:
    return with_db(settings, lambda db: load_cases(db, path))  # type: ignore[no-any-return]


def fingerprint(settings: Settings) -> str:
    async def go(db):  # type: ignore[no-untyped-def]
        row = await db.read_one("investigations_fingerprint")
        nodes = [(labels, sorted(props.items())) for labels, props in row["nodes"]]
        return hashlib.sha256(repr((nodes, row["rels"])).encode()).hexdigest()
    return with_db(settings, go)  # type: ignore[no-any-return]


def write(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    return path


def read(settings: Settings, name: str, **params: Any) -> list[dict[str, Any]]:
    return with_db(settings, lambda db: db.read(name, **params))  # type: ignore[no-any-return]
