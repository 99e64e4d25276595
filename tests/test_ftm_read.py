"""Reading and mapping FollowTheMoney JSON lines, without a database: every problem names line,
field and reason; fragments merge; victims are pseudonymous; identifiers are shared."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from graph.exceptions import InvalidData
from graph.investigations_write import CaseRows, check_rows
from loaders.ftm_map import FtmMapper, Known, pseudonym
from loaders.ftm_read import Entity, read_entities
from loaders.ftm_redact import name_pattern, redact, scrub
from tests.fixtures.ftm.planted import entities, entity, party

pytestmark = pytest.mark.unit
DONATIONS = Path(__file__).resolve().parents[2] / "shared" / "data" / "ftm" / "donations.ijson"


def write(tmp_path: Path, rows: list[Any], name: str = "cases.ijson") -> Path:
    path = tmp_path / name
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r, ensure_ascii=False)) + "\n"
                            for r in rows), encoding="utf-8")
    return path


def mapped(path: Path, known: dict[str, Known] | None = None) -> FtmMapper:
    mapper = FtmMapper(read_entities(path))
    mapper.resolve(known or {})
    return mapper


def test_donations_read_and_map_without_a_problem() -> None:
    src = read_entities(DONATIONS)
    assert src.rows == {"Organization": 17, "Address": 89, "Person": 22, "Payment": 290,
                        "Company": 56}
    m = FtmMapper(src)
    assert m.references() == set()
    result = m.build()
    assert result.problems == []
    rows = result.rows
    check_rows(rows)
    assert len(rows.nodes) == 95 and len(rows.edges) == 290
    assert {r["type"] for r in rows.edges} == {"PAID"}
    paid = rows.edges[0]
    assert paid["props"]["currency"] == "EUR" and paid["props"]["amount"] == 100000.0
    # 89 Address entities, two of them the same address written differently
    assert len(rows.records) == 89 and len(rows.identifiers) == 88


def test_every_problem_names_line_field_and_reason(tmp_path: Path) -> None:
    path = write(tmp_path, [
        entity("p1", "Person", name="A", birthDate="31.12.1980"),
        "not json",
        {"id": "x", "schema": "Persona", "properties": {}},
        entity("p2", "Person", name="B", colour="red"),
        {"id": "p3", "schema": "Person", "properties": {"name": "ok", "phone": [1]}},
        {"schema": "Person", "properties": {}},
        {"id": "c1", "schema": "CourtCase", "properties": {"parties": ["p1"]}},
        '{"id": "p4", "schema": "Person", "properties": {"name": ["\\ud800"]}}',
    ])
    with pytest.raises(InvalidData) as err:
        read_entities(path)
    got = {(p.line, p.field): p.reason for p in err.value.problems}
    assert got == {
        (1, "birthDate"): "'31.12.1980' is not a valid date",
        (2, None): "not JSON: invalid literal, expected 'null' at column 1",
        (3, "schema"): "'Persona' is not a FollowTheMoney schema",
        (4, "colour"): "Person has no property 'colour'",
        (5, "phone"): "values must be a list of strings",
        (6, "id"): "an entity needs an id (a string of at most 200 characters)",
        (7, "parties"): "'parties' is the reverse side of CourtCaseParty:case; state the link on "
                        "the other entity",
        (8, None): "not JSON: no low surrogate in string at column 59",  # UTF-8 cannot hold it
    }


def test_mapping_problems_name_line_and_field(tmp_path: Path) -> None:
    path = write(tmp_path, [
        entity("c1", "CourtCase", caseNumber="1"),
        entity("p1", "Person", name="A", phone="12", email="a at b"),
        entity("acct", "BankAccount", iban="KZ87125KZT5004100100"),
        party("c1", "p1", "boss"),
        entity("pp", "CourtCaseParty", party="p1", case="nowhere", role="suspect"),
        entity("a1", "Associate", person="p1", associate="c1"),
    ])
    result = mapped(path).build()
    got = {(p.line, p.field): p.reason for p in result.problems}
    assert got[(2, "phone")] == "'12' is not a possible phone number"
    assert got[(2, "email")] == "'a at b' is not an email address"
    assert got[(3, "iban")].startswith("'KZ87125KZT5004100100' is not a valid IBAN")
    assert got[(4, "role")].startswith("role boss is not one of suspect, victim, witness")
    assert got[(5, "case")] == "refers to nowhere, which is neither in this file nor in the database"
    assert got[(6, "associate")] == "refers to c1, a Case; expected Person"


def test_references_are_looked_up_in_the_database(tmp_path: Path) -> None:
    path = write(tmp_path, [party("c-old", "p-old", "suspect")])
    m = FtmMapper(read_entities(path))
    assert m.references() == {"c-old", "p-old"}
    m.resolve({"c-old": Known("Case", "c-old"), "p-old": Known("Person", "p-old")})
    result = m.build()
    assert result.problems == []
    assert result.rows.edges[0]["type"] == "SUSPECT_IN"


def test_fragments_of_one_entity_merge_and_unrelated_schemata_clash(tmp_path: Path) -> None:
    path = write(tmp_path, [entity("p1", "Person", name="A"),
                            entity("p1", "Person", phone="8 701 555 1234", name="A")])
    src = read_entities(path)
    assert src.entities["p1"].properties == {"name": ["A"], "phone": ["8 701 555 1234"]}
    clash = write(tmp_path, [entity("x", "Person", name="A"), entity("x", "Vehicle", name="B")],
                  "clash.ijson")
    with pytest.raises(InvalidData, match="id x is a Person on line 1 and a Vehicle here"):
        read_entities(clash)


def test_unsupported_schemata_are_skipped_with_one_warning(tmp_path: Path) -> None:
    path = write(tmp_path, [entity("d1", "Document", title="memo"),
                            entity("d2", "Document", title="memo 2"),
                            entity("p1", "Person", name="A", proof="d1")])
    src = read_entities(path)
    assert src.skipped == {"Document": 2}
    assert [w.reason for w in src.warnings] == [
        "2 Document entities skipped: the case graph does not hold Document"]
    assert mapped(path).build().problems == []


def test_victims_are_pseudonymous_and_identifiers_are_shared(tmp_path: Path) -> None:
    path = write(tmp_path, entities())
    result = mapped(path).build()
    assert result.problems == []
    rows: CaseRows = result.rows
    victims = [r for r in rows.nodes if r["props"].get("pseudonymous")]
    assert len(victims) == result.pseudonymized == 8
    v = next(r for r in victims if r["id"] == "v-2023-017")
    assert v["props"]["name"] == pseudonym("v-2023-017")
    assert "Aigerim" not in json.dumps(v) and "2001-01-01" not in json.dumps(v)
    assert "name_keys" not in v["props"]
    assert not [link for link in rows.links if link["from"] == "v-2023-017"]
    phone = [link for link in rows.links if link["to"] == "phone:+77015551234"]
    assert {link["from"] for link in phone} == {"p-zhanibek-1", "p-dzhanibek-2"}
    zh = next(r for r in rows.nodes if r["id"] == "p-zhanibek-1")
    assert zh["props"]["name_keys"] == ["janibek", "kelekev"]
    assert json.loads(zh["props"]["ftm"])["properties"]["phone"] == ["8 701 555 12 34"]


def test_a_victim_keeps_no_account_vehicle_or_share_of_a_document(tmp_path: Path) -> None:
    rows = [entity("c-1", "CourtCase", caseNumber="2025-1"),
            entity("v-9", "Person", name="Vera Victim"), entity("s-9", "Person", name="Sam Suspect"),
            party("c-1", "v-9", "victim"), party("c-1", "s-9", "suspect"),
            entity("ua-9", "UserAccount", owner="v-9", service="instagram", username="vera_secret",
                   phone="+7 701 123 45 67"),
            entity("car-9", "Vehicle", owner="v-9", registrationNumber="777ABC02"),
            entity("car-s", "Vehicle", owner=["v-9", "s-9"], registrationNumber="555SSS02"),
            entity("acc-9", "BankAccount", iban="KZ86125KZT5004100100"),
            entity("own-9", "Ownership", owner="v-9", asset="acc-9"),
            entity("pay-9", "Payment", payer="s-9", beneficiary="v-9", beneficiaryAccount="acc-9",
                   payerAccount="acc-9", amount="100"),
            entity("pp-s", "Passport", holder=["v-9", "s-9"], number="N999999")]
    result = mapped(write(tmp_path, rows)).build()
    assert result.problems == []
    out = result.rows
    # held by her alone: left out, with what they name (the handle, its phone, the plate)
    assert {r["id"] for r in out.records} == {"acc-9", "car-s", "pp-s"}
    ident = json.dumps(out.identifiers)
    assert "vera_secret" not in ident and "+77011234567" not in ident and "777ABC02" not in ident
    assert any("3 identity document(s), vehicle(s) or account(s) of victims left out" in w.reason
               for w in result.warnings)
    # held with a suspect: his, without her in what is kept, and no tie of hers
    for r in out.records + out.edges:
        assert "v-9" not in json.loads(r["props"]["ftm"])["properties"].get("owner", []), r
        assert "v-9" not in json.loads(r["props"]["ftm"])["properties"].get("holder", []), r
    assert not [link for link in out.links if link["from"] == "v-9"]
    assert {(link["from"], link["via"]) for link in out.links} >= {("s-9", "car-s"), ("s-9", "pp-s")}
    # her payment stays a fact of the case, without her account; his account stays his
    pay = next(r for r in out.edges if r["id"] == "pay-9")
    kept = json.loads(pay["props"]["ftm"])["properties"]
    assert (pay["from"], pay["to"]) == ("s-9", "v-9") and "beneficiaryAccount" not in kept
    assert kept["payerAccount"] == ["acc-9"]


def test_a_victims_names_leave_the_texts_of_her_case_and_relationships(tmp_path: Path) -> None:
    victim = pseudonym("v-8")
    rows = [entity("c-8", "CourtCase", caseNumber="2025-8", name="Case of AIGERIM Bekova",
                   description="Bekova, 19, was taken to Almaty by Sam Suspect."),
            entity("v-8", "Person", firstName="Aigerim", lastName="Bekova", alias="Aika"),
            entity("s-8", "Person", name="Sam Suspect"),
            party("c-8", "v-8", "victim"), party("c-8", "s-8", "suspect"),
            entity("pay-8", "Payment", payer="s-8", beneficiary="v-8", amount="50",
                   purpose="ticket for Aika", summary="paid to aigerim bekova"),
            entity("fam-8", "Family", person="s-8", relative="v-8", relationship="cousin",
                   summary="Sam is Aigerim's cousin"),
            entity("x-8", "Person", name="Xenia Other"),
            entity("as-8", "Associate", person="s-8", associate="x-8",
                   summary="Aigerim's aunt")]  # touches no victim: left as it is
    result = mapped(write(tmp_path, rows)).build()
    assert result.problems == []
    text = json.dumps([r for r in result.rows.nodes + result.rows.edges if r["id"] != "as-8"],
                      ensure_ascii=False)
    for name in ("Aigerim", "AIGERIM", "aigerim", "Bekova", "bekova", "Aika"):
        assert name not in text, name
    case = next(r for r in result.rows.nodes if r["id"] == "c-8")
    assert case["props"]["name"] == f"Case of {victim}"  # the whole name first
    assert f"{victim}, 19, was taken to Almaty by Sam Suspect." in case["props"]["ftm"]
    pay = next(r for r in result.rows.edges if r["id"] == "pay-8")
    assert pay["props"]["purpose"] == f"ticket for {victim}"
    assert "Sam Suspect" in text and "cousin" in text and "Almaty" in text
    other = next(r for r in result.rows.edges if r["id"] == "as-8")
    assert "Aigerim's aunt" in other["props"]["ftm"]
    assert any("5 text(s) of cases and relationships naming victims" in w.reason
               for w in result.warnings), [w.reason for w in result.warnings]


def test_redaction_takes_whole_words_in_any_case_and_leaves_other_text() -> None:
    person = Entity("v", "Person", 1, {"name": ["Ана Ли"], "alias": ["Ану-Жан"]})
    pattern = name_pattern(person)
    assert pattern is not None and name_pattern(Entity("x", "Person", 1, {})) is None
    victim = pseudonym("v")
    assert scrub("АНА ЛИ и Анатолий; ану-жан", {"v": pattern}) == f"{victim} и Анатолий; {victim}"
    e = Entity("p", "Payment", 3, {"purpose": ["for ана"], "payer": ["Ана"], "amount": ["5"]})
    kept, changed = redact(e, {"v": pattern})
    assert changed == 1 and kept.properties == {"purpose": [f"for {victim}"], "payer": ["Ана"],
                                                "amount": ["5"]}
    assert redact(e, {}) == (e, 0)
    # a number in a name is no name; a role or relationship (strings) is no text
    numbered = name_pattern(Entity("n", "Person", 1, {"name": ["Aigerim Victim 2023-017"]}))
    assert numbered is not None and scrub("case 2023-017", {"n": numbered}) == "case 2023-017"
    party_row = Entity("pt", "CourtCaseParty", 2, {"role": ["victim"], "summary": ["a victim"]})
    assert redact(party_row, {"n": numbered})[0].properties == {
        "role": ["victim"], "summary": [f"a {pseudonym('n')}"]}


def test_kept_ftm_text_is_what_earlier_loads_stored() -> None:
    # the kept text is hashed: a reload of a file loaded before must find it unchanged
    names = ['a"b', "\\x", "\n\t\r\b\f", "\x00\x1f\x7f", "\u2028", "Жанибек әғқңөұүһі", "😀", ""]
    e = Entity("p1", "Person", 1, {"name": names, "birthDate": ["1980"], "alias": []})
    assert e.to_json() == json.dumps({"id": "p1", "schema": "Person", "properties": e.properties},
                                     ensure_ascii=False, sort_keys=True, separators=(",", ":"))
