"""Every error a client sees has a stable `extensions.code`; unexpected ones are masked."""

from __future__ import annotations

from typing import Any

from graphql import GraphQLError

from graph.exceptions import BadInput, ReferralnetError


def format_error(e: GraphQLError) -> dict[str, Any]:
    original = e.original_error
    out: dict[str, Any] = {"message": e.message}
    if e.locations:
        out["locations"] = [{"line": loc.line, "column": loc.column} for loc in e.locations]
    if e.path:
        out["path"] = e.path
    if isinstance(original, ReferralnetError):
        out["message"] = original.message
        ext: dict[str, Any] = {"code": original.code}
        if isinstance(original, BadInput) and original.field:
            ext["field"] = original.field
        out["extensions"] = ext
    elif original is None or isinstance(original, GraphQLError):
        # parse, validation and limit errors come from graphql-core/strawberry with no cause;
        # a variable that does not coerce carries graphql-core's own error as its cause
        out["extensions"] = {"code": (e.extensions or {}).get("code", "GRAPHQL_VALIDATION_FAILED")}
    else:
        out["message"] = "internal error; it has been logged"
        out["extensions"] = {"code": "INTERNAL"}
    return out


def error_body(code: str, message: str) -> dict[str, Any]:
    return {"data": None, "errors": [{"message": message, "extensions": {"code": code}}]}
