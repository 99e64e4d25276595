"""bench.load_rows.grown: the row-at-a-time baseline writes an organization or service once per
HSDS row it carries, its pack growing by one row each time. Pure: no database."""

from __future__ import annotations

import orjson
import pytest

from bench.load_rows import grown
from graph.hsds_packs import unpack

pytestmark = pytest.mark.unit

PACK = orjson.dumps({"service": [{"id": "svc-1", "name": "Shelter"}],
                     "service_area": [{"id": "sa-1", "service_id": "svc-1", "name": "Almaty"}],
                     "language": [{"id": "l-1", "service_id": "svc-1", "code": "ru"},
                                  {"id": "l-2", "service_id": "svc-1", "code": "kk"}]}).decode()


def test_a_service_is_written_once_per_hsds_row_its_pack_growing_by_one() -> None:
    row = {"id": "svc-1", "props": {"name": "Shelter", "hsds": PACK}, "kept": 4, "needs": ["SHELTER"]}
    versions = list(grown("services", row))
    assert [v["kept"] for v in versions] == [1, 2, 3, 4]
    assert [len(unpack(v["props"]["hsds"])) for v in versions] == [1, 2, 3, 4]
    assert unpack(versions[-1]["props"]["hsds"]) == unpack(PACK)
    assert set(unpack(versions[0]["props"]["hsds"])) == {("service", "svc-1")}
    assert all(v["needs"] == ["SHELTER"] and v["props"]["name"] == "Shelter" for v in versions)
    assert row["props"]["hsds"] == PACK  # the mapped row itself is left as it was


def test_rows_without_a_pack_are_one_write() -> None:
    record = {"key": "location:loc-1", "props": {"table": "location", "data": "{}"}}
    assert list(grown("records", record)) == [record]
    assert list(grown("services", {"id": "s", "props": {"hsds": None}})) == \
        [{"id": "s", "props": {"hsds": None}}]
