"""The loader of named queries refuses a read statement that could show a load's Staged rows
(graph/queries.py), and the model's markers are checked like its other sections."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from graph.exceptions import ModelError, QueryDefinitionError
from graph.model import build_model, load_model
from graph.queries import load_queries, parse_file

pytestmark = pytest.mark.unit


def _parse(tmp_path: Path, body: str, mode: str = "read") -> None:
    f = tmp_path / "x.cypher"
    f.write_text(f"// name: a\n// mode: {mode}\n{body}\n")
    parse_file(f, load_model())


@pytest.mark.parametrize(
    "body",
    [
        "MATCH (o:Organization) RETURN o",
        "MATCH (g:Region)<-[:SERVES]-(s:Service {status: 'ACTIVE'}) RETURN s",
        "MATCH (n) WHERE EXISTS { (n)-[:PROVIDES]->(:Service) } RETURN n",
        "MATCH (p:Person|Company&!Staged) RETURN p",  # & binds first: a staged Person is let through
        "MATCH (p:Entity {id: 'x'}) WHERE NOT q:Staged RETURN p",
    ],
)
def test_a_read_that_could_show_staged_rows_is_refused(tmp_path: Path, body: str) -> None:
    with pytest.raises(QueryDefinitionError, match="without leaving out the nodes of loads under way"):
        _parse(tmp_path, body)


@pytest.mark.parametrize(
    "body",
    [
        "MATCH (o:Organization&!Staged) RETURN o",
        "MATCH (o:Organization) WHERE NOT o:Staged RETURN o",
        "MATCH (p:(Person|Company)&!Staged) RETURN p",
        "MATCH (g:Region), (n:Need) RETURN g, n",
        "MATCH (x:DirectoryLoad {id: 'x'}) RETURN x",
    ],
)
def test_a_read_that_leaves_staged_rows_out_loads(tmp_path: Path, body: str) -> None:
    _parse(tmp_path, body)


def test_writes_are_not_held_to_it(tmp_path: Path) -> None:
    _parse(tmp_path, "MATCH (o:Organization {id: 'x'}) SET o.name = 'y' RETURN o", mode="write")


def test_every_project_read_leaves_staged_rows_out() -> None:
    reads = [q for q in load_queries().values() if q.mode == "read"]
    assert len(reads) > 40  # loaded, so checked


def _model(markers: Any) -> dict[str, Any]:
    return {
        "nodes": {"Organization": {"key": "id", "properties": {"id": {"type": "string", "required": True}}}},
        "markers": markers,
    }


@pytest.mark.parametrize(
    ("markers", "message"),
    [
        ({"Staged": {"labels": ["Nowhere"]}}, "non-empty list of node types"),
        ({"Staged": {"labels": []}}, "non-empty list of node types"),
        ({"Organization": {"labels": ["Organization"]}}, "already a node type"),
        ({"Staged": {"labels": ["Organization"], "key": "id"}}, "takes 'labels'"),
        ({"staged": {"labels": ["Organization"]}}, "CamelCase"),
    ],
)
def test_a_bad_marker_is_refused(markers: Any, message: str) -> None:
    with pytest.raises(ModelError, match=message):
        build_model(_model(markers))


def test_the_staged_marker_is_a_label_statements_may_name() -> None:
    model = load_model()
    assert "Staged" in model.labels and "Organization" in model.markers["Staged"].labels
