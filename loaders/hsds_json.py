"""HSDS JSON documents: recognise the shape, validate the nested form, flatten it into table records.

A JSON input is a small document (one full record, an API page, a list, or the tabular form
{"organizations.csv": [rows]}): it is parsed whole and kept in memory; documents over
`JSON_LIMIT` bytes are refused (use the CSV form for bulk data). JSON null counts as absent, like an
empty CSV cell. Nested objects become records of their own table with the implicit keys filled in
(a service inside an organization gets organization_id, ...); the same id met twice is merged when
the two agree, a problem when they differ.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from graph.exceptions import Problem
from loaders.hsds_schema import (
    CONVERTERS,
    NESTED,
    TABLES,
    Record,
    document_validator,
    explain,
    file_tables,
    path_text,
    raw_schema,
    scalar_columns,
    show,
)

JSON_LIMIT = 64 * 1024 * 1024
_BY_LENGTH = sorted(TABLES, key=len, reverse=True)  # "service_at_location" before "service"
_ORG_KEYS = {"services", "locations", "organization_identifiers", "programs", "website",
             "legal_status", "year_incorporated", "parent_organization_id", "tax_status", "tax_id"}
_KINDS = "an organization, service, service_at_location, location, taxonomy or taxonomy_term"


@dataclass
class JsonContent:
    records: dict[str, list[Record]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)


def _join(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key


def _no_nulls(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _no_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_no_nulls(v) for v in value]
    return value


def _as_cells(row: dict[str, Any], columns: dict[str, str]) -> dict[str, Any]:
    """A tabular-form row read like a CSV row: numbers in text columns become text (the official
    tabular example has "identifier": 1234567), text in number columns is converted."""
    out = dict(row)
    for key, value in row.items():
        kind = columns.get(key)
        if kind == "string" and isinstance(value, int | float) and not isinstance(value, bool):
            out[key] = str(value)
        elif kind in CONVERTERS and isinstance(value, str):
            try:
                out[key] = CONVERTERS[kind](value)
            except ValueError:
                pass  # left as text: the schema check reports it
    return out


def _hint(file: str) -> str | None:
    stem = file.rsplit(":", 1)[-1].rsplit("/", 1)[-1].lower()
    return next((t for t in _BY_LENGTH if stem.startswith(t)), None)


def _guess(item: dict[str, Any]) -> str | None:
    if isinstance(item.get("location"), dict) or isinstance(item.get("service"), dict):
        return "service_at_location"
    if "status" in item and "name" in item:
        return "service"
    if "location_type" in item:
        return "location"
    if {"code", "taxonomy_id", "taxonomy_detail"} & item.keys():
        return "taxonomy_term"
    if "name" in item and _ORG_KEYS & item.keys():
        return "organization"
    if "name" in item and "version" in item:
        return "taxonomy"
    return None


class _Reader:
    def __init__(self, file: str) -> None:
        self.file = file
        self.out = JsonContent()
        self.by_id: dict[tuple[str, str], Record] = {}
        self.warned: set[tuple[str, str]] = set()

    def problem(self, where: str | None, reason: str) -> None:
        self.out.problems.append(Problem(self.file, None, where or None, reason))

    def unknown(self, table: str, key: str, known: Any, where: str) -> None:
        if key not in known and (table, key) not in self.warned:
            self.warned.add((table, key))
            self.out.warnings.append(Problem(self.file, None, _join(where, key),
                                             f"not an HSDS field of {table}; kept as is"))

    def add(self, table: str, data: dict[str, Any], where: str) -> None:
        rid = data.get("id")
        first = self.by_id.get((table, rid)) if isinstance(rid, str) else None
        if first is None:
            rec = Record(table, self.file, None, where, data)
            self.out.records.setdefault(table, []).append(rec)
            if isinstance(rid, str):
                self.by_id[(table, rid)] = rec
            return
        for key, value in data.items():
            old = first.data.setdefault(key, value)
            if old != value:
                self.problem(_join(where, key),
                             f"{table} {rid} also appears at {first.where or 'the top'} with "
                             f"{key} {show(old)}, here {show(value)}")

    def flatten(self, table: str, obj: dict[str, Any], where: str,
                forced: dict[str, Any], defaults: dict[str, Any]) -> Any:
        nested = NESTED[table]
        props = raw_schema(table)["properties"]
        data: dict[str, Any] = {}
        for key, value in obj.items():
            if key not in nested:
                data[key] = value
                self.unknown(table, key, props, where)
        for key, value in forced.items():
            if data.setdefault(key, value) != value:
                self.problem(_join(where, key), f"is {show(data[key])}, but it is nested in "
                                                f"the record with id {show(value)}")
        for key, value in defaults.items():
            data.setdefault(key, value)
        for prop, (child, how, key) in nested.items():
            value = obj.get(prop)
            if how == "one" and isinstance(value, dict):
                inherit = {"organization_id": data["organization_id"]} \
                    if child == "program" and "organization_id" in data else {}
                cid = self.flatten(child, value, _join(where, prop), {}, inherit)
                if cid is not None and data.setdefault(key, cid) != cid:
                    self.problem(_join(where, key), f"is {show(data[key])}, but the nested "
                                                    f"{prop} has id {show(cid)}")
        rid = data.get("id")
        for prop, (child, how, key) in nested.items():
            items = obj.get(prop)
            if how != "many" or not isinstance(items, list) or rid is None:
                continue
            kind = {"link_entity": table} if child == "attribute" else \
                {"resource_type": table} if child == "metadata" else {}
            for i, item in enumerate(items):
                if isinstance(item, dict):
                    self.flatten(child, item, f"{_join(where, prop)}[{i}]", {key: rid}, kind)
        self.add(table, data, where)
        return rid

    def item(self, table: str | None, item: Any, where: str, hint: bool) -> None:
        if not isinstance(item, dict):
            self.problem(where, f"must be an object ({_KINDS}), got {show(item)}")
            return
        table = table if hint else _guess(item)
        if table is None:
            self.problem(where, f"cannot tell which HSDS record this is: expected {_KINDS} "
                                "(or name the file after its type, e.g. organization_list.json)")
            return
        validator = document_validator(table)
        if not validator.is_valid(item):
            prefix: list[str | int] = [] if not where else [where]
            for error in validator.iter_errors(item):
                path, reason = explain(error)
                self.problem(path_text([*prefix, *path]) or None, reason)
            return
        self.flatten(table, item, where, {}, {})

    def tabular(self, doc: dict[str, Any]) -> None:
        names = file_tables()
        for key, rows in doc.items():
            table = names.get(key.lower())
            if table is None:
                self.out.warnings.append(Problem(self.file, None, key,
                                                 "not an HSDS table; ignored"))
                continue
            if not isinstance(rows, list):
                self.problem(key, f"must be a list of rows, got {show(rows)}")
                continue
            columns = scalar_columns(table)
            for i, row in enumerate(rows):
                where = f"{key}[{i}]"
                if not isinstance(row, dict):
                    self.problem(where, f"must be an object, got {show(row)}")
                    continue
                for col in row:
                    self.unknown(table, col, columns, key)
                self.out.records.setdefault(table, []).append(
                    Record(table, self.file, None, where, _as_cells(row, columns)))

    def document(self, doc: Any) -> None:
        hint = _hint(self.file)
        if isinstance(doc, dict) and doc and all(k.lower().endswith(".csv") for k in doc):
            self.tabular(doc)
        elif isinstance(doc, dict) and isinstance(doc.get("contents"), list):
            for i, item in enumerate(doc["contents"]):
                self.item(hint, item, f"contents[{i}]", hint is not None)
        elif isinstance(doc, dict) and "openapi_url" in doc and "version" in doc:
            self.out.warnings.append(Problem(self.file, None, None,
                                             "HSDS API base metadata: no records to load"))
        elif isinstance(doc, dict):
            self.item(hint, doc, "", hint is not None)
        elif isinstance(doc, list):
            for i, item in enumerate(doc):
                self.item(hint, item, f"[{i}]", hint is not None)
        else:
            self.problem(None, f"not an HSDS document: expected {_KINDS}, a page "
                               '{"contents": [...]}, a list of those, or the tabular form '
                               '{"organizations.csv": [...]}')


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not allowed in JSON")


def read_json(raw: bytes, file: str) -> JsonContent:
    """Parse, check and flatten one JSON document (`raw`: the file's bytes)."""
    reader = _Reader(file)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = raw.count(b"\n", 0, e.start) + 1
        reader.out.problems.append(Problem(file, line, None, f"not UTF-8 text: byte "
                                           f"0x{raw[e.start]:02x} on line {line}; save as UTF-8"))
        return reader.out
    if not text.strip():
        reader.problem(None, "empty file: no JSON document")
        return reader.out
    try:
        doc = json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as e:
        reader.out.problems.append(Problem(file, e.lineno, None, f"not valid JSON: {e.msg} "
                                           f"(line {e.lineno}, column {e.colno})"))
        return reader.out
    except (ValueError, RecursionError) as e:
        reader.problem(None, f"not valid JSON: {e}")
        return reader.out
    reader.document(_no_nulls(doc))
    return reader.out
