"""api.execution.FlatObjectExecutor answers exactly as graphql-core's own executor does: the
same data in the same order, and the same errors where a flat list cannot be completed the
quick way (a null in a non-null field, a value that does not coerce, a resolver)."""

from __future__ import annotations

import asyncio
from enum import Enum
from typing import Any

import strawberry
from strawberry.extensions import ParserCache

from api import execution
from api.execution import FlatObjectExecutor


@strawberry.enum
class Color(Enum):
    RED = "RED"
    BLUE = "BLUE"


@strawberry.type
class Flat:
    id: strawberry.ID
    name: str
    size: int
    weight: float | None
    ok: bool
    color: Color | None
    tags: list[str]
    marks: list[int | None] | None


@strawberry.type
class WithResolver:
    id: strawberry.ID

    @strawberry.field
    def shout(self) -> str:
        return str(self.id).upper()


@strawberry.type
class Holder:
    flat: Flat
    maybe: Flat | None
    others: list[Flat]
    resolved: WithResolver | None


def _flat(i: int, **over: Any) -> Flat:
    values: dict[str, Any] = {"id": strawberry.ID(f"f{i}"), "name": f"n{i}", "size": i,
                              "weight": i / 2 if i % 2 else None, "ok": i % 3 == 0,
                              "color": Color.RED if i % 2 else None, "tags": [f"t{i}"] * (i % 3),
                              "marks": [i, None] if i % 2 else None}
    values.update(over)
    return Flat(**values)


ITEMS: dict[str, list[Any]] = {
    "good": [_flat(i) for i in range(50)],
    "null_in_non_null": [_flat(0), _flat(1, name=None), _flat(2)],
    "bad_int": [_flat(0), _flat(1, size="many")],
    "none_item": [_flat(0), None, _flat(2)],
    "empty": [],
    "bad_tags": [_flat(0), _flat(1, tags=["a", None])],
    "bad_marks": [_flat(0), _flat(1, marks=["x"])],
}


@strawberry.type
class Query:
    @strawberry.field
    def flats(self, kind: str) -> list[Flat]:
        return ITEMS[kind]

    @strawberry.field
    def maybe_flats(self, kind: str) -> list[Flat | None] | None:
        return ITEMS[kind]

    @strawberry.field
    def resolved(self) -> list[WithResolver]:
        return [WithResolver(id=strawberry.ID(f"w{i}")) for i in range(3)]

    @strawberry.field
    def holders(self, kind: str = "good") -> list[Holder]:
        return [Holder(flat=_flat(i), maybe=_flat(i) if i % 2 else None,
                       others=ITEMS[kind] if i == 1 else [_flat(i + j) for j in range(3)],
                       resolved=WithResolver(id=strawberry.ID("w")))
                for i in range(3)]


PLAIN = strawberry.Schema(query=Query)
FAST = strawberry.Schema(query=Query, execution_context_class=FlatObjectExecutor)
# as the API's schema: the same query text gives the same document, whose plans are shared
_PARSER_CACHE = ParserCache(maxsize=64)
CACHED = strawberry.Schema(query=Query, execution_context_class=FlatObjectExecutor,
                           extensions=[lambda: _PARSER_CACHE])

QUERIES = [
    '{ flats(kind: "good") { id name size weight ok color } }',
    '{ flats(kind: "good") { __typename color a: id b: id size name } }',
    '{ flats(kind: "good") { ...F } } fragment F on Flat { id ...G } fragment G on Flat { size id }',
    '{ flats(kind: "good") { id name @include(if: false) size @skip(if: true) } }',
    '{ flats(kind: "null_in_non_null") { id name } }',
    '{ maybeFlats(kind: "null_in_non_null") { id name } }',
    '{ maybeFlats(kind: "bad_int") { id size } }',
    '{ maybeFlats(kind: "none_item") { id } }',
    '{ flats(kind: "none_item") { id } }',
    '{ flats(kind: "empty") { id } }',
    '{ resolved { id shout } }',
    '{ holders { flat { id tags marks } maybe { id } others { id name color } } }',
    '{ holders(kind: "null_in_non_null") { flat { id } others { id name } } }',
    '{ holders(kind: "bad_int") { maybe { size } others { size } } }',
    '{ holders(kind: "none_item") { others { id } } }',
    '{ holders { flat { __typename id } resolved { id shout } } }',
    '{ flats(kind: "bad_tags") { id tags } }',
    '{ maybeFlats(kind: "bad_marks") { id marks } }',
]


