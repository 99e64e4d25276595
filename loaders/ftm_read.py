"""FollowTheMoney entities as JSON lines (as Aleph and OpenSanctions write them), read and checked
in one streaming pass before anything is written.

Each line must be a JSON object with a string `id`, a `schema` the followthemoney model knows and
`properties` mapping property names of that schema to lists of strings, each valid for the
property's FtM type (dates, countries, numbers, entity ids...). Phones, emails and identifiers
are checked later, by graph.identifiers, because their normalization is ours (+7 by default).
Entities of a schema the case graph does not hold (Document, Sanction...) are skipped with one
warning per schema. Lines with the same id are fragments of one entity and are merged, as FtM
does; the same id under two unrelated schemata is an error."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import orjson
from followthemoney import model as ftm_model
from followthemoney.schema import Schema
from followthemoney.types.common import PropertyType

from graph.exceptions import InvalidData, Problem
from loaders.gc_pause import without_gc

# The schemata the case graph holds; their descendants (Passport is an Identification) too.
SUPPORTED = ("Person", "Company", "Organization", "Address", "BankAccount", "Vehicle",
             "Identification", "UserAccount", "CourtCase", "CourtCaseParty", "Associate", "Family",
             "Employment", "Membership", "Payment", "UnknownLink", "Ownership")
# Types whose values graph.identifiers normalizes itself (with a clear error of its own).
_OWN_CHECK = frozenset({"phone", "email", "identifier", "address", "name", "string", "text"})
_EVERY = 10_000
_REMEMBER = 100_000  # values whose check is remembered (_Reader.valid)


@dataclass
class Entity:
    """One FtM entity (fragments merged): where it was first seen, its schema, its properties."""

    id: str
    schema: str
    line: int
    properties: dict[str, list[str]]

    def first(self, prop: str) -> str | None:
        values = self.properties.get(prop)
        return values[0] if values else None

    def get(self, prop: str) -> list[str]:
        return self.properties.get(prop, [])

    @classmethod
    def from_json(cls, text: str) -> Entity:
        """An entity as to_json wrote it (kept on its node), checked when it was first loaded."""
        data = orjson.loads(text)
        return cls(data["id"], data["schema"], 0, data["properties"])

    def to_json(self) -> str:
        # the same text as json.dumps(ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        return orjson.dumps({"id": self.id, "schema": self.schema, "properties": self.properties},
                            option=orjson.OPT_SORT_KEYS).decode()


@dataclass
class FtmInput:
    """A checked file: its entities by id (in file order), warnings, and counts by schema."""

    path: Path
    entities: dict[str, Entity] = field(default_factory=dict)
    warnings: list[Problem] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=dict)
    skipped: dict[str, int] = field(default_factory=dict)
    skipped_ids: set[str] = field(default_factory=set)
    problems: list[Problem] = field(default_factory=list)
    lines: int = 0


@cache
def supported(schema: Schema) -> str | None:
    """The supported schema `schema` is or descends from, else None."""
    for name in SUPPORTED:
        if schema.is_a(name):
            return name
    return None


class _Reader:
    def __init__(self, path: Path, max_problems: int) -> None:
        self.out = FtmInput(path)
        self.file = path.name
        self.errors: list[Problem] = []
        self.count = 0
        self.max = max_problems
        self.skipped_first: dict[str, int] = {}
        self.checked: dict[tuple[str, str], bool] = {}

    def error(self, line: int | None, fld: str | None, reason: str) -> None:
        self.count += 1
        if len(self.errors) < self.max:
            self.errors.append(Problem(self.file, line, fld, reason))

    def entity(self, line: int, text: str) -> None:
        try:
            data = orjson.loads(text)  # also refuses unpaired surrogates, which UTF-8 cannot hold
        except orjson.JSONDecodeError as e:
            self.error(line, None, f"not JSON: {e.msg} at column {e.colno}")
            return
        if not isinstance(data, dict):
            self.error(line, None, "a line must hold one JSON object (an FtM entity)")
            return
        eid, sname, props = data.get("id"), data.get("schema"), data.get("properties", {})
        if not isinstance(eid, str) or not eid.strip() or len(eid) > 200:
            self.error(line, "id", "an entity needs an id (a string of at most 200 characters)")
            return
        if not isinstance(sname, str):
            self.error(line, "schema", "an entity needs a schema name")
            return
        schema = ftm_model.get(sname)
        if schema is None:
            self.error(line, "schema", f"{sname!r} is not a FollowTheMoney schema")
            return
        if supported(schema) is None:
            self.out.skipped[sname] = self.out.skipped.get(sname, 0) + 1
            self.skipped_first.setdefault(sname, line)
            self.out.skipped_ids.add(eid)
            return
        if not isinstance(props, dict):
            self.error(line, "properties", "must be an object of property name -> list of values")
            return
        clean = self.properties(line, schema, props)
        if clean is None:
            return
        self.add(Entity(eid, schema.name, line, clean))

    def properties(self, line: int, schema: Schema, props: dict[str, Any]) -> dict[str, list[str]] | None:
        clean: dict[str, list[str]] = {}
        ok = True
        for name, values in props.items():
            prop = schema.properties.get(name)
            if prop is None:
                self.error(line, name, f"{schema.name} has no property {name!r}")
                ok = False
                continue
            if prop.stub:
                other = prop.reverse.qname if prop.reverse else "a link"
                self.error(line, name, f"{name!r} is the reverse side of {other}; state the link "
                                       "on the other entity")
                ok = False
                continue
            if isinstance(values, str):
                values = [values]
            if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
                self.error(line, name, "values must be a list of strings")
                ok = False
                continue
            kept = [v.strip() for v in values if v.strip()]
            if prop.type.name not in _OWN_CHECK:
                bad = next((v for v in kept if not self.valid(prop.type, v)), None)
                if bad is not None:
                    self.error(line, name, f"{bad!r} is not a valid {prop.type.name}")
                    ok = False
                    continue
            if kept:
                clean[name] = list(dict.fromkeys(kept))
        return clean if ok else None

    def valid(self, ftype: PropertyType, value: str) -> bool:
        """FtM's check of a value, remembered for the types whose values repeat (dates,
        countries, amounts...): entity ids are each checked once anyway."""
        if ftype.name == "entity":
            return bool(ftype.validate(value))
        key = (ftype.name, value)
        ok = self.checked.get(key)
        if ok is None:
            if len(self.checked) >= _REMEMBER:
                self.checked.clear()
            ok = self.checked[key] = bool(ftype.validate(value))
        return ok

    def add(self, e: Entity) -> None:
        seen = self.out.entities.get(e.id)
        if seen is None:
            self.out.entities[e.id] = e
            self.out.rows[e.schema] = self.out.rows.get(e.schema, 0) + 1
            return
        a, b = ftm_model.get(seen.schema), ftm_model.get(e.schema)
        common = None
        if a is not None and b is not None:
            common = a if a.is_a(b) else b if b.is_a(a) else None
        if common is None:
            self.error(e.line, "schema", f"id {e.id} is a {seen.schema} on line {seen.line} and a "
                                         f"{e.schema} here")
            return
        seen.schema = common.name
        for name, values in e.properties.items():
            merged = seen.properties.setdefault(name, [])
            merged.extend(v for v in values if v not in merged)


def _lines(path: Path) -> Iterator[tuple[int, str]]:
    with path.open("r", encoding="utf-8") as f:
        for n, text in enumerate(f, start=1):
            if text.strip():
                yield n, text


@without_gc
def read_entities(path: Path, *, max_problems: int = 1000,
                  progress: Callable[[int], None] | None = None, strict: bool = True) -> FtmInput:
    """Read and check the whole file; raise InvalidData with every problem found (`strict`), or
    return them in `problems` with the entities that were sound."""
    reader = _Reader(path, max_problems)
    try:
        for n, text in _lines(path):
            reader.out.lines += 1
            reader.entity(n, text)
            if progress is not None and reader.out.lines % _EVERY == 0:
                progress(_EVERY)
    except UnicodeDecodeError as e:
        reader.error(None, None, f"not UTF-8 text ({e.reason} at byte {e.start})")
    if progress is not None:
        progress(reader.out.lines % _EVERY)
    if reader.out.lines == 0 and not reader.errors:
        reader.error(None, None, "the file holds no entities")
    if reader.count:
        problems = list(reader.errors)
        if reader.count > len(problems):
            problems.append(Problem(path.name, None, None, f"{reader.count - len(problems)} more "
                                    f"problem(s) not listed (limit {max_problems})"))
        if strict:
            raise InvalidData(problems)
        reader.out.problems = problems
    for sname, n in reader.out.skipped.items():
        reader.out.warnings.append(Problem(
            path.name, reader.skipped_first[sname], "schema",
            f"{n} {sname} entit{'y' if n == 1 else 'ies'} skipped: the case graph does not hold "
            f"{sname}"))
    return reader.out
