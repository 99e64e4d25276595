"""The query cost function (api/cost.py) and its refusal, without a database."""

from __future__ import annotations

import pytest
from graphql import FragmentDefinitionNode, OperationDefinitionNode, parse, validate

from api.cost import CODE, MAX_TIMES, PER_CASE, UNKNOWN_CASES, QueryCostLimiter, query_cost
from api.schema import build_schema
from graph.config import Settings

pytestmark = pytest.mark.unit
SCHEMA = build_schema(Settings())._schema
MAX_PAGE = 100


def cost(text: str) -> int:
    doc = parse(text)
    fragments = {d.name.value: d for d in doc.definitions if isinstance(d, FragmentDefinitionNode)}
    ops = [d for d in doc.definitions if isinstance(d, OperationDefinitionNode)]
    return max(query_cost(SCHEMA, op, fragments, MAX_PAGE) for op in ops)


def test_scalars_are_free_and_objects_cost_one() -> None:
    assert cost("{ me { name role } }") == 1
    assert cost("{ regions { code name } }") == 1


def test_a_page_multiplies_what_it_selects() -> None:
    small = cost("{ organizations(first: 10) { nodes { id services { id } } } }")
    big = cost("{ organizations(first: 100) { nodes { id services { id } } } }")
    # organizations 1, then per item asked: nodes 1 + services 1 (and pageInfo etc. not asked)
    assert small == 1 + 10 * 2
    assert big == 1 + 100 * 2
    # the argument's default (20) when it is not given, the largest page when a variable
    assert cost("{ organizations { nodes { id } } }") == 1 + 20
    assert cost("query($n: Int!) { organizations(first: $n) { nodes { id } } }") == 1 + MAX_PAGE
    # a count no field accepts is refused by its resolver: counted at the largest accepted
    assert cost("{ organizations(first: 10000000) { nodes { id } } }") == 1 + MAX_TIMES
    assert cost("{ organizations(first: -3) { nodes { id } } }") == 1 + 1
    # a neighborhood may hold up to 2000 nodes: its limit as a variable counts so
    assert cost('query($l: Int!) { neighborhood(entityId: "x", limit: $l) { nodes { id } } }') == 200 + 2000


def test_expensive_fields_cost_more() -> None:
    cheap = cost('{ organization(id: "x") { id } }')
    assert cost('{ neighborhood(entityId: "x") { center { id } } }') > 50 * cheap
    assert cost('{ linkedSuspects(caseId: "c") { caseId } }') > 50 * cheap


def test_key_players_cost_grows_with_the_cases_asked() -> None:
    one = cost('{ keyPlayers(caseIds: ["a"]) { nodes } }')
    three = cost('{ keyPlayers(caseIds: ["a", "b", "c"]) { nodes } }')
    assert three - one == 2 * PER_CASE
    assert (
        cost("query($c: [ID!]!) { keyPlayers(caseIds: $c) { nodes } }")
        == one + (UNKNOWN_CASES - 1) * PER_CASE
    )


def test_aliases_and_fragments_count_every_time() -> None:
    one = cost('{ keyPlayers(caseIds: ["a"]) { nodes } }')
    assert (
        cost('{ a: keyPlayers(caseIds: ["a"]) { nodes } b: keyPlayers(caseIds: ["a"]) { nodes } }') == 2 * one
    )
    assert cost('query { ...F ...F } fragment F on Query { keyPlayers(caseIds: ["a"]) { nodes } }') == 2 * one
    # a fragment that spreads itself is another rule's error, not an endless count
    assert cost("query { ...F } fragment F on Query { me { name } ...F }") == 1


def test_the_costliest_operation_of_a_document_counts() -> None:
    assert cost('query A { me { name } } query B { keyPlayers(caseIds: ["a"]) { nodes } }') == cost(
        '{ keyPlayers(caseIds: ["a"]) { nodes } }'
    )


def test_a_document_over_the_budget_is_refused_with_a_code() -> None:
    rules = QueryCostLimiter(budget=1000, max_page=MAX_PAGE).validation_rules
    fine = validate(SCHEMA, parse('{ keyPlayers(caseIds: ["a"]) { nodes } }'), rules)
    assert fine == []
    aliased = " ".join(f'k{i}: keyPlayers(caseIds: ["a", "b", "c", "d"]) {{ nodes }}' for i in range(5))
    errors = validate(SCHEMA, parse("{ " + aliased + " }"), rules)
    assert len(errors) == 1
    assert errors[0].extensions == {"code": CODE}
    assert "budget of 1000" in errors[0].message
