"""The five scenarios of the issue over the built-in Kazakhstan directory, through GraphQL:
each checks the top choice, the notifications and at least one "why not"."""

from __future__ import annotations

from typing import Any

import pytest

from graph.config import Settings
from tests.conftest import GQL, Server, make_token

ROUTE = """query($r: RouteRequestInput!) { routeReferral(request: $r) {
  needs { need servedInRegion note
          options { rank service { id name } organization { id name kind } region { code }
                    distanceKm freePlaces mandated reasons legalBasis { responsibility provisionTitle } }
          excluded { service { id name } organization { id } rule detail } }
  plan { organization { id } services { need service { id } } }
  uncoveredNeeds
  notifications { code mandatory requiresConsent reason responsibility legalBasis { id title }
                  notify { organization { id name kind } distanceKm jurisdiction } } } }"""


@pytest.fixture(scope="module")
def coordinator(api: Server, seeded: Settings) -> GQL:
    return GQL(api.url, make_token(seeded, "COORDINATOR", "hotline operator", "kz-hotline"))


def route(gql: GQL, profile: dict[str, Any], needs: list[str]) -> dict[str, Any]:
    return gql(ROUTE, r={"profile": profile, "needs": needs, "limit": 10})["routeReferral"]  # type: ignore[no-any-return]


def need(result: dict[str, Any], code: str) -> dict[str, Any]:
    return next(n for n in result["needs"] if n["need"] == code)


