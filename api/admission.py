"""What a request may ask before it runs: every list and every text in its arguments and
variables within the caps (REFERRALNET_MAX_LIST_ITEMS, REFERRALNET_MAX_TEXT_CHARS), and the
schema itself (`__schema`, `__type`) only for the roles REFERRALNET_INTROSPECTION allows.

The caps hold for any argument or input field, present or future: they are checked on the
document's literals and on the variables' JSON, whatever the schema says of them. A refusal is
a request error (nothing runs) naming the argument or input field."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from graphql import (
    ArgumentNode,
    FieldNode,
    GraphQLError,
    ListValueNode,
    Node,
    ObjectFieldNode,
    StringValueNode,
    VariableDefinitionNode,
    VariableNode,
    Visitor,
    parse,
    visit,
)

from graph.config import Settings
from graph.exceptions import BadInput, Forbidden, ReferralnetError

INTROSPECTION_FIELDS = frozenset({"__schema", "__type"})
DOCUMENTS = 256  # summaries of query texts kept (clients send the same few again and again)


@dataclass(frozen=True)
class _Summary:
    """What admission needs of a query text, worked out once."""

    over: BadInput | None  # the first literal over a cap
    uses: dict[str, str]  # variable -> the argument or input field it fills
    introspects: bool


class Caps:
    def __init__(self, max_items: int, max_chars: int) -> None:
        self.max_items, self.max_chars = max_items, max_chars

    def text(self, value: str, field: str) -> BadInput | None:
        if len(value) > self.max_chars:
            return BadInput(f"{field} is longer than {self.max_chars} characters", field=field)
        return None

    def items(self, count: int, field: str) -> BadInput | None:
        if count > self.max_items:
            return BadInput(f"{field} has more than {self.max_items} items", field=field)
        return None

    def value(self, value: Any, field: str) -> BadInput | None:
        """The first text or list over a cap in a JSON value, named by the nearest key (the
        input field) or else by `field`. Iterative: a deeply nested value cannot exhaust the
        stack."""
        stack: list[tuple[Any, str]] = [(value, field)]
        while stack:
            v, name = stack.pop()
            if isinstance(v, str):
                over = self.text(v, name)
            elif isinstance(v, list):
                over = self.items(len(v), name)
                stack.extend((x, name) for x in v)
            elif isinstance(v, dict):
                over = None
                stack.extend((x, str(k)) for k, x in v.items())
            else:
                continue
            if over is not None:
                return over
        return None


def _owner(parent: Any, ancestors: list[Any]) -> str:
    """The argument, input field or variable a value in the document belongs to."""
    for node in (parent, *reversed(ancestors)):
        if isinstance(node, ArgumentNode | ObjectFieldNode):
            return node.name.value
        if isinstance(node, VariableDefinitionNode):
            return node.variable.name.value
    return "value"


class _Reader(Visitor):
    def __init__(self, caps: Caps) -> None:
        super().__init__()
        self.caps = caps
        self.over: BadInput | None = None
        self.uses: dict[str, str] = {}
        self.introspects = False

    def _found(self, over: BadInput | None) -> None:
        if self.over is None:
            self.over = over

    def enter_list_value(
        self, node: ListValueNode, _key: Any, parent: Any, _path: Any, ancestors: list[Node]
    ) -> None:
        self._found(self.caps.items(len(node.values), _owner(parent, ancestors)))

    def enter_string_value(
        self, node: StringValueNode, _key: Any, parent: Any, _path: Any, ancestors: list[Node]
    ) -> None:
        self._found(self.caps.text(node.value, _owner(parent, ancestors)))

    def enter_variable(
        self, node: VariableNode, _key: Any, parent: Any, _path: Any, ancestors: list[Node]
    ) -> None:
        if not isinstance(parent, VariableDefinitionNode):
            self.uses.setdefault(node.name.value, _owner(parent, ancestors))

    def enter_field(self, node: FieldNode, *_: Any) -> None:
        if node.name.value in INTROSPECTION_FIELDS:
            self.introspects = True


class Admission:
    def __init__(self, settings: Settings) -> None:
        self.caps = Caps(settings.max_list_items, settings.max_text_chars)
        self.max_tokens = settings.max_tokens
        self.introspection = settings.introspection
        self._summaries: dict[str, _Summary | None] = {}

    def _summary(self, query: str) -> _Summary | None:
        """None when the text does not parse: the executor reports that."""
        if query in self._summaries:
            return self._summaries[query]
        try:
            document = parse(query, max_tokens=self.max_tokens)
        except GraphQLError:
            summary = None
        else:
            reader = _Reader(self.caps)
            visit(document, reader)
            summary = _Summary(reader.over, reader.uses, reader.introspects)
        if len(self._summaries) >= DOCUMENTS:
            self._summaries.clear()
        self._summaries[query] = summary
        return summary

    def refusal(self, query: str | None, variables: dict[str, Any] | None, role: str) -> GraphQLError | None:
        """Why this request may not run, as a request error, or None."""
        if not isinstance(query, str):
            return None
        summary = self._summary(query)
        if summary is None:
            return None
        refused: ReferralnetError | None = summary.over
        if (
            refused is None
            and summary.introspects
            and not (self.introspection == "all" or (self.introspection == "admin" and role == "ADMIN"))
        ):
            refused = Forbidden(
                "the schema is not open to this token's role "
                f"(REFERRALNET_INTROSPECTION={self.introspection})"
            )
        for name, value in (variables or {}).items():
            if refused is not None:
                break
            refused = self.caps.value(value, summary.uses.get(name, name))
        return None if refused is None else GraphQLError(refused.message, original_error=refused)
