"""HSDS input (Open Referral Human Services Data Specification 3.0, plus the 3.1 tables unit and
service_capacity): `open_source` opens it, `validate` checks all of it in one streaming pass before
anything is written, `HsdsSource.records` then reads it table by table in TABLES order.

validate() reports, as errors: unreadable files (not UTF-8, empty, not CSV), header faults
(missing required column, duplicate column name), rows with more cells than the header, schema
violations (jsonschema_rs against the HSDS schema: type, enum, required, minimum), duplicate ids,
minimum_age > maximum_age, available > maximum, control characters in a name. Coordinates outside
[-90, 90] / [-180, 180] are warnings, not errors: the official HSDS examples carry latitude 100,
longitude 101. Hard references that do not resolve in the input go to Catalog.unresolved for the
caller to look up in the database; soft ones that dangle are warnings. A name that looks like an
injection attempt (quotes, braces, Cypher keywords) is data and is kept verbatim.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Protocol, TypeGuard

from graph.exceptions import InvalidData, Problem
from loaders.hsds_schema import (
    HARD_REFS,
    ORDER,
    POLYMORPHIC,
    SOFT_REFS,
    TABLES,
    Record,
    explain,
    row_validator,
    show,
)
from loaders.hsds_source import HsdsSource, open_source, read_csv

__all__ = ["TABLES", "Catalog", "FirstPass", "HsdsSource", "Record", "open_source", "validate"]

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_NO_SKIP: frozenset[str] = frozenset()
_EVERY = 10_000


@dataclass
class Catalog:
    """What a valid input holds, for the writer."""

    ids: dict[str, set[str]]
    unresolved: list[tuple[Problem, str, str]]
    warnings: list[Problem]
    rows: dict[str, int]


def _number(value: Any) -> TypeGuard[int | float]:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _rules(table: str, data: dict[str, Any]) -> Iterator[tuple[str, str, bool]]:
    """The project's own rules: (field, reason, is_error)."""
    for name in ("name", "alternate_name"):
        value = data.get(name)
        if isinstance(value, str) and (m := _CONTROL.search(value)):
            yield name, f"contains control character U+{ord(m.group()):04X}", True
    if table == "location":
        for name, limit in (("latitude", 90), ("longitude", 180)):
            value = data.get(name)
            if _number(value) and not -limit <= value <= limit:
                yield name, (f"{value} is outside [-{limit}, {limit}]; the location gets no "
                             "map point"), False
    elif table == "service":
        low, high = data.get("minimum_age"), data.get("maximum_age")
        if _number(low) and _number(high) and low > high:
            yield "maximum_age", f"{high} is below minimum_age {low}", True
    elif table == "service_capacity":
        available, maximum = data.get("available"), data.get("maximum")
        if _number(available) and _number(maximum) and available > maximum:
            yield "available", f"{available} is more than maximum {maximum}", True


class FirstPass(Protocol):
    """What a load does with each valid row as validate() reads it (loaders/hsds_sides.py)."""

    ids: dict[str, set[str]]  # becomes the Catalog's: each table's ids, filled as it is read

    def visitor(self, table: str) -> Callable[[Record], None] | None: ...


