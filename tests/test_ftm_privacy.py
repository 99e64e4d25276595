"""Victims stay pseudonymous across case files, against a real Neo4j of their own: a victim
stated again, or named by a later file's parties, keeps no name, birth date, identifier, identity
document, vehicle or account; what she held with others stays theirs, without her; texts of her
cases and relationships lose her names; any generated sequence of files keeps all of this."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from graph.config import Settings
from graph.exceptions import InvalidData
from loaders.ftm_rules import pseudonym
from tests.conftest import own_database
from tests.fixtures.ftm.planted import entity, party
from tests.ftm_db import load, read, wipe, write


@pytest.fixture(scope="module")
def fresh(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    yield from own_database(tmp_path_factory, "neo4j-ftm")


def test_a_person_known_only_as_a_victim_stays_pseudonymous_when_stated_again(
        fresh: Settings, tmp_path: Path) -> None:
    wipe(fresh)
    victim = {"name": "Aigerim Victim", "birthDate": "2001-01-01", "phone": "+7 705 000 00 01"}
    load(fresh, write(tmp_path / "case.ijson", [
        entity("c-2025-900", "CourtCase", caseNumber="2025-900"),
        entity("v-1", "Person", **victim), party("c-2025-900", "v-1", "victim")]))
    # another agency's file names the same person, without saying what they are in which case
    again = load(fresh, write(tmp_path / "again.ijson", [
        entity("v-1", "Person", nationality="kz", **victim)]))
    assert again.pseudonymized == 1
    text = json.dumps(read(fresh, "investigations_fingerprint")[0], ensure_ascii=False, default=str)
    assert "Aigerim" not in text and "2001-01-01" not in text and "+77050000001" not in text
    # a file that also makes them a suspect keeps the name, as one file stating both roles does
    later = load(fresh, write(tmp_path / "later.ijson", [
        entity("c-2025-901", "CourtCase", caseNumber="2025-901"),
        entity("v-1", "Person", **victim), party("c-2025-901", "v-1", "suspect")]))
    assert later.pseudonymized == 0
    assert read(fresh, "person_facts", id="v-1")[0]["person"]["name"] == "Aigerim Victim"


def test_a_file_that_leaves_someone_a_victim_drops_the_documents_tied_to_them(
        fresh: Settings, tmp_path: Path) -> None:
    wipe(fresh)
    load(fresh, write(tmp_path / "people.ijson", [
        entity("v-2", "Person", name="Saule Victim", birthDate="1999-09-09"),
        entity("pp-v-2", "Passport", holder="v-2", number="N7654321", country="kz"),
        entity("p-other", "Person", name="Other Holder"),
        entity("pp-shared", "Passport", holder=["v-2", "p-other"], number="N1111111"),
        entity("v-3", "Person", name="Ainur Victim"),
        entity("pp-v-3", "Passport", holder="v-3", number="N3333333")]))
    assert "N7654321" in json.dumps(read(fresh, "investigations_fingerprint")[0])
    # v-2 is named by a party only; v-3 is stated again, with a party, without the passport
    load(fresh, write(tmp_path / "case.ijson", [
        entity("c-2025-902", "CourtCase", caseNumber="2025-902"), party("c-2025-902", "v-2", "victim"),
        entity("v-3", "Person", name="Ainur Victim"), party("c-2025-902", "v-3", "victim")]))
    after = read(fresh, "investigations_fingerprint")[0]
    text = json.dumps(after, ensure_ascii=False)
    assert "Saule" not in text and "N7654321" not in text and "pp-v-2" not in text
    assert "Ainur" not in text and "N3333333" not in text and "pp-v-3" not in text
    assert not [r for r in after["rels"] if r.startswith(("v-2-USES", "v-3-USES"))]
    # a document someone else holds too stays theirs
    assert "N1111111" in text and [r for r in after["rels"] if r.startswith("p-other-USES")]


def test_a_file_that_leaves_someone_a_victim_drops_the_identifiers_only_they_used(
        fresh: Settings, tmp_path: Path) -> None:
    wipe(fresh)
    load(fresh, write(tmp_path / "people.ijson", [
        entity("v-4", "Person", name="Dana Victim", phone=["+7 701 444 44 44", "+7 701 999 99 99"],
               email="dana@example.kz", address="Almaty, Abay 1"),
        entity("p-near", "Person", name="Near Neighbour", phone="+7 701 999 99 99")]))
    load(fresh, write(tmp_path / "case.ijson", [
        entity("c-2025-903", "CourtCase", caseNumber="2025-903"), party("c-2025-903", "v-4", "victim")]))
    text = json.dumps(read(fresh, "investigations_fingerprint")[0], ensure_ascii=False)
    # her own phone, email and address are gone with the tie; the phone a neighbour uses stays his
    assert "Dana" not in text and "+77014444444" not in text and "dana@example.kz" not in text
    assert "Abay" not in text.lower() and "+77019999999" in text
    assert read(fresh, "person_facts", id="p-near")[0]["person"]["name"] == "Near Neighbour"


def test_what_earlier_or_later_files_tie_to_a_victim_is_not_kept(
        fresh: Settings, tmp_path: Path) -> None:
    wipe(fresh)
    load(fresh, write(tmp_path / "earlier.ijson", [
        entity("w-1", "Person", name="Wera Earlier"), entity("s-1", "Person", name="Sam Payer"),
        entity("ua-1", "UserAccount", owner="w-1", service="telegram", username="wera_tg",
               phone="+7 701 111 22 33"),
        entity("car-1", "Vehicle", owner="w-1", registrationNumber="111AAA02"),
        entity("acc-1", "BankAccount", iban="KZ86125KZT5004100100"),
        entity("own-1", "Ownership", owner="w-1", asset="acc-1"),
        entity("pay-1", "Payment", payer="s-1", beneficiary="w-1", beneficiaryAccount="acc-1",
               amount="100")]))
    # the case file says she is a victim: her account, vehicle and what they name go
    load(fresh, write(tmp_path / "case.ijson", [
        entity("c-1", "CourtCase", caseNumber="2025-1"), party("c-1", "w-1", "victim")]))
    dump = read(fresh, "investigations_fingerprint")[0]
    text = json.dumps(dump, ensure_ascii=False)
    for gone in ("Wera", "wera_tg", "+77011112233", "111AAA02", "ua-1", "car-1", "own-1"):
        assert gone not in text, gone
    assert not [r for r in dump["rels"] if r.startswith("w-1-USES")]
    # the bank account is an entity of its own; the payment stays a fact of the case
    assert "KZ86125KZT5004100100" in text and "s-1-PAID/pay-1->w-1" in dump["rels"]
    # a later file naming her (pseudonymous now) as holder or owner keeps nothing of hers
    later = load(fresh, write(tmp_path / "later.ijson", [
        entity("car-2", "Vehicle", owner="w-1", registrationNumber="222BBB02"),
        entity("pp-2", "Passport", holder="w-1", number="N2222222")]))
    text = json.dumps(read(fresh, "investigations_fingerprint")[0], ensure_ascii=False)
    assert "222BBB02" not in text and "N2222222" not in text and "car-2" not in text
    assert any("2 identity document(s), vehicle(s) or account(s)" in w.reason
               for w in later.warnings)


def test_what_a_victim_held_with_others_is_kept_without_her(fresh: Settings, tmp_path: Path) -> None:
    wipe(fresh)
    load(fresh, write(tmp_path / "earlier.ijson", [
        entity("w-2", "Person", name="Wera Shared"), entity("s-2", "Person", name="Sam Sharer"),
        entity("pp-3", "Passport", holder=["w-2", "s-2"], number="N3333333"),
        entity("car-3", "Vehicle", owner="s-2", operator="w-2", registrationNumber="333CCC02"),
        entity("acc-3", "BankAccount", accountNumber="40702810300000003"),
        entity("pay-3", "Payment", payer="s-2", beneficiary="w-2", payerAccount="acc-3",
               beneficiaryAccount="acc-3", amount="300"),
        entity("car-4", "Vehicle", owner="w-2", operator="s-2", registrationNumber="444DDD02"),
        entity("ua-4", "UserAccount", owner=["w-2", "s-2"], service="telegram", username="wera_s",
               phone="+7 702 444 44 44")]))
    # the case file says she is a victim, and restates car-4 and ua-4 as hers alone
    case = [entity("c-3", "CourtCase", caseNumber="2025-3"), party("c-3", "w-2", "victim"),
            entity("car-4", "Vehicle", owner="w-2", registrationNumber="444DDD02"),
            entity("ua-4", "UserAccount", owner="w-2", service="telegram", username="wera_s",
                   phone="+7 702 444 44 44")]
    report = load(fresh, write(tmp_path / "case.ijson", case))
    assert any("3 entities an earlier file stored that tie or name" in w.reason
               for w in report.warnings)
    # the passport, the car and the payment stay his, and name her no more as holder,
    # operator or account holder; the payment itself stays a fact of the case
    kept = {e["id"]: e["properties"] for e in map(json.loads, read(
        fresh, "ftm_stored_held", ids=["s-2"])[0]["found"])}
    assert kept["pp-3"]["holder"] == ["s-2"] and "operator" not in kept["car-3"]
    assert kept["pay-3"]["beneficiary"] == ["w-2"] and "beneficiaryAccount" not in kept["pay-3"]
    assert read(fresh, "ftm_stored_held", ids=["w-2"])[0]["found"] == []
    dump = read(fresh, "investigations_fingerprint")[0]
    assert not [r for r in dump["rels"] if r.startswith("w-2-USES")]
    assert {"s-2-USES/pp-3->doc:N3333333", "s-2-USES/car-3->plate:333CCC02",
            "s-2-USES/pay-3->account:40702810300000003", "s-2-PAID/pay-3->w-2"} <= set(dump["rels"])
    # a vehicle or account of hers alone is not kept, and its older statement (his too) goes,
    # with the phone the account was registered at
    for gone in ("444DDD02", "car-4", "ua-4", "wera_s", "+77024444444"):
        assert gone not in json.dumps(dump), gone
    # loading the case file again changes nothing
    again = load(fresh, write(tmp_path / "case.ijson", case))
    assert all(o["created"] == o["updated"] == 0 for o in again.written.values())


def test_texts_earlier_files_stored_lose_the_names_of_a_later_victim(
        fresh: Settings, tmp_path: Path) -> None:
    wipe(fresh)
    load(fresh, write(tmp_path / "earlier.ijson", [
        entity("c-5", "CourtCase", caseNumber="2025-5", name="Case of Dina Later",
               description="Sam Fiver met Dina in Shymkent"),
        entity("d-5", "Person", name="Dina Later"), entity("s-5", "Person", name="Sam Fiver"),
        party("c-5", "s-5", "suspect"),
        entity("pay-5", "Payment", payer="s-5", beneficiary="d-5", amount="9", purpose="for dina"),
        entity("as-5", "Associate", person="s-5", associate="d-5", summary="Later's neighbour")]))
    case = [party("c-5", "d-5", "victim")]
    report = load(fresh, write(tmp_path / "case.ijson", case))
    assert any("3 entities an earlier file stored that tie or name" in w.reason
               for w in report.warnings), [w.reason for w in report.warnings]
    victim = pseudonym("d-5")
    text = json.dumps(read(fresh, "investigations_fingerprint")[0], ensure_ascii=False)
    assert "Dina" not in text and "dina" not in text and "Later" not in text
    assert f"Case of {victim}" in text and f"Sam Fiver met {victim} in Shymkent" in text
    stored = dict(read(fresh, "ftm_stored_texts", ids=["s-5"])[0]["found"])  # his view of them
    assert stored and not [t for t in stored.values() if "Dina" in t or "dina" in t]
    again = load(fresh, write(tmp_path / "case.ijson", case))
    assert all(o["created"] == o["updated"] == 0 for o in again.written.values())


def _sequence_file(rng: random.Random, people: list[str], known: set[str]) -> list[dict[str, Any]]:
    """Cases, some people, and what they hold (alone or with someone a file defined before),
    their payments, and parties with random roles."""
    rows = [entity(c, "CourtCase", caseNumber=f"2025-{c}") for c in ("c0", "c1", "c2")]
    here = rng.sample(people, rng.randint(0, 4))
    rows += [entity(p, "Person", name=f"Secret Name {p}", birthDate=f"1990-01-0{p[1]}",
                    phone=f"+7 701 555 00 0{p[1]}") for p in here]
    pool = sorted(known | set(here)) or people
    for kind in ("Passport", "Vehicle", "UserAccount", "Ownership", "Payment"):
        if rng.random() < 0.4:
            n, who = rng.randint(0, 9), rng.sample(pool, min(len(pool), rng.choice([1, 1, 2])))
            if kind == "Passport":
                rows.append(entity(f"pp-{n}", "Passport", holder=who, number=f"N00000{n}"))
            elif kind == "Vehicle":
                rows.append(entity(f"car-{n}", "Vehicle", owner=who[0], operator=who[1:],
                                   registrationNumber=f"{n}77AAA02"))
            elif kind == "UserAccount":
                rows.append(entity(f"ua-{n}", "UserAccount", owner=who, service="telegram",
                                   username=f"user{n}", phone=f"+7 702 000 00 0{n}"))
            else:
                rows.append(entity(f"acc-{n}", "BankAccount", accountNumber=f"4070281030000000{n}"))
                if kind == "Ownership":
                    rows.append(entity(f"own-{n}", "Ownership", owner=who[0], asset=f"acc-{n}"))
                else:
                    rows.append(entity(f"pay-{n}", "Payment", payer=who[0], beneficiary=who[-1],
                                       payerAccount=f"acc-{n}", beneficiaryAccount=f"acc-{n}",
                                       amount="5"))
    for _ in range(rng.randint(0, 4)):
        rows.append(party(rng.choice(("c0", "c1", "c2")), rng.choice(pool),
                          rng.choice(["victim", "victim", "suspect", "witness"])))
    return rows


def test_victims_stay_pseudonymous_through_any_sequence_of_files(
        fresh: Settings, tmp_path: Path) -> None:
    # generated files loaded one after the other: after each, nobody who is only a victim bears
    # a name or is tied to an identifier, or is named by a kept passport, vehicle or account;
    # nobody under the pseudonym keeps a birth date, name keys or their stated FtM entity; and
    # no phone, document, vehicle or account stays behind that nothing holds
    wipe(fresh)
    rng = random.Random(20241205)
    people, known = [f"p{i}" for i in range(8)], set()
    for n in range(30):
        rows = _sequence_file(rng, people, known)
        try:
            load(fresh, write(tmp_path / f"f{n}.ijson", rows))
        except InvalidData:
            continue  # a party naming someone no file defined yet
        known |= {r["id"] for r in rows if r["schema"] == "Person"}
        dump = read(fresh, "investigations_fingerprint")[0]
        roles: dict[str, set[str]] = {}
        for rel in dump["rels"]:
            source, kind = rel.split("-", 1)[0], rel.split("-", 1)[1].split("/")[0]
            roles.setdefault(source, set()).add(kind)
        held = {rel.rsplit("->", 1)[1] for rel in dump["rels"]}
        victims = {p for p in people if roles.get(p, set()) & {"SUSPECT_IN", "WITNESS_IN",
                                                              "VICTIM_IN"} == {"VICTIM_IN"}}
        for labels, props in dump["nodes"]:
            if {"Phone", "IdDocument", "Vehicle", "OnlineAccount"} & set(labels):
                assert props["id"] in held, (n, props["id"])
            if "FtmRecord" in labels:
                kept = json.loads(props["ftm"])["properties"]
                named = {v for k in ("owner", "holder", "operator") for v in kept.get(k, [])}
                assert not victims & named, (n, kept)
            if "Person" not in labels:
                continue
            if props.get("pseudonymous"):
                assert not {"birth_date", "name_keys"} & set(props), (n, props)
                assert "Secret" not in props["ftm"], (n, props)
            else:
                assert props["id"] not in victims, (n, props["id"])
            if props["id"] in victims:
                assert "USES" not in roles.get(props["id"], set()), (n, props["id"])
