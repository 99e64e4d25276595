"""GraphQL over HTTP: which media type an answer is sent as, and with what status.

A client that accepts `application/graphql-response+json` (at least as much as
`application/json`) gets it, and then a request error (the document does not parse or
validate, a variable does not coerce, admission refuses it: nothing ran, so no `data`) is a
4xx. Everyone else gets `application/json` and 200 for every well-formed request, as the
GraphQL-over-HTTP spec asks of that type."""

from __future__ import annotations

from collections.abc import Sequence

from graphql import GraphQLError

from graph.exceptions import ReferralnetError

GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON = "application/json"


def _quality(params: list[str]) -> float:
    for p in params:
        key, _, value = p.partition("=")
        if key.strip().lower() == "q":
            try:
                return float(value)
            except ValueError:
                return 0.0
    return 1.0


def wants_graphql_response(accept: str) -> bool:
    """Whether the Accept header prefers application/graphql-response+json (ties go to it)."""
    if GRAPHQL_RESPONSE not in accept.lower():
        return False
    best = {GRAPHQL_RESPONSE: 0.0, JSON: 0.0}
    for item in accept.split(","):
        kind, *params = item.split(";")
        kind = kind.strip().lower()
        if kind in best:
            best[kind] = max(best[kind], _quality(params))
    return best[GRAPHQL_RESPONSE] > 0 and best[GRAPHQL_RESPONSE] >= best[JSON]


def is_request_error(data: object, errors: Sequence[GraphQLError] | None) -> bool:
    """Whether an answer is a request error: no data and only errors raised before execution
    (no path), none of them an unexpected failure."""
    return (
        data is None
        and bool(errors)
        and all(
            e.path is None
            and (e.original_error is None or isinstance(e.original_error, ReferralnetError | GraphQLError))
            for e in errors or ()
        )
    )


def request_error_status(errors: Sequence[GraphQLError]) -> int:
    """403 when every error is a refusal of the caller's role, 400 otherwise."""
    if all(
        isinstance(e.original_error, ReferralnetError) and e.original_error.code == "FORBIDDEN"
        for e in errors
    ):
        return 403
    return 400
