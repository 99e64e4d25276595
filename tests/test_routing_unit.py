"""Pure routing rules: exclusions, ranking order, the fewest-organization plan, notifications."""

from __future__ import annotations

import dataclasses

import pytest

from graph.routing import (
    Candidate,
    NeedRoute,
    Profile,
    exclusion,
    notifications,
    plan,
    rank,
    split,
)
from graph.types import Basis

pytestmark = pytest.mark.unit

ADULT = Profile(region="almaty", age=30, sex="FEMALE", citizenship="KZ", languages=("ru",))


def cand(sid: str, org: str = "o1", need: str = "SHELTER", **kw: object) -> Candidate:
    base = dict(need=need, service_id=sid, service_name=sid, organization_id=org,
                organization_name=org, region="almaty", distance_km=0.0, status="ACTIVE")
    return Candidate(**{**base, **kw})  # type: ignore[arg-type]


@pytest.mark.parametrize(("kw", "profile", "rule"), [
    ({"status": "TEMPORARILY_CLOSED"}, ADULT, "NOT_ACTIVE"),
    ({"min_age": 18}, dataclasses.replace(ADULT, age=12), "AGE_BELOW_MINIMUM"),
    ({"max_age": 17}, ADULT, "AGE_ABOVE_MAXIMUM"),
    ({"max_age": 17}, Profile(region="x", age_min=20, age_max=25), "AGE_ABOVE_MAXIMUM"),
    ({"sexes": ("MALE",)}, ADULT, "SEX"),
    ({"citizenship": "KZ_CITIZENS"}, dataclasses.replace(ADULT, citizenship="UZ"), "CITIZENSHIP"),
    ({"citizenship": "FOREIGN_NATIONALS"}, ADULT, "CITIZENSHIP"),
    ({"exploitation_types": ("LABOR",)}, dataclasses.replace(ADULT, exploitation_types=("SEXUAL",)),
     "EXPLOITATION_TYPE"),
    ({"capacity_total": 10, "capacity_available": 0}, ADULT, "NO_CAPACITY"),
])
def test_each_rule_excludes_with_its_reason(kw: dict[str, object], profile: Profile, rule: str) -> None:
    why = exclusion(cand("s", **kw), profile)
    assert why is not None and why.rule == rule and why.detail


def test_unknowns_do_not_exclude() -> None:
    unknown = Profile(region="almaty")
    c = cand("s", min_age=18, max_age=60, sexes=("FEMALE",), citizenship="KZ_CITIZENS",
             exploitation_types=("LABOR",), capacity_total=5, capacity_available=1)
    assert exclusion(c, unknown) is None
    band = Profile(region="x", age_min=16, age_max=19)  # overlaps 18+: not excluded
    assert exclusion(cand("s", min_age=18), band) is None


def test_ranking_order_mandate_region_distance_needs_capacity_language() -> None:
    law = (Basis("PROVIDE_SHELTER", "p1", "Special social services"),)
    cands = [
        cand("far-mandated", basis=law, distance_km=300.0, region="almaty-region"),
        cand("near-unmandated", org="o2"),
        cand("near-mandated-full", org="o3", basis=law, capacity_total=10, capacity_available=1),
        cand("near-mandated-free", org="o4", basis=law, capacity_total=10, capacity_available=8),
        cand("near-mandated-ru", org="o5", basis=law, languages=("ru",), capacity_total=10,
             capacity_available=8),
    ]
    needs_of_org = {"o4": 2}
    ranked = rank(cands, ADULT, needs_of_org, 2, {"almaty": "Almaty"})
    assert [r.candidate.service_id for r in ranked] == [
        "near-mandated-free", "near-mandated-ru", "near-mandated-full", "far-mandated",
        "near-unmandated"]
    top = ranked[0].reasons
    assert top[0].startswith("holds the legal responsibility PROVIDE_SHELTER")
    assert "in Almaty" in top and "its organization meets 2 of the 2 needs" in top
    assert any(r.startswith("nearest: almaty-region, 300 km") for r in ranked[3].reasons)
    for limit in (1, 2, 5, 9):  # the first `limit` only, in the same order, with their reasons
        assert rank(cands, ADULT, needs_of_org, 2, {"almaty": "Almaty"}, limit) == ranked[:limit]


def test_plan_uses_the_fewest_organizations() -> None:
    routes = []
    for need, cs in {"SHELTER": [cand("a1", "A"), cand("b1", "B")],
                     "LEGAL_AID": [cand("b2", "B", "LEGAL_AID"), cand("c2", "C", "LEGAL_AID")],
                     "MEDICAL": [cand("c3", "C", "MEDICAL"), cand("b3", "B", "MEDICAL")]}.items():
        eligible, _ = split(cs, ADULT)
        routes.append(NeedRoute(need, rank(eligible, ADULT, {}, 3, {})))
    [(org, services)] = plan(routes)
    assert org == "B" and {k: v.service_id for k, v in services.items()} == \
        {"SHELTER": "b1", "LEGAL_AID": "b2", "MEDICAL": "b3"}
    assert plan([NeedRoute("SHELTER")]) == []


@pytest.mark.parametrize(("profile", "expected"), [
    (ADULT, {"ADULT_TO_POLICE"}),
    (Profile(region="x", age=12), {"MINOR_TO_GUARDIANSHIP", "MINOR_TO_POLICE"}),
    (Profile(region="x", age=0, triggers=("ABANDONED_NEWBORN",)),
     {"MINOR_TO_GUARDIANSHIP", "MINOR_TO_POLICE", "NEWBORN_TO_RESPONSIBLE_BODY", "NEWBORN_TO_POLICE"}),
    (Profile(region="x", age=25, citizenship="UZ"),
     {"FOREIGN_RETURN_ASSISTANCE", "FOREIGN_MIGRATION_STATUS", "ADULT_TO_POLICE"}),
    (Profile(region="x", age=15, citizenship="KG"),
     {"MINOR_TO_GUARDIANSHIP", "MINOR_TO_POLICE", "FOREIGN_CHILD_RETURN"}),
    (Profile(region="x", age=40, triggers=("IDENTIFIED_BY_LABOR_INSPECTOR",)),
     {"LABOR_INSPECTOR_TO_POLICE"}),
])
def test_notifications(profile: Profile, expected: set[str]) -> None:
    got = notifications(profile)
    assert {n.code for n in got} == expected
    for n in got:
        if n.code == "ADULT_TO_POLICE":
            assert n.consent and not n.mandatory  # assistance never depends on it
        if n.code.startswith(("MINOR", "NEWBORN", "LABOR")):
            assert n.mandatory and not n.consent
