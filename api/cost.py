"""A query's cost, checked when the document is validated: what one request may ask for.

Every field that returns an object costs 1 (a scalar costs nothing); the fields that make the
database or the CPU work cost more (FIELD_COST; keyPlayers also per case asked). What a field
selects counts as many times as the field's `first` or `limit` allows (its default when not
given, the largest page when it is a variable): `organizations(first: 100) { nodes { services
{ name } } }` costs about 100 times its nodes. A document whose costliest operation is over
the budget (REFERRALNET_MAX_QUERY_COST) is refused with QUERY_TOO_COSTLY before it runs."""

from __future__ import annotations

from collections.abc import Mapping

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    ListValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationContext,
    ValidationRule,
    VariableNode,
    get_named_type,
    is_leaf_type,
)
from strawberry.extensions import AddValidationRules

CODE = "QUERY_TOO_COSTLY"
# the work behind a field beyond what it returns
FIELD_COST: Mapping[str, int] = {
    "routeReferral": 100,
    "whoHandles": 20,
    "coverageGaps": 20,
    "linkedSuspects": 200,
    "connection": 200,
    "neighborhood": 200,
    "keyPlayers": 100,
    "matchCandidates": 100,
    "loadDirectory": 2000,
    "rerouteReferral": 100,
    "referralStats": 20,
}
PER_CASE = 50  # keyPlayers: each case asked adds its suspect network
UNKNOWN_CASES = 50  # keyPlayers' caseIds given as a variable: the most it accepts
_MULTIPLIERS = ("first", "limit")
MAX_TIMES = 2000  # the largest first/limit any field accepts (neighborhood); more is BAD_INPUT
_LARGEST = {"neighborhood": 2000, "linkedSuspects": 200}  # else the largest page


class _Costing:
    def __init__(
        self, schema: GraphQLSchema, fragments: Mapping[str, FragmentDefinitionNode], max_page: int
    ) -> None:
        self.schema, self.fragments, self.max_page = schema, fragments, max_page

    def selections(
        self,
        parent: GraphQLNamedType | None,
        selection_set: SelectionSetNode | None,
        seen: frozenset[str] = frozenset(),
    ) -> int:
        total = 0
        for sel in selection_set.selections if selection_set is not None else ():
            if isinstance(sel, FieldNode):
                total += self.field(parent, sel, seen)
            elif isinstance(sel, InlineFragmentNode):
                on = (
                    self.schema.get_type(sel.type_condition.name.value)
                    if sel.type_condition is not None
                    else parent
                )
                total += self.selections(on, sel.selection_set, seen)
            elif isinstance(sel, FragmentSpreadNode):
                name = sel.name.value
                frag = self.fragments.get(name)
                if frag is not None and name not in seen:  # cycles are another rule's error
                    on = self.schema.get_type(frag.type_condition.name.value)
                    total += self.selections(on, frag.selection_set, seen | {name})
        return total

    def field(self, parent: GraphQLNamedType | None, node: FieldNode, seen: frozenset[str]) -> int:
        name = node.name.value
        fields = parent.fields if isinstance(parent, GraphQLObjectType) else {}
        definition = fields.get(name)
        if definition is None:  # __typename, an interface's field or an unknown one
            return 0
        of = get_named_type(definition.type)
        own = FIELD_COST.get(name, 0 if is_leaf_type(of) else 1)
        args = {a.name.value: a.value for a in node.arguments or ()}
        if name == "keyPlayers":
            cases = args.get("caseIds")
            own += PER_CASE * (
                len(cases.values)
                if isinstance(cases, ListValueNode)
                else UNKNOWN_CASES
                if isinstance(cases, VariableNode)
                else 1
            )
        times = 1
        for arg in _MULTIPLIERS:
            if arg in definition.args:
                times = max(
                    times,
                    self._count(
                        args.get(arg), definition.args[arg].default_value, _LARGEST.get(name, self.max_page)
                    ),
                )
        return own + times * self.selections(of, node.selection_set, seen)

    @staticmethod
    def _count(value: object, default: object, largest: int) -> int:
        if isinstance(value, IntValueNode):
            return min(max(1, int(value.value)), MAX_TIMES)
        if isinstance(value, VariableNode):
            return largest
        return default if isinstance(default, int) and default > 0 else 1


def query_cost(
    schema: GraphQLSchema,
    operation: OperationDefinitionNode,
    fragments: Mapping[str, FragmentDefinitionNode],
    max_page: int,
) -> int:
    """The cost of one operation of a document (variables counted at their worst)."""
    root = {
        "query": schema.query_type,
        "mutation": schema.mutation_type,
        "subscription": schema.subscription_type,
    }[operation.operation.value]
    return _Costing(schema, fragments, max_page).selections(root, operation.selection_set)


class QueryCostLimiter(AddValidationRules):
    """Refuses documents whose costliest operation is over `budget`."""

    def __init__(self, budget: int, max_page: int) -> None:
        class QueryCostRule(ValidationRule):
            def __init__(self, context: ValidationContext) -> None:
                super().__init__(context)
                doc = context.document
                fragments = {
                    d.name.value: d for d in doc.definitions if isinstance(d, FragmentDefinitionNode)
                }
                costs = [
                    query_cost(context.schema, d, fragments, max_page)
                    for d in doc.definitions
                    if isinstance(d, OperationDefinitionNode)
                ]
                cost = max(costs, default=0)
                if cost > budget:
                    context.report_error(
                        GraphQLError(
                            f"the query costs {cost}, over the budget of {budget}: ask for fewer "
                            "or smaller expensive fields (keyPlayers, traces, routing, pages) per "
                            "request",
                            extensions={"code": CODE},
                        )
                    )

        super().__init__([QueryCostRule])
