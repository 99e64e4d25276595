"""The named-query loader: every real query loads; every kind of mistake names file and line."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from graph.exceptions import QueryDefinitionError
from graph.model import load_model
from graph.queries import QUERIES_DIR, load_queries, parse_file

pytestmark = pytest.mark.unit


def _parse(tmp_path: Path, text: str) -> list:  # type: ignore[type-arg]
    f = tmp_path / "x.cypher"
    f.write_text(text)
    return parse_file(f, load_model())


def test_every_project_query_loads_with_declared_params() -> None:
    queries = load_queries()
    assert "who_handles_services" in queries
    q = queries["who_handles_services"]
    assert q.params == {"need", "region", "limit"}
    assert q.mode == "read" and q.file == "who_handles.cypher" and q.doc


def test_a_well_formed_file(tmp_path: Path) -> None:
    [q] = _parse(tmp_path, "// name: find_org\n// params: id\n// Finds one.\n"
                           "MATCH (o:Organization&!Staged {id: $id}) RETURN o\n")
    assert (q.name, q.params, q.doc, q.line) == ("find_org", {"id"}, "Finds one.", 1)


@pytest.mark.parametrize(("text", "message", "line"), [
    ("// name: a\n// params: id\nMATCH (o:Organization {id: $id, name: $name}) RETURN o\n",
     "undeclared parameter(s): name", 1),
    ("// name: a\n// params: id, extra\nMATCH (o:Organization {id: $id}) RETURN o\n",
     "unused parameter(s): extra", 1),
    ("// name: a\nMATCH (o:Organization {id: $id}) RETURN o\n", "no '// params:' line", 1),
    ("// name: a\n// params: id\nMATCH (o:Organization {id: $id})\nMATCH (o)-[:TELEPORTS_TO]->(x) RETURN x\n",
     "unknown relationship type 'TELEPORTS_TO'", 4),
    ("// name: a\n\nMATCH (o:Secret) RETURN o\n", "unknown label 'Secret'", 3),
    ("// name: a\nMATCH (o)\nWHERE o:Organization OR o:Secret RETURN o\n", "unknown label 'Secret'", 3),
    ("// name: a\n// params: id\nMATCH ()-[r:PAID {id: $id}]->()\nUSING INDEX r:PAID(id)\nRETURN r\n",
     "must say USING INDEX SEEK", 4),
    ("MATCH (n) RETURN n\n", "expected a '// name: ...' header", 1),
    ("// name: a\n// name: b\nRETURN 1\n", "has no body", 1),
    ("// name: Bad-Name\nRETURN 1\n", "bad query name", 1),
    ("// name: a\n// mode: delete\nRETURN 1\n", "bad mode", 2),
    ("// name: a\nRETURN 1\n// params: x\nRETURN $x\n", "header line inside a statement", 3),
])
def test_mistakes_name_file_and_line(tmp_path: Path, text: str, message: str, line: int) -> None:
    with pytest.raises(QueryDefinitionError) as e:
        _parse(tmp_path, text)
    assert message in str(e.value)
    assert e.value.file == "x.cypher" and e.value.line == line
    assert str(e.value).startswith(f"x.cypher:{line}: ")


def test_strings_and_comments_do_not_count_as_parameters(tmp_path: Path) -> None:
    [q] = _parse(tmp_path, "// name: a\n// params: id\n"
                           "MATCH (o:Organization&!Staged {id: $id}) WHERE o.name <> '$notaparam' RETURN o\n")
    assert q.params == {"id"}


def test_duplicate_names_across_files_are_refused(tmp_path: Path) -> None:
    (tmp_path / "a.cypher").write_text("// name: same\nRETURN 1\n")
    (tmp_path / "b.cypher").write_text("\n\n// name: same\nRETURN 2\n")
    expected = r"b\.cypher:3: query 'same' already defined at a\.cypher:1"
    with pytest.raises(QueryDefinitionError, match=expected):
        load_queries.__wrapped__(tmp_path)


def test_every_model_key_has_a_uniqueness_constraint() -> None:
    schema = (QUERIES_DIR / "schema.cypher").read_text()
    for label, node in load_model().nodes.items():
        pattern = rf"FOR \(n:{label}\) REQUIRE n\.{node.key} IS UNIQUE"
        assert re.search(pattern, schema), f"no constraint for {label}.{node.key}"
    assert schema.count("CREATE ") == schema.count("IF NOT EXISTS")
    drops = [line for line in schema.splitlines() if line.startswith("DROP ")]
    assert all(line.endswith(" IF EXISTS") for line in drops)


def test_no_cypher_outside_queries() -> None:
    root = QUERIES_DIR.parent
    clause = re.compile(r"""["'](MATCH|MERGE|CREATE|UNWIND|CALL) [(a-z{]""")
    offenders = [str(p.relative_to(root)) for d in ("graph", "api", "loaders", "bench")
                 for p in (root / d).rglob("*.py") if clause.search(p.read_text())]
    offenders += ["cli.py"] if clause.search((root / "cli.py").read_text()) else []
    assert offenders == []
