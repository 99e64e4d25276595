"""Case imports against a real Neo4j of their own: donations.ijson loads cleanly; re-loads change
nothing; broken files and label clashes leave the graph exactly as it was; a changed entity
updates only itself; references resolve across files; victims are never stored by name; the
`referralnet load cases` command reports and fails as a person expects."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from graph.config import Settings
from graph.exceptions import InvalidData
from graph.localdb import Instance, free_port
from loaders.ftm_load import CasesReport, load_cases
from tests.conftest import ROOT, with_db
from tests.fixtures.ftm.planted import entities, entity, party

DONATIONS = ROOT.parent / "shared" / "data" / "ftm" / "donations.ijson"


@pytest.fixture(scope="module")
def fresh(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
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


def test_donations_load_cleanly_and_a_reload_changes_nothing(fresh: Settings) -> None:
    wipe(fresh)
    first = load(fresh, DONATIONS)
    assert first.rows_total == 474 and first.warnings == []
    assert first.written["nodes"] == {"created": 95, "updated": 0, "unchanged": 0}
    assert first.written["edges"] == {"created": 290, "updated": 0, "unchanged": 0}
    assert first.written["identifiers"]["created"] == 88
    before = fingerprint(fresh)
    again = load(fresh, DONATIONS)
    assert fingerprint(fresh) == before
    for kind, outcome in again.written.items():
        assert outcome["created"] == outcome["updated"] == 0, kind
    human = again.human()
    assert "474 entities" in human and "290 unchanged" in human


def test_a_broken_file_writes_nothing(fresh: Settings, tmp_path: Path) -> None:
    before = fingerprint(fresh)
    rows = entities()
    rows.append(entity("p-bad", "Person", name="Bad Phone", phone="12"))
    rows.append(party("c-2023-017", "p-missing", "suspect"))
    with pytest.raises(InvalidData) as err:
        load(fresh, write(tmp_path / "broken.ijson", rows))
    reasons = [(p.field, p.reason) for p in err.value.problems]
    assert ("phone", "'12' is not a possible phone number") in reasons
    assert ("party", "refers to p-missing, which is neither in this file nor in the database") in reasons
    assert all(p.file == "broken.ijson" and p.line for p in err.value.problems)
    assert fingerprint(fresh) == before


def test_an_id_known_under_another_label_aborts_the_whole_load(fresh: Settings, tmp_path: Path) -> None:
    before = fingerprint(fresh)
    payer = json.loads(DONATIONS.read_text().splitlines()[2])  # a Person
    rows = [entity("c-new", "CourtCase", caseNumber="X-1"),
            entity(payer["id"], "Company", name="Now a company")]
    with pytest.raises(InvalidData, match="already in the database as something else"):
        load(fresh, write(tmp_path / "clash.ijson", rows))
    assert fingerprint(fresh) == before


def test_a_changed_entity_updates_only_itself(fresh: Settings, tmp_path: Path) -> None:
    wipe(fresh)
    rows = entities()
    load(fresh, write(tmp_path / "v1.ijson", rows))
    changed = [dict(r) for r in rows]
    s2 = next(r for r in changed if r["id"] == "p-dzhanibek-2")
    s2["properties"] = {**s2["properties"], "phone": ["+7 747 000 11 22"]}
    report = load(fresh, write(tmp_path / "v2.ijson", changed))
    assert report.written["nodes"]["updated"] == 1
    assert report.written["identifiers"]["created"] == 1
    assert report.written["links"]["created"] == 1
    facts = read(fresh, "person_facts", id="p-dzhanibek-2")[0]
    assert [i["id"] for i in facts["identifiers"]] == ["phone:+77470001122"]
    s1 = read(fresh, "person_facts", id="p-zhanibek-1")[0]
    assert "phone:+77015551234" in [i["id"] for i in s1["identifiers"]]


def test_references_resolve_across_files_and_victims_are_never_stored_by_name(
        fresh: Settings, tmp_path: Path) -> None:
    wipe(fresh)
    rows = entities()
    parties = [r for r in rows if r["schema"] == "CourtCaseParty"]
    rest = [r for r in rows if r["schema"] != "CourtCaseParty"]
    load(fresh, write(tmp_path / "entities.ijson", rest))
    report = load(fresh, write(tmp_path / "parties.ijson", parties))
    assert report.written["edges"]["created"] == len(parties)
    # the victims' names went in with the first file, before the parties said who was a victim:
    # the second file cannot know; loaded together, they are pseudonymous
    wipe(fresh)
    together = load(fresh, write(tmp_path / "all.ijson", rows))
    assert together.pseudonymized == 8
    dump = read(fresh, "investigations_fingerprint")[0]
    text = json.dumps(dump, ensure_ascii=False, default=str)
    assert "Aigerim" not in text and "2001-01-01" not in text and "+77050000001" not in text


def test_the_command_line_loads_reports_and_refuses(fresh: Settings, tmp_path: Path) -> None:
    env = {**os.environ, "NEO4J_URI": fresh.neo4j_uri, "NEO4J_PASSWORD": fresh.neo4j_password}
    report = tmp_path / "report.json"
    ok = subprocess.run([sys.executable, "-m", "cli", "load", "cases", str(DONATIONS), "--json",
                         "--report", str(report)], cwd=ROOT, env=env, capture_output=True,
                        text=True, timeout=120)
    assert ok.returncode == 0, ok.stderr
    body = json.loads(ok.stdout)
    assert body["rows_total"] == 474 and body["format"] == "ftm"
    assert json.loads(report.read_text()) == body
    bad = write(tmp_path / "bad.ijson", [entity("p", "Person", birthDate="yesterday")])
    refused = subprocess.run([sys.executable, "-m", "cli", "load", "cases", str(bad)], cwd=ROOT,
                             env=env, capture_output=True, text=True, timeout=120)
    assert refused.returncode == 1
    assert "bad.ijson:1: birthDate: 'yesterday' is not a valid date" in refused.stderr
