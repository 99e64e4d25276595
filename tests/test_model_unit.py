"""The model as data: the real one loads; bad definitions fail loudly; the API agrees with it."""

from __future__ import annotations

import copy
from typing import Any

import pytest
import yaml

from api.types.enums import ALL_ENUMS
from graph.exceptions import ModelError
from graph.model import MODEL_FILE, build_model, load_model

pytestmark = pytest.mark.unit


def _raw() -> dict[str, Any]:
    return yaml.safe_load(MODEL_FILE.read_text())  # type: ignore[no-any-return]


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
])
def test_bad_definitions_fail_loudly(path: list[str], value: Any, message: str) -> None:
    with pytest.raises(ModelError, match=message):
        build_model(_break(path, value))


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
