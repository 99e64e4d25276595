"""Packs: the HSDS rows an organization or service node keeps in its `hsds` property, one JSON
object of rows by table (written by loaders/hsds_keep.py).

A pack is hashed as JSON text and stored zlib-compressed, as bytes (`encode`): the JSON of a
service's rows is mostly repeated keys, and every byte stored costs Neo4j records to write at
commit (a service's pack shrinks to about half). Packs written by earlier loads are JSON text;
both are read back alike."""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from typing import Any

import orjson

Stored = str | bytes
_WBITS = 10


def encode(pack: str) -> bytes:
    """The stored form of a pack's JSON text. A 1 KiB window (wbits 10): a pack is a few
    hundred bytes to a few KiB, compresses as well with it, and zlib sets up a 32 KiB window
    five times slower than it compresses such a pack (zlib.decompress reads either)."""
    return zlib.compress(pack.encode(), 6, _WBITS)


def _json(stored: Stored) -> bytes | str:
    """A stored pack's JSON (compressed bytes, or the text itself from earlier loads)."""
    return zlib.decompress(stored) if isinstance(stored, bytes) else stored


def unpack(pack: Stored | None) -> dict[tuple[str, str], dict[str, Any]]:
    """A pack's rows by (table, id)."""
    if not pack:
        return {}
    return {(t, str(r.get("id"))): r for t, rows in orjson.loads(_json(pack)).items() for r in rows}


def pack_rows(pack: Stored) -> Iterator[tuple[str, dict[str, Any]]]:
    for table, rows in orjson.loads(_json(pack)).items():
        for r in rows:
            yield table, r


def diff_packs(old: Stored | None, new: Stored) -> tuple[int, int, int]:
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
