"""Named Cypher statements loaded from the .cypher files in queries/.

A file holds one or more statements, each opened by a header::

    // name: find_organizations
    // mode: read
    // params: region, need, limit
    // Any further comment lines are the statement's docstring.
    <the statement, parameters written as $region, $need, $limit>

Every `$parameter` the body uses must be declared in `params`, and every declared parameter
must be used; labels and relationship types must exist in the domain model; a read statement
leaves out the nodes of loads under way: a node pattern naming a label a load may create
(graph/model/loads.yaml) says `&!Staged` or its variable is tested `NOT x:Staged` (nodes reached
through a relationship without a label are the statement's own care). Anything wrong raises
QueryDefinitionError naming the file and line, once, at start-up.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Literal

from graph.exceptions import QueryDefinitionError
from graph.model import Model, load_model

QUERIES_DIR = Path(__file__).resolve().parent.parent / "queries"

Mode = Literal["read", "write", "schema"]

_HEADER = re.compile(r"^//\s*(name|mode|params):\s*(.*?)\s*$")
_PARAM = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")
_LABEL = re.compile(r"(?<![\w.$])\(\s*\w*\s*:\s*([A-Z][A-Za-z0-9_]*)")
# a label tested in an expression (WHERE o:Suspect); a relationship type has no lower case
_TESTED_LABEL = re.compile(r"(?<![\w.$\[{])[a-z_]\w*:([A-Z][A-Za-z0-9]*[a-z][A-Za-z0-9]*)\b")
_RELTYPE = re.compile(r"\[\s*\w*\s*:\s*([A-Z_|:!]+)")
# a node pattern with a label expression: its variable and the expression
_NODE = re.compile(r"(?<![\w.$])\(\s*(\w*)\s*:\s*((?:\([\w&|!]+\)|[\w&|!])+)\s*[{)]")
_STAGED = "Staged"
# an index hint that lets the planner scan the whole index instead of seeking in it: planned on
# statistics taken while the index was nearly empty (before a load), a scan looks as cheap as a
# seek and is then run for every row (seen: 1.7 ms a row after one 50,000-line case load)
_SCAN_HINT = re.compile(r"\bUSING\s+(?:RANGE\s+|TEXT\s+|POINT\s+)?INDEX\s+(?!SEEK\b)", re.I)
_STRING = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"")
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True)
class Query:
    name: str
    text: str
    params: frozenset[str]
    mode: Mode
    file: str
    line: int
    doc: str


def _strip_strings(body: str) -> str:
    return _STRING.sub("''", body)


def _check(q: Query, model: Model, body_line: int, raw: list[str]) -> None:
    body = _strip_strings("\n".join(ln for ln in q.text.splitlines() if not ln.lstrip().startswith("//")))
    used = set(_PARAM.findall(body))
    if used - q.params:
        raise QueryDefinitionError(
            f"query {q.name!r} uses undeclared parameter(s): {', '.join(sorted(used - q.params))}",
            file=q.file, line=q.line)
    if q.params - used:
        raise QueryDefinitionError(
            f"query {q.name!r} declares unused parameter(s): {', '.join(sorted(q.params - used))}",
            file=q.file, line=q.line)
    if q.mode == "schema":
        return
    for lineno, text in enumerate(raw, start=body_line):
        if text.lstrip().startswith("//"):
            continue
        text = _strip_strings(text)
        if _SCAN_HINT.search(text):
            raise QueryDefinitionError("an index hint must say USING INDEX SEEK: a plain USING INDEX "
                                       "lets the planner scan the index", file=q.file, line=lineno)
        for label in _LABEL.findall(text) + _TESTED_LABEL.findall(text):
            if label not in model.labels:
                raise QueryDefinitionError(f"unknown label {label!r}", file=q.file, line=lineno)
        for group in _RELTYPE.findall(text):
            for rel in filter(None, re.split(r"[|:!]", group)):
                if rel not in model.relationships:
                    raise QueryDefinitionError(f"unknown relationship type {rel!r}",
                                               file=q.file, line=lineno)
    if q.mode == "read":
        _check_staged(q, model, body)


def _check_staged(q: Query, model: Model, body: str) -> None:
    """A read statement leaves Staged nodes out wherever it names a label a load may create."""
    marker = model.markers.get(_STAGED)
    if marker is None:
        return
    for var, expr in _NODE.findall(body):
        named = set(re.findall(r"(?<!!)\b[A-Z]\w*", expr))
        left = expr.removesuffix(f"&!{_STAGED}")
        if not named & set(marker.labels) or (left != expr and ("|" not in left or left.startswith("("))):
            continue
        if var and re.search(rf"\bNOT\s+{var}:{_STAGED}\b", body):
            continue
        fixed = f"({expr})" if "|" in expr else expr
        raise QueryDefinitionError(
            f"query {q.name!r} reads ({var}:{expr}) without leaving out the nodes of loads under way: "
            f"write ({var}:{fixed}&!{_STAGED}) or test NOT {var or 'x'}:{_STAGED}", file=q.file, line=q.line)


def parse_file(path: Path, model: Model) -> list[Query]:
    """Parse one .cypher file into its named statements."""
    rel = path.name
    lines = path.read_text(encoding="utf-8").splitlines()
    out: list[Query] = []
    i = 0
    while i < len(lines):
        if not lines[i].strip():
            i += 1
            continue
        m = _HEADER.match(lines[i])
        if not m or m.group(1) != "name":
            raise QueryDefinitionError("expected a '// name: ...' header", file=rel, line=i + 1)
        start = i + 1
        name = m.group(2)
        if not _NAME.match(name):
            raise QueryDefinitionError(f"bad query name {name!r}", file=rel, line=start)
        mode: str = "read"
        params: set[str] = set()
        params_seen = False
        doc: list[str] = []
        i += 1
        while i < len(lines) and lines[i].lstrip().startswith("//"):
            h = _HEADER.match(lines[i])
            if h and h.group(1) == "name":
                raise QueryDefinitionError(f"query {name!r} has no body", file=rel, line=start)
            if h and h.group(1) == "mode":
                mode = h.group(2)
                if mode not in ("read", "write", "schema"):
                    raise QueryDefinitionError(f"bad mode {mode!r}", file=rel, line=i + 1)
            elif h and h.group(1) == "params":
                params_seen = True
                params = {p.strip() for p in h.group(2).split(",") if p.strip()}
            else:
                doc.append(lines[i].lstrip()[2:].strip())
            i += 1
        body_line = i + 1
        body: list[str] = []
        while i < len(lines):
            h = _HEADER.match(lines[i])
            if h and h.group(1) == "name":
                break
            if h:
                raise QueryDefinitionError("header line inside a statement", file=rel, line=i + 1)
            body.append(lines[i])
            i += 1
        text = "\n".join(body).strip().rstrip(";").strip()
        if not text:
            raise QueryDefinitionError(f"query {name!r} has no body", file=rel, line=start)
        if not params_seen and _PARAM.search(_strip_strings(text)):
            raise QueryDefinitionError(f"query {name!r} uses parameters but has no '// params:' line",
                                       file=rel, line=start)
        q = Query(name=name, text=text, params=frozenset(params), mode=mode,  # type: ignore[arg-type]
                  file=rel, line=start, doc=" ".join(doc))
        _check(q, model, body_line, body)
        out.append(q)
    return out


@cache
def load_queries(directory: Path = QUERIES_DIR) -> dict[str, Query]:
    """Every named statement under `directory`, checked. Names are unique across files."""
    model = load_model()
    found: dict[str, Query] = {}
    files = sorted(directory.glob("*.cypher"))
    if not files:
        raise QueryDefinitionError("no .cypher files", file=str(directory), line=0)
    for path in files:
        for q in parse_file(path, model):
            if q.name in found:
                other = found[q.name]
                raise QueryDefinitionError(
                    f"query {q.name!r} already defined at {other.file}:{other.line}",
                    file=q.file, line=q.line)
            found[q.name] = q
    return found


def query(name: str) -> Query:
    try:
        return load_queries()[name]
    except KeyError:
        raise QueryDefinitionError(f"no query named {name!r}", file="queries/", line=0) from None
