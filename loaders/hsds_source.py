"""An HSDS input, opened: a folder of CSV tables (with or without datapackage.json), a .zip of one
(members may sit in one sub-folder), or one HSDS JSON document (see loaders.hsds_json).

Which file holds which table: datapackage.json's resources when it is usable (otherwise a warning),
then the schema's file name ("organizations.csv") or the table name ("organization.csv"). Other CSV
files are reported as warnings and ignored. A header without rows is a valid, empty table.

CSV is read lazily, row by row: bytes are split into physical lines and each line is decoded on its
own, so a non-UTF-8 byte is reported with its line number (a UTF-8 BOM is fine); empty cells are
left out, number/integer/boolean cells are converted, unknown columns are kept as text. The public
face is loaders.hsds_read.
"""

from __future__ import annotations

import csv
import json
import posixpath
import zipfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Literal

from graph.exceptions import InvalidData, Problem, UploadTooLarge
from loaders.hsds_json import JSON_LIMIT, JsonContent, read_json
from loaders.hsds_schema import (
    CONVERTERS,
    TABLES,
    Record,
    file_tables,
    raw_schema,
    required_columns,
    scalar_columns,
    show,
)

_WORDS = {"number": "a number", "integer": "a whole number", "boolean": "true or false"}
Report = Callable[[Problem], None]


@dataclass(frozen=True)
class Member:
    """One CSV file of a package: the name the user knows, its size, how to open it."""

    name: str
    size: int
    open: Callable[[], AbstractContextManager[IO[bytes]]]


class _Lines:
    """Physical lines of a byte stream as text; remembers the first line that is not UTF-8."""

    def __init__(self, stream: IO[bytes]) -> None:
        self.stream = stream
        self.bad_line = 0
        self.bad_count = 0
        self.bad_reason = ""

    def __iter__(self) -> Iterator[str]:
        for number, raw in enumerate(self.stream, 1):
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError as e:
                if not self.bad_count:
                    self.bad_line = number
                    self.bad_reason = _decode_reason(raw, e, number == 1)
                self.bad_count += 1
                text = raw.decode("utf-8", "replace")
            yield text.removeprefix("\ufeff") if number == 1 else text


