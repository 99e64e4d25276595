from __future__ import annotations

from typing import Annotated

import strawberry

from graph.exceptions import Problem as DomainProblem
from loaders.directory_load import LoadReport


@strawberry.type(description="One thing wrong (or worth knowing) about an input file")
class Problem:
    file: str
    line: int | None
    field: str | None
    reason: str

    @classmethod
    def of(cls, p: DomainProblem) -> Problem:
        return cls(file=p.file, line=p.line, field=p.field, reason=p.reason)


@strawberry.type
class TableRows:
    table: str
    rows: int


@strawberry.type
class WriteCounts:
    kind: str
    created: int
    updated: int
    unchanged: int


@strawberry.type(description="An incoming organization recognised as a known one")
class MergeInfo:
    incoming_id: str
    incoming_name: str
    into_id: str
    reason: str


@strawberry.type(description="The directory was loaded: what was read, written and merged")
class DirectoryLoaded:
    source: str
    format: str
    rows_read: list[TableRows]
    written: list[WriteCounts]
    merges: list[MergeInfo]
    warnings: list[Problem]
    seconds: float

    @classmethod
    def of(cls, r: LoadReport) -> DirectoryLoaded:
        return cls(
            source=r.source, format=r.format,
            rows_read=[TableRows(table=t, rows=n) for t, n in r.rows_read.items()],
            written=[WriteCounts(kind=k, **o) for k, o in r.written.items()],
            merges=[MergeInfo(incoming_id=m.incoming_id, incoming_name=m.incoming_name,
                              into_id=m.into_id, reason=m.reason) for m in r.merges],
            warnings=[Problem.of(w) for w in r.warnings[:500]], seconds=round(r.seconds, 3))


@strawberry.type(description="Nothing was written: the file has problems, all listed")
class DirectoryRejected:
    message: str
    problems: list[Problem]


LoadDirectoryResult = Annotated[DirectoryLoaded | DirectoryRejected,
                                strawberry.union("LoadDirectoryResult")]
