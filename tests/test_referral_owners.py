"""A referral belongs to its two organizations from creation on: only the receiving one (or an
ADMIN) accepts, declines, starts and completes it; the sender (or an ADMIN) cancels and
re-routes it; the receiver may cancel only once it has accepted. Every role is tried with every
move over real HTTP; each refusal is a coded error and is audited."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from graph.config import Settings
from loaders.directory_load import load_hsds
from tests.conftest import GQL, Server, make_token, with_db

ORG, SERVICE = "owners-org", "owners-shelter"
SENDER, THIRD = "kz-sana-sezim", "kz-rodnik"
PROFILE = {"region": "pavlodar", "age": 30, "sex": "FEMALE", "citizenship": "KZ"}
CREATE = """mutation($input: CreateReferralInput!) { createReferral(input: $input) {
  id status version fromOrganization { id } toOrganization { id } } }"""
MOVE = """mutation($id: ID!, $to: ReferralStatus!, $v: Int!, $reason: DeclineReason) {
  transitionReferral(id: $id, to: $to, expectedVersion: $v, declineReason: $reason) {
    __typename ... on Referral { id status version } ... on TransitionRejected { code } } }"""
REROUTE = """mutation($id: ID!, $s: ID) { rerouteReferral(id: $id, serviceId: $s) {
  id status reroutedFrom } }"""

# who: (role, organization)
WHO = {
    "sender": ("COORDINATOR", SENDER),
    "receiver": ("COORDINATOR", ORG),
    "third": ("COORDINATOR", THIRD),
    "investigator": ("INVESTIGATOR", None),
    "loader": ("LOADER", None),
    "admin": ("ADMIN", None),
}
# action: (the moves an ADMIN makes first, the move tried)
ACTIONS = {
    "accept": ([], "ACCEPTED"),
    "decline": ([], "DECLINED"),
    "start": (["ACCEPTED"], "IN_SERVICE"),
    "complete": (["ACCEPTED", "IN_SERVICE"], "COMPLETED"),
    "cancel-pending": ([], "CANCELLED"),
    "cancel-accepted": (["ACCEPTED"], "CANCELLED"),
    "cancel-in-service": (["ACCEPTED", "IN_SERVICE"], "CANCELLED"),
    "reroute": (["DECLINED"], "REROUTE"),
}
ALLOWED = {
    "sender": {"cancel-pending", "cancel-accepted", "cancel-in-service", "reroute"},
    "receiver": {"accept", "decline", "start", "complete", "cancel-accepted", "cancel-in-service"},
    "admin": set(ACTIONS),
}
# a coordinator of a third organization does not see the referral at all
REFUSED_WITH = {
    "third": "NOT_FOUND",
    "investigator": "FORBIDDEN",
    "loader": "FORBIDDEN",
    "sender": "FORBIDDEN",
    "receiver": "FORBIDDEN",
}


def hsds(
    folder: Path,
    *,
    org: str = ORG,
    service: str = SERVICE,
    service_org: str | None = None,
    places: tuple[int, int] | None = (100, 100),
    extra_org: str | None = None,
) -> Path:
    """A one-shelter HSDS folder (capacity `places` = (available, maximum); None: no table)."""
    folder.mkdir(parents=True, exist_ok=True)
    orgs = f"id,name,description\n{org},Shelter org {org},A shelter for owner tests.\n"
    if extra_org:
        orgs += f"{extra_org},Other org {extra_org},Another organization.\n"
    (folder / "organizations.csv").write_text(orgs)
    (folder / "services.csv").write_text(
        "id,organization_id,name,description,status,minimum_age\n"
        f"{service},{service_org or org},Shelter {service},Shelter for owner tests.,active,18\n"
    )
    (folder / "service_areas.csv").write_text(
        f"id,service_id,name\narea-{service},{service},Pavlodar Region\n"
    )
    (folder / "attributes.csv").write_text(
        f"id,link_id,link_type,link_entity,taxonomy_term_id\na-{service},{service},need,service,t-shelter\n"
    )
    (folder / "taxonomy_terms.csv").write_text(
        "id,code,name,description,taxonomy\nt-shelter,SHELTER,Shelter,Safe accommodation,referralnet-needs\n"
    )
    if places is not None:
        (folder / "units.csv").write_text("id,name\nunit-place,place\n")
        (folder / "service_capacity.csv").write_text(
            "id,service_id,unit_id,available,maximum,updated\n"
            f"cap-{service},{service},unit-place,{places[0]},{places[1]},2026-01-01T00:00:00Z\n"
        )
    return folder


@pytest.fixture(scope="module")
def owners(seeded: Settings, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    folder = hsds(tmp_path_factory.mktemp("owners") / "owners")
    with_db(seeded, lambda db: load_hsds(db, folder))
    return seeded


@pytest.fixture(scope="module")
def clients(api: Server, owners: Settings) -> dict[str, GQL]:
    return {
        who: GQL(api.url, make_token(owners, role, f"owners {who}", org)) for who, (role, org) in WHO.items()
    }


def _create(gql: GQL) -> dict[str, Any]:
    return gql(
        CREATE,
        input={
            "serviceId": SERVICE,
            "profile": PROFILE,
            "needs": ["SHELTER"],
            "consent": True,
            "fromOrganizationId": None,
        },
    )["createReferral"]  # type: ignore[no-any-return]


def _move(gql: GQL, rid: str, to: str, v: int) -> Any:
    reason = "NOT_ELIGIBLE" if to == "DECLINED" else None
    return gql.post(MOVE, {"id": rid, "to": to, "v": v, "reason": reason}).json()


def test_the_referral_stores_its_sender_and_receiver(clients: dict[str, GQL]) -> None:
    r = _create(clients["sender"])
    assert (r["fromOrganization"]["id"], r["toOrganization"]["id"]) == (SENDER, ORG)


@pytest.mark.parametrize("who", list(WHO))
@pytest.mark.parametrize("action", list(ACTIONS))
def test_every_role_with_every_move(clients: dict[str, GQL], owners: Settings, who: str, action: str) -> None:
    first, to = ACTIONS[action]
    rid = _create(clients["sender"])["id"]
    version = 1
    for step in first:
        body = _move(clients["admin"], rid, step, version)
        assert body["data"]["transitionReferral"]["status"] == step, body
        version += 1
    if to == "REROUTE":
        body = clients[who].post(REROUTE, {"id": rid, "s": SERVICE}).json()
        done = (body.get("data") or {}).get("rerouteReferral")
        ok = done is not None and done["reroutedFrom"] == rid
    else:
        body = _move(clients[who], rid, to, version)
        done = (body.get("data") or {}).get("transitionReferral")
        ok = done is not None and done.get("status") == to
    if action in ALLOWED.get(who, set()):
        assert ok, body
        return
    assert not ok and body.get("errors"), body
    assert body["errors"][0]["extensions"]["code"] == REFUSED_WITH[who], body
    assert body["data"] is None or not any(body["data"].values())
    now = clients["admin"]("query($id: ID!) { referral(id: $id) { status version } }", id=rid)
    assert now["referral"]["version"] == version  # nothing changed
    if who in ("sender", "receiver"):  # refused on the referral's owners: audited as such
        events = with_db(owners, lambda db: db.read("list_audit_events", limit=2000))
        denied = [
            e["event"]
            for e in events
            if e["event"]["target"] == rid and e["event"]["action"].startswith("denied:")
        ]
        assert denied and denied[0]["role"] == "COORDINATOR", events[:5]


def test_a_sending_coordinator_is_refused_accepted(clients: dict[str, GQL]) -> None:
    rid = _create(clients["sender"])["id"]
    body = _move(clients["sender"], rid, "ACCEPTED", 1)
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert "receiving organization" in body["errors"][0]["message"]
    accepted = _move(clients["receiver"], rid, "ACCEPTED", 1)
    assert accepted["data"]["transitionReferral"]["status"] == "ACCEPTED"


def test_a_retry_with_the_same_idempotency_key_returns_the_first_referral(clients: dict[str, GQL]) -> None:
    body = {
        "serviceId": SERVICE,
        "profile": PROFILE,
        "needs": ["SHELTER"],
        "consent": True,
        "idempotencyKey": "owners-retry-1",
    }
    first = clients["sender"](CREATE, input=body)["createReferral"]
    assert clients["sender"](CREATE, input=body)["createReferral"]["id"] == first["id"]
    e = clients["sender"].errors(CREATE, input={**body, "needs": ["SHELTER", "LEGAL_AID"]})
    assert e[0]["extensions"]["code"] == "IDEMPOTENCY_KEY_REUSED"
    other = clients["third"](CREATE, input=body)["createReferral"]  # another organization's key
    assert other["id"] != first["id"]
    assert (
        _move(clients["receiver"], first["id"], "DECLINED", 1)["data"]["transitionReferral"]["status"]
        == "DECLINED"
    )
    again = """mutation($id: ID!, $s: ID, $k: String) { rerouteReferral(id: $id, serviceId: $s,
               idempotencyKey: $k) { id reroutedFrom } }"""
    rerouted = clients["sender"](again, id=first["id"], s=SERVICE, k="owners-retry-2")
    retried = clients["sender"](again, id=first["id"], s=SERVICE, k="owners-retry-2")
    assert rerouted == retried and rerouted["rerouteReferral"]["reroutedFrom"] == first["id"]
    e = clients["sender"].errors(again, id=first["id"], s=SERVICE, k="owners-retry-1")
    assert e[0]["extensions"]["code"] == "IDEMPOTENCY_KEY_REUSED"