def _run(schema: strawberry.Schema, query: str,
         variables: dict[str, Any] | None = None) -> tuple[Any, list[Any]]:
    r = asyncio.run(schema.execute(query, variable_values=variables))
    return r.data, sorted((e.message, e.path) for e in r.errors or [])


def test_the_fast_executor_answers_as_the_plain_one() -> None:
    for q in QUERIES:
        assert _run(FAST, q) == _run(PLAIN, q), q


def test_the_answers_keep_the_order_of_the_selection() -> None:
    data, errors = _run(FAST, QUERIES[1])
    assert not errors
    assert list(data["flats"][1]) == ["__typename", "color", "a", "b", "size", "name"]
    assert data["flats"][1] == {"__typename": "Flat", "color": "RED", "a": "f1", "b": "f1",
                                "size": 1, "name": "n1"}


def test_flat_lists_take_the_quick_way_and_the_rest_the_ordinary_one(monkeypatch: Any) -> None:
    quick: list[Any] = []
    complete = execution._complete_flat

    def counted(plan: Any, item: Any, is_awaitable: Any) -> dict[str, Any]:
        quick.append(item)
        return complete(plan, item, is_awaitable)

    monkeypatch.setattr(execution, "_complete_flat", counted)
    _run(FAST, QUERIES[0])
    assert len(quick) == 50
    quick.clear()
    _run(FAST, '{ resolved { id shout } }')
    assert quick == []
    for q in (*QUERIES[4:7], QUERIES[8], *QUERIES[12:15], *QUERIES[16:]):  # the ordinary way
        assert _run(FAST, q)[1], q
    quick.clear()
    _run(FAST, QUERIES[11])
    assert len(quick) == 3 + 3 + 1 + 3 + 50 + 3  # holders, their flat, the one maybe, the others


def _builds(monkeypatch: Any) -> list[Any]:
    built: list[Any] = []
    build = FlatObjectExecutor._build_plan

    def counted(self: FlatObjectExecutor, object_type: Any, details: Any) -> Any:
        built.append(object_type.name)
        return build(self, object_type, details)

    monkeypatch.setattr(FlatObjectExecutor, "_build_plan", counted)
    return built


def test_plans_of_a_query_without_directives_are_made_once(monkeypatch: Any) -> None:
    built = _builds(monkeypatch)
    q = '{ holders { flat { id tags } others { ...F } } } fragment F on Flat { id name color }'
    first = _run(CACHED, q)
    assert first == _run(PLAIN, q)
    assert sorted(built) == ["Flat", "Flat", "Holder"]
    built.clear()
    assert _run(CACHED, q) == first
    assert built == []  # the parser cache gave the same nodes: the plans were shared
    assert _run(CACHED, q.replace("color", "size")) == _run(PLAIN, q.replace("color", "size"))
    assert built  # another query, other plans


def test_plans_that_depend_on_variables_are_made_for_each_request(monkeypatch: Any) -> None:
    built = _builds(monkeypatch)
    queries = [
        'query($a: Boolean!) { flats(kind: "good") { id name @include(if: $a) } }',
        'query($a: Boolean!) { flats(kind: "good") { id ...F @skip(if: $a) } } '
        'fragment F on Flat { size }',
        'query($a: Boolean!) { holders { flat { id ...F } } } '
        'fragment F on Flat { ... @include(if: $a) { name } }',
        'query($a: Boolean!) { holders { others { id color @include(if: $a) } } }',
    ]
    for q in queries:
        for a in (True, False, True):
            built.clear()
            assert _run(CACHED, q, {"a": a}) == _run(PLAIN, q, {"a": a}), (q, a)
            assert built, (q, a)  # made again: the answer depends on $a


def test_types_of_plain_objects_are_remembered_but_never_generators_or_awaitables() -> None:
    from types import GeneratorType, coroutine

    from strawberry.execution import optimized_is_awaitable as is_awaitable

    class Plain:
        pass

    class Waits:
        def __await__(self) -> Any:
            yield

    def numbers() -> Any:
        yield 1

    @coroutine
    def old_style() -> Any:
        yield

    assert execution._inert(Plain(), is_awaitable)
    assert Plain in execution._INERT
    assert execution._inert(Plain(), is_awaitable)  # the second time from the set
    assert not execution._inert(ValueError("x"), is_awaitable)
    assert not execution._inert(Waits(), is_awaitable)
    assert execution._inert(numbers(), is_awaitable)
    assert not execution._inert(old_style(), is_awaitable)  # a generator, and awaitable
    assert {ValueError, Waits, GeneratorType}.isdisjoint(execution._INERT)
