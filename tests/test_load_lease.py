"""One load of a kind at a time (graph/load_lease.py), against a real Neo4j of its own: two
directory or case loads started together both end whole (the second waits) or the second is
refused with LOAD_RUNNING; a running load whose lease its owner renews is never undone; one
whose process was killed is undone once its lease has expired; a load that stalled past its
lease and was taken over fails and keeps nothing; each DONE load has its audit event, an undone
one none."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import pytest

from graph.config import Settings
from graph.db import Database, Tx
from graph.directory_write import write_part
from graph.exceptions import ReferralnetError
from graph.load_journal import DIRECTORY, LoadJournal
from loaders.directory_load import ensure_reference_data, load_hsds
from loaders.ftm_load import load_cases
from tests.conftest import ROOT, Server, make_token, own_database, with_db
from tests.fixtures.ftm.planted import entity
from tests.ftm_db import write
from tests.hsds_gen import write_directory as write_hsds_directory
from tests.test_hsds_load import _zip

ORGS, SERVICES = 300, 1500


@pytest.fixture(scope="module")
def lease_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    yield from own_database(tmp_path_factory, "neo4j-lease", heap="1g", load_chunk_rows=500)


def short(settings: Settings, seconds: int = 1) -> Settings:
    return replace(settings, load_lease_s=seconds)  # type: ignore[call-arg, unused-ignore]


def wipe(settings: Settings) -> None:
    with_db(settings, lambda db: db.write("wipe_directory"))
    with_db(settings, lambda db: db.write("wipe_investigations"))


def package(tmp: Path, prefix: str, orgs: int = ORGS, services: int = SERVICES) -> Path:
    folder = tmp / f"{prefix}dir"
    write_hsds_directory(folder, organizations=orgs, services=services, prefix=prefix)
    return folder


def present(settings: Settings, prefix: str, orgs: int = ORGS, services: int = SERVICES) -> tuple[int, int]:
    async def go(db: Database) -> tuple[int, int]:
        o = await db.read("existing_organizations", ids=[f"{prefix}org-{i}" for i in range(orgs)])
        s = await db.read("existing_services", ids=[f"{prefix}svc-{i}" for i in range(services)])
        return len(o), len(s)

    return with_db(settings, go)  # type: ignore[no-any-return]


def staged(settings: Settings) -> int:
    """Nodes committed by directory loads not DONE yet (readers do not see them)."""

    async def go(db: Database) -> int:
        return (await db.read("rows_of_unfinished_loads", kind="directory"))[0]["n"]  # type: ignore[no-any-return]

    return with_db(settings, go)  # type: ignore[no-any-return]


def totals(settings: Settings) -> tuple[int, int]:
    async def go(db: Database) -> tuple[int, int]:
        none = {"region": None, "need": None, "kind": None, "text": None}
        return (
            (await db.read("count_organizations", **none))[0]["n"],
            (await db.read("count_services", **none))[0]["n"],
        )

    return with_db(settings, go)  # type: ignore[no-any-return]


def journals(settings: Settings) -> dict[str, str]:
    rows = with_db(settings, lambda db: db.read("load_journals"))
    return {r["load"]["source"]: r["load"]["status"] for r in rows}


def audited(settings: Settings, action: str) -> dict[str, dict[str, Any]]:
    rows = with_db(settings, lambda db: db.read("list_audit_events", limit=10_000))
    return {r["event"]["target"]: r["event"] for r in rows if r["event"]["action"] == action}


def code_of(e: BaseException) -> str:
    return getattr(e, "code", type(e).__name__)


def in_thread(fn: Callable[[], Any]) -> Any:
    """Run `fn` (which runs an event loop of its own) in another thread; its result, or its
    exception as the value."""

    def guarded() -> Any:
        try:
            return fn()
        except Exception as e:  # noqa: BLE001 - handed back as the value
            return e

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(guarded).result()


# Directory loads


def test_two_directory_loads_at_once_both_end_whole(lease_db: Settings, tmp_path: Path) -> None:
    wipe(lease_db)
    a, b = package(tmp_path, "a-"), package(tmp_path, "b-")

    async def both(db: Database) -> list[Any]:
        running = asyncio.Event()

        def first(kind: str, n: int) -> None:
            if kind == "organizations":  # the first chunk is committed: start the second
                running.set()

        async def second() -> Any:
            await running.wait()
            return await load_hsds(db, b)

        return await asyncio.gather(load_hsds(db, a, progress=first), second())

    reports = with_db(lease_db, both)
    for report in reports:
        assert report.written["organizations"]["created"] == ORGS
        assert report.written["services"]["created"] == SERVICES
    assert present(lease_db, "a-") == present(lease_db, "b-") == (ORGS, SERVICES)
    assert totals(lease_db) == (2 * ORGS, 2 * SERVICES)
    assert journals(lease_db) == {"a-dir": "DONE", "b-dir": "DONE"}
    events = audited(lease_db, "directory.load")
    for source in ("a-dir", "b-dir"):
        assert events[source]["actor"] == "cli (cli)"
        assert json.loads(events[source]["detail"])["services"]["created"] == SERVICES


def test_a_second_directory_load_is_refused_while_one_runs(lease_db: Settings, tmp_path: Path) -> None:
    wipe(lease_db)
    a, b = package(tmp_path, "c-"), package(tmp_path, "d-")
    second: list[Any] = []

    def first(kind: str, n: int) -> None:
        if kind == "organizations" and not second:  # the first holds its lease, mid-way
            second.append(in_thread(lambda: with_db(lease_db, lambda db: load_hsds(db, b, wait=False))))

    report = with_db(lease_db, lambda db: load_hsds(db, a, progress=first))
    assert report.written["services"]["created"] == SERVICES
    refused = second[0]
    assert isinstance(refused, ReferralnetError) and refused.code == "LOAD_RUNNING", refused
    assert refused.message.startswith("another directory load is running since ")
    assert "(source c-dir)" in refused.message
    assert present(lease_db, "c-") == (ORGS, SERVICES) and present(lease_db, "d-") == (0, 0)
    assert totals(lease_db) == (ORGS, SERVICES)
    assert journals(lease_db) == {"c-dir": "DONE"}
    events = audited(lease_db, "directory.load")
    assert "c-dir" in events and "d-dir" not in events


def test_a_running_load_whose_lease_is_renewed_is_never_undone(lease_db: Settings, tmp_path: Path) -> None:
    wipe(lease_db)
    settings = short(lease_db)  # a lease of 1 s: only its renewal keeps it
    other = package(tmp_path, "e-", orgs=20, services=50)
    ghosts = [f"ghost-{i}" for i in range(3)]
    waiting = threading.Event()
    said: list[str] = []

    def progress(kind: str, n: int) -> None:
        if kind.startswith("waiting: "):
            said.append(kind)
            waiting.set()

    async def go(db: Database) -> Any:
        await db.in_write_tx(ensure_reference_data)  # the regions the ghosts are placed in
        async with LoadJournal(db, "held.zip", DIRECTORY) as held:

            async def work(tx: Tx) -> None:
                rows = [
                    {"id": g, "props": {"name": g}, "region": "almaty", "responsibilities": None, "kept": 0}
                    for g in ghosts
                ]
                await write_part(
                    tx,
                    "organizations",
                    rows,
                    {"created": 0, "updated": 0, "unchanged": 0},
                    only="new",
                    load=held.id,
                )

            await held.commit("organizations", work, len(ghosts))
            assert (await db.read("rows_of_unfinished_loads", kind="directory"))[0]["n"] == 3
            assert await db.read("existing_organizations", ids=ghosts) == []  # staged: unseen
            await asyncio.sleep(4)  # four times its lease
            waits = asyncio.create_task(
                asyncio.to_thread(
                    lambda: in_thread(
                        lambda: with_db(settings, lambda db2: load_hsds(db2, other, progress=progress))
                    )
                )
            )
            await asyncio.to_thread(waiting.wait, 120)
            assert (await db.read("rows_of_unfinished_loads", kind="directory"))[0]["n"] == 3
            refused = await asyncio.to_thread(
                lambda: in_thread(lambda: with_db(settings, lambda db2: load_hsds(db2, other, wait=False)))
            )
            assert code_of(refused) == "LOAD_RUNNING", refused
            assert not waits.done()
            assert [r["load"]["status"] for r in await db.read("load_journals")] == ["RUNNING"]
            await held.finish(lambda tx: asyncio.sleep(0), lambda: {"organizations": 3})
        return await waits

    report = with_db(settings, go)
    assert not isinstance(report, Exception), report
    assert report.written["organizations"]["created"] == 20
    assert said[0].startswith("waiting: another directory load is running since ")
    assert said[0].endswith("(source held.zip)")
    assert totals(settings) == (3 + 20, 50)
    assert journals(settings) == {"held.zip": "DONE", "e-dir": "DONE"}
    events = audited(settings, "directory.load")
    assert "held.zip" in events and "e-dir" in events


def test_a_killed_load_is_undone_once_its_lease_has_expired(lease_db: Settings, tmp_path: Path) -> None:
    wipe(lease_db)
    big = package(tmp_path, "k-", orgs=3000, services=20_000)
    env = {
        **os.environ,
        "NEO4J_URI": lease_db.neo4j_uri,
        "NEO4J_PASSWORD": lease_db.neo4j_password,
        "REFERRALNET_LOAD_LEASE_SECONDS": "2",
        "REFERRALNET_LOAD_CHUNK": "500",
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "cli", "load", "directory", str(big), "--json"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        while (
            journals(lease_db).get("k-dir") != "RUNNING" or staged(lease_db) == 0
        ):  # some chunks are committed (staged: no reader sees them)
            assert proc.poll() is None, "the load ended before it could be killed"
            time.sleep(0.05)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    assert journals(lease_db) == {"k-dir": "RUNNING"}
    assert staged(lease_db) > 0  # a half-written load, its owner dead
    assert present(lease_db, "k-", 3000, 0) == (0, 0)  # and unseen by readers
    said: list[str] = []
    report = with_db(
        short(lease_db, 2),
        lambda db: load_hsds(db, package(tmp_path, "n-"), progress=lambda kind, n: said.append(kind)),
    )
    assert report.written["services"]["created"] == SERVICES
    assert present(lease_db, "k-", 3000, 20_000) == (0, 0)
    assert totals(lease_db) == (ORGS, SERVICES)
    assert journals(lease_db) == {"k-dir": "UNDONE", "n-dir": "DONE"}
    events = audited(lease_db, "directory.load")
    assert "n-dir" in events and "k-dir" not in events


def test_a_load_that_stalled_past_its_lease_fails_and_keeps_nothing(
    lease_db: Settings, tmp_path: Path
) -> None:
    wipe(lease_db)
    settings = short(lease_db)
    a, b = package(tmp_path, "s-"), package(tmp_path, "t-")
    b_writes = threading.Event()
    second: list[Any] = []

    def b_progress(kind: str, n: int) -> None:
        if kind == "organizations":
            b_writes.set()

    def stalled(kind: str, n: int) -> None:
        if kind == "organizations" and not second:
            # this process stops (blocked event loop: no renewal) until another load has
            # taken the lease over, undone this one and written rows of its own
            pool = ThreadPoolExecutor(1)
            second.append(
                pool.submit(lambda: with_db(settings, lambda db: load_hsds(db, b, progress=b_progress)))
            )
            b_writes.wait(120)

    with pytest.raises(ReferralnetError) as lost:
        with_db(settings, lambda db: load_hsds(db, a, progress=stalled))
    assert lost.value.code == "LOAD_LEASE_LOST", lost.value
    report = second[0].result()
    assert report.written["services"]["created"] == SERVICES
    assert present(settings, "s-") == (0, 0)
    assert totals(settings) == (ORGS, SERVICES)
    assert journals(settings) == {"s-dir": "UNDONE", "t-dir": "DONE"}
    events = audited(settings, "directory.load")
    assert "t-dir" in events and "s-dir" not in events


UPLOAD = """mutation($file: Upload!, $wait: Boolean!) { loadDirectory(file: $file, wait: $wait) {
  __typename ... on DirectoryLoaded { written { kind created } } } }"""


def upload(url: str, token: str, name: str, body: bytes, wait: bool) -> dict[str, Any]:
    r = httpx.post(
        f"{url}/graphql",
        headers={"Authorization": f"Bearer {token}"},
        timeout=300,
        data={
            "operations": json.dumps({"query": UPLOAD, "variables": {"file": None, "wait": wait}}),
            "map": json.dumps({"0": ["variables.file"]}),
        },
        files={"0": (name, body, "application/octet-stream")},
    )
    assert r.status_code == 200, r.text
    return r.json()  # type: ignore[no-any-return]


def test_two_uploads_at_once_both_load_or_the_second_is_told_to_wait(
    lease_db: Settings, tmp_path: Path
) -> None:
    wipe(lease_db)
    zips = {p: _zip(package(tmp_path, p)) for p in ("u-", "v-", "w-", "x-", "y-")}
    with Server(lease_db) as api:
        loader = make_token(lease_db, "LOADER", "upload staff")

        def both(first: str, second: str, wait: bool) -> dict[str, dict[str, Any]]:
            with ThreadPoolExecutor(2) as pool:
                futures = {
                    p: pool.submit(upload, api.url, loader, f"{p}dir.zip", zips[p], wait)
                    for p in (first, second)
                }
                return {p: f.result() for p, f in futures.items()}

        waited = both("u-", "v-", wait=True)
        for p, body in waited.items():
            assert body["data"]["loadDirectory"]["__typename"] == "DirectoryLoaded", body
            assert present(lease_db, p) == (ORGS, SERVICES)
        told = both("w-", "x-", wait=False)
        loaded = [p for p, body in told.items() if "errors" not in body]
        assert loaded, told
        for p, body in told.items():
            if p in loaded:
                assert present(lease_db, p) == (ORGS, SERVICES)
            else:
                assert body["errors"][0]["extensions"]["code"] == "LOAD_RUNNING", body
                assert present(lease_db, p) == (0, 0)
        assert totals(lease_db) == ((2 + len(loaded)) * ORGS, (2 + len(loaded)) * SERVICES)

        async def held(db: Database) -> dict[str, Any]:  # another load holds the lease
            async with LoadJournal(db, "held.zip", DIRECTORY) as load:
                body = await asyncio.to_thread(upload, api.url, loader, "y-dir.zip", zips["y-"], False)
                await load.finish(lambda tx: asyncio.sleep(0), lambda: {})
            return body

        refused = with_db(lease_db, held)
    error = refused["errors"][0]
    assert error["extensions"]["code"] == "LOAD_RUNNING"
    assert error["message"].startswith("another directory load is running since ")
    assert present(lease_db, "y-") == (0, 0)
    states = journals(lease_db)
    assert sorted(s for s, st in states.items() if st == "DONE") == sorted(
        ["held.zip", "u-dir.zip", "v-dir.zip", *[f"{p}dir.zip" for p in loaded]]
    )
    assert set(states.values()) == {"DONE"}
    events = audited(lease_db, "directory.load")
    assert events["u-dir.zip"]["actor"].startswith("upload staff (")
    assert events["u-dir.zip"]["role"] == "LOADER"
    assert "y-dir.zip" not in events


# Case loads


def people(tmp: Path, prefix: str, n: int, phones: int) -> Path:
    return write(
        tmp / f"{prefix}cases.ijson",
        [
            entity(f"{prefix}p-{i}", "Person", name=f"Person {prefix}{i}", phone=f"+7 70{phones} 9{i:06}")
            for i in range(n)
        ],
    )


def stored(settings: Settings, prefix: str, n: int) -> int:
    async def go(db: Database) -> int:
        rows = await db.read_plain("ftm_stored_nodes", ids=[f"{prefix}p-{i}" for i in range(n)])
        return len(rows[0]["found"])

    return with_db(settings, go)  # type: ignore[no-any-return]


def test_two_case_loads_at_once_both_end_whole(lease_db: Settings, tmp_path: Path) -> None:
    wipe(lease_db)
    a, b = people(tmp_path, "ca-", 1500, 1), people(tmp_path, "cb-", 1500, 2)

    async def both(db: Database) -> list[Any]:
        running = asyncio.Event()

        def first(kind: str, n: int) -> None:
            if kind == "nodes":
                running.set()

        async def second() -> Any:
            await running.wait()
            return await load_cases(db, b)

        return await asyncio.gather(load_cases(db, a, progress=first), second())

    reports = with_db(lease_db, both)
    for report in reports:
        assert report.written["nodes"]["created"] == 1500
        assert report.written["identifiers"]["created"] == 1500
    assert stored(lease_db, "ca-", 1500) == stored(lease_db, "cb-", 1500) == 1500
    states = journals(lease_db)
    assert states["ca-cases.ijson"] == states["cb-cases.ijson"] == "DONE"
    events = audited(lease_db, "cases.load")
    assert json.loads(events["ca-cases.ijson"]["detail"])["nodes"]["created"] == 1500
    assert "cb-cases.ijson" in events


def test_a_second_case_load_is_refused_while_one_runs(lease_db: Settings, tmp_path: Path) -> None:
    wipe(lease_db)
    a, b = people(tmp_path, "cc-", 1500, 3), people(tmp_path, "cd-", 1500, 4)
    second: list[Any] = []

    def first(kind: str, n: int) -> None:
        if kind == "nodes" and not second:
            second.append(in_thread(lambda: with_db(lease_db, lambda db: load_cases(db, b, wait=False))))

    report = with_db(lease_db, lambda db: load_cases(db, a, progress=first))
    assert report.written["nodes"]["created"] == 1500
    assert code_of(second[0]) == "LOAD_RUNNING", second[0]
    assert second[0].message.startswith("another cases load is running since ")
    assert stored(lease_db, "cc-", 1500) == 1500 and stored(lease_db, "cd-", 1500) == 0
    states = journals(lease_db)
    assert states["cc-cases.ijson"] == "DONE" and "cd-cases.ijson" not in states
    events = audited(lease_db, "cases.load")
    assert "cc-cases.ijson" in events and "cd-cases.ijson" not in events


def test_the_command_line_waits_saying_so_or_is_refused(lease_db: Settings, tmp_path: Path) -> None:
    wipe(lease_db)
    small = package(tmp_path, "m-", orgs=20, services=50)
    env = {**os.environ, "NEO4J_URI": lease_db.neo4j_uri, "NEO4J_PASSWORD": lease_db.neo4j_password}
    command = [sys.executable, "-m", "cli", "load", "directory", str(small), "--json"]

    async def held(db: Database) -> tuple[subprocess.CompletedProcess[str], str, Any]:
        await db.in_write_tx(ensure_reference_data)
        async with LoadJournal(db, "held.zip", DIRECTORY) as load:
            refused = await asyncio.to_thread(
                subprocess.run, [*command, "--no-wait"], cwd=ROOT, env=env, capture_output=True, text=True
            )
            waiting = subprocess.Popen(
                command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
            )
            assert waiting.stderr is not None
            said = await asyncio.to_thread(waiting.stderr.readline)  # it waits, and says so
            await load.finish(lambda tx: asyncio.sleep(0), lambda: {})
        out, _ = await asyncio.to_thread(waiting.communicate, timeout=300)
        assert waiting.returncode == 0
        return refused, said, json.loads(out)

    refused, said, report = with_db(lease_db, held)
    assert refused.returncode == 1
    assert refused.stderr.startswith("LOAD_RUNNING: another directory load is running since "), refused.stderr
    assert (
        said.startswith("waiting: another directory load is running since ") and "(source held.zip)" in said
    )
    assert report["written"]["services"]["created"] == 50
    assert journals(lease_db) == {"held.zip": "DONE", "m-dir": "DONE"}
