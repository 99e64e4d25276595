"""Investigations over GraphQL, tried as a new user would, on a Neo4j of their own loaded with
the planted case set (tests/fixtures/ftm/planted.py) and donations.ijson: linkedSuspects,
connection, neighborhood, matchCandidates, confirm/reject, keyPlayers find exactly what was
planted; a COORDINATOR (or LOADER) is refused on every investigation field, and audited."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from graph.config import Settings
from graph.localdb import Instance, free_port
from loaders.ftm_load import load_cases
from tests.conftest import GQL, ROOT, Server, make_token, with_db
from tests.fixtures.ftm import planted
from tests.fixtures.ftm.planted import BROKER, DECOY, S1, S2, S3, S4

DONATIONS = ROOT.parent / "shared" / "data" / "ftm" / "donations.ijson"
MLPD = "6d03aec76fdeec8f9697d8b19954ab6fc2568bc8"  # an Organization paid by several donors
DACHNER = "f9c295f21b233ac878fbac4d271bb6fd13d7952a"  # a Person who paid MLPD


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Settings, Server]]:
    home = tmp_path_factory.mktemp("neo4j-investigations")
    inst = Instance(home / "db", free_port())
    inst.start(heap="768m", pagecache_mb=128)
    settings = Settings(neo4j_uri=inst.uri, neo4j_password=inst.password())

    async def prepare(db):  # type: ignore[no-untyped-def]
        await db.apply_schema()
        await load_cases(db, planted.write(home / "planted.ijson"))
        await load_cases(db, DONATIONS)

    with_db(settings, prepare)
    try:
        with Server(settings) as server:
            yield settings, server
    finally:
        inst.stop()


@pytest.fixture(scope="module")
def inv(env: tuple[Settings, Server]) -> GQL:
    settings, server = env
    return GQL(server.url, make_token(settings, "INVESTIGATOR", "detective"))


PATH = "path { hops nodes { id label caption } edges { type source target } }"
LINKED = f"""query($c: ID!, $h: Int!) {{ linkedSuspects(caseId: $c, maxHops: $h) {{
  suspects {{ suspect {{ id caption }} cases {{ number }} reason {PATH} }}
  superNodes {{ entity {{ id caption degree superNode }} reachedFrom }} truncated }} }}"""


def linked(gql: GQL, case: str, hops: int) -> dict[str, Any]:
    return gql(LINKED, c=case, h=hops)["linkedSuspects"]  # type: ignore[no-any-return]


def test_a_case_lists_its_parties_with_victims_under_a_pseudonym(inv: GQL) -> None:
    c = inv("""{ case(id: "c-2023-017") { number article parties { role birthDate
                entity { id caption pseudonymous } otherCases { number } } } }""")["case"]
    assert c["number"] == "2023-017"
    roles = [(p["role"], p["entity"]["caption"]) for p in c["parties"]]
    assert roles[:2] == [("SUSPECT", "Жанибек Серикович Келекеев"), ("WITNESS", "Gulnara Witness")]
    victim = c["parties"][2]
    assert victim["role"] == "VICTIM" and victim["entity"]["pseudonymous"]
    assert victim["entity"]["caption"].startswith("victim ") and victim["birthDate"] is None
    assert "Aigerim" not in json.dumps(c, ensure_ascii=False)


def test_linked_suspects_finds_the_shared_phone_under_another_spelling(inv: GQL) -> None:
    r = linked(inv, "c-2023-017", 3)
    assert [(s["suspect"]["id"], s["path"]["hops"]) for s in r["suspects"]] == [(S2, 2)]
    assert r["suspects"][0]["reason"] == (
        "Жанибек Серикович Келекеев shares phone +7 701 555 1234 with Dzhanibek Kelekeyev, "
        "suspect in case 2023-031")
    assert [n["label"] for n in r["suspects"][0]["path"]["nodes"]] == ["Person", "Phone", "Person"]
    bus = r["superNodes"]
    assert [(b["entity"]["caption"], b["entity"]["superNode"], b["reachedFrom"]) for b in bus] == [
        (planted.BUS_STATION, True, S1)]
    assert bus[0]["entity"]["degree"] == planted.SUPER_USERS + 1  # and its kept FtM record


def test_the_three_hop_chain_through_an_address_and_an_account(inv: GQL) -> None:
    r = linked(inv, "c-2023-044", 3)
    assert [(s["suspect"]["id"], s["path"]["hops"]) for s in r["suspects"]] == [(S4, 3)]
    s = r["suspects"][0]
    assert [n["label"] for n in s["path"]["nodes"]] == ["Person", "Address", "BankAccount", "Person"]
    assert s["reason"] == ("Aslan Bekov uses address Almaty, Raiymbek avenue 348, office 12, where "
                           "bank account KZ86 125K ZT50 0410 0100 is registered, used by Dana "
                           "Nurova, suspect in case 2024-005")
    assert linked(inv, "c-2023-044", 2)["suspects"] == []
    # the decoy shares nothing: nobody is linked to it, however far one looks
    assert linked(inv, "c-2024-002", 4)["suspects"] == []


def test_connection_names_every_hop(inv: GQL) -> None:
    q = f"""query($a: ID!, $b: ID!, $h: Int!) {{ connection(fromId: $a, toId: $b, maxHops: $h) {{
           source {{ caption }} target {{ caption }} paths {{ reason {PATH} }} }} }}"""
    c = inv(q, a=S3, b=S4, h=4)["connection"]
    assert len(c["paths"]) == 1 and c["paths"][0]["path"]["hops"] == 3
    assert [e["type"] for e in c["paths"][0]["path"]["edges"]] == ["USES", "REGISTERED_AT", "USES"]
    assert inv(q, a=S3, b=S4, h=2)["connection"]["paths"] == []
    # the donations' payment network: a donor reaches another donor through the party they paid
    d = inv(q, a=DACHNER, b=MLPD, h=2)["connection"]["paths"]
    assert d[0]["path"]["hops"] == 1 and d[0]["reason"].startswith("Frau Lina Dachner paid MLPD 100,000 EUR")


def test_neighborhood_gives_nodes_and_edges_for_an_explorer(inv: GQL) -> None:
    q = """query($id: ID!, $d: Int!, $l: Int!) { neighborhood(entityId: $id, depth: $d, limit: $l) {
           center { id } nodes { id label } edges { type source target amount currency }
           truncated } }"""
    n = inv(q, id=MLPD, d=1, l=200)["neighborhood"]
    ids = {x["id"] for x in n["nodes"]}
    assert n["center"]["id"] == MLPD and DACHNER in ids and not n["truncated"]
    paid = [e for e in n["edges"] if e["type"] == "PAID" and e["target"] == MLPD]
    assert {e["source"] for e in paid} == ids - {MLPD}  # every neighbor is a donor
    assert all(e["source"] in ids and e["target"] in ids for e in n["edges"])
    brief = inv("""query($id: ID!) { neighborhood(entityId: $id, depth: 2, limit: 200) {
                nodes { id } edges { type source target } } }""", id=MLPD)["neighborhood"]
    full = inv(q, id=MLPD, d=2, l=200)["neighborhood"]  # asks for amounts: edge details read
    assert sorted(map(str, brief["edges"])) == sorted(
        str({k: e[k] for k in ("type", "source", "target")}) for e in full["edges"])
    assert {x["id"] for x in brief["nodes"]} == {x["id"] for x in full["nodes"]}
    small = inv(q, id=MLPD, d=2, l=3)["neighborhood"]
    assert len(small["nodes"]) == 4 and small["truncated"]
    bus = inv(q, id=S1, d=2, l=500)["neighborhood"]
    # the bus station is shown but not expanded: its travellers are not in S1's neighborhood
    assert not any(x["id"].startswith("p-traveller") for x in bus["nodes"])


MATCH = """query($p: ID, $n: String, $b: String) { matchCandidates(personId: $p, name: $n,
  birthDate: $b) { person { id caption } score reasons status } }"""


def test_match_candidates_score_the_true_match_above_the_decoy(inv: GQL) -> None:
    found = inv(MATCH, p=S1)["matchCandidates"]
    ids = [m["person"]["id"] for m in found]
    assert ids[0] == S2 and DECOY in ids
    true, decoy = found[0], found[ids.index(DECOY)]
    assert true["score"] > decoy["score"] and true["status"] == "CANDIDATE"
    assert "same birth date 1985-03-02" in true["reasons"]
    assert any("born 1985-03-02, the other 1991-07-14" in r for r in decoy["reasons"])
    by_name = inv(MATCH, n="Janibek Kelekeev", b="1985-03-02")["matchCandidates"]
    top = {m["person"]["id"] for m in by_name[:2]}
    assert top == {S1, S2} and by_name[2]["person"]["id"] == DECOY


def test_confirm_and_reject_record_judgements(inv: GQL, env: tuple[Settings, Server]) -> None:
    decide = """mutation($m: String!, $a: ID!, $b: ID!) { %s }"""
    body = """(personId: $a, otherId: $b, note: $m) { __typename
              ... on SameAsRecorded { link { status score by reasons } }
              ... on SameAsRefused { code message } }"""
    rejected = inv(decide % f"rejectSameAs{body}", a=S1, b=DECOY, m="different man")["rejectSameAs"]
    assert rejected["__typename"] == "SameAsRecorded" and rejected["link"]["status"] == "REJECTED"
    assert rejected["link"]["by"].startswith("detective")
    assert DECOY not in [m["person"]["id"] for m in inv(MATCH, p=S1)["matchCandidates"]]
    confirmed = inv(decide % f"confirmSameAs{body}", a=S2, b=S1, m="same phone, same birth")
    assert confirmed["confirmSameAs"]["link"]["status"] == "CONFIRMED"
    assert inv(MATCH, p=S1)["matchCandidates"][0]["status"] == "CONFIRMED"
    # the confirmed link feeds the traces: one hop now
    r = linked(inv, "c-2023-017", 1)
    assert [s["suspect"]["id"] for s in r["suspects"]] == [S2]
    assert r["suspects"][0]["reason"].startswith("Жанибек Серикович Келекеев is confirmed to be "
                                                 "the same person as Dzhanibek Kelekeyev")
    unknown = inv(decide % f"confirmSameAs{body}", a=S1, b="nobody", m="?")["confirmSameAs"]
    assert (unknown["__typename"], unknown["code"]) == ("SameAsRefused", "NOT_FOUND")
    victim = inv(decide % f"confirmSameAs{body}", a=S1, b="v-2023-017", m="?")["confirmSameAs"]
    assert (victim["__typename"], victim["code"]) == ("SameAsRefused", "BAD_INPUT")
    # each decision's audit event is written with it (same transaction, same time); a refused
    # one records only the attempt
    events = [r["event"] for r in with_db(env[0], lambda db: db.read("list_audit_events",
                                                                      limit=5000))]
    decided = {(e["action"], e["target"]) for e in events if e["action"].startswith("case.same_as")}
    assert {("case.same_as.rejected", f"{S1} {DECOY}"), ("case.same_as.confirmed", f"{S2} {S1}"),
            ("case.same_as.attempt", f"{S1} nobody")} <= decided
    assert ("case.same_as.confirmed", f"{S1} nobody") not in decided


def test_key_players_rank_the_broker_first(inv: GQL) -> None:
    k = inv("""{ keyPlayers(caseIds: ["c-2024-101", "c-2024-102", "c-2024-103"]) {
                 players { entity { id caption } betweenness community suspectIn { number } }
                 communities nodes edges } }""")["keyPlayers"]
    first = k["players"][0]
    assert first["entity"]["id"] == BROKER and first["suspectIn"] == [{"number": "2024-101"}]
    assert first["betweenness"] > k["players"][1]["betweenness"] > 0
    assert k["nodes"] == 9  # the hub's six loose contacts are no brokers: pruned
    assert sorted(len(c) for c in k["communities"]) == [3, 3, 3]


def test_bounds_are_enforced(inv: GQL) -> None:
    errors = inv.errors('{ linkedSuspects(caseId: "c-2023-017", maxHops: 9) { truncated } }')
    assert errors[0]["extensions"] == {"code": "BAD_INPUT", "field": "maxHops"}
    errors = inv.errors('{ neighborhood(entityId: "x", depth: 1, limit: 5000) { truncated } }')
    assert errors[0]["extensions"]["code"] == "BAD_INPUT"
    assert inv.errors('{ case(id: "nope") { id } }')[0]["extensions"]["code"] == "NOT_FOUND"


FIELDS = [
    '{ case(id: "c-2023-017") { id } }',
    '{ linkedSuspects(caseId: "c-2023-017") { truncated } }',
    f'{{ connection(fromId: "{S3}", toId: "{S4}") {{ truncated }} }}',
    f'{{ neighborhood(entityId: "{S1}") {{ truncated }} }}',
    '{ keyPlayers(caseIds: ["c-2024-101"]) { nodes } }',
    f'{{ matchCandidates(personId: "{S1}") {{ score }} }}',
    f'mutation {{ confirmSameAs(personId: "{S1}", otherId: "{S2}") {{ __typename }} }}',
    f'mutation {{ rejectSameAs(personId: "{S1}", otherId: "{S2}") {{ __typename }} }}',
]


@pytest.mark.parametrize("role", ["COORDINATOR", "LOADER"])
def test_other_roles_are_refused_on_every_investigation_field(
        env: tuple[Settings, Server], role: str) -> None:
    settings, server = env
    gql = GQL(server.url, make_token(settings, role, f"not an investigator ({role})"))
    for query in FIELDS:
        body = gql.post(query).json()
        assert body["data"] is None, (query, body)
        assert [e["extensions"]["code"] for e in body["errors"]] == ["FORBIDDEN"], query
        assert "Келекеев" not in json.dumps(body, ensure_ascii=False)


def test_every_read_and_every_refusal_is_audited(env: tuple[Settings, Server], inv: GQL) -> None:
    settings, server = env
    inv('{ case(id: "c-2023-031") { id } }')
    coordinator = GQL(server.url, make_token(settings, "COORDINATOR", "curious"))
    coordinator.post('{ case(id: "c-2023-031") { id } }')
    admin = GQL(server.url, make_token(settings, "ADMIN", "auditor"))
    events = admin("{ auditEvents(limit: 200) { actor action target } }")["auditEvents"]
    seen = {(e["action"], e["target"]) for e in events}
    assert ("case.read", "c-2023-031") in seen and ("denied:case.read", "c-2023-031") in seen
    assert any(e["action"] == "denied:case.read" and e["actor"].startswith("curious")
               for e in events)
