"""kill -9 of the API in the middle of a burst of creations and transitions: every committed
referral and transition has its audit event (written in the same transaction), no referral is
half-written, and a client that lost its answer gets the committed referral back by retrying
with the same idempotency key: no duplicate."""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from bench.harness import ApiServer
from graph.config import Settings
from graph.directory_write import write_directory
from loaders.directory_load import load_hsds
from loaders.kazakhstan import load_directory
from tests.conftest import make_token, own_database, with_db
from tests.test_referral_owners import hsds

CREATE = """mutation($input: CreateReferralInput!) { createReferral(input: $input) { id } }"""
MOVE = """mutation($id: ID!, $to: ReferralStatus!, $v: Int!) {
  transitionReferral(id: $id, to: $to, expectedVersion: $v) {
    __typename ... on Referral { status version } ... on TransitionRejected { code } } }"""
KEYS = 400  # more than the burst gets through before the kill
KILL_AFTER = 60  # answered creations
# a few shelters, so that the burst is about crashes, not about one shelter's lock: on a busy
# machine two dozen requests queued on one service's lock outlast the transaction timeout
SERVICES = ("c-1", "c-2", "c-3", "c-4")
WORKERS = 16


@pytest.fixture(scope="module")
def crash(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    for settings in own_database(tmp_path_factory, "neo4j-crash", heap="512m", pagecache_mb=64):
        home = tmp_path_factory.mktemp("crash")
        folders = [hsds(home / s, org="c-org", service=s, places=(100_000, 100_000)) for s in SERVICES]

        async def go(db: Any, folders: list[Path] = folders) -> None:
            await write_directory(db, load_directory())
            for folder in folders:
                await load_hsds(db, folder)

        with_db(settings, go)
        yield settings


def _input(i: int) -> dict[str, Any]:
    return {
        "serviceId": SERVICES[i % len(SERVICES)],
        "needs": ["SHELTER"],
        "consent": True,
        "idempotencyKey": f"burst-{i}",
        "note": f"burst {i}",
        "profile": {"region": "pavlodar", "age": 20 + i % 40, "sex": "FEMALE"},
    }


async def _post(
    client: httpx.AsyncClient, token: str, query: str, variables: dict[str, Any]
) -> dict[str, Any]:
    r = await client.post(
        "/graphql",
        json={"query": query, "variables": variables},
        headers={"Authorization": f"Bearer {token}"},
    )
    body = r.json()
    assert "errors" not in body, body
    return body["data"]  # type: ignore[no-any-return]


def _burst(url: str, sender: str, receiver: str, kill: Any) -> dict[int, str]:
    """Creations and transitions from WORKERS clients at once until the API dies; the ids
    answered."""
    answered: dict[int, str] = {}
    keys = iter(range(KEYS))

    async def worker(client: httpx.AsyncClient) -> None:
        for i in keys:
            data = await _post(client, sender, CREATE, {"input": _input(i)})
            answered[i] = rid = data["createReferral"]["id"]
            if len(answered) == KILL_AFTER:
                kill()
            steps = [(receiver, "ACCEPTED"), (receiver, "IN_SERVICE")]
            steps.append((receiver, "COMPLETED") if i % 2 else (sender, "CANCELLED"))
            for v, (token, to) in enumerate(steps, start=1):
                moved = await _post(client, token, MOVE, {"id": rid, "to": to, "v": v})
                assert moved["transitionReferral"]["__typename"] == "Referral", moved

    async def go() -> None:
        async with httpx.AsyncClient(base_url=url, timeout=60) as client:
            results = await asyncio.gather(*(worker(client) for _ in range(WORKERS)), return_exceptions=True)
        lost = [r for r in results if isinstance(r, BaseException)]
        other = [repr(e)[:2000] for e in lost if not isinstance(e, httpx.TransportError)]
        assert lost and not other, other

    asyncio.run(go())
    return answered


def test_kill_9_mid_burst_loses_no_audit_event_and_no_answer(crash: Settings, tmp_path: Path) -> None:
    sender = make_token(crash, "COORDINATOR", "crash sender", "kz-rodnik")
    receiver = make_token(crash, "COORDINATOR", "crash receiver", "c-org")
    server = ApiServer(crash, tmp_path / "api.log")
    server.start()
    proc = server.proc
    assert proc is not None

    def kill() -> None:
        os.killpg(proc.pid, signal.SIGKILL)

    try:
        answered = _burst(server.url, sender, receiver, kill)
    finally:
        kill_quietly = proc.poll() is None
        if kill_quietly:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    assert len(answered) >= KILL_AFTER

    rows = with_db(crash, lambda db: db.read("referral_integrity"))
    committed = {r["id"]: r for r in rows}
    assert KILL_AFTER <= len(committed) < KEYS
    for r in committed.values():  # whole, and every committed change audited
        assert r["whole"], r
        assert r["audits"] == ["referral.create"] + ["referral." + s.lower() for s in r["events"][1:]], r
    keys = with_db(crash, lambda db: db.read("idempotency_keys", prefix="kz-rodnik:burst-"))
    assert sorted(k["result_id"] for k in keys) == sorted(committed)

    # the client retries every creation with its key: the committed ones come back, the others
    # are created now; one referral per key
    again = ApiServer(crash, tmp_path / "api-again.log")
    again.start()
    try:

        async def retry() -> dict[int, str]:
            async with httpx.AsyncClient(base_url=again.url, timeout=60) as client:
                ids = await asyncio.gather(
                    *(
                        _post(client, sender, CREATE, {"input": _input(i)})
                        for i in range(len(committed) + WORKERS)
                    )
                )
            return {i: d["createReferral"]["id"] for i, d in enumerate(ids)}

        retried = asyncio.run(retry())
    finally:
        again.stop()
    assert all(retried[i] == rid for i, rid in answered.items())
    assert set(committed) <= set(retried.values())
    assert len(set(retried.values())) == len(retried)
    rows = with_db(crash, lambda db: db.read("referral_integrity"))
    assert len(rows) == len(retried)
