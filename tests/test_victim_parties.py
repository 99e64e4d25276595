"""A victim who is also a suspect or witness in another case keeps her name (a suspect must stay
identifiable to investigators), and investigators are shown, on her, the cases she is a victim
in, so that the non-punishment principle can be weighed: over real HTTP, on a Neo4j of its own
loaded with FollowTheMoney case files; every such read is audited as the other case reads."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from graph import access
from graph.config import Settings
from tests.conftest import GQL, Server, make_token, own_database, with_db
from tests.fixtures.ftm.planted import entity, party
from tests.ftm_db import load, write

DUAL, BOTH, PURE, OTHER = "p-saule", "p-madina", "p-pure", "p-other"
CASES = {"c-v1": "2025-010", "c-v2": "2025-011", "c-s": "2025-020", "c-x": "2025-030"}


def _rows() -> list[dict[str, Any]]:
    return [
        *(
            entity(cid, "CourtCase", caseNumber=number, name=f"Criminal case {number}")
            for cid, number in CASES.items()
        ),
        # a victim of 2025-010 who recruited others in 2025-020
        entity(DUAL, "Person", name="Saule Dualova", birthDate="1996-05-05", phone="+7 701 444 55 66"),
        party("c-v1", DUAL, "victim"),
        party("c-s", DUAL, "suspect"),
        # a victim of 2025-011 who is a witness in 2025-020
        entity(BOTH, "Person", name="Madina Witnessova", birthDate="1998-08-08"),
        party("c-v2", BOTH, "victim"),
        party("c-s", BOTH, "witness"),
        # a victim and nothing else: pseudonymous
        entity(PURE, "Person", name="Aruzhan Onlyvictim", birthDate="2002-02-02"),
        party("c-v1", PURE, "victim"),
        # a suspect of 2025-030 who shares Saule's phone
        entity(OTHER, "Person", name="Kairat Other", phone="8 701 444 5566"),
        party("c-x", OTHER, "suspect"),
    ]


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Settings, Server]]:
    for settings in own_database(tmp_path_factory, "neo4j-victim-parties"):
        load(settings, write(tmp_path_factory.mktemp("ftm") / "cases.ijson", _rows()))
        with Server(settings) as server:
            yield settings, server


@pytest.fixture(scope="module")
def inv(env: tuple[Settings, Server]) -> GQL:
    settings, server = env
    return GQL(server.url, make_token(settings, "INVESTIGATOR", "weigher"))


CASE = """query($id: ID!) { case(id: $id) { parties { role birthDate
  entity { id caption pseudonymous } otherCases { number } victimInCases { id number } } } }"""


def _parties(inv: GQL, case_id: str) -> dict[str, dict[str, Any]]:
    return {p["entity"]["id"]: p for p in inv(CASE, id=case_id)["case"]["parties"]}


def test_a_suspect_or_witness_shows_the_cases_she_is_a_victim_in(inv: GQL) -> None:
    parties = _parties(inv, "c-s")
    saule, madina = parties[DUAL], parties[BOTH]
    assert (saule["role"], saule["entity"]["caption"], saule["birthDate"]) == (
        "SUSPECT",
        "Saule Dualova",
        "1996-05-05",
    )
    assert saule["victimInCases"] == [{"id": "c-v1", "number": "2025-010"}]
    assert (madina["role"], madina["entity"]["caption"]) == ("WITNESS", "Madina Witnessova")
    assert madina["victimInCases"] == [{"id": "c-v2", "number": "2025-011"}]


def test_in_her_own_case_she_is_a_victim_by_name_and_the_others_stay_pseudonymous(inv: GQL) -> None:
    parties = _parties(inv, "c-v1")
    saule, pure = parties[DUAL], parties[PURE]
    # kept by name (a suspect elsewhere), and shown as a victim here, with the case she is a
    # suspect in; no other case she is a victim in
    assert (saule["role"], saule["entity"]["caption"], saule["entity"]["pseudonymous"]) == (
        "VICTIM",
        "Saule Dualova",
        False,
    )
    assert saule["otherCases"] == [{"number": "2025-020"}] and saule["victimInCases"] == []
    assert pure["role"] == "VICTIM" and pure["entity"]["pseudonymous"]
    assert pure["birthDate"] is None and pure["victimInCases"] == []
    assert "Aruzhan" not in json.dumps(parties, ensure_ascii=False)


def test_a_linked_suspect_shows_the_cases_she_is_a_victim_in(inv: GQL) -> None:
    r = inv("""{ linkedSuspects(caseId: "c-x", maxHops: 2) { suspects {
                 suspect { id caption } cases { number } victimInCases { number } reason } } }""")
    suspects = r["linkedSuspects"]["suspects"]
    assert [(s["suspect"]["id"], s["cases"], s["victimInCases"]) for s in suspects] == [
        (DUAL, [{"number": "2025-020"}], [{"number": "2025-010"}])
    ]
    assert suspects[0]["reason"].endswith("suspect in case 2025-020, victim in case 2025-010")
    # from her suspect case: the linked suspect found directly carries them too
    r = inv("""{ linkedSuspects(caseId: "c-s", maxHops: 2) { suspects {
                 suspect { id } victimInCases { number } } } }""")
    assert r["linkedSuspects"]["suspects"] == [{"suspect": {"id": OTHER}, "victimInCases": []}]


def test_these_reads_are_audited_as_the_other_case_reads(env: tuple[Settings, Server], inv: GQL) -> None:
    settings, server = env
    inv(CASE, id="c-s")
    events = with_db(settings, lambda db: access.audit_events(db, 500))
    assert ("case.read", "c-s") in [(e["action"], e["target"]) for e in events if "weigher" in e["actor"]]
    coordinator = GQL(server.url, make_token(settings, "COORDINATOR", "not an investigator"))
    errors = coordinator.errors(CASE, id="c-s")
    assert errors[0]["extensions"]["code"] == "FORBIDDEN"
    events = with_db(settings, lambda db: access.audit_events(db, 500))
    assert ("denied:case.read", "c-s") in [
        (e["action"], e["target"]) for e in events if "not an investigator" in e["actor"]
    ]


def test_match_candidates_and_key_players_show_the_cases_she_is_a_victim_in(inv: GQL) -> None:
    found = inv("""{ matchCandidates(name: "Saule Dualova") {
                     person { id } suspectIn { number } victimIn { number } } }""")
    saule = [m for m in found["matchCandidates"] if m["person"]["id"] == DUAL]
    assert saule == [
        {"person": {"id": DUAL}, "suspectIn": [{"number": "2025-020"}], "victimIn": [{"number": "2025-010"}]}
    ]
    players = inv("""{ keyPlayers(caseIds: ["c-s", "c-x"]) { players {
                       entity { id } suspectIn { number } victimIn { number } } } }""")
    by_id = {p["entity"]["id"]: p for p in players["keyPlayers"]["players"]}
    assert by_id[DUAL]["victimIn"] == [{"number": "2025-010"}]
    assert by_id[OTHER]["victimIn"] == []


def test_a_victim_made_a_suspect_by_a_later_file_keeps_her_name_once_a_file_states_it(
    env: tuple[Settings, Server], inv: GQL, tmp_path: Path
) -> None:
    settings, _ = env
    late = "p-late"
    load(
        settings,
        write(
            tmp_path / "first.ijson",
            [
                entity("c-late-v", "CourtCase", caseNumber="2025-040"),
                entity(late, "Person", name="Dinara Latecomer", birthDate="1994-04-04"),
                party("c-late-v", late, "victim"),
            ],
        ),
    )
    # a later file makes her a suspect, naming her only as a party: her name was never kept
    load(
        settings,
        write(
            tmp_path / "second.ijson",
            [entity("c-late-s", "CourtCase", caseNumber="2025-041"), party("c-late-s", late, "suspect")],
        ),
    )
    her = _parties(inv, "c-late-s")[late]
    assert her["role"] == "SUSPECT" and her["entity"]["pseudonymous"]
    assert her["entity"]["caption"].startswith("victim ")
    assert her["victimInCases"] == [{"id": "c-late-v", "number": "2025-040"}]
    # a file that states her person keeps her name: she is a suspect
    load(
        settings,
        write(
            tmp_path / "third.ijson",
            [entity(late, "Person", name="Dinara Latecomer", birthDate="1994-04-04")],
        ),
    )
    her = _parties(inv, "c-late-s")[late]
    assert (her["entity"]["caption"], her["entity"]["pseudonymous"], her["birthDate"]) == (
        "Dinara Latecomer",
        False,
        "1994-04-04",
    )
    assert _parties(inv, "c-late-v")[late]["role"] == "VICTIM"


@pytest.mark.unit
def test_a_reason_names_the_cases_the_end_is_a_victim_in() -> None:
    from graph.investigation_types import CaseRef, TraceEdge, TraceNode, TracePath
    from graph.tracing import explain_path

    a, phone, b = (
        TraceNode("a", "Person", "Kairat Other"),
        TraceNode("ph", "Phone", "+77014445566"),
        TraceNode("b", "Person", "Saule Dualova"),
    )
    path = TracePath((a, phone, b), (TraceEdge("USES", "a", "ph"), TraceEdge("USES", "b", "ph")))
    suspect, victim = [CaseRef("c-s", "2025-020")], [CaseRef("c-1", "2025-010"), CaseRef("c-2", None)]
    assert explain_path(path, suspect, victim) == (
        "Kairat Other shares phone +77014445566 with Saule Dualova, suspect in case 2025-020, "
        "victim in cases 2025-010, c-2"
    )
    assert explain_path(path, suspect) == (
        "Kairat Other shares phone +77014445566 with Saule Dualova, suspect in case 2025-020"
    )
