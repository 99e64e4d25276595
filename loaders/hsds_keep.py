"""Keeping every HSDS row, cheaply: nothing the model does not use is dropped, and an export
gives each row back as it was loaded.

A row that belongs to an organization or a service of the same input (its phones, schedules,
attributes, languages, service areas, capacity, addresses through its location, ...) is kept
in that node's `hsds` property, one JSON object of rows by table (a "pack"), written with the
node and hashed with it. Other rows (locations, which later inputs may reference by id;
taxonomy terms; rows of organizations or services loaded earlier; rows of an organization
merged into another) are kept one by one as HsdsRecord nodes. One node per row made rows the
bulk of an import's time; a pack costs one property.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Mapping
from collections.abc import Set as AbstractSet
from pathlib import Path
from typing import Any

import orjson

from loaders.hsds_schema import ORDER, POLYMORPHIC, TABLES

# Tables kept as HsdsRecord nodes: targets of references a later input may make by id
# (organizations and services are nodes of their own).
STANDALONE = frozenset({"location", "taxonomy", "taxonomy_term"})
_OWNERS = (("service_id", "service"), ("organization_id", "organization"))
_FLUSH = 10_000


def _statements(path: Path) -> dict[str, str]:
    """The named statements of hsds_keep.sql ("-- name: x" then the statement)."""
    found: dict[str, str] = {}
    for part in path.read_text(encoding="utf-8").split("-- name: ")[1:]:
        name, _, body = part.partition("\n")
        found[name.strip()] = "\n".join(ln for ln in body.splitlines()
                                         if ln.strip() and not ln.startswith("--"))
    missing = {"create_table", "insert", "index_owner", "owned", "all_keys"} - set(found)
    if missing:
        raise RuntimeError(f"{path}: no statement named {', '.join(sorted(missing))}")
    return found


_SQL = _statements(Path(__file__).with_suffix(".sql"))
_ID_FIELD = {"attribute": "link_id", "metadata": "resource_id"}


def row_text(data: dict[str, Any]) -> str:
    return orjson.dumps(data, default=str, option=orjson.OPT_SORT_KEYS).decode()


def record_row(table: str, data: dict[str, Any], owner_label: str | None,
               owner_id: str | None) -> dict[str, Any]:
    """A row for upsert_records / create_records."""
    return {"key": f"{table}:{data['id']}", "props": {
        "table": table, "record_id": str(data["id"]), "owner_label": owner_label,
        "owner_id": owner_id, "data": row_text(data)}}


class KeptRows:
    """Rows grouped by the organization or service of the input that owns them."""

    def __init__(self, ids: Mapping[str, AbstractSet[str]]) -> None:
        """`ids`: the ids of each table of the input, by table; read when a row is kept, so the
        validation pass may fill it as it goes (TABLES order: a table after those it refers to)."""
        self._ids = ids
        self.location_org: dict[str, str] = {}  # location id -> organization id
        # Rows waiting for their owner, in a private temporary SQLite file: memory does not
        # grow with the input; packs are read back sorted, so they do not depend on row order.
        self._store = sqlite3.connect("", check_same_thread=False)  # deleted when closed
        for pragma in ("PRAGMA journal_mode=OFF", "PRAGMA synchronous=OFF"):  # scratch data:
            self._store.execute(pragma)  # no rollback journal (a third of the insert time)
        self._store.execute(_SQL["create_table"])
        self._pending: list[tuple[str, str, int, str, bytes]] = []
        self.standalone_tables: set[str] = set()

    def owner(self, table: str, d: dict[str, Any]) -> tuple[str, str] | None:
        """("organization" | "service", incoming id) of the input owning the row, or None."""
        if table in STANDALONE or table in ("organization", "service"):
            return None
        for fld, kind in _OWNERS:
            if d.get(fld):
                return self._in_input(kind, str(d[fld]))
        if table in POLYMORPHIC:
            entity = str(d.get(POLYMORPHIC[table]) or "").lower()
            link = str(d.get(_ID_FIELD[table]) or "")
            if entity in ("organization", "service"):
                return self._in_input(entity, link)
            if entity == "location":
                return self._in_input("organization", self.location_org.get(link, ""))
            return None
        if d.get("location_id"):
            return self._in_input("organization", self.location_org.get(str(d["location_id"]), ""))
        return None

    def _in_input(self, kind: str, oid: str) -> tuple[str, str] | None:
        return (kind, oid) if oid in self._ids.get(kind, ()) else None

    def keep(self, table: str, d: dict[str, Any]) -> None:
        """During the first pass over every table but organization and service."""
        if table == "location" and d.get("organization_id"):
            self.location_org[str(d["id"])] = str(d["organization_id"])
        owner = self.owner(table, d)
        if owner is None:
            self.standalone_tables.add(table)
            return
        self._pending.append((owner[0], owner[1], ORDER[table], str(d["id"]),
                              orjson.dumps(d, default=str, option=orjson.OPT_SORT_KEYS)))
        if len(self._pending) >= _FLUSH:
            self._flush()

    def _flush(self) -> None:
        self._store.executemany(_SQL["insert"], self._pending)
        self._pending.clear()

    def seal(self) -> None:
        """After the first pass: the rows are stored and indexed by owner."""
        self._flush()
        self._store.execute(_SQL["index_owner"])

    def _owned(self, kind: str, oid: str) -> list[tuple[int, str, bytes]]:
        return self._store.execute(_SQL["owned"], (kind, oid)).fetchall()

    def pack(self, kind: str, own: dict[str, Any]) -> tuple[str, int]:
        """The JSON pack of an organization or service row with the rows it owns; row count."""
        by_table: dict[str, list[bytes]] = {kind: [row_text(own).encode()]}
        for tbl, _rid, body in self._owned(kind, str(own["id"])):
            by_table.setdefault(TABLES[tbl], []).append(body)
        body = b",".join(b'"' + t.encode() + b'":[' + b",".join(v) + b"]"
                         for t, v in by_table.items())
        return (b"{" + body + b"}").decode(), sum(len(v) for v in by_table.values())

    def orphaned(self, kind: str, oid: str) -> Iterator[tuple[str, dict[str, Any]]]:
        """The rows packed for an owner that is not written after all (merged into another)."""
        for tbl, _rid, body in self._owned(kind, oid):
            yield TABLES[tbl], orjson.loads(body)

    def packed_keys(self, skip: set[str]) -> Iterator[str]:
        """"table:id" of every packed row and owner, but those of the `skip` organizations."""
        for kind, oid, tbl, rid in self._store.execute(_SQL["all_keys"]):
            if not (kind == "organization" and oid in skip):
                yield f"{TABLES[tbl]}:{rid}"
        for oid in self._ids.get("organization", set()) - skip:
            yield f"organization:{oid}"
        for sid in self._ids.get("service", ()):
            yield f"service:{sid}"

    def close(self) -> None:
        self._store.close()