class _Pass:
    def __init__(self, source: HsdsSource, max_problems: int,
                 progress: Callable[[int], None] | None, first: FirstPass | None) -> None:
        self.source = source
        self.first = first
        self.catalog = Catalog({} if first is None else first.ids, [], list(source.notes), {})
        self.errors: list[Problem] = []
        self.count = 0
        self.max = max_problems
        self.progress = progress
        self.total = 0
        self.pending: list[tuple[str, str, str, str, bool, str, int | None, str]] = []
        self.grouped: dict[tuple[str, str, str], tuple[Problem, int]] = {}

    def error(self, problem: Problem) -> None:
        self.count += 1
        if len(self.errors) < self.max:
            self.errors.append(problem)

    def warn(self, problem: Problem) -> None:
        self.catalog.warnings.append(problem)

    def group(self, key: tuple[str, str, str], problem: Problem) -> None:
        first, n = self.grouped.get(key, (problem, 0))
        self.grouped[key] = (first, n + 1)

    def table(self, table: str) -> None:
        validator = row_validator(table)
        # (field, target table, hard, the target's ids when that table is already read)
        refs = [(f, t, hard, self.catalog.ids.get(t) if t != "*" and ORDER[t] < ORDER[table]
                 else None)
                for hard, pairs in ((True, HARD_REFS), (False, SOFT_REFS))
                for f, t in pairs.get(table, ())]
        seen: dict[str, int | str] = {}
        rows = 0
        visit = self.first.visitor(table) if self.first is not None else None
        for file, line, where, data, skip in self._rows(table):
            rows += 1
            here = line if line is not None else where
            if not validator.is_valid(data):
                for e in validator.iter_errors(data):
                    path, reason = explain(e)
                    name = str(path[0]) if path else ""
                    if name not in skip:
                        self.error(Problem(file, line, _at(where, name), reason))
            rid = data.get("id")
            if isinstance(rid, str):
                first = seen.get(rid)
                if first is None:
                    seen[rid] = here
                else:
                    at = f"line {first}" if isinstance(first, int) else first
                    self.error(Problem(file, line, _at(where, "id"),
                                       f"duplicate id {rid} (first at {at})"))
            for name, reason, is_error in _rules(table, data):
                problem = Problem(file, line, _at(where, name), reason)
                if is_error:
                    self.error(problem)
                else:
                    self.group((file, name, "rule"), problem)
            for name, target, hard, known in refs:
                value = data.get(name)
                if isinstance(value, str) and (known is None or value not in known):
                    self.reference(table, name, target, value, hard, data, file, line, where)
            if visit is not None and not self.count:  # after an error, of no use
                visit(Record(table, file, line, where, data))
        self.catalog.ids[table] = set(seen)
        self.catalog.rows[table] = rows

    def _rows(self, table: str) -> Iterator[tuple[str, int | None, str, dict[str, Any],
                                                  frozenset[str] | set[str]]]:
        if self.source.kind == "json":
            records: list[Record] = self.source.json_content().records.get(table, [])
            for rec in records:
                self.total += 1
                yield rec.file, None, rec.where, rec.data, _NO_SKIP
        else:
            member = self.source.members[table]
            for line, data, skip in read_csv(member, table, self.error, self.warn):
                self.total += 1
                if self.progress is not None and self.total % _EVERY == 0:
                    self.progress(self.total)
                yield member.name, line, "", data, skip

    def reference(self, table: str, name: str, target: str, value: str, hard: bool,
                  data: dict[str, Any], file: str, line: int | None, where: str) -> None:
        if target == "*":
            entity = data.get(POLYMORPHIC[table])
            target = entity if entity in ORDER else "*"
        item = (name, target, value, table, hard, file, line, where)
        if target != "*" and ORDER[target] < ORDER[table]:
            self.resolve(*item)
        else:
            self.pending.append(item)

    def resolve(self, name: str, target: str, value: str, table: str, hard: bool, file: str,
                line: int | None, where: str) -> None:
        ids = self.catalog.ids
        if value in ids.get(target, ()) or (target == "*" and any(value in s for s in
                                                                  ids.values())):
            return
        what = "record" if target == "*" else target
        if hard:
            problem = Problem(file, line, _at(where, name), f"refers to {target} {show(value)}, "
                              "which is neither in this input nor in the database")
            self.catalog.unresolved.append((problem, target, value))
        else:
            self.group((file, name, "ref"), Problem(file, line, _at(where, name),
                                                    f"no {what} {show(value)} in this input"))

    def finish(self) -> None:
        for item in self.pending:
            self.resolve(*item)
        for (_file, _name, kind), (first, n) in self.grouped.items():
            more = f" ({n - 1} more row{'s' if n > 2 else ''} like this)" if n > 1 else ""
            tail = "; the link is left out" if kind == "ref" else ""
            self.warn(Problem(first.file, first.line, first.field, first.reason + tail + more))
        if self.progress is not None:
            self.progress(self.total)


def _at(where: str, name: str) -> str | None:
    if not where:
        return name or None
    return f"{where}.{name}" if name else where


def validate(source: HsdsSource, *, max_problems: int = 1000,
             progress: Callable[[int], None] | None = None,
             first_pass: FirstPass | None = None) -> Catalog:
    """Check the whole input in one streaming pass. Raises InvalidData with every problem found
    (at most `max_problems` listed, then a count of the rest) when any is an error.

    `first_pass` sees every row of the input, in TABLES order, as long as no error was found
    (a load's first pass: the input is read once for both)."""
    run = _Pass(source, max_problems, progress, first_pass)
    if source.kind == "json":
        content = source.json_content()
        for problem in content.problems:
            run.error(problem)
        run.catalog.warnings.extend(content.warnings)
    for table in source.tables():
        run.table(table)
    run.finish()
    if run.count:
        problems = list(run.errors)
        if run.count > len(problems):
            problems.append(Problem(source.path.name, None, None,
                                    f"{run.count - len(problems)} more problem(s) not listed "
                                    f"(limit {max_problems})"))
        raise InvalidData(problems)
    return run.catalog
