"""Packs: the HSDS rows an organization or service node keeps in its `hsds` property, one JSON
object of rows by table (written by loaders/hsds_keep.py).

A pack is hashed as JSON text and stored compressed, as bytes (`encode`): the JSON of a
service's rows is mostly repeated keys, and every byte stored costs Neo4j records to write at
commit (a service's pack of about 800 bytes shrinks to about 460). Zstandard, level 3: zlib
spent about 20 µs setting up and compressing each pack (2 s of a 100,000-service load's CPU);
zstd, with one context kept per thread, takes about 6 µs for 7% more bytes.
Packs written by earlier loads are zlib bytes or JSON text; all three are read back alike."""

from __future__ import annotations

import threading
import zlib
from collections.abc import Iterator
from typing import Any

import orjson
import zstandard

Stored = str | bytes
_ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"  # a zstd frame; a zlib stream cannot start so (header check)
_local = threading.local()  # a zstd context is not safe to share between threads


def _contexts() -> tuple[zstandard.ZstdCompressor, zstandard.ZstdDecompressor]:
    ctx: tuple[zstandard.ZstdCompressor, zstandard.ZstdDecompressor] | None = \
        getattr(_local, "ctx", None)
    if ctx is None:
        ctx = _local.ctx = (zstandard.ZstdCompressor(level=3), zstandard.ZstdDecompressor())
    return ctx


def encode(pack: str) -> bytes:
    """The stored form of a pack's JSON text."""
    return _contexts()[0].compress(pack.encode())


def _json(stored: Stored) -> bytes | str:
    """A stored pack's JSON (zstd or, from earlier loads, zlib bytes, or the text itself)."""
    if isinstance(stored, str):
        return stored
    if stored.startswith(_ZSTD_MAGIC):
        return _contexts()[1].decompress(stored)
    return zlib.decompress(stored)


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
