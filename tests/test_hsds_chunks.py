"""Big loads commit their new rows in chunks (graph/directory_chunks.py) and keep HSDS rows in
packs (loaders/hsds_keep.py): against a real Neo4j, an interrupted load is undone, a load left
running by a dead process is undone by the next one, and rows kept one by one by a partial load
move into their owner's pack when the owner is loaded, without duplicates in an export."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from graph.config import Settings
from graph.db import Database, Tx
from graph.directory_write import write_part
from loaders.hsds_export import export_directory
from tests.conftest import own_database, with_db
from tests.hsds_gen import write_directory as write_hsds_directory
from tests.test_hsds_load import FIXTURES, fingerprint, load, seed, wipe


class Interrupted(Exception):
    pass


@pytest.fixture(scope="module")
def small_chunks(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    yield from own_database(tmp_path_factory, "neo4j-chunks", heap="1g", load_chunk_rows=500)


def _loads(settings: Settings) -> list[dict[str, str]]:
    async def go(db: Database) -> list[dict[str, str]]:
        return await db.write("unfinished_loads", kind="directory")
    return with_db(settings, go)  # type: ignore[no-any-return]


def _count(settings: Settings, label: str) -> int:
    async def go(db: Database) -> int:
        rows = await db.read("export_packs") if label == "packs" else \
            await db.read("export_records", table=label)
        return len(rows)
    return with_db(settings, go)  # type: ignore[no-any-return]


def test_an_interrupted_load_is_undone(small_chunks: Settings, tmp_path: Path) -> None:
    wipe(small_chunks)
    seed(small_chunks)
    before = fingerprint(small_chunks)
    folder = tmp_path / "generated"
    write_hsds_directory(folder, organizations=300, services=1500)
    committed: dict[str, int] = {}

    def progress(kind: str, n: int) -> None:
        committed[kind] = committed.get(kind, 0) + n
        if kind == "services" and committed[kind] >= 1000:  # two chunks are in the database
            raise Interrupted

    with pytest.raises(Interrupted):
        load(small_chunks, folder, progress=progress)
    assert committed["organizations"] == 300 and committed["services"] == 1000
    assert fingerprint(small_chunks) == before
    assert _loads(small_chunks) == []
    report = load(small_chunks, folder)  # and the same input then loads whole
    assert report.written["services"]["created"] == 1500


def test_a_load_left_running_is_undone_by_the_next(small_chunks: Settings) -> None:
    wipe(small_chunks)
    seed(small_chunks)
    before = fingerprint(small_chunks)

    async def dead_load(db: Database) -> None:  # what a killed process leaves behind
        await db.write("start_load", id="dead", source="killed.zip", kind="directory")

        async def work(tx: Tx) -> None:
            rows = [{"id": f"ghost-{i}", "props": {"name": f"Ghost {i}"}, "region": "almaty",
                     "responsibilities": None, "kept": 0} for i in range(3)]
            await write_part(tx, "organizations", rows, {"created": 0, "updated": 0,
                                                          "unchanged": 0}, only="new", load="dead")
        await db.in_write_tx(work)

    with_db(small_chunks, dead_load)
    assert [r["id"] for r in _loads(small_chunks)] == ["dead"]
    assert fingerprint(small_chunks) != before
    report = load(small_chunks, FIXTURES / "valid" / "kz-small")
    assert report.written["services"]["created"] == 5
    assert _loads(small_chunks) == []

    async def ghosts(db: Database) -> int:
        return len(await db.read("existing_organizations", ids=["ghost-0", "ghost-1", "ghost-2"]))
    assert with_db(small_chunks, ghosts) == 0


def test_rows_kept_one_by_one_move_into_the_pack_of_their_owner(small_chunks: Settings,
                                                                tmp_path: Path) -> None:
    wipe(small_chunks)
    seed(small_chunks)
    full = FIXTURES / "valid" / "kz-small"
    load(small_chunks, full)
    alone = _count(small_chunks, "phone")  # the merged organization's phone is one of them
    # A later file with only a phone of a known organization: kept as a record of its own.
    partial = tmp_path / "partial"
    partial.mkdir()
    (partial / "phones.csv").write_text("id,organization_id,number\n"
                                        "ph-rodnik-new,kz-rodnik,+7 700 000 0009\n")
    again = load(small_chunks, partial)
    assert again.written["records"]["created"] == 1
    assert _count(small_chunks, "phone") == alone + 1
    # The full file, now with that phone too: it joins Rodnik's pack, the record goes.
    changed = tmp_path / "full"
    shutil.copytree(full, changed)
    with (changed / "phones.csv").open("a") as f:
        f.write("ph-rodnik-new,kz-rodnik,,,+7 700 000 0009,voice,\n")
    third = load(small_chunks, changed)
    assert third.written["organizations"]["updated"] == 1
    assert third.written["records"]["created"] == 1  # the phone, new in Rodnik's pack
    assert _count(small_chunks, "phone") == alone
    out = tmp_path / "export.json"
    with_db(small_chunks, lambda db: export_directory(db, out, "json"))
    phones = [p["id"] for p in json.loads(out.read_text())["phones.csv"]]
    assert sorted(phones) == sorted(set(phones)) and "ph-rodnik-new" in phones
