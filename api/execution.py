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
from types import GeneratorType
from typing import Any

from graphql import (
    ExecutionResult,
    FieldNode,
    FragmentSpreadNode,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLResolveInfo,
    InlineFragmentNode,
    SelectionSetNode,
    Undefined,
    get_nullable_type,
    is_leaf_type,
)
from graphql.execution.collect_fields import FragmentDetails
from graphql.pyutils import AwaitableOrValue, Path
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.schema.schema_converter import GraphQLCoreConverter

# per selected field, in the order of the selection: (response key, attribute, coercion,
# non-null, constant, nested). The attribute is None for __typename, whose value is the
# constant; `nested` completes an object, or a list of objects or of leaves, in its turn.
_Nested = Callable[[Any], Any]
_Field = tuple[str, str | None, Callable[[Any], Any] | None, bool, str | None, _Nested | None]
_Plan = tuple[_Field, ...]
_Key = tuple[GraphQLObjectType, tuple[int, ...]]
_NOT_FLAT = object()
_PLAIN = frozenset({str, int, float, bool})  # values that are neither awaitable nor errors
# Types seen whose instances are neither awaitable nor errors, so that the next object of the
# same type is not asked again; generators, whose awaitability is per object, are never kept.
# (An object with an `__await__` of its own, on the instance and not its class, would be missed.)
_INERT: set[type] = set()
INERT_TYPES = 1024

# Plans of selections without directives, shared by every request: such a plan depends only on
# the object type and the field nodes, which strawberry's parser cache gives again to the same
# query. Keyed by the nodes' identity; the nodes are kept alive with the plan.
_SHARED: dict[_Key, tuple[tuple[FieldNode, ...], _Plan | object]] = {}
SHARED_PLANS = 2048


class _Anomaly(Exception):
    """Something the ordinary completion must handle (and report)."""


def _directives_at(selection_set: SelectionSetNode | None,
                   fragments: dict[str, FragmentDetails]) -> bool:
    """Whether a selection set, with the fragments it spreads (not the sub-selections of its
    fields), has directives or fragment variables: then what it selects may depend on the
    variables."""
    for sel in selection_set.selections if selection_set is not None else ():
        if sel.directives:
            return True
        if isinstance(sel, InlineFragmentNode) and _directives_at(sel.selection_set, fragments):
            return True
        if isinstance(sel, FragmentSpreadNode):
            found = fragments.get(sel.name.value)
            if found is None or found.variable_signatures or found.definition.directives \
                    or _directives_at(found.definition.selection_set, fragments):
                return True
    return False


def _inert(value: Any, is_awaitable: Callable[[Any], bool]) -> bool:
    kind = type(value)
    if kind in _INERT:
        return True
    if isinstance(value, Exception) or is_awaitable(value):
        return False
    if not issubclass(kind, GeneratorType) and len(_INERT) < INERT_TYPES:
        _INERT.add(kind)
    return True


def _complete_flat(plan: _Plan, item: Any, is_awaitable: Callable[[Any], bool]) -> dict[str, Any]:
    if item is None or not _inert(item, is_awaitable):
        raise _Anomaly
    out: dict[str, Any] = {}
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


