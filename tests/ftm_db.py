"""What the case-import tests share: loading, wiping and reading their Neo4j (each module has its
own: conftest.own_database)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from graph.config import Settings
from loaders.ftm_load import CasesReport, load_cases
from tests.conftest import graph_digest, with_db


def wipe(settings: Settings) -> None:
    with_db(settings, lambda db: db.write("wipe_investigations"))


def load(settings: Settings, path: Path) -> CasesReport:
    return with_db(settings, lambda db: load_cases(db, path))  # type: ignore[no-any-return]


def fingerprint(settings: Settings) -> str:
    return graph_digest(settings, "investigations_fingerprint")


def write(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    return path


def read(settings: Settings, name: str, **params: Any) -> list[dict[str, Any]]:
    return with_db(settings, lambda db: db.read(name, **params))  # type: ignore[no-any-return]
