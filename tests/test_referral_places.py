"""Places held by referrals survive directory writes: free places are the directory's stated
free places minus those held, whatever a seed or an HSDS load says; a load that lowers a total
below what is held, or moves a service with live referrals to another organization, is refused
for that row (or, with allow_referral_conflicts, accepted with a warning); a moved service's
referrals stay with the organization that received them."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from graph.config import Settings
from graph.directory_write import write_directory
from graph.exceptions import InvalidData
from loaders.directory_load import load_hsds
from loaders.kazakhstan import DATA_DIR, load_directory
from tests.conftest import GQL, Server, make_token, own_database, with_db
from tests.test_referral_owners import hsds

CREATE = """mutation($input: CreateReferralInput!) { createReferral(input: $input) {
  id toOrganization { id } } }"""
MOVE = """mutation($id: ID!, $to: ReferralStatus!, $v: Int!) {
  transitionReferral(id: $id, to: $to, expectedVersion: $v) {
    __typename ... on Referral { status } ... on TransitionRejected { code } } }"""
SERVICE = "query($id: ID!) { service(id: $id) { capacityTotal capacityAvailable needs } }"
SANA = "kz-sana-sezim-shelter"


@pytest.fixture(scope="module")
def places(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    for settings in own_database(tmp_path_factory, "neo4j-places", heap="512m", pagecache_mb=64):
        with_db(settings, lambda db: write_directory(db, load_directory()))
        yield settings


@pytest.fixture(scope="module")
def api(places: Settings) -> Iterator[Server]:
    with Server(places) as server:
        yield server


@pytest.fixture(scope="module")
def admin(api: Server, places: Settings) -> GQL:
    return GQL(api.url, make_token(places, "ADMIN", "places admin"))


def coordinator(api: Server, places: Settings, org: str) -> GQL:
    return GQL(api.url, make_token(places, "COORDINATOR", f"places {org}", org))


def hold(gql: GQL, admin: GQL, service: str, n: int, region: str = "pavlodar") -> list[str]:
    """`n` referrals to `service` sent by `gql`, accepted by an ADMIN: n places held."""
    ids = []
    for _ in range(n):
        rid = gql(
            CREATE,
            input={
                "serviceId": service,
                "needs": ["SHELTER"],
                "consent": True,
                "profile": {"region": region, "age": 30, "sex": "FEMALE"},
            },
        )["createReferral"]["id"]
        assert admin(MOVE, id=rid, to="ACCEPTED", v=1)["transitionReferral"]["status"] == "ACCEPTED"
        ids.append(rid)
    return ids


def free(gql: GQL, service: str) -> dict[str, Any]:
    return gql(SERVICE, id=service)["service"]  # type: ignore[no-any-return]


def reseed(tmp_path: Path, settings: Settings, **changes: Any) -> None:
    """Seed again from a copy of the built-in directory, Sana Sezim's shelter changed."""
    copy = tmp_path / "kazakhstan"
    shutil.copytree(DATA_DIR, copy, dirs_exist_ok=True)
    path = copy / "organizations.yaml"
    text = path.read_text(encoding="utf-8")
    doc = yaml.safe_load(text)
    for org in doc["organizations"]:
        for svc in org.get("services") or []:
            if svc["id"] == SANA:
                svc.update(changes)
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    with_db(settings, lambda db: write_directory(db, load_directory(copy)))


def test_a_reseed_leaves_held_places_held(api: Server, places: Settings, admin: GQL, tmp_path: Path) -> None:
    sender = coordinator(api, places, "kz-rodnik")
    assert free(admin, SANA)["capacityAvailable"] == 5
    hold(sender, admin, SANA, 2, region="shymkent")
    assert free(admin, SANA)["capacityAvailable"] == 3
    reseed(tmp_path, places, description="Shelter, described again.")
    assert free(admin, SANA)["capacityAvailable"] == 3  # the seed's 5 free, 2 of them held
    reseed(tmp_path, places, capacity_available=20)  # the seed says every place is free
    after = free(admin, SANA)
    assert (after["capacityTotal"], after["capacityAvailable"]) == (20, 18)
    with pytest.raises(InvalidData) as refused:
        reseed(tmp_path, places, capacity_total=1, capacity_available=1)
    [problem] = refused.value.problems
    assert (problem.file, problem.field) == ("organizations.yaml", f"services[{SANA}].capacity_total")
    assert problem.line is not None and "2 places" in problem.reason
    assert free(admin, SANA)["capacityTotal"] == 20  # nothing written


