"""Tokens, roles and the audit trail, through the real API and the real CLI."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys

import httpx

from graph import access
from graph.config import Settings
from tests.conftest import GQL, ROOT, Server, make_token, with_db

ME = "query { me { name role } }"


def test_no_token_is_refused_with_a_clear_coded_error(api: Server) -> None:
    r = httpx.post(f"{api.url}/graphql", json={"query": ME})
    assert r.status_code == 401
    assert r.headers["www-authenticate"] == "Bearer"
    err = r.json()["errors"][0]
    assert err["extensions"]["code"] == "UNAUTHENTICATED"
    assert "Authorization: Bearer" in err["message"]
    r = httpx.get(f"{api.url}/graphql", params={"query": ME})
    assert r.status_code == 401


def test_wrong_scheme_and_unknown_token_are_refused(api: Server) -> None:
    for header in ("Basic abc", "Bearer rn_not-a-real-token", "Bearer", "rn_x"):
        r = httpx.post(f"{api.url}/graphql", json={"query": ME}, headers={"Authorization": header})
        assert r.status_code == 401, header
        assert r.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


def test_anonymous_callers_get_health_only(api: Server) -> None:
    assert httpx.get(f"{api.url}/healthz").json() == {"status": "ok"}
    assert httpx.get(f"{api.url}/readyz").status_code == 200


def test_token_works_until_revoked_and_is_stored_hashed(api: Server, seeded: Settings) -> None:
    token = make_token(seeded, "COORDINATOR", "revocable")
    gql = GQL(api.url, token)
    assert gql(ME)["me"] == {"name": "revocable", "role": "COORDINATOR"}
    rows = with_db(seeded, access.list_tokens)
    mine = [r for r in rows if r["name"] == "revocable"]
    assert len(mine) == 1 and token not in str(rows)
    with_db(seeded, lambda db: access.revoke_token(db, mine[0]["id"]))
    r = gql.post(ME)
    assert r.status_code == 401
    assert "revoked" in r.json()["errors"][0]["message"]


def test_requests_arriving_together_each_get_their_own_principal(api: Server,
                                                                 seeded: Settings) -> None:
    """Tokens of requests that arrive together are looked up together (graph/coalesce.py):
    each request still gets its own principal, and an unknown token is still refused."""
    tokens = {name: (role, make_token(seeded, role, name)) for name, role in (
        ("together coordinator", "COORDINATOR"), ("together investigator", "INVESTIGATOR"),
        ("together loader", "LOADER"))}
    tokens["nobody"] = ("", "rn_" + "x" * 43)
    calls = [name for _ in range(15) for name in tokens]

    async def go() -> list[httpx.Response]:
        async with httpx.AsyncClient(base_url=api.url, timeout=30) as client:
            return list(await asyncio.gather(*(
                client.post("/graphql", json={"query": ME},
                            headers={"Authorization": f"Bearer {tokens[name][1]}"})
                for name in calls)))

    for name, r in zip(calls, asyncio.run(go()), strict=True):
        if name == "nobody":
            assert r.status_code == 401
        else:
            assert r.json()["data"]["me"] == {"name": name, "role": tokens[name][0]}


def test_roles_are_enforced_and_refusals_audited(api: Server, seeded: Settings, gql: GQL) -> None:
    coordinator = GQL(api.url, make_token(seeded, "COORDINATOR", "nosy coordinator"))
    errors = coordinator.errors("query { auditEvents { action } }")
    assert errors[0]["extensions"]["code"] == "FORBIDDEN"
    assert "Traceback" not in str(errors)
    events = gql("query { auditEvents(limit: 200) { actor action role } }")["auditEvents"]
    assert any(e["action"] == "denied:audit.read" and "nosy coordinator" in e["actor"] for e in events)
    assert any(e["action"] == "token.create" for e in events)
    # every role reads the directory
    for role in ("COORDINATOR", "INVESTIGATOR", "LOADER"):
        client = GQL(api.url, make_token(seeded, role, f"reader {role}"))
        assert len(client("query { regions { code } }")["regions"]) == 20


def _cli(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NEO4J_URI": settings.neo4j_uri, "NEO4J_PASSWORD": settings.neo4j_password}
    return subprocess.run([sys.executable, "-m", "cli", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


def test_cli_creates_lists_and_revokes_tokens(api: Server, seeded: Settings) -> None:
    created = _cli(seeded, "token", "create", "--role", "investigator", "--name", "cli user")
    assert created.returncode == 0, created.stderr
    token = created.stdout.strip().splitlines()[-1]
    assert token.startswith("rn_") and " " not in token
    assert GQL(api.url, token)(ME)["me"]["role"] == "INVESTIGATOR"
    listed = _cli(seeded, "token", "list", "--json")
    assert "cli user" in listed.stdout and token not in listed.stdout
    bad = _cli(seeded, "token", "create", "--role", "EMPEROR", "--name", "x")
    assert bad.returncode == 1 and "unknown role" in bad.stderr
    token_id = next(word for word in created.stderr.split() if len(word) == 12)
    revoked = _cli(seeded, "token", "revoke", token_id)
    assert revoked.returncode == 0, revoked.stderr
    assert GQL(api.url, token).post(ME).status_code == 401
