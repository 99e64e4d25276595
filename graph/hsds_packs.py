"""Packs: the HSDS rows an organization or service node keeps in its `hsds` property, one JSON
object of rows by table (written by loaders/hsds_keep.py)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import orjson


def unpack(pack: str | None) -> dict[tuple[str, str], dict[str, Any]]:
    """A pack's rows by (table, id)."""
    if not pack:
        return {}
    return {(t, str(r.get("id"))): r for t, rows in orjson.loads(pack).items() for r in rows}


def pack_rows(pack: str) -> Iterator[tuple[str, dict[str, Any]]]:
    for table, rows in orjson.loads(pack).items():
        for r in rows:
            yield table, r


def diff_packs(old: str | None, new: str) -> tuple[int, int, int]:
    """Rows of `new` that are (created, updated, unchanged) compared with `old`."""
    before = unpack(old)
    created = updated = same = 0
    for table, r in pack_rows(new):
        was = before.get((table, str(r.get("id"))))
        if was is None:
            created += 1
        elif was == r:
            same += 1
        else:
            updated += 1
    return created, updated, same