def test_a_load_lowering_a_total_below_what_is_held_is_refused_or_warned(
    api: Server, places: Settings, admin: GQL, tmp_path: Path
) -> None:
    with_db(places, lambda db: load_hsds(db, hsds(tmp_path / "a", org="p-org", service="p-1", places=(3, 3))))
    hold(coordinator(api, places, "kz-rodnik"), admin, "p-1", 2)
    assert free(admin, "p-1")["capacityAvailable"] == 1
    lower = hsds(tmp_path / "b", org="p-org", service="p-1", places=(1, 1))
    with pytest.raises(InvalidData) as refused:
        with_db(places, lambda db: load_hsds(db, lower))
    [problem] = refused.value.problems
    assert (problem.file, problem.line, problem.field) == ("services.csv", 2, "capacity_total")
    assert "2 places" in problem.reason
    assert free(admin, "p-1")["capacityTotal"] == 3
    report = with_db(places, lambda db: load_hsds(db, lower, allow_referral_conflicts=True))
    assert [(w.file, w.line, w.field) for w in report.warnings] == [("services.csv", 2, "capacity_total")]
    assert free(admin, "p-1") == {"capacityTotal": 1, "capacityAvailable": 0, "needs": ["SHELTER"]}


def test_an_update_that_says_nothing_of_places_and_needs_keeps_them(
    api: Server, places: Settings, admin: GQL, tmp_path: Path
) -> None:
    with_db(places, lambda db: load_hsds(db, hsds(tmp_path / "a", org="k-org", service="k-1", places=(4, 4))))
    hold(coordinator(api, places, "kz-rodnik"), admin, "k-1", 2)
    update = tmp_path / "update"
    update.mkdir()
    for name in ("organizations.csv", "services.csv"):
        shutil.copy(tmp_path / "a" / name, update / name)
    (update / "services.csv").write_text(
        "id,organization_id,name,description,status,minimum_age\n"
        "k-1,k-org,Shelter k-1 (renamed),Shelter with a new name.,active,18\n"
    )
    with_db(places, lambda db: load_hsds(db, update))
    assert free(admin, "k-1") == {"capacityTotal": 4, "capacityAvailable": 2, "needs": ["SHELTER"]}
    routed = admin(
        """query($r: RouteRequestInput!) { routeReferral(request: $r) {
        needs { options { service { id } } } } }""",
        r={"profile": {"region": "pavlodar", "age": 30, "sex": "FEMALE"}, "needs": ["SHELTER"], "limit": 20},
    )
    assert "k-1" in [o["service"]["id"] for o in routed["routeReferral"]["needs"][0]["options"]]


def test_a_moved_service_keeps_its_referrals_with_the_receiver(
    api: Server, places: Settings, admin: GQL, tmp_path: Path
) -> None:
    with_db(
        places, lambda db: load_hsds(db, hsds(tmp_path / "a", org="m-old", service="m-1", extra_org="m-new"))
    )
    sender = coordinator(api, places, "kz-rodnik")
    old, new = coordinator(api, places, "m-old"), coordinator(api, places, "m-new")
    rid = sender(
        CREATE,
        input={
            "serviceId": "m-1",
            "needs": ["SHELTER"],
            "consent": True,
            "profile": {"region": "pavlodar", "age": 30, "sex": "FEMALE"},
        },
    )["createReferral"]["id"]
    moved = hsds(tmp_path / "b", org="m-old", service="m-1", service_org="m-new", extra_org="m-new")
    with pytest.raises(InvalidData) as refused:
        with_db(places, lambda db: load_hsds(db, moved))
    [problem] = refused.value.problems
    assert (problem.file, problem.line, problem.field) == ("services.csv", 2, "organization_id")
    assert "m-old" in problem.reason and "m-new" in problem.reason
    report = with_db(places, lambda db: load_hsds(db, moved, allow_referral_conflicts=True))
    assert [w.field for w in report.warnings] == ["organization_id"]
    assert admin('{ service(id: "m-1") { organization { id } } }')["service"]["organization"]["id"] == "m-new"
    seen = old("query($id: ID!) { referral(id: $id) { toOrganization { id } client { age } } }", id=rid)[
        "referral"
    ]
    assert seen == {"toOrganization": {"id": "m-old"}, "client": {"age": 30}}
    e = new.errors("query($id: ID!) { referral(id: $id) { client { age } } }", id=rid)
    assert e[0]["extensions"]["code"] == "NOT_FOUND"
    assert rid not in str(new("{ referrals(first: 100) { nodes { id } } }"))
    e = new.errors(MOVE, id=rid, to="ACCEPTED", v=1)
    assert e[0]["extensions"]["code"] == "NOT_FOUND"
    assert old(MOVE, id=rid, to="ACCEPTED", v=1)["transitionReferral"]["status"] == "ACCEPTED"
