"""/readyz follows Neo4j: 503 while it is down, 200 again once it is back, with no API restart."""

from __future__ import annotations

from pathlib import Path

import httpx

from graph.config import Settings
from graph.localdb import Instance, free_port
from tests.conftest import GQL, Server, make_token, with_db


def test_readyz_follows_neo4j_down_and_up(tmp_path: Path) -> None:
    inst = Instance(tmp_path / "neo4j", free_port())
    inst.start(heap="512m", pagecache_mb=64)
    try:
        settings = Settings(neo4j_uri=inst.uri, neo4j_password=inst.password())
        with_db(settings, lambda db: db.apply_schema())
        token = make_token(settings, "ADMIN", "outage")
        with Server(settings) as api:
            gql = GQL(api.url, token)
            assert httpx.get(f"{api.url}/readyz").status_code == 200
            assert gql("query { me { role } }")["me"]["role"] == "ADMIN"
            inst.stop()
            r = httpx.get(f"{api.url}/readyz", timeout=30)
            assert r.status_code == 503 and r.json()["neo4j"] == "unreachable"
            assert httpx.get(f"{api.url}/healthz").status_code == 200
            down = gql.post("query { me { role } }")
            assert down.status_code == 503
            assert down.json()["errors"][0]["extensions"]["code"] == "DATABASE_UNAVAILABLE"
            inst.start(heap="512m", pagecache_mb=64)
            assert httpx.get(f"{api.url}/readyz", timeout=30).status_code == 200
            assert gql("query { me { role } }")["me"]["role"] == "ADMIN"
    finally:
        inst.stop()