def notices(result: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {n["code"]: n for n in result["notifications"]}


def test_foreign_woman_sexual_exploitation_in_shymkent(coordinator: GQL) -> None:
    r = route(coordinator, {"region": "shymkent", "age": 26, "sex": "FEMALE", "citizenship": "UZ",
                            "languages": ["uz", "ru"], "exploitationTypes": ["SEXUAL"]},
              ["SHELTER", "LEGAL_AID", "RETURN_ASSISTANCE"])
    for code in ("SHELTER", "LEGAL_AID", "RETURN_ASSISTANCE"):
        top = need(r, code)["options"][0]
        assert top["organization"]["id"] == "kz-sana-sezim", (code, top)
        assert top["mandated"] and top["region"]["code"] == "shymkent"
        assert any("in Shymkent" == x for x in top["reasons"])
    assert r["plan"] == [{"organization": {"id": "kz-sana-sezim"}, "services": r["plan"][0]["services"]}]
    n = notices(r)
    assert {"FOREIGN_RETURN_ASSISTANCE", "FOREIGN_MIGRATION_STATUS", "ADULT_TO_POLICE"} <= set(n)
    assert n["ADULT_TO_POLICE"]["requiresConsent"] and not n["ADULT_TO_POLICE"]["mandatory"]
    assert "investigation" in n["FOREIGN_MIGRATION_STATUS"]["reason"]
    assert n["FOREIGN_MIGRATION_STATUS"]["legalBasis"]["id"] == "kz-victims-stay-during-investigation"
    why_not = need(r, "RETURN_ASSISTANCE")["excluded"]
    assert any(x["rule"] == "CITIZENSHIP" for x in why_not)
    assert not any(n["mandatory"] for n in r["notifications"])


def test_abandoned_newborn_reported_by_an_astana_maternity_hospital(coordinator: GQL) -> None:
    r = route(coordinator, {"region": "astana", "age": 0,
                            "triggers": ["ABANDONED_NEWBORN", "REPORTED_BY_MEDICAL_ORGANIZATION"]},
              ["CHILD_PROTECTION", "MEDICAL"])
    top = need(r, "CHILD_PROTECTION")["options"][0]
    assert top["organization"]["id"] == "kz-guardianship-astana"
    n = notices(r)
    newborn = n["NEWBORN_TO_RESPONSIBLE_BODY"]
    assert newborn["mandatory"] and not newborn["requiresConsent"]
    assert "administrative liability" in newborn["reason"]
    assert newborn["legalBasis"]["id"] == "kz-law-2024-newborn-reporting"
    assert newborn["notify"][0]["organization"]["id"] == "kz-guardianship-astana"
    assert n["NEWBORN_TO_POLICE"]["notify"][0]["organization"]["kind"] == "LAW_ENFORCEMENT"
    assert n["MINOR_TO_GUARDIANSHIP"]["mandatory"]
    assert "ADULT_TO_POLICE" not in n
    assert need(r, "MEDICAL")["options"][0]["region"]["code"] == "astana"
    adult_only = [x for x in need(r, "CHILD_PROTECTION")["excluded"] + need(r, "MEDICAL")["excluded"]
                  if x["rule"] == "AGE_BELOW_MINIMUM"]
    assert all("the person is 0" in x["detail"] for x in adult_only)


def test_twelve_year_old_forced_to_beg_in_almaty(coordinator: GQL) -> None:
    r = route(coordinator, {"region": "almaty", "age": 12, "sex": "MALE", "citizenship": "KZ",
                            "exploitationTypes": ["FORCED_BEGGING"]},
              ["CHILD_PROTECTION", "SHELTER"])
    assert need(r, "CHILD_PROTECTION")["options"][0]["organization"]["id"] == "kz-guardianship-almaty"
    shelter = need(r, "SHELTER")
    assert shelter["options"][0]["organization"]["kind"] == "CHILD_PROTECTION"
    rodnik = [x for x in shelter["excluded"] if x["organization"]["id"] == "kz-rodnik"]
    assert rodnik and rodnik[0]["rule"] == "AGE_BELOW_MINIMUM" and "12" in rodnik[0]["detail"]
    n = notices(r)
    assert n["MINOR_TO_GUARDIANSHIP"]["mandatory"] and n["MINOR_TO_POLICE"]["mandatory"]
    assert not n["MINOR_TO_POLICE"]["requiresConsent"]
    assert n["MINOR_TO_GUARDIANSHIP"]["notify"][0]["organization"]["id"] == "kz-guardianship-almaty"


def test_kyrgyz_farm_worker_identified_by_a_labor_inspector(coordinator: GQL) -> None:
    r = route(coordinator, {"region": "almaty-region", "age": 34, "sex": "MALE", "citizenship": "KG",
                            "languages": ["ky", "ru"], "exploitationTypes": ["LABOR"],
                            "vulnerabilities": ["NO_DOCUMENTS", "UNRESOLVED_MIGRATION_STATUS"],
                            "triggers": ["IDENTIFIED_BY_LABOR_INSPECTOR"]},
              ["DOCUMENT_RESTORATION", "RETURN_ASSISTANCE", "SHELTER"])
    for code in ("DOCUMENT_RESTORATION", "RETURN_ASSISTANCE", "SHELTER"):
        assert need(r, code)["options"], code
    n = notices(r)
    labor = n["LABOR_INSPECTOR_TO_POLICE"]
    assert labor["mandatory"] and not labor["requiresConsent"]
    assert labor["legalBasis"]["id"] == "kz-labor-inspectors-reporting"
    assert labor["notify"][0]["organization"]["kind"] == "LAW_ENFORCEMENT"
    assert "ADULT_TO_POLICE" not in n
    assert n["FOREIGN_MIGRATION_STATUS"]["requiresConsent"]
    assert any(x["rule"] == "CITIZENSHIP" for x in need(r, "RETURN_ASSISTANCE")["excluded"])


def test_pregnant_kazakhstani_woman_without_documents_in_turkistan(coordinator: GQL) -> None:
    r = route(coordinator, {"region": "turkistan", "age": 23, "sex": "FEMALE", "citizenship": "KZ",
                            "vulnerabilities": ["PREGNANCY", "NO_DOCUMENTS"]},
              ["MEDICAL", "DOCUMENT_RESTORATION", "SHELTER"])
    shelter = need(r, "SHELTER")["options"][0]
    assert shelter["region"]["code"] == "turkistan" and shelter["freePlaces"] > 0
    docs = need(r, "DOCUMENT_RESTORATION")
    assert docs["options"][0]["mandated"]
    assert any(x["rule"] == "CITIZENSHIP" and "foreign nationals only" in x["detail"]
               for x in docs["excluded"])
    n = notices(r)
    assert set(n) == {"ADULT_TO_POLICE"} and n["ADULT_TO_POLICE"]["requiresConsent"]
    assert len(r["plan"]) <= 3 and not r["uncoveredNeeds"]


def test_no_shelter_in_the_region_falls_back_to_the_nearest(coordinator: GQL) -> None:
    r = route(coordinator, {"region": "ulytau", "age": 30, "sex": "FEMALE", "citizenship": "KZ"},
              ["SHELTER"])
    shelter = need(r, "SHELTER")
    assert shelter["servedInRegion"] is False and "nothing qualifies in Ulytau" in shelter["note"]
    top = shelter["options"][0]
    assert top["distanceKm"] > 0 and top["region"]["code"] != "ulytau"
    assert any(x.startswith("nearest:") for x in top["reasons"])


def test_bad_requests_are_coded_errors(coordinator: GQL) -> None:
    e = coordinator.errors(ROUTE, r={"profile": {"region": "mars"}, "needs": ["SHELTER"]})
    assert e[0]["extensions"] == {"code": "BAD_INPUT", "field": "region"}
    assert "almaty-region" in e[0]["message"]  # the codes it knows, for the coordinator to pick
    e = coordinator.errors(ROUTE, r={"profile": {"region": "almaty", "citizenship": "Uzbekistan"},
                                     "needs": ["SHELTER"]})
    assert e[0]["extensions"]["field"] == "citizenship"
    e = coordinator.errors(ROUTE, r={"profile": {"region": "almaty", "ageBand": {"min": 30, "max": 20}},
                                     "needs": ["SHELTER"]})
    assert e[0]["extensions"]["field"] == "ageBand"
