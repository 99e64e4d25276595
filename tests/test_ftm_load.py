"""Case imports against a real Neo4j of their own: donations.ijson loads cleanly; re-loads change
nothing; broken files and label clashes leave the graph exactly as it was; a changed entity
updates only itself; references resolve across files; victims are never stored by name (more in
test_ftm_privacy.py); the `referralnet load cases` command reports and fails as a person
expects; a load committed in small chunks gives the same graph, and one interrupted or left
running by a dead process is undone; the Suspect role stays exactly on the suspects through
reloads, undo and the schema's migration."""

from __future__ import annotations

import asyncio
import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from graph.config import Settings
from graph.db import Database, Tx
from graph.directory_write import row_hash
from graph.exceptions import InvalidData
from graph.investigations_write import CaseRows, mark_known_edges
from graph.tracing import linked_suspects
from loaders.ftm_load import load_cases
from loaders.ftm_map import FtmMapper
from loaders.ftm_read import read_entities
from tests.conftest import ROOT, own_database, with_db
from tests.fixtures.ftm.planted import BROKER, S1, entities, entity, party
from tests.ftm_db import fingerprint, load, read, wipe, write

DONATIONS = ROOT.parent / "shared" / "data" / "ftm" / "donations.ijson"

@pytest.fixture(scope="module")
def fresh(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    yield from own_database(tmp_path_factory, "neo4j-ftm")


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


def test_a_reload_finds_each_stored_edge_under_its_type_or_any_role(fresh: Settings,
                                                                    tmp_path: Path) -> None:
    wipe(fresh)
    path = write(tmp_path / "v1.ijson", entities())
    load(fresh, path)
    edges = FtmMapper(read_entities(path)).build().rows.edges
    assert {"SUSPECT_IN", "VICTIM_IN", "ASSOCIATE_OF", "PAID"} <= {e["type"] for e in edges}
    stored = {e["id"]: row_hash(e) for e in edges}
    # a suspect now a witness is the same party; an id never loaded is not known
    asked = [dict(e, type="WITNESS_IN") if e["type"] == "SUSPECT_IN" else dict(e) for e in edges]
    asked.append({"id": "pay-never-loaded", "type": "PAID", "from": BROKER, "to": S1, "props": {}})
    known = with_db(fresh, lambda db: mark_known_edges(db, CaseRows(edges=asked)))
    assert known == stored
    assert [e["known"] for e in asked] == [True] * len(edges) + [False]
    # asked two ids at a time, two at once: the answers come back in the order asked
    people = sorted(e["from"] for e in edges if e["type"] == "SUSPECT_IN")
    parts = with_db(fresh, lambda db: db.read_in_parts("ftm_stored_nodes", "ids", people, part=2))
    assert [i for part in parts for i, _, _ in part["found"]] == people

    def shape(ids: list[str]) -> list[str]:
        if ids == [S1]:
            raise ValueError("a part that cannot be asked")
        return ids

    async def failing(db: Database) -> set[asyncio.Task[Any]]:
        with pytest.raises(ValueError, match="cannot be asked"):
            await db.read_in_parts("ftm_stored_nodes", "ids", [*people, S1, *people], part=1,
                                   shape=shape)
        return asyncio.all_tasks() - {asyncio.current_task()}  # type: ignore[operator]

    assert with_db(fresh, failing) == set()  # the other part under way ended, none was left


def with_new_phone(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The rows with one suspect's phone changed."""
    changed = [dict(r) for r in rows]
    s2 = next(r for r in changed if r["id"] == "p-dzhanibek-2")
    s2["properties"] = {**s2["properties"], "phone": ["+7 747 000 11 22"]}
    return changed


def test_a_changed_entity_updates_only_itself(fresh: Settings, tmp_path: Path) -> None:
    wipe(fresh)
    rows = entities()
    load(fresh, write(tmp_path / "v1.ijson", rows))
    changed = with_new_phone(rows)
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
    named = json.dumps(read(fresh, "investigations_fingerprint")[0], ensure_ascii=False, default=str)
    assert "Aigerim" in named  # nothing said yet who is a victim
    report = load(fresh, write(tmp_path / "parties.ijson", parties))
    assert report.written["edges"]["created"] == len(parties)
    # the parties make eight of those people victims only: stored again under a pseudonym,
    # without the phone they stated
    assert report.written["nodes"]["updated"] == report.pseudonymized == 8
    assert any("8 person(s) an earlier file stored by name" in w.reason for w in report.warnings)
    after = read(fresh, "investigations_fingerprint")[0]
    text = json.dumps(after["nodes"], ensure_ascii=False, default=str)
    assert "Aigerim" not in text and "2001-01-01" not in text and "+77050000001" not in text
    assert not [r for r in after["rels"] if r.startswith("v-") and "-USES" in r]
    assert "nodes" not in load(fresh, write(tmp_path / "parties.ijson", parties)).written  # done
    # loaded together, they never were stored by name
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


# Chunked case loads (graph/case_chunks.py under the journal of graph/load_journal.py)

class Interrupted(Exception):
    pass


def chunked(settings: Settings, rows: int = 7) -> Settings:
    return replace(settings, load_chunk_rows=rows)


def counts(settings: Settings) -> tuple[int, int, int]:
    """Case nodes, their relationships, kept FtM records; with the fingerprint, what is stored."""
    row = read(settings, "investigations_fingerprint")[0]
    records = sum(1 for labels, _ in row["nodes"] if "FtmRecord" in labels)
    return len(row["nodes"]) - records, len(row["rels"]), records


def unfinished(settings: Settings) -> list[dict[str, Any]]:
    return with_db(settings,  # type: ignore[no-any-return]
                   lambda db: db.write("unfinished_loads", kind="cases"))


def test_a_chunked_load_gives_the_same_graph_and_a_reload_changes_nothing(fresh: Settings) -> None:
    wipe(fresh)
    whole = load(fresh, DONATIONS)  # 2,500 rows a chunk: each kind in one
    graph = fingerprint(fresh), counts(fresh)
    wipe(fresh)
    small = chunked(fresh)
    seen: dict[str, int] = {}

    def progress(kind: str, n: int) -> None:
        seen[kind] = seen.get(kind, 0) + n

    report = with_db(small, lambda db: load_cases(db, DONATIONS, progress=progress))
    assert report.written == whole.written
    assert (fingerprint(fresh), counts(fresh)) == graph
    assert seen["edges"] == 290 and seen["nodes"] == 95
    again = load(small, DONATIONS)
    assert (fingerprint(fresh), counts(fresh)) == graph
    for kind, outcome in again.written.items():
        assert outcome["created"] == outcome["updated"] == 0, kind
    assert unfinished(fresh) == []


def test_an_interrupted_chunked_load_is_undone(fresh: Settings, tmp_path: Path) -> None:
    wipe(fresh)
    rows = entities()
    parties = [r for r in rows if r["schema"] == "CourtCaseParty"]
    rest = [r for r in rows if r["schema"] != "CourtCaseParty"]
    load(fresh, write(tmp_path / "entities.ijson", rest))
    before = fingerprint(fresh), counts(fresh)
    newcomers = [entity(f"p-new-{i}", "Person", name=f"New Person {i}", phone=f"+7 701 900 00 {i:02}")
                 for i in range(20)]
    newcomers += [party("c-2024-101", f"p-new-{i}", "witness") for i in range(20)]
    committed: dict[str, int] = {}

    def progress(kind: str, n: int) -> None:
        committed[kind] = committed.get(kind, 0) + n
        if kind == "links":  # nodes, identifiers, records and edges are in the database
            raise Interrupted

    # the parties join people and cases the first file holds: new relationships between old nodes
    everything = write(tmp_path / "all.ijson", rest + parties + newcomers)
    with pytest.raises(Interrupted):
        with_db(chunked(fresh), lambda db: load_cases(db, everything, progress=progress))
    assert committed["nodes"] > 20 and committed["identifiers"] > 20 and committed["edges"] > 0
    assert (fingerprint(fresh), counts(fresh)) == before
    assert unfinished(fresh) == []
    report = load(chunked(fresh), everything)  # and the same file then loads whole
    assert report.written["edges"]["created"] == len(parties) + 20
    assert report.written["nodes"]["created"] == 20


def test_a_load_cancelled_in_mid_transaction_is_undone(fresh: Settings, tmp_path: Path) -> None:
    # a cancelled task (Ctrl-C, a caller giving up) must not leave a chunk committing behind the
    # undo: its transaction is rolled back with it
    wipe(fresh)
    rows = entities()
    load(fresh, write(tmp_path / "first.ijson", rows[:40]))
    before = fingerprint(fresh), counts(fresh)
    everything = write(tmp_path / "all.ijson", rows + [
        entity(f"p-new-{i}", "Person", name=f"New Person {i}", phone=f"+7 701 9{i:06}")
        for i in range(3000)])
    committed: list[str] = []

    async def go(db: Database) -> None:
        task = asyncio.current_task()
        assert task is not None

        def progress(kind: str, n: int) -> None:
            committed.append(kind)
            if kind == "nodes" and committed.count("nodes") == 2:
                # the writer that reported goes on to its next chunk: cancelled in mid-transaction
                asyncio.get_running_loop().call_soon(task.cancel)

        await load_cases(db, everything, progress=progress)

    with pytest.raises(asyncio.CancelledError):
        with_db(chunked(fresh, 500), go)
    assert (fingerprint(fresh), counts(fresh)) == before
    assert unfinished(fresh) == []


def test_a_case_load_left_running_is_undone_by_the_next(fresh: Settings, tmp_path: Path) -> None:
    wipe(fresh)
    rows = entities()
    load(fresh, write(tmp_path / "v1.ijson", rows))
    before = fingerprint(fresh), counts(fresh)

    async def dead_load(db: Database) -> None:  # what a killed process leaves behind
        await db.write("start_load", id="dead", source="killed.ijson", kind="cases")

        async def work(tx: Tx) -> None:
            await tx.run("ftm_new_nodes", load="dead", rows=[
                {"id": f"ghost-{i}", "label": "Person", "props": {"name": f"Ghost {i}"},
                 "hash": "x"} for i in range(3)])
            await tx.run("ftm_new_edges", load="dead", rows=[  # between two older nodes
                {"id": "ghost-party", "type": "WITNESS_IN", "from": "p-decoy",
                 "to": "c-2023-017", "props": {}, "hash": "x"}])
        await db.in_write_tx(work)

    with_db(fresh, dead_load)
    assert [r["id"] for r in unfinished(fresh)] == ["dead"]
    assert (fingerprint(fresh), counts(fresh)) != before
    again = load(chunked(fresh), write(tmp_path / "v1.ijson", rows))
    for kind, outcome in again.written.items():
        assert outcome["created"] == outcome["updated"] == 0, kind
    assert (fingerprint(fresh), counts(fresh)) == before
    assert unfinished(fresh) == []


def test_a_changed_entity_in_a_chunked_load_restates_its_links(fresh: Settings,
                                                               tmp_path: Path) -> None:
    wipe(fresh)
    rows = entities()
    load(fresh, write(tmp_path / "v1.ijson", rows))
    changed = with_new_phone(rows)
    chunked_report = load(chunked(fresh, 3), write(tmp_path / "v2.ijson", changed))
    graph = fingerprint(fresh)
    wipe(fresh)
    load(fresh, write(tmp_path / "v1.ijson", rows))
    whole_report = load(fresh, write(tmp_path / "v2.ijson", changed))
    assert chunked_report.written == whole_report.written
    assert fingerprint(fresh) == graph


def roles(settings: Settings) -> tuple[set[str], set[str]]:
    """The nodes labelled Suspect, and the nodes with a SUSPECT_IN relationship."""
    row = read(settings, "investigations_fingerprint")[0]
    labelled = {props["id"] for labels, props in row["nodes"] if "Suspect" in labels}
    stated = {m.group(1) for rel in row["rels"] if (m := re.match(r"^(.+)-SUSPECT_IN/", rel))}
    return labelled, stated


def linked(settings: Settings, case_id: str) -> set[str]:
    found = with_db(settings, lambda db: linked_suspects(db, case_id))
    return {s.suspect.id for s in found.suspects}


def test_the_suspect_role_follows_the_suspect_relationships(fresh: Settings, tmp_path: Path) -> None:
    wipe(fresh)
    rows = entities()
    load(fresh, write(tmp_path / "v1.ijson", rows))
    labelled, stated = roles(fresh)
    assert labelled == stated and {"p-zhanibek-1", "p-dzhanibek-2", "p-marat"} <= labelled
    assert "p-dzhanibek-2" in linked(fresh, "c-2023-017")  # the shared phone
    # a reload in which Dzhanibek is only a witness: no longer a suspect, nor a linked one
    demoted = [party("c-2023-031", "p-dzhanibek-2", "witness") if r["schema"] == "CourtCaseParty"
               and r["properties"]["party"] == ["p-dzhanibek-2"] else r for r in rows]
    load(chunked(fresh, 3), write(tmp_path / "v2.ijson", demoted))
    labelled, stated = roles(fresh)
    assert labelled == stated and "p-dzhanibek-2" not in labelled
    assert "p-dzhanibek-2" not in linked(fresh, "c-2023-017")
    after_reload = fingerprint(fresh)

    async def dead_load(db: Database) -> None:  # a killed load made him a suspect again
        await db.write("start_load", id="dead-suspect", source="killed.ijson", kind="cases")

        async def work(tx: Tx) -> None:
            await tx.run("ftm_new_edges", load="dead-suspect", rows=[
                {"id": "ghost-party", "type": "SUSPECT_IN", "from": "p-dzhanibek-2",
                 "to": "c-2024-002", "props": {}, "hash": "x"}])
        await db.in_write_tx(work)

    with_db(fresh, dead_load)
    with_db(fresh, lambda db: db.apply_schema())  # the role's refresh at start-up
    labelled, stated = roles(fresh)
    assert stated - labelled == {"p-dzhanibek-2"}  # a staged SUSPECT_IN makes no one a suspect
    assert "p-dzhanibek-2" not in linked(fresh, "c-2023-017")
    # as a load killed before loads staged what they wrote left it: stamped, not staged
    with_db(fresh, lambda db: db.write("unstage_case_load_relationships", id="dead-suspect"))
    labelled, stated = roles(fresh)
    assert stated - labelled == {"p-dzhanibek-2"}  # what a database written before the role holds
    with_db(fresh, lambda db: db.apply_schema())  # the schema's migration brings the label
    labelled, stated = roles(fresh)
    assert labelled == stated and "p-dzhanibek-2" in labelled
    assert "p-dzhanibek-2" in linked(fresh, "c-2023-017")
    load(fresh, write(tmp_path / "v2.ijson", demoted))  # undoes the dead load first
    assert roles(fresh)[0] == roles(fresh)[1] and fingerprint(fresh) == after_reload
