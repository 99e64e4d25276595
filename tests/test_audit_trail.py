"""What the audit trail must hold besides what it held: the name a matchCandidates search looked
for, routeReferral's refusals, and refused (401) requests, counted without their secrets and
without one write per request; and `token create --organization` refuses an organization that
does not exist. Through the real API over HTTP and the real CLI."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import replace
from typing import Any

import httpx
import pytest

from api.unauthenticated import Unauthenticated
from graph import access
from graph.config import Settings
from tests.conftest import GQL, ROOT, Server, make_token, with_db

ROUTE = """{ routeReferral(request: {profile: {region: "shymkent", age: 24, sex: FEMALE,
             citizenship: "UZ"}, needs: [SHELTER]}) { needs { need } } }"""


def _events(settings: Settings, limit: int = 2000) -> list[dict[str, Any]]:
    return with_db(settings, lambda db: access.audit_events(db, limit))  # type: ignore[no-any-return]


def test_a_name_search_is_audited_with_the_name_searched(api: Server, seeded: Settings) -> None:
    inv = GQL(api.url, make_token(seeded, "INVESTIGATOR", "name searcher"))
    inv("""{ matchCandidates(name: "Айгерим Жумабекова", birthDate: "1999-04-12") { score } }""")
    mine = [
        e
        for e in _events(seeded, 200)
        if e["action"] == "case.match_candidates" and "name searcher" in e["actor"]
    ]
    assert len(mine) == 1
    assert "Айгерим Жумабекова" in mine[0]["detail"] and "1999-04-12" in mine[0]["detail"]
    shown = _cli(seeded, "audit", "--limit", "200")  # what an ADMIN reads on the command line
    assert shown.returncode == 0 and "name: Айгерим Жумабекова; birth date: 1999-04-12" in shown.stdout
    # a refused search is audited with the name it looked for too
    coordinator = GQL(api.url, make_token(seeded, "COORDINATOR", "curious coordinator"))
    errors = coordinator.errors('{ matchCandidates(name: "Dana Nurova") { score } }')
    assert errors[0]["extensions"]["code"] == "FORBIDDEN"
    refused = [
        e
        for e in _events(seeded, 200)
        if e["action"] == "denied:case.match_candidates" and "curious coordinator" in e["actor"]
    ]
    assert len(refused) == 1 and "Dana Nurova" in refused[0]["detail"]


def test_refusals_of_route_referral_are_audited(api: Server, seeded: Settings) -> None:
    for role in ("INVESTIGATOR", "LOADER"):
        client = GQL(api.url, make_token(seeded, role, f"router {role}"))
        assert client.errors(ROUTE)[0]["extensions"]["code"] == "FORBIDDEN"
    allowed = GQL(api.url, make_token(seeded, "COORDINATOR", "router COORDINATOR"))
    assert allowed(ROUTE)["routeReferral"]["needs"][0]["need"] == "SHELTER"
    routed = [
        (e["action"], e["actor"].split(" (")[0])
        for e in _events(seeded, 200)
        if e["actor"].startswith("router ")
    ]
    assert sorted(routed) == [
        ("denied:referral.route", "router INVESTIGATOR"),
        ("denied:referral.route", "router LOADER"),
    ]


FROM = "127.0.0.5"  # this test's own address: other servers of the suite refuse requests too


def _client() -> httpx.Client:
    return httpx.Client(transport=httpx.HTTPTransport(local_address=FROM), timeout=30)


def _refused(settings: Settings, before: set[str]) -> list[dict[str, Any]]:
    return [
        e
        for e in _events(settings)
        if e["id"] not in before
        and e["action"] == "denied:unauthenticated"
        and (f"from {FROM}," in e["detail"] or "from various addresses" in e["detail"])
    ]


def test_refused_requests_are_counted_in_the_audit_trail_without_secrets(seeded: Settings) -> None:
    revoked = make_token(seeded, "COORDINATOR", "soon revoked")
    tid = next(t["id"] for t in with_db(seeded, access.list_tokens) if t["name"] == "soon revoked")
    with_db(seeded, lambda db: access.revoke_token(db, tid))
    before = {e["id"] for e in _events(seeded)}
    unknown = "rn_" + "u" * 43
    body = {"query": "{ me { name } }"}
    # one window for the whole test: what the server has counted is written when it stops
    with Server(replace(seeded, refused_audit_window_s=3600)) as server, _client() as client:
        url = server.url + "/graphql"
        for _ in range(3):
            assert client.post(url, json=body).status_code == 401
        for header in ("Basic abc", "Bearer not-one-of-ours"):
            assert client.post(url, json=body, headers={"Authorization": header}).status_code == 401
        for _ in range(4):
            assert (
                client.post(url, json=body, headers={"Authorization": f"Bearer {unknown}"}).status_code == 401
            )
        assert client.post(url, json=body, headers={"Authorization": f"Bearer {revoked}"}).status_code == 401
        for k in range(300):  # a flood of different tokens
            r = client.post(url, json=body, headers={"Authorization": f"Bearer rn_flood{k:05d}"})
            assert r.status_code == 401
        assert _refused(seeded, before) == []  # nothing written yet: counted in memory
    refused = _refused(seeded, before)
    # every refusal counted, in few events: not one write per request
    assert sum(int(e["detail"].split()[0]) for e in refused) == 3 + 2 + 4 + 1 + 300
    assert len(refused) <= Unauthenticated.MAX_ROWS
    assert ("other tokens", 300 - 96) in [(e["target"], int(e["detail"].split()[0])) for e in refused]
    text = repr(refused)
    assert unknown not in text and revoked not in text and "not-one-of-ours" not in text
    targets = {e["target"]: int(e["detail"].split()[0]) for e in refused}
    assert targets["no token"] == 3 and targets["malformed token"] == 2
    assert targets[f"unknown or revoked token sha256:{access.hash_secret(unknown)[:12]}"] == 4
    assert targets[f"unknown or revoked token sha256:{access.hash_secret(revoked)[:12]}"] == 1
    assert all(e["role"] is None and e["actor"] == "anonymous" for e in refused)


def test_refusals_are_written_every_window_while_the_server_runs(seeded: Settings) -> None:
    before = {e["id"] for e in _events(seeded)}
    with Server(replace(seeded, refused_audit_window_s=0.2)) as server, _client() as client:
        assert client.post(server.url + "/graphql", json={"query": "{ me { name } }"}).status_code == 401
        deadline = time.monotonic() + 60
        while not _refused(seeded, before) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert [(e["target"], e["detail"].split()[0]) for e in _refused(seeded, before)] == [
            ("no token", "1")
        ]


@pytest.mark.unit
def test_the_tally_counts_every_refusal_in_a_bounded_number_of_rows() -> None:
    tally = Unauthenticated(None, max_keys=3)  # type: ignore[arg-type]
    for k in range(10):
        tally.count(f"rn_{k}", "10.0.0.1")
    tally.count(None, "10.0.0.2")
    tally.count("", "10.0.0.2")
    tally.count("rn_0", "10.0.0.1")
    rows = tally.take()
    counts = {
        (r["target"], r["detail"].split(" from ")[1].split(",")[0]): int(r["detail"].split()[0]) for r in rows
    }
    first = f"unknown or revoked token sha256:{access.hash_secret('rn_0')[:12]}"
    assert counts == {
        (first, "10.0.0.1"): 2,
        (f"unknown or revoked token sha256:{access.hash_secret('rn_1')[:12]}", "10.0.0.1"): 1,
        (f"unknown or revoked token sha256:{access.hash_secret('rn_2')[:12]}", "10.0.0.1"): 1,
        ("other tokens", "various addresses"): 7,
        ("no token", "various addresses"): 2,
    }
    assert len(rows) <= 3 + 3
    assert tally.take() == []


def _cli(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NEO4J_URI": settings.neo4j_uri, "NEO4J_PASSWORD": settings.neo4j_password}
    return subprocess.run(
        [sys.executable, "-m", "cli", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_token_create_refuses_an_organization_that_does_not_exist(seeded: Settings) -> None:
    bad = _cli(
        seeded,
        "token",
        "create",
        "--role",
        "COORDINATOR",
        "--name",
        "ghost desk",
        "--organization",
        "kz-no-such-org",
    )
    assert bad.returncode == 1
    assert "no organization with id 'kz-no-such-org'" in bad.stderr
    assert not [t for t in with_db(seeded, access.list_tokens) if t["name"] == "ghost desk"]
    good = _cli(
        seeded,
        "token",
        "create",
        "--role",
        "COORDINATOR",
        "--name",
        "rodnik desk",
        "--organization",
        "kz-rodnik",
    )
    assert good.returncode == 0, good.stderr
    assert [
        t["organization_id"] for t in with_db(seeded, access.list_tokens) if t["name"] == "rodnik desk"
    ] == ["kz-rodnik"]
