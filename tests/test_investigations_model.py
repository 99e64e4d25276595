"""The investigations part of the model: relationship types with several end labels, nothing
joining case data to the directory or to referrals, enums equal to GraphQL's, and the bounded
trace statements of one family differing only in their bound."""

from __future__ import annotations

import re
from typing import Any

import pytest

from api.types.investigation_trace import CaseRole, SameAsStatus
from graph.exceptions import ModelError
from graph.investigations_write import EDGE_TYPES, IDENTIFIER_LABELS, LINK_TYPES, NODE_LABELS
from graph.model import build_model, load_model
from graph.queries import load_queries

pytestmark = pytest.mark.unit

CASE_LABELS = {"Entity", "Case", "Person", "Company", "Phone", "Email", "Address", "BankAccount",
               "Vehicle", "IdDocument", "OnlineAccount", "FtmRecord"}


def _doc(rel: dict[str, Any]) -> dict[str, Any]:
    return {"nodes": {"A": {"key": "id", "properties": {"id": {"type": "string", "required": True}}},
                      "B": {"key": "id", "properties": {"id": {"type": "string", "required": True}}}},
            "relationships": {"R": rel}}


def test_a_relationship_may_name_several_labels_at_either_end() -> None:
    m = build_model(_doc({"from": ["A", "B"], "to": "B"}))
    assert m.relationships["R"].sources == ("A", "B")
    assert m.relationships["R"].targets == ("B",)
    assert m.relationships["R"].source == "A | B"
    with pytest.raises(ModelError, match="names unknown label 'C'"):
        build_model(_doc({"from": ["A", "C"], "to": "B"}))
    with pytest.raises(ModelError, match="names a label twice"):
        build_model(_doc({"from": ["A", "A"], "to": "B"}))
    uses = load_model().relationships["USES"]
    assert set(uses.sources) == {"Person", "Company"} and "Phone" in uses.targets


def test_nothing_joins_case_data_to_the_directory_or_to_referrals() -> None:
    m = load_model()
    assert CASE_LABELS <= set(m.nodes)
    for rel in m.relationships.values():
        ends = set(rel.sources) | set(rel.targets)
        assert ends <= CASE_LABELS or not ends & CASE_LABELS, rel.name


def test_the_loader_writes_only_labels_and_types_of_the_model() -> None:
    m = load_model()
    assert NODE_LABELS | IDENTIFIER_LABELS <= set(m.nodes)
    assert EDGE_TYPES | LINK_TYPES <= set(m.relationships)


def test_graphql_enums_equal_the_model() -> None:
    m = load_model()
    assert tuple(e.value for e in CaseRole) == m.enum("CaseRole")
    assert tuple(e.value for e in SameAsStatus) == m.enum("SameAsStatus")


@pytest.mark.parametrize(("family", "bounds"), [("linked_suspects_h", range(1, 5)),
                                                ("connection_h", range(1, 7))])
def test_bounded_statements_differ_only_in_their_bound(family: str, bounds: range) -> None:
    queries = load_queries()
    texts = {b: queries[f"{family}{b}"] for b in bounds}
    first = texts[bounds[0]]
    for b, q in texts.items():
        assert f"{{1,{b}}}" in q.text
        assert re.sub(r"\{1,\d\}", "{1,N}", q.text) == re.sub(r"\{1,\d\}", "{1,N}", first.text)
        assert q.params == first.params
        assert q.mode == "read"


def test_a_nodes_type_is_never_read_as_one_of_its_roles() -> None:
    # labels() lists a node's labels in the order their names were first used in the database,
    # so a role's label may come first: whoever picks "the" label of a node leaves roles out
    skipped = re.compile(r"\[l IN labels\(\w+\) WHERE NOT l IN \[([^\]]*)\]\]\[0\]")
    roles = set(load_model().roles)
    picks = 0
    for q in load_queries().values():
        assert not re.search(r"\[l IN labels\(\w+\) WHERE l <> ", q.text), q.name
        for found in skipped.findall(q.text):
            picks += 1
            assert roles | {"Entity"} <= {x.strip(" '") for x in found.split(",")}, q.name
    assert picks >= 20


def test_every_role_has_its_refresh_statement() -> None:
    queries = load_queries()
    for role in load_model().roles.values():
        q = queries[role.refresh]  # run by the loads and by every schema application
        assert q.mode == "write" and q.params == frozenset()
        assert f":{role.label}" in q.text and role.relationship in q.text
    assert load_model().roles["Suspect"].refresh == "refresh_suspect_labels"