class FlatObjectExecutor(StrawberryGraphQLCoreExecutionContext):
    """graphql-core's executor (strawberry's), with lists of plain objects completed in one loop."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # plans that depend on this request's variables, keyed like the shared ones
        self._flat_plans: dict[_Key, tuple[tuple[FieldNode, ...], _Plan | object]] = {}

    def build_response(self, data: dict[str, Any] | None) -> Any:
        result = super().build_response(data)
        if isinstance(result, ExecutionResult):  # done (no @defer or @stream still to come)
            # graphql-core's executor keeps bound methods of itself (async_helpers): a reference
            # cycle, so that everything it reaches (the request's context, its DataLoaders and
            # their futures, thousands of objects a request) was freed only by the cyclic
            # collector, which then took about a sixth of the API's CPU. Broken here, they are
            # freed as soon as the request is answered.
            self.async_helpers = None  # type: ignore[assignment]
            self._flat_plans.clear()
        return result

    def _flat_plan(self, object_type: GraphQLObjectType, field_details_list: Any
                   ) -> tuple[_Plan | object, bool]:
        """The plan for completing objects of this type with these fields, and whether it is
        shared (depends on no variable)."""
        middleware = self.middleware_manager
        if middleware is not None and middleware.middlewares:
            return _NOT_FLAT, False
        nodes = tuple(d.node for d in field_details_list)
        key = (object_type, tuple(map(id, nodes)))
        shared = _SHARED.get(key)
        if shared is not None:
            return shared[1], True
        own = self._flat_plans.get(key)
        if own is not None:
            return own[1], False
        plan, shareable = self._build_plan(object_type, field_details_list)
        if shareable:
            if len(_SHARED) >= SHARED_PLANS:
                _SHARED.clear()
            _SHARED[key] = (nodes, plan)
        else:
            self._flat_plans[key] = (nodes, plan)
        return plan, shareable

    def _build_plan(self, object_type: GraphQLObjectType, field_details_list: Any
                    ) -> tuple[_Plan | object, bool]:
        if object_type.is_type_of is not None:
            return _NOT_FLAT, True
        shareable = not any(_directives_at(d.node.selection_set, self.fragments)
                            for d in field_details_list)
        grouped, new_defer_usages, _forbidden = self.collect_subfields(object_type,
                                                                       field_details_list)
        if new_defer_usages:
            return _NOT_FLAT, shareable
        leaves: list[_Field] = []
        for response_name, details in grouped.items():
            if any(d.defer_usage is not None or d.node.directives for d in details):
                return _NOT_FLAT, shareable
            name = details[0].node.name.value
            if name == "__typename":
                leaves.append((response_name, None, None, True, object_type.name, None))
                continue
            field_def = self.schema.get_field(object_type, name)
            if field_def is None or field_def.args or not getattr(field_def.resolve, "_is_default", False):
                return _NOT_FLAT, shareable
            definition = (field_def.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)
            if (definition is None or not definition.is_basic_field
                    or definition.default_resolver is not getattr):
                return _NOT_FLAT, shareable
            non_null = isinstance(field_def.type, GraphQLNonNull)
            of_type = get_nullable_type(field_def.type)
            if is_leaf_type(of_type):
                leaves.append((response_name, definition.python_name, of_type.coerce_output_value,
                               non_null, None, None))
                continue
            nested, nested_shareable = self._nested(of_type, details)
            shareable = shareable and nested_shareable
            if nested is None:
                return _NOT_FLAT, shareable
            leaves.append((response_name, definition.python_name, None, non_null, None, nested))
        return tuple(leaves), shareable

    def _nested(self, of_type: Any, details: Any) -> tuple[_Nested | None, bool]:
        """How to complete a field of an object type, or a list of objects or leaves (None when
        that takes the ordinary way), and whether that is shared. What it returns holds no
        reference to this executor: a shared plan outlives the request."""
        is_awaitable = self.is_awaitable
        if isinstance(of_type, GraphQLObjectType):
            plan, shareable = self._flat_plan(of_type, details)
            if plan is _NOT_FLAT:
                return None, shareable
            return (lambda value: _complete_flat(plan, value, is_awaitable)), shareable  # type: ignore[arg-type]
        if not isinstance(of_type, GraphQLList):
            return None, True
        item_non_null = isinstance(of_type.of_type, GraphQLNonNull)
        item_type = get_nullable_type(of_type.of_type)
        if isinstance(item_type, GraphQLObjectType):
            plan, shareable = self._flat_plan(item_type, details)
            if plan is _NOT_FLAT:
                return None, shareable

            def objects(value: Any) -> list[Any]:
                if not isinstance(value, list | tuple):
                    raise _Anomaly
                return [None if x is None and not item_non_null
                        else _complete_flat(plan, x, is_awaitable)
                        for x in value]
            return objects, shareable
        if not is_leaf_type(item_type):
            return None, True
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
                if type(x) not in _PLAIN and (isinstance(x, Exception) or is_awaitable(x)):
                    raise _Anomaly
                coerced = coerce(x)
                if coerced is None or coerced is Undefined:
                    raise _Anomaly
                out.append(coerced)
            return out
        return leaves, True

    def complete_iterable_value(self, item_type: GraphQLOutputType, field_details_list: Any,
                                info: GraphQLResolveInfo[Any], path: Path, items: Iterable[Any],
                                position_context: Any) -> AwaitableOrValue[list[Any]]:
        non_null = isinstance(item_type, GraphQLNonNull)
        object_type = get_nullable_type(item_type)
        if (position_context is None and isinstance(object_type, GraphQLObjectType)
                and isinstance(items, list | tuple)
                and self.get_stream_usage(field_details_list, path) is None):
            plan, _shared = self._flat_plan(object_type, field_details_list)
            if plan is not _NOT_FLAT:
                assert isinstance(plan, tuple)
                is_awaitable = self.is_awaitable
                try:
                    return [None if item is None and not non_null
                            else _complete_flat(plan, item, is_awaitable) for item in items]
                except Exception:  # noqa: BLE001, S110 - the ordinary way reports it properly
                    pass
        return super().complete_iterable_value(item_type, field_details_list, info, path, items,
                                               position_context)