def _decode_reason(raw: bytes, e: UnicodeDecodeError, first: bool) -> str:
    if first and raw[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return "not UTF-8 text: the file is UTF-16; save it as UTF-8"
    return (f"not UTF-8 text: byte 0x{raw[e.start]:02x} at column {e.start + 1} (Latin-1 or "
            "Windows-1251?); save the file as UTF-8")


@dataclass
class Header:
    names: list[str | None]
    missing: set[str]
    fatal: bool


def _header(row: list[str], member: Member, table: str, error: Report, warn: Report) -> Header:
    names: list[str | None] = []
    seen: dict[str, int] = {}
    fatal = False
    known = scalar_columns(table)
    for i, cell in enumerate(row, 1):
        name = cell.strip()
        if not name:
            warn(Problem(member.name, 1, None, f"column {i} has no name; its cells are ignored"))
            names.append(None)
            continue
        if name in seen:
            error(Problem(member.name, 1, name,
                          f"duplicate column name (columns {seen[name]} and {i})"))
            fatal = True
        seen.setdefault(name, i)
        if name not in known:
            warn(Problem(member.name, 1, name, f"not an HSDS column of {table}; kept as text"))
        names.append(name)
    missing = {c for c in required_columns(table) if c not in seen}
    for col in required_columns(table):
        if col in missing:
            error(Problem(member.name, 1, col, "required column missing"))
    return Header(names, missing, fatal)


def _csv_reason(e: csv.Error) -> str:
    if "new-line character seen" in str(e):
        return ("not readable as CSV: lines end in a bare carriage return (old Mac format); "
                "save the file with ordinary line endings")
    return f"not readable as CSV: {e}"


def read_csv(member: Member, table: str, error: Report, warn: Report,
             ) -> Iterator[tuple[int, dict[str, Any], set[str]]]:
    """Rows of one CSV table as (line, typed data, fields left out of the schema check because
    already reported: bad cells and missing required columns). Problems go to `error`/`warn`."""
    if member.size == 0:
        error(Problem(member.name, None, None, "empty file (0 bytes): expected a header row"))
        return
    typed = {k: CONVERTERS[v] for k, v in scalar_columns(table).items() if v in CONVERTERS}
    try:
        with member.open() as stream:
            lines = _Lines(stream)
            reader = csv.reader(lines, strict=True)
            try:
                yield from _rows(reader, lines, member, table, typed, error, warn)
            except csv.Error as e:
                error(Problem(member.name, max(reader.line_num, 1), None, _csv_reason(e)))
            if lines.bad_count:
                more = f" ({lines.bad_count} lines affected)" if lines.bad_count > 1 else ""
                error(Problem(member.name, lines.bad_line, None, lines.bad_reason + more))
    except (OSError, RuntimeError, zipfile.BadZipFile, zlib.error) as e:
        error(Problem(member.name, None, None, f"cannot read: {e}"))


def _rows(reader: Any, lines: _Lines, member: Member, table: str,
          typed: dict[str, Callable[[str], Any]], error: Report, warn: Report,
          ) -> Iterator[tuple[int, dict[str, Any], set[str]]]:
    row = next(reader, None)
    if lines.bad_count:
        return  # the header is not UTF-8: nothing more worth saying about this file
    if not row or not any(c.strip() for c in row):
        error(Problem(member.name, 1 if row is not None else None, None,
                      "no header row: the file is empty or its first line is blank"))
        return
    header = _header(row, member, table, error, warn)
    if header.fatal:
        return
    names, width = header.names, len(header.names)
    conversions = [(n, typed[n], _WORDS[scalar_columns(table)[n]])
                   for n in names if n is not None and n in typed]
    unnamed = None in names
    end = reader.line_num
    try:
        for row in reader:
            line, end = end + 1, reader.line_num
            if len(row) > width:
                error(Problem(member.name, line, None,
                              f"{len(row)} cells, but the header has {width} columns"))
                continue
            data: dict[Any, Any] = {n: v for n, v in zip(names, row, strict=False) if v}
            if unnamed:
                data.pop(None, None)
            if not data:
                continue
            skip = header.missing
            for name, convert, words in conversions:
                value = data.get(name)
                if value is not None:
                    try:
                        data[name] = convert(value)
                    except ValueError:
                        error(Problem(member.name, line, name,
                                      f"must be {words}, got {show(value)}"))
                        skip = skip | {name}
            yield line, data, skip
    except csv.Error as e:
        error(Problem(member.name, end + 1, None, _csv_reason(e)))


class HsdsSource:
    """One input: a folder of CSV (with or without datapackage.json), a .zip of such a folder
    (members may sit in a sub-folder), or one JSON document. Build it with `open_source`."""

    def __init__(self, path: Path, kind: Literal["csv", "json"], members: dict[str, Member],
                 notes: list[Problem]) -> None:
        self.path = path
        self.kind = kind
        self.members = members
        self.notes = notes
        self._json: JsonContent | None = None

    def json_content(self) -> JsonContent:
        """The JSON document, parsed once, checked and flattened (JSON inputs are small)."""
        if self._json is None:
            if self.path.stat().st_size > JSON_LIMIT:
                self._json = JsonContent(problems=[Problem(
                    self.path.name, None, None, f"JSON document over {JSON_LIMIT >> 20} MB: "
                    "use the CSV tabular form for bulk data")])
            else:
                self._json = read_json(self.path.read_bytes(), self.path.name)
        return self._json

    def tables(self) -> list[str]:
        """Tables present, in TABLES (dependency) order."""
        have = self.members if self.kind == "csv" else self.json_content().records
        return [t for t in TABLES if t in have]

    def files(self) -> list[str]:
        if self.kind == "json":
            return [self.path.name]
        return [self.members[t].name for t in self.tables()]

    def records(self, table: str) -> Iterator[Record]:
        """The table's records. CSV rows are read lazily, again on each call; JSON records come
        from the document parsed once. Raises InvalidData on the first problem met: call
        `validate` first to get them all."""
        if self.kind == "json":
            content = self.json_content()
            if content.problems:
                raise InvalidData(content.problems)
            yield from content.records.get(table, [])
            return
        member = self.members.get(table)
        if member is None:
            return

        def fail(problem: Problem) -> None:
            raise InvalidData([problem])

        for line, data, _skip in read_csv(member, table, fail, lambda _p: None):
            yield Record(table, member.name, line, "", data)


def _invalid(name: str, reason: str) -> InvalidData:
    return InvalidData([Problem(name, None, None, reason)])


def _assign(files: dict[str, Member], descriptor: bytes | None, where: str,
            notes: list[Problem]) -> dict[str, Member]:
    """Which file holds which table: datapackage.json's resources first, then file names."""
    out: dict[str, Member] = {}
    by_lower = {k.lower(): k for k in files}
    if descriptor is not None:
        try:
            resources = json.loads(descriptor.decode("utf-8-sig"))["resources"]
            pairs = [(str(r["name"]), str(r["path"])) for r in resources]
        except (ValueError, KeyError, TypeError) as e:
            notes.append(Problem(where, None, None, f"not a usable data package descriptor "
                                 f"({type(e).__name__}: {e}); tables found by file name"))
            pairs = []
        for name, path in pairs:
            if name not in TABLES:
                notes.append(Problem(where, None, name, "not an HSDS table; ignored"))
            elif path.lower() in by_lower:
                out[name] = files[by_lower[path.lower()]]
    taken = {m.name for m in out.values()}
    names = file_tables()
    for key, member in sorted(files.items()):
        if member.name in taken:
            continue
        table = names.get(key.lower())
        if table is None:
            notes.append(Problem(member.name, None, None, "not an HSDS table file; ignored"))
        elif table in out:
            raise _invalid(member.name, f"a second file for table {table} "
                                        f"(the first is {out[table].name})")
        else:
            out[table] = member
    if not out:
        expected = ", ".join(str(raw_schema(t)["path"]) for t in TABLES[:4])
        raise _invalid(where.rsplit(":", 1)[0] if ":" in where else where,
                       f"no HSDS table among the CSV files (expected {expected}, ...)")
    return out


def _open_folder(path: Path) -> HsdsSource:
    entries = sorted(p for p in path.iterdir() if p.is_file() and not p.name.startswith("."))
    if not entries:
        raise _invalid(path.name, "empty folder: expected HSDS CSV tables")
    files = {p.name: Member(p.name, p.stat().st_size, _file_opener(p)) for p in entries
             if p.suffix.lower() == ".csv"}
    if not files:
        hint = "; for HSDS JSON give the .json file itself" \
            if any(p.suffix.lower() == ".json" for p in entries) else ""
        raise _invalid(path.name, f"no CSV table in this folder{hint}")
    descriptor = path / "datapackage.json"
    notes: list[Problem] = []
    text = descriptor.read_bytes() if descriptor.is_file() else None
    return HsdsSource(path, "csv", _assign(files, text, "datapackage.json", notes), notes)


def _file_opener(path: Path) -> Callable[[], AbstractContextManager[IO[bytes]]]:
    return lambda: path.open("rb")


def _zip_opener(path: Path, member: str) -> Callable[[], AbstractContextManager[IO[bytes]]]:
    @contextmanager
    def opened() -> Iterator[IO[bytes]]:
        with zipfile.ZipFile(path) as zf, zf.open(member) as stream:
            yield stream

    return opened


def _open_zip(path: Path, max_unpacked: int | None) -> HsdsSource:
    try:
        with zipfile.ZipFile(path) as zf:
            infos = [i for i in zf.infolist() if not i.is_dir() and not any(
                part.startswith(".") or part == "__MACOSX" for part in i.filename.split("/"))]
            csvs = [i for i in infos if i.filename.lower().endswith(".csv")]
            if not csvs:
                raise _invalid(path.name, "the zip holds no CSV file")
            folders = sorted({posixpath.dirname(i.filename) for i in csvs})
            if len(folders) > 1:
                raise _invalid(path.name, "CSV files in more than one folder of the zip: "
                                          + ", ".join(f or "(top)" for f in folders))
            base = folders[0]
            descriptor_name = posixpath.join(base, "datapackage.json")
            # what is read is cut at each member's declared size (zipfile), so their sum bounds it
            unpacked = sum(i.file_size for i in infos)
            if max_unpacked is not None and unpacked > max_unpacked:
                raise UploadTooLarge([Problem(
                    path.name, None, None, f"the zip unpacks to {unpacked} bytes, over the "
                    f"limit of {max_unpacked} (REFERRALNET_MAX_UNPACKED_BYTES)")])
            descriptor = zf.read(descriptor_name) if descriptor_name in zf.namelist() else None
    except (zipfile.BadZipFile, OSError, RuntimeError, zlib.error) as e:
        raise _invalid(path.name, f"not a readable zip file: {e}") from e
    files = {posixpath.basename(i.filename): Member(f"{path.name}:{i.filename}", i.file_size,
                                                    _zip_opener(path, i.filename)) for i in csvs}
    notes: list[Problem] = []
    where = f"{path.name}:{descriptor_name}"
    return HsdsSource(path, "csv", _assign(files, descriptor, where, notes), notes)


def open_source(path: Path, max_unpacked: int | None = None) -> HsdsSource:
    """Open an HSDS input; raises InvalidData when it is missing or not a usable input,
    UploadTooLarge when a zip unpacks to more than `max_unpacked` bytes."""
    path = Path(path)
    if not path.exists():
        raise _invalid(str(path), "does not exist")
    if path.is_dir():
        return _open_folder(path)
    suffix = path.suffix.lower()
    if suffix == ".zip":
        return _open_zip(path, max_unpacked)
    if path.name.lower() == "datapackage.json":
        return _open_folder(path.parent)
    if suffix == ".json":
        return HsdsSource(path, "json", {}, [])
    raise _invalid(path.name, "not an HSDS input: expected a folder of CSV tables, a .zip of one, "
                              "or a .json document")
