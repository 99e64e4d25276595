"""The model as data: the real one loads; bad definitions fail loudly; the API agrees with it."""

from __future__ import annotations

import copy
from typing import Any

import pytest
import yaml

from api.types.enums import ALL_ENUMS
from graph.exceptions import ModelError
from graph.model import MODEL_DIR, build_model, load_model, merge_documents

pytestmark = pytest.mark.unit


def _raw() -> dict[str, Any]:
    return merge_documents([(p.name, yaml.safe_load(p.read_text()))
                            for p in sorted(MODEL_DIR.glob("*.yaml"))])


def test_the_model_has_the_directory_of_the_brief() -> None:
    m = load_model()
    assert {"Organization", "Service", "Region", "Need", "LegalProvision",
            "Responsibility"} <= set(m.nodes)
    assert m.relationships["ASSIGNED_BY"].source == "Responsibility"
    assert m.relationships["ASSIGNED_BY"].target == "LegalProvision"
    assert len(m.enum("NeedCode")) == 14


def _break(path: list[str], value: Any) -> dict[str, Any]:
    raw = copy.deepcopy(_raw())
    node = raw
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return raw


@pytest.mark.parametrize(("path", "value", "message"), [
    (["nodes", "Service", "properties", "status", "type"], "Statuss", "unknown type 'Statuss'"),
    (["nodes", "Service", "key"], "nope", "key 'nope' must be a required property"),
    (["relationships", "PROVIDES", "to"], "Servic", "names unknown label 'Servic'"),
    (["enums", "Sex"], ["FEMALE", "FEMALE"], "duplicate values"),
    (["enums", "Sex"], [], "non-empty list"),
    (["nodes", "Region", "properties", "Code"], {"type": "string"}, "snake_case"),
    (["relationships", "provides"], {"from": "Organization", "to": "Service"}, "UPPER_SNAKE"),
    (["colours"], {}, "unknown section"),
    (["roles", "Suspect", "relationship"], "SUSPECTED", "unknown type 'SUSPECTED'"),
    (["roles", "Suspect", "labels"], ["Person", "Case"], "'Case' is not a source of SUSPECT_IN"),
    (["roles", "Suspect", "labels"], [], "non-empty list"),
    (["roles", "Person"], {"labels": ["Person"], "relationship": "SUSPECT_IN"},
     "already a node type"),
    (["roles", "Suspect", "on"], ["Person"], "takes 'labels'"),
    (["roles", "suspect"], {"labels": ["Person"], "relationship": "SUSPECT_IN"}, "CamelCase"),
])
def test_bad_definitions_fail_loudly(path: list[str], value: Any, message: str) -> None:
    with pytest.raises(ModelError, match=message):
        build_model(_break(path, value))


def test_a_role_is_a_label_statements_may_name() -> None:
    m = load_model()
    role = m.roles["Suspect"]
    assert (role.labels, role.relationship) == (("Person", "Company"), "SUSPECT_IN")
    assert "Suspect" in m.labels and "Suspect" not in m.nodes and "Person" in m.labels


def test_check_value() -> None:
    m = load_model()
    assert m.check_value("Service", "sexes", ["FEMALE"]) is None
    assert "not one of" in (m.check_value("Service", "sexes", ["F"]) or "")
    assert "whole number" in (m.check_value("Service", "min_age", "12") or "")
    assert "whole number" in (m.check_value("Service", "min_age", True) or "")
    assert m.check_value("Service", "name", None) == "is required"
    assert m.check_value("Service", "hours", None) is None
    assert "no property" in (m.check_value("Service", "colour", "red") or "")


def test_graphql_enums_equal_the_model() -> None:
    m = load_model()
    for enum in ALL_ENUMS:
        assert tuple(e.value for e in enum) == m.enum(enum.__name__), enum.__name__


def test_a_name_defined_in_two_files_is_refused() -> None:
    doc = {"enums": {"Sex": ["F"]}}
    with pytest.raises(ModelError, match=r"b.yaml: enums.Sex is already defined"):
        merge_documents([("a.yaml", doc), ("b.yaml", doc)])
