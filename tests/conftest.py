"""The suite's own Neo4j (a temporary folder, a free port: never the developer's database) and
the real ASGI app served by uvicorn on a free port, talked to over HTTP."""

from __future__ import annotations

import asyncio
import hashlib
import os
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from graph.config import Settings
from graph.localdb import Instance, free_port


def own_database(factory: pytest.TempPathFactory, name: str, *, heap: str = "768m",
                 pagecache_mb: int = 128, schema: bool = True,
                 **changes: Any) -> Iterator[Settings]:
    """A Neo4j of a test module's own (its data in a folder `name`), with the schema applied
    unless `schema` is false, its Settings changed by `changes`; module-scoped fixtures
    `yield from` it."""
    inst = Instance(factory.mktemp(name), free_port())
    inst.start(heap=heap, pagecache_mb=pagecache_mb)
    try:
        settings = replace(Settings(neo4j_uri=inst.uri, neo4j_password=inst.password()), **changes)
        if schema:
            with_db(settings, lambda db: db.apply_schema())
        yield settings
    finally:
        inst.stop()


@pytest.fixture(scope="session")
def neo4j_instance(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Instance]:
    inst = Instance(tmp_path_factory.mktemp("neo4j"), free_port())
    inst.start(heap="768m", pagecache_mb=128)
    yield inst
    inst.stop()


@pytest.fixture(scope="session")
def settings(neo4j_instance: Instance) -> Settings:
    return Settings(neo4j_uri=neo4j_instance.uri, neo4j_user="neo4j",
                    neo4j_password=neo4j_instance.password(), neo4j_database="neo4j",
                    neo4j_port=neo4j_instance.port)


def run(coro):  # type: ignore[no-untyped-def]
    return asyncio.run(coro)


async def _with_db(settings: Settings, fn):  # type: ignore[no-untyped-def]
    from graph.db import Database

    db = Database(settings)
    try:
        return await fn(db)
    finally:
        await db.close()


def with_db(settings: Settings, fn):  # type: ignore[no-untyped-def]
    """Run `fn(db)` against the suite's Neo4j with a fresh driver."""
    return asyncio.run(_with_db(settings, fn))


def graph_digest(settings: Settings, statement: str) -> str:
    """A digest of what a fingerprint statement (directory_fingerprint,
    investigations_fingerprint) returns: equal digests, the same graph."""
    async def go(db):  # type: ignore[no-untyped-def]
        row = await db.read_one(statement)
        nodes = [(labels, sorted(props.items())) for labels, props in row["nodes"]]
        return hashlib.sha256(repr((nodes, row["rels"])).encode()).hexdigest()
    return with_db(settings, go)  # type: ignore[no-any-return]


@pytest.fixture(scope="session")
def seeded(settings: Settings) -> Settings:
    from graph.directory_write import write_directory
    from loaders.kazakhstan import load_directory

    async def go(db):  # type: ignore[no-untyped-def]
        await db.apply_schema()
        await write_directory(db, load_directory())

    with_db(settings, go)
    return settings


class Server:
    def __init__(self, settings: Settings) -> None:
        from api.app import create_app

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(create_app(settings), host="127.0.0.1", port=self.port,
                                log_level="warning", lifespan="on", server_header=False)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> Server:
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the API did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@pytest.fixture(scope="session")
def api(seeded: Settings) -> Iterator[Server]:
    with Server(seeded) as server:
        yield server


def make_token(settings: Settings, role: str, name: str = "test",
               organization_id: str | None = None) -> str:
    from graph import access

    issued = with_db(settings, lambda db: access.create_token(
        db, name=name, role=role, organization_id=organization_id))
    return issued.token


@pytest.fixture(scope="session")
def admin_token(seeded: Settings) -> str:
    return make_token(seeded, "ADMIN", "suite admin")


class GQL:
    """A GraphQL client over real HTTP with a bearer token."""

    def __init__(self, url: str, token: str | None) -> None:
        self.url = url + "/graphql"
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    def post(self, query: str, variables: dict | None = None) -> httpx.Response:  # type: ignore[type-arg]
        return httpx.post(self.url, headers=self.headers, timeout=30,
                          json={"query": query, "variables": variables or {}})

    def __call__(self, query: str, **variables: object) -> dict:  # type: ignore[type-arg]
        r = self.post(query, variables)
        body = r.json()
        assert r.status_code == 200, body
        assert "errors" not in body, body["errors"]
        return body["data"]  # type: ignore[no-any-return]

    def errors(self, query: str, **variables: object) -> list[dict]:  # type: ignore[type-arg]
        body = self.post(query, variables).json()
        assert body.get("errors"), body
        return body["errors"]  # type: ignore[no-any-return]


@pytest.fixture(scope="session")
def gql(api: Server, admin_token: str) -> GQL:
    return GQL(api.url, admin_token)


ROOT = Path(__file__).resolve().parent.parent
os.environ.setdefault("REFERRALNET_STATE_DIR", str(ROOT / ".referralnet-test-unused"))
