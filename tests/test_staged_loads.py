"""No reader sees a load's rows before the load is DONE (graph/load_journal.py): a directory load
whose process is killed with SIGKILL in mid-load, and a case load during which Neo4j itself is
killed, leave rows committed in the database that no query shows, until a later load finishes."""

from __future__ import annotations

import csv
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from graph import tracing
from graph.config import Settings
from graph.db import Database
from graph.directory_write import write_directory
from graph.exceptions import NotFound
from graph.investigations import case
from graph.localdb import Instance, free_port
from graph.matching import match_candidates
from loaders.ftm_load import load_cases
from loaders.hsds_export import export_directory
from loaders.kazakhstan import load_directory
from tests.conftest import GQL, ROOT, Server, make_token, with_db
from tests.fixtures.ftm.planted import S1, entities, entity, party
from tests.ftm_db import write


class Interrupted(Exception):
    pass


@pytest.fixture(scope="module")
def neo4j(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Instance]:
    inst = Instance(tmp_path_factory.mktemp("neo4j-staged"), free_port())
    inst.start(heap="1g", pagecache_mb=128)
    try:
        yield inst
    finally:
        inst.stop()


@pytest.fixture(scope="module")
def db_settings(neo4j: Instance) -> Settings:
    settings = Settings(neo4j_uri=neo4j.uri, neo4j_password=neo4j.password())
    with_db(settings, lambda db: db.apply_schema())
    return settings


def _unfinished_rows(settings: Settings, kind: str) -> int:
    rows = with_db(settings, lambda db: db.read("rows_of_unfinished_loads", kind=kind))
    return int(rows[0]["n"])


# --- a directory load killed in mid-load --------------------------------------------------------


def _shelters(folder: Path, organizations: int, services: int, shelters: int) -> Path:
    """A valid HSDS package whose first `shelters` services are shelters in Shymkent with names
    that sort before the built-in ones."""
    folder.mkdir(parents=True)
    tables: dict[str, tuple[list[str], list[list[Any]]]] = {
        "organizations": (
            ["id", "name", "description"],
            [[f"org-{i}", f"A staged org {i:05}", "NGO"] for i in range(organizations)],
        ),
        "services": (
            ["id", "organization_id", "name", "description", "status"],
            [
                [f"svc-{i}", f"org-{i % organizations}", f"A staged shelter {i:05}", "Shelter", "active"]
                for i in range(services)
            ],
        ),
        "service_areas": (
            ["id", "service_id", "name", "description"],
            [[f"area-{i}", f"svc-{i}", "Shymkent", ""] for i in range(shelters)],
        ),
        "taxonomies": (
            ["id", "name", "description", "version"],
            [["tax-needs", "referralnet-needs", "needs", "1"]],
        ),
        "taxonomy_terms": (
            ["id", "code", "name", "description", "taxonomy", "taxonomy_id"],
            [["term-shelter", "SHELTER", "Shelter", "Shelter", "referralnet-needs", "tax-needs"]],
        ),
        "attributes": (
            ["id", "link_id", "link_type", "link_entity", "taxonomy_term_id"],
            [[f"attr-{i}", f"svc-{i}", "need", "service", "term-shelter"] for i in range(shelters)],
        ),
    }
    for name, (header, rows) in tables.items():
        with (folder / f"{name}.csv").open("w", newline="", encoding="utf-8") as fh:
            out = csv.writer(fh)
            out.writerow(header)
            out.writerows(rows)
    return folder


_VIEWS = """{
  organizations(first: 1) { totalCount }
  services(first: 1) { totalCount }
  shelters: services(first: 100, filter: {need: SHELTER, region: "shymkent"}) {
    totalCount nodes { id } }
  whoHandles(need: SHELTER, region: "shymkent", limit: 100) {
    services { service { id } organization { id } } responsible { organization { id } } }
  routeReferral(request: {profile: {region: "shymkent", age: 24, sex: FEMALE}, needs: [SHELTER]}) {
    needs { need options { service { id } } excludedCount } }
}"""


def _views(settings: Settings, gql: GQL, folder: Path) -> dict[str, Any]:
    """What every reader of the directory is shown: the API's lists, counts, whoHandles,
    routeReferral, and an export."""
    exported = with_db(settings, lambda db: export_directory(db, folder, "csv"))
    return {"api": gql(_VIEWS), "export": exported}


def _load_directory(settings: Settings, folder: Path, log: Path) -> subprocess.Popen[bytes]:
    """`referralnet load directory` in a process of its own, its output in `log`."""
    env = {
        **os.environ,
        "NEO4J_URI": settings.neo4j_uri,
        "NEO4J_PASSWORD": settings.neo4j_password,
        "REFERRALNET_LOAD_CHUNK": "200",
    }
    with log.open("wb") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "cli", "load", "directory", str(folder)],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def test_a_directory_load_killed_in_mid_load_shows_none_of_its_rows(
    db_settings: Settings, tmp_path: Path
) -> None:
    settings = db_settings
    with_db(settings, lambda db: db.write("wipe_directory"))
    with_db(settings, lambda db: write_directory(db, load_directory()))
    folder = _shelters(tmp_path / "shelters", organizations=2000, services=8000, shelters=300)
    with Server(settings) as server:
        gql = GQL(server.url, make_token(settings, "ADMIN", "staged"))
        before = _views(settings, gql, tmp_path / "before")
        assert before["api"]["organizations"]["totalCount"] > 200

        loading = _load_directory(settings, folder, tmp_path / "killed.log")
        deadline = time.monotonic() + 300
        # every organization and two chunks of services committed: then the loader is killed
        while _unfinished_rows(settings, "directory") < 2400:
            assert loading.poll() is None, (tmp_path / "killed.log").read_text()
            assert time.monotonic() < deadline
            time.sleep(0.05)
        loading.send_signal(signal.SIGKILL)
        loading.wait()
        assert loading.returncode == -signal.SIGKILL
        left = _unfinished_rows(settings, "directory")
        assert 2400 <= left < 10_000  # committed rows of a load that never finished

        assert _views(settings, gql, tmp_path / "after-kill") == before

        again = _load_directory(settings, folder, tmp_path / "again.log")  # undoes the dead one
        assert again.wait(timeout=600) == 0, (tmp_path / "again.log").read_text()
        after = _views(settings, gql, tmp_path / "after")
    api, was = after["api"], before["api"]
    assert api["organizations"]["totalCount"] == was["organizations"]["totalCount"] + 2000
    assert api["services"]["totalCount"] == was["services"]["totalCount"] + 8000
    assert api["shelters"]["totalCount"] == was["shelters"]["totalCount"] + 300
    assert api["shelters"]["nodes"][0]["id"] == "svc-0"
    assert after["export"]["organization"] == before["export"]["organization"] + 2000
    assert after["export"]["service"] == before["export"]["service"] + 8000
    listed = {s["service"]["id"] for s in api["whoHandles"]["services"]}
    assert "svc-0" in listed
    options = {o["service"]["id"] for o in api["routeReferral"]["needs"][0]["options"]}
    assert any(i.startswith("svc-") for i in options)


