"""The closed loop over real HTTP and a real Neo4j: create, accept, start, complete; version
conflicts; a shelter never overbooked under concurrency; decline and re-route; scope."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path
from typing import Any

import httpx
import pytest

from graph.config import Settings
from loaders.directory_load import load_hsds
from tests.conftest import GQL, ROOT, Server, make_token, with_db

SHELTER = "test-shelter"
CREATE = """mutation($input: CreateReferralInput!) { createReferral(input: $input) {
  id status version holdsPlace overdue fromOrganization { id } toOrganization { id }
  service { id capacityAvailable } client { age sex region } } }"""
MOVE = """mutation($id: ID!, $to: ReferralStatus!, $v: Int!, $reason: DeclineReason) {
  transitionReferral(id: $id, to: $to, expectedVersion: $v, declineReason: $reason) {
    __typename ... on Referral { id status version holdsPlace service { capacityAvailable } }
    ... on TransitionRejected { code message } } }"""
PROFILE = {"region": "pavlodar", "age": 30, "sex": "FEMALE", "citizenship": "KZ"}


@pytest.fixture(scope="module")
def shelter(seeded: Settings) -> Settings:
    with_db(seeded, lambda db: load_hsds(db, ROOT / "tests/fixtures/hsds/valid/test-shelter"))
    return seeded


@pytest.fixture(scope="module")
def sender(api: Server, shelter: Settings) -> GQL:
    return GQL(api.url, make_token(shelter, "COORDINATOR", "sender", "kz-sana-sezim"))


@pytest.fixture(scope="module")
def receiver(api: Server, shelter: Settings) -> GQL:
    return GQL(api.url, make_token(shelter, "COORDINATOR", "receiver", "test-shelter-org"))


def create(gql: GQL, **extra: Any) -> dict[str, Any]:
    body = {"serviceId": SHELTER, "profile": PROFILE, "needs": ["SHELTER"], "consent": True, **extra}
    return gql(CREATE, input=body)["createReferral"]  # type: ignore[no-any-return]


def move(gql: GQL, rid: str, to: str, v: int, reason: str | None = None) -> dict[str, Any]:
    return gql(MOVE, id=rid, to=to, v=v, reason=reason)["transitionReferral"]  # type: ignore[no-any-return]


def capacity(gql: GQL) -> int:
    return int(gql('{ service(id: "test-shelter") { capacityAvailable } }')["service"]["capacityAvailable"])


def test_whole_flow_route_create_accept_start_complete(sender: GQL, receiver: GQL) -> None:
    routed = sender("""query($r: RouteRequestInput!) { routeReferral(request: $r) {
        needs { options { service { id } } } } }""",
                    r={"profile": PROFILE, "needs": ["SHELTER"], "limit": 20})
    assert SHELTER in [o["service"]["id"] for o in routed["routeReferral"]["needs"][0]["options"]]
    before = capacity(sender)
    r = create(sender, note="first contact")
    assert (r["status"], r["version"], r["holdsPlace"]) == ("PENDING", 1, False)
    assert r["toOrganization"]["id"] == "test-shelter-org" and r["client"]["region"] == "pavlodar"
    accepted = move(receiver, r["id"], "ACCEPTED", 1)
    assert (accepted["status"], accepted["version"], accepted["holdsPlace"]) == ("ACCEPTED", 2, True)
    assert accepted["service"]["capacityAvailable"] == before - 1
    assert move(receiver, r["id"], "IN_SERVICE", 2)["status"] == "IN_SERVICE"
    done = move(receiver, r["id"], "COMPLETED", 3)
    assert (done["status"], done["holdsPlace"]) == ("COMPLETED", False)
    assert done["service"]["capacityAvailable"] == before
    history = sender('query($id: ID!) { referral(id: $id) { history { fromStatus toStatus actor } } }',
                     id=r["id"])["referral"]["history"]
    assert [h["toStatus"] for h in history] == ["PENDING", "ACCEPTED", "IN_SERVICE", "COMPLETED"]
    assert history[1]["actor"].startswith("receiver")
    bad = move(receiver, r["id"], "ACCEPTED", 4)
    assert bad["__typename"] == "TransitionRejected" and bad["code"] == "INVALID_TRANSITION"


def test_a_decline_needs_a_reason_and_can_be_rerouted(sender: GQL, receiver: GQL) -> None:
    r = create(sender)
    errors = receiver.errors(MOVE, id=r["id"], to="DECLINED", v=1)
    assert errors[0]["extensions"] == {"code": "BAD_INPUT", "field": "declineReason"}
    declined = move(receiver, r["id"], "DECLINED", 1, "COULD_NOT_CONTACT")
    assert declined["status"] == "DECLINED"
    again = sender("""mutation($id: ID!) { rerouteReferral(id: $id) { id status reroutedFrom
                      service { id } } }""", id=r["id"])["rerouteReferral"]
    assert again["reroutedFrom"] == r["id"] and again["status"] == "PENDING"
    assert again["service"]["id"] != SHELTER


def _concurrently(url: str, token: str, calls: list[dict[str, Any]]) -> list[dict[str, Any]]:
    async def go() -> list[dict[str, Any]]:
        limits = httpx.Limits(max_connections=len(calls))
        async with httpx.AsyncClient(base_url=url, limits=limits, timeout=120,
                                     headers={"Authorization": f"Bearer {token}"}) as client:
            async def one(v: dict[str, Any]) -> dict[str, Any]:
                r = await client.post("/graphql", json={"query": MOVE, "variables": v})
                assert r.status_code == 200, r.text
                return r.json()["data"]["transitionReferral"]  # type: ignore[no-any-return]
            return await asyncio.gather(*(one(v) for v in calls))
    return asyncio.run(go())


def test_fifty_concurrent_accepts_never_overbook_ten_places(api: Server, sender: GQL,
                                                            receiver: GQL, shelter: Settings) -> None:
    assert capacity(sender) == 10
    ids = [create(sender)["id"] for _ in range(50)]
    token = make_token(shelter, "COORDINATOR", "receiver burst", "test-shelter-org")
    results = _concurrently(api.url, token, [{"id": i, "to": "ACCEPTED", "v": 1} for i in ids])
    accepted = [r for r in results if r["__typename"] == "Referral"]
    refused = [r for r in results if r["__typename"] == "TransitionRejected"]
    assert len(accepted) == 10 and len(refused) == 40
    assert {r["code"] for r in refused} == {"NO_CAPACITY"}
    assert capacity(sender) == 0
    # giving places back: cancelling an accepted referral frees its place
    first = accepted[0]
    assert move(receiver, first["id"], "CANCELLED", first["version"])["holdsPlace"] is False
    assert capacity(sender) == 1


def test_two_concurrent_transitions_with_one_version_give_one_conflict(api: Server, sender: GQL,
                                                                       shelter: Settings) -> None:
    rid = create(sender)["id"]
    # an ADMIN may both decline and cancel a PENDING referral (its receiver only declines it)
    token = make_token(shelter, "ADMIN", "racer")
    results = _concurrently(api.url, token, [{"id": rid, "to": "DECLINED", "v": 1,
                                              "reason": "OTHER"},
                                             {"id": rid, "to": "CANCELLED", "v": 1}])
    kinds = sorted(r["__typename"] for r in results)
    assert kinds == ["Referral", "TransitionRejected"]
    [conflict] = [r for r in results if r["__typename"] == "TransitionRejected"]
    assert conflict["code"] == "VERSION_CONFLICT"


def test_scope_consent_and_roles(api: Server, shelter: Settings, sender: GQL) -> None:
    r = create(sender)
    outsider = GQL(api.url, make_token(shelter, "COORDINATOR", "outsider", "kz-rodnik"))
    e = outsider.errors('query($id: ID!) { referral(id: $id) { id } }', id=r["id"])
    assert e[0]["extensions"]["code"] == "NOT_FOUND"
    assert r["id"] not in str(outsider("{ referrals(first: 100) { nodes { id } } }"))
    e = outsider.errors(MOVE, id=r["id"], to="CANCELLED", v=1)
    assert e[0]["extensions"]["code"] == "NOT_FOUND"
    e = sender.errors(CREATE, input={"serviceId": SHELTER, "profile": PROFILE,
                                     "needs": ["SHELTER"], "consent": False})
    assert e[0]["extensions"]["code"] == "FORBIDDEN"
    admin = GQL(api.url, make_token(shelter, "ADMIN", "admin"))
    e = admin.errors(CREATE, input={"serviceId": SHELTER, "profile": PROFILE, "needs": ["SHELTER"],
                                    "consent": False, "fromOrganizationId": "kz-sana-sezim"})
    assert e[0]["extensions"]["field"] == "consentOverrideReason"
    override = admin(CREATE, input={"serviceId": SHELTER, "profile": PROFILE, "needs": ["SHELTER"],
                                    "consent": False, "fromOrganizationId": "kz-sana-sezim",
                                    "consentOverrideReason": "unconscious, immediate danger"})
    assert override["createReferral"]["status"] == "PENDING"
    events = admin("{ auditEvents(limit: 300) { action detail } }")["auditEvents"]
    assert any("consent overridden: unconscious" in (e["detail"] or "") for e in events)
    investigator = GQL(api.url, make_token(shelter, "INVESTIGATOR", "detective"))
    e = investigator.errors('{ referrals { totalCount } }')
    assert e[0]["extensions"]["code"] == "FORBIDDEN"


def test_overdue_filter_and_stats(sender: GQL, receiver: GQL) -> None:
    accepted = create(sender)
    move(receiver, accepted["id"], "ACCEPTED", 1)
    move(receiver, create(sender)["id"], "DECLINED", 1, "NOT_ELIGIBLE")
    stats = sender('{ referralStats(organizationId: "test-shelter-org") { organizationId total '
                   'acceptanceRate byStatus { status count } } }')["referralStats"]
    assert stats and stats[0]["organizationId"] == "test-shelter-org"
    assert 0 < stats[0]["acceptanceRate"] <= 1
    assert sum(s["count"] for s in stats[0]["byStatus"]) == stats[0]["total"]
    page = sender("{ referrals(filter: {overdue: false, status: PENDING}, first: 5) "
                  "{ totalCount pageInfo { hasNextPage endCursor } nodes { overdue status } } }")
    assert all(n["overdue"] is False and n["status"] == "PENDING"
               for n in page["referrals"]["nodes"])
    assert page["referrals"]["pageInfo"]["hasNextPage"] == (page["referrals"]["totalCount"] > 5)


def test_pending_past_its_deadline_is_overdue(shelter: Settings) -> None:
    import dataclasses

    hours = {"EMERGENCY": 0, "HIGH": 0, "NORMAL": 0, "LOW": 0}
    with Server(dataclasses.replace(shelter, deadline_hours=hours)) as api:
        gql = GQL(api.url, make_token(shelter, "COORDINATOR", "late", "kz-sana-sezim"))
        rid = create(gql, urgency="EMERGENCY")["id"]
        seen = gql('query($id: ID!) { referral(id: $id) { overdue deadline createdAt } }', id=rid)
        assert seen["referral"]["overdue"] is True
        overdue = gql("{ referrals(filter: {overdue: true}, first: 100) { nodes { id overdue } } }")
        assert rid in [n["id"] for n in overdue["referrals"]["nodes"]]
        on_time = gql("{ referrals(filter: {overdue: false}, first: 100) { nodes { id } } }")
        assert rid not in [n["id"] for n in on_time["referrals"]["nodes"]]


ROUTE_FREE = """query($r: RouteRequestInput!) { routeReferral(request: $r) {
  needs { options { service { id } freePlaces } excludedCount excluded(limit: 1) { rule }
          excludedByRule { rule count } } } }"""


def _free_places(gql: GQL) -> dict[str, int | None]:
    need = gql(ROUTE_FREE, r={"profile": PROFILE, "needs": ["SHELTER"], "limit": 20}
               )["routeReferral"]["needs"][0]
    assert len(need["excluded"]) == min(1, need["excludedCount"])
    assert sum(x["count"] for x in need["excludedByRule"]) == need["excludedCount"]
    return {o["service"]["id"]: o["freePlaces"] for o in need["options"]}


def test_routing_sees_a_directory_loaded_since_and_places_taken_a_moment_ago(
        shelter: Settings, sender: GQL, receiver: GQL, tmp_path: Path) -> None:
    assert "test-shelter-2" not in _free_places(sender)  # the API now keeps the routing cache
    second = tmp_path / "second-shelter"
    shutil.copytree(ROOT / "tests/fixtures/hsds/valid/test-shelter", second)
    (second / "services.csv").write_text("id,organization_id,name,status,minimum_age\n"
                                         "test-shelter-2,test-shelter-org,Second,active,18\n")
    (second / "service_capacity.csv").write_text(
        "id,service_id,unit_id,available,maximum,updated\n"
        "cap-2,test-shelter-2,unit-place,4,4,2026-01-01T00:00:00Z\n")
    (second / "service_areas.csv").write_text("id,service_id,name\n"
                                              "area-2,test-shelter-2,Pavlodar Region\n")
    (second / "attributes.csv").write_text("id,link_id,link_type,link_entity,taxonomy_term_id\n"
                                           "a-2,test-shelter-2,need,service,t-shelter\n")
    with_db(shelter, lambda db: load_hsds(db, second))
    assert _free_places(sender)["test-shelter-2"] == 4
    r = create(sender, serviceId="test-shelter-2")
    move(receiver, r["id"], "ACCEPTED", 1)
    assert _free_places(sender)["test-shelter-2"] == 3
    move(receiver, r["id"], "CANCELLED", 2)
    assert _free_places(sender)["test-shelter-2"] == 4
