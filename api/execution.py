"""A faster completion of lists of plain objects, for answers of thousands of them (a 1,000-node
neighborhood is about 4,000 objects and 12,000 fields).

graphql-core completes every field of every object on its own: a path, a resolve info, the
resolver, then two or three `complete_value` steps. For an object whose selected fields are
all plain attributes of scalar or enum type (strawberry "basic" fields: no resolver, no
extension, read with getattr), that is the same as reading each attribute and coercing it with
its type; `FlatObjectExecutor` does just that for such lists, and gives back the very same
dicts. Fields holding such an object, or a list of them or of scalars, are completed the same
way in their turn. Anything else (another kind of field, a null where the schema says non-null,
a value that does not coerce, an awaitable, an error, @defer or @stream, middleware) goes the
ordinary way, for the whole list, so that errors are those graphql-core would report (an
attribute that is a property is then read twice)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from graphql import (
    ExecutionResult,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLResolveInfo,
    Undefined,
    get_nullable_type,
    is_leaf_type,
)
from graphql.pyutils import AwaitableOrValue, Path
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.schema.schema_converter import GraphQLCoreConverter

# per selected field, in the order of the selection: (response key, attribute, coercion,
# non-null, constant, nested). The attribute is None for __typename, whose value is the
# constant; `nested` completes an object, or a list of objects or of leaves, in its turn.
_Nested = Callable[[Any], Any]
_Field = tuple[str, str | None, Callable[[Any], Any] | None, bool, str | None, _Nested | None]
_Plan = tuple[_Field, ...]
_NOT_FLAT = object()
_PLAIN = frozenset({str, int, float, bool})  # values that are neither awaitable nor errors


class _Anomaly(Exception):
    """Something the ordinary completion must handle (and report)."""


class FlatObjectExecutor(StrawberryGraphQLCoreExecutionContext):
    """graphql-core's executor (strawberry's), with lists of plain objects completed in one loop."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # keyed like collect_subfields' memo: the type and the identity of the field group
        self._flat_plans: dict[tuple[GraphQLObjectType, int], tuple[Any, _Plan | object]] = {}

    def build_response(self, data: dict[str, Any] | None) -> Any:
        result = super().build_response(data)
        if isinstance(result, ExecutionResult):  # done (no @defer or @stream still to come)
            # graphql-core's executor keeps bound methods of itself (async_helpers), and the
            # plans hold closures over ours: a reference cycle, so that everything it reaches
            # (the request's context, its DataLoaders and their futures, thousands of objects a
            # request) was freed only by the cyclic collector, which then took about a sixth of
            # the API's CPU. Broken here, they are freed as soon as the request is answered.
            self.async_helpers = None  # type: ignore[assignment]
            self._flat_plans.clear()
        return result

    def _flat_plan(self, object_type: GraphQLObjectType, field_details_list: Any) -> _Plan | object:
        key = (object_type, id(field_details_list))
        cached = self._flat_plans.get(key)
        if cached is not None:
            return cached[1]
        plan = self._build_plan(object_type, field_details_list)
        self._flat_plans[key] = (field_details_list, plan)  # the list kept alive: its id is ours
        return plan

    def _build_plan(self, object_type: GraphQLObjectType, field_details_list: Any) -> _Plan | object:
        middleware = self.middleware_manager
        if object_type.is_type_of is not None or (middleware is not None and middleware.middlewares):
            return _NOT_FLAT
        grouped, new_defer_usages, _forbidden = self.collect_subfields(object_type,
                                                                       field_details_list)
        if new_defer_usages:
            return _NOT_FLAT
        leaves: list[_Field] = []
        for response_name, details in grouped.items():
            if any(d.defer_usage is not None or d.node.directives for d in details):
                return _NOT_FLAT
            name = details[0].node.name.value
            if name == "__typename":
                leaves.append((response_name, None, None, True, object_type.name, None))
                continue
            field_def = self.schema.get_field(object_type, name)
            if field_def is None or field_def.args or not getattr(field_def.resolve, "_is_default", False):
                return _NOT_FLAT
            definition = (field_def.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)
            if (definition is None or not definition.is_basic_field
                    or definition.default_resolver is not getattr):
                return _NOT_FLAT
            non_null = isinstance(field_def.type, GraphQLNonNull)
            of_type = get_nullable_type(field_def.type)
            if is_leaf_type(of_type):
                leaves.append((response_name, definition.python_name, of_type.coerce_output_value,
                               non_null, None, None))
                continue
            nested = self._nested(of_type, details)
            if nested is None:
                return _NOT_FLAT
            leaves.append((response_name, definition.python_name, None, non_null, None, nested))
        return tuple(leaves)

    def _nested(self, of_type: Any, details: Any) -> _Nested | None:
        """How to complete a field of an object type, or a list of objects or leaves; None when
        that takes the ordinary way."""
        complete = self._complete_flat
        if isinstance(of_type, GraphQLObjectType):
            plan = self._flat_plan(of_type, details)
            if plan is _NOT_FLAT:
                return None
            return lambda value: complete(plan, value)  # type: ignore[arg-type]
        if not isinstance(of_type, GraphQLList):
            return None
        item_non_null = isinstance(of_type.of_type, GraphQLNonNull)
        item_type = get_nullable_type(of_type.of_type)
        if isinstance(item_type, GraphQLObjectType):
            plan = self._flat_plan(item_type, details)
            if plan is _NOT_FLAT:
                return None

            def objects(value: Any) -> list[Any]:
                if not isinstance(value, list | tuple):
                    raise _Anomaly
                return [None if x is None and not item_non_null else complete(plan, x)
                        for x in value]
            return objects
        if not is_leaf_type(item_type):
            return None
        coerce = item_type.coerce_output_value

        def leaves(value: Any) -> list[Any]:
            if not isinstance(value, list | tuple):
                raise _Anomaly
            out: list[Any] = []
            for x in value:
                if x is None or x is Undefined:
                    if item_non_null:
                        raise _Anomaly
                    out.append(None)
                    continue
                if type(x) not in _PLAIN and (isinstance(x, Exception) or self.is_awaitable(x)):
                    raise _Anomaly
                coerced = coerce(x)
                if coerced is None or coerced is Undefined:
                    raise _Anomaly
                out.append(coerced)
            return out
        return leaves

    def _complete_flat(self, plan: _Plan, item: Any) -> dict[str, Any]:
        if item is None or isinstance(item, Exception) or self.is_awaitable(item):
            raise _Anomaly
        out: dict[str, Any] = {}
        is_awaitable = self.is_awaitable
        for response_name, attribute, coerce, non_null, constant, nested in plan:
            if attribute is None:
                out[response_name] = constant
                continue
            value = getattr(item, attribute)
            if value is None or value is Undefined:
                if non_null:
                    raise _Anomaly
                out[response_name] = None
                continue
            if nested is not None:
                out[response_name] = nested(value)
                continue
            if type(value) not in _PLAIN and (isinstance(value, Exception) or is_awaitable(value)):
                raise _Anomaly
            coerced = coerce(value)  # type: ignore[misc]
            if coerced is None or coerced is Undefined:
                raise _Anomaly
            out[response_name] = coerced
        return out

    def complete_iterable_value(self, item_type: GraphQLOutputType, field_details_list: Any,
                                info: GraphQLResolveInfo[Any], path: Path, items: Iterable[Any],
                                position_context: Any) -> AwaitableOrValue[list[Any]]:
        non_null = isinstance(item_type, GraphQLNonNull)
        object_type = get_nullable_type(item_type)
        if (position_context is None and isinstance(object_type, GraphQLObjectType)
                and isinstance(items, list | tuple)
                and self.get_stream_usage(field_details_list, path) is None):
            plan = self._flat_plan(object_type, field_details_list)
            if plan is not _NOT_FLAT:
                assert isinstance(plan, tuple)
                complete = self._complete_flat
                try:
                    return [None if item is None and not non_null else complete(plan, item)
                            for item in items]
                except Exception:  # noqa: BLE001, S110 - the ordinary way reports it properly
                    pass
        return super().complete_iterable_value(item_type, field_details_list, info, path, items,
                                               position_context)