# --- Neo4j killed in mid case load --------------------------------------------------------------

NEW_CASE = "c-2025-900"
NEWCOMERS = 300


def _newcomers() -> list[dict[str, Any]]:
    """A new case whose suspects are new people; the first five use S1's phone. And a party
    between two older nodes: the witness of 2023-017 becomes a suspect in 2023-031."""
    out = [
        entity(
            NEW_CASE,
            "CourtCase",
            caseNumber="2025-900",
            name="Criminal case 2025-900",
            category="Art. 128 CC RK (trafficking in persons)",
            fileDate="2025-01-01",
            country="kz",
        )
    ]
    for i in range(NEWCOMERS):
        phone = "8 701 555 12 34" if i < 5 else f"+7 702 {i:03} 00 00"
        out.append(
            entity(
                f"p-staged-{i}",
                "Person",
                name=f"Staged Newcomer {i}",
                birthDate="1990-01-01",
                phone=phone,
                nationality="kz",
            )
        )
        out.append(party(NEW_CASE, f"p-staged-{i}", "suspect"))
    out.append(party("c-2023-031", "p-witness", "suspect"))
    return out


def _case_views(settings: Settings) -> dict[str, Any]:
    """What an investigator is shown around S1 and the cases the newcomers touch."""

    async def go(db: Database) -> dict[str, Any]:
        linked = await tracing.linked_suspects(db, "c-2023-017", max_hops=3)
        around = await tracing.neighborhood(db, S1, depth=2)
        other = await case(db, "c-2023-031")
        assert other is not None
        try:
            joined: Any = await tracing.connection(db, S1, "p-staged-0", max_hops=2)
        except NotFound as e:
            joined = type(e).__name__
        new_case = await case(db, NEW_CASE)
        try:
            on_new: Any = len((await tracing.linked_suspects(db, NEW_CASE, max_hops=1)).suspects)
        except NotFound as e:
            on_new = type(e).__name__
        named = await match_candidates(db, name="Staged Newcomer 7", birth_date="1990-01-01")
        return {
            "linked": sorted(s.suspect.id for s in linked.suspects),
            "around": sorted(n.id for n in around.nodes),
            "edges": len(around.edges),
            "parties": sorted((p.role, p.node.id) for p in other.parties),
            "connection": joined if isinstance(joined, str) else len(joined.paths),
            "new_case": new_case and new_case.id,
            "linked_on_new_case": on_new,
            "matches": sorted(c.person.id for c in named),
        }

    return with_db(settings, go)  # type: ignore[no-any-return]


def test_a_case_load_cut_by_a_neo4j_kill_shows_none_of_its_rows(
    neo4j: Instance, db_settings: Settings, tmp_path: Path
) -> None:
    settings = db_settings
    with_db(settings, lambda db: db.write("wipe_investigations"))
    first = entities()
    with_db(settings, lambda db: load_cases(db, write(tmp_path / "first.ijson", first)))
    before = _case_views(settings)
    assert before["new_case"] is None and before["matches"] == []
    file = write(tmp_path / "second.ijson", first + _newcomers())
    committed: dict[str, int] = {}

    def progress(kind: str, n: int) -> None:
        committed[kind] = committed.get(kind, 0) + n
        if kind == "links" and committed[kind] >= 100:  # people, parties and some phones are in
            neo4j.kill()
            raise Interrupted

    chunked = replace(settings, load_chunk_rows=50)
    with pytest.raises(Interrupted):
        with_db(chunked, lambda db: load_cases(db, file, progress=progress))
    assert committed["nodes"] >= NEWCOMERS and committed["edges"] >= NEWCOMERS
    neo4j.start(heap="1g", pagecache_mb=128)
    with_db(settings, lambda db: db.apply_schema())  # as the API does at start-up: roles refreshed
    assert _unfinished_rows(settings, "cases") >= NEWCOMERS  # committed, never finished

    assert _case_views(settings) == before

    report = with_db(chunked, lambda db: load_cases(db, file))  # the next load: undo, then whole
    assert report.written["nodes"]["created"] == NEWCOMERS + 1
    after = _case_views(settings)
    assert after["new_case"] == NEW_CASE
    assert {"p-staged-0", "p-staged-4"} <= set(after["linked"])
    assert ("SUSPECT", "p-witness") in after["parties"]
    assert after["connection"] >= 1
    assert "p-staged-7" in after["matches"]
