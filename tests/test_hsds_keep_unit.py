"""Packs of kept HSDS rows (loaders/hsds_keep.py, graph/hsds_packs.py): owners, canonical order,
row-by-row differences."""

from __future__ import annotations

import zlib

from graph.hsds_packs import diff_packs, encode, pack_rows, unpack
from loaders.hsds_keep import KeptRows


def _kept(rows: list[tuple[str, dict[str, object]]]) -> KeptRows:
    kept = KeptRows({"organization": {"org-1"}, "service": {"svc-1"}})
    for table, row in rows:
        kept.keep(table, row)
    kept.seal()
    return kept


ROWS = [
    ("location", {"id": "loc-1", "organization_id": "org-1"}),
    ("address", {"id": "adr-1", "location_id": "loc-1", "city": "Almaty"}),
    ("phone", {"id": "ph-2", "service_id": "svc-1", "number": "2"}),
    ("phone", {"id": "ph-1", "service_id": "svc-1", "number": "1"}),
    ("attribute", {"id": "at-1", "link_entity": "service", "link_id": "svc-1",
                   "taxonomy_term_id": "t"}),
    ("phone", {"id": "ph-9", "organization_id": "org-elsewhere", "number": "9"}),
]


def test_rows_go_to_the_pack_of_their_owner_in_the_input_or_stand_alone() -> None:
    kept = _kept(ROWS)
    assert kept.owner("phone", {"organization_id": "org-elsewhere"}) is None
    assert kept.owner("address", {"location_id": "loc-1"}) == ("organization", "org-1")
    assert kept.owner("location", {"organization_id": "org-1"}) is None  # referenced by id later
    assert kept.owner("attribute", {"link_entity": "service", "link_id": "svc-1"}) == \
        ("service", "svc-1")
    assert kept.standalone_tables == {"location", "phone"}
    pack, n = kept.pack("service", {"id": "svc-1", "name": "Shelter"})
    rows = unpack(pack)
    assert n == 4 and set(rows) == {("service", "svc-1"), ("phone", "ph-1"), ("phone", "ph-2"),
                                    ("attribute", "at-1")}
    org_pack, m = kept.pack("organization", {"id": "org-1", "name": "Org"})
    assert m == 2 and ("address", "adr-1") in unpack(org_pack)


def test_a_pack_does_not_depend_on_the_order_of_the_rows() -> None:
    forward = _kept(ROWS).pack("service", {"id": "svc-1"})
    backward = _kept(list(reversed(ROWS))).pack("service", {"id": "svc-1"})
    assert forward == backward


def test_packs_are_compared_row_by_row() -> None:
    kept = _kept(ROWS)
    old, _ = kept.pack("service", {"id": "svc-1", "name": "Shelter"})
    changed = _kept([*ROWS[:2], ("phone", {"id": "ph-2", "service_id": "svc-1", "number": "22"}),
                     *ROWS[3:], ("phone", {"id": "ph-3", "service_id": "svc-1", "number": "3"})])
    new, _ = changed.pack("service", {"id": "svc-1", "name": "Shelter"})
    assert diff_packs(old, new) == (1, 1, 3)  # ph-3 created, ph-2 updated, the rest the same
    assert diff_packs(None, new) == (5, 0, 0)
    assert diff_packs(new, new) == (0, 0, 5)


def test_packs_are_stored_compressed_and_read_back_like_the_text_of_earlier_loads() -> None:
    text, _ = _kept(ROWS).pack("service", {"id": "svc-1", "name": "Shelter"})
    stored = encode(text)
    assert isinstance(stored, bytes) and len(stored) < len(text.encode())
    assert unpack(stored) == unpack(text)
    assert list(pack_rows(stored)) == list(pack_rows(text))
    assert diff_packs(text, stored) == (0, 0, 4)  # a pack kept as text by an earlier load
    earlier = zlib.compress(text.encode(), 6, 10)  # as loads before zstd stored packs
    assert unpack(earlier) == unpack(stored) and diff_packs(earlier, stored) == (0, 0, 4)
