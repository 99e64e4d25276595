"""What every HTTP answer carries (security headers, no server banner), GraphQL over HTTP
(application/graphql-response+json and its 4xx for request errors) and the introspection
setting, over real HTTP to the real app."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import httpx
import pytest

from graph.config import Settings
from tests.conftest import Server, make_token

SECURITY = {
    "cache-control": "no-store",
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
}
GRJ = "application/graphql-response+json"


def _secure(r: httpx.Response) -> None:
    for name, value in SECURITY.items():
        assert r.headers.get(name) == value, (r.request.url, r.status_code, name, r.headers)
    assert "server" not in r.headers, r.headers


def test_every_response_carries_the_security_headers(api: Server, admin_token: str) -> None:
    auth = {"Authorization": f"Bearer {admin_token}"}
    url = f"{api.url}/graphql"
    answers = [
        httpx.post(url, headers=auth, json={"query": "{ me { role } }"}),  # an answer
        httpx.post(url, headers=auth, json={"query": "{ nope }"}),  # validation
        httpx.post(url, headers=auth, json={"query": '{ organization(id: "x") { id } }'}),
        httpx.post(url, json={"query": "{ me { role } }"}),  # 401
        httpx.post(url, headers={"Authorization": "Bearer unknown"}, json={"query": "{ me { role } }"}),
        httpx.post(
            url,
            headers=auth,
            content=b"{",
            timeout=10,  # 400
        ),
        httpx.post(
            url,
            headers={**auth, "content-type": "application/json"},  # 413
            content=b"x" * 1_100_000,
        ),
        httpx.put(url, headers=auth, json={}),  # 405
        httpx.get(url, headers={"Accept": "text/html"}),  # GraphiQL
        httpx.get(url, headers=auth, params={"query": "{ me { role } }"}),  # GET
        httpx.get(f"{api.url}/healthz"),
        httpx.get(f"{api.url}/readyz"),
        httpx.get(f"{api.url}/nothing-here"),  # 404
    ]
    assert {r.status_code for r in answers} >= {200, 400, 401, 404, 405, 413}
    for r in answers:
        _secure(r)


def _post(api: Server, token: str, body: dict[str, object], accept: str | None) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"}
    if accept is not None:
        headers["Accept"] = accept
    return httpx.post(f"{api.url}/graphql", headers=headers, json=body)


REQUEST_ERRORS = {
    "parse": {"query": "{"},
    "validation": {"query": "{ 8f31403dfe404bccbb0e835f2629c6a7 }"},
    "coercion": {"query": "query Q($id: ID!) { __typename }", "variables": {"id": None}},
    "coercion-int": {
        "query": "query Q($n: Int!) { organizations(first: $n) { totalCount } }",
        "variables": {"n": "many"},
    },
    "coercion-upload": {
        "query": "mutation M($f: Upload!) { loadDirectory(file: $f) { __typename } }",
        "variables": {"f": None},
    },
    "cap": {"query": "query Q($l: [String!]) { __typename }", "variables": {"l": ["x"] * 51}},
}


@pytest.mark.parametrize("kind", sorted(REQUEST_ERRORS))
def test_request_errors_are_400_without_data_for_graphql_response_json(
    api: Server, admin_token: str, kind: str
) -> None:
    r = _post(api, admin_token, REQUEST_ERRORS[kind], GRJ)
    assert r.status_code == 400, r.text
    assert r.headers["content-type"].startswith(GRJ)
    body = r.json()
    assert "data" not in body, body
    assert body["errors"][0]["extensions"]["code"] in {"GRAPHQL_VALIDATION_FAILED", "BAD_INPUT"}
    # application/json (or no preference) keeps 200, as the spec asks of it
    for accept in ("application/json", "*/*", None):
        r = _post(api, admin_token, REQUEST_ERRORS[kind], accept)
        assert r.status_code == 200, (accept, r.text)
        assert r.headers["content-type"].startswith("application/json")
        assert "data" not in r.json()


@pytest.mark.parametrize(
    ("accept", "media"),
    [
        (GRJ, GRJ),
        ("application/json", "application/json"),
        ("*/*", "application/json"),
        (None, "application/json"),
        (f"{GRJ}, application/json;q=0.9", GRJ),
        (f"application/json, {GRJ};q=0.5", "application/json"),
        (f"{GRJ};q=0", "application/json"),
    ],
)
def test_answers_use_the_media_type_the_client_accepts(
    api: Server, admin_token: str, accept: str | None, media: str
) -> None:
    r = _post(api, admin_token, {"query": "{ me { role } }"}, accept)
    assert r.status_code == 200
    assert r.headers["content-type"].split(";")[0] == media
    assert r.json() == {"data": {"me": {"role": "ADMIN"}}}


def test_field_errors_keep_200_and_their_data_entry(api: Server, admin_token: str) -> None:
    r = _post(api, admin_token, {"query": '{ organization(id: "nobody") { id } }'}, GRJ)
    assert r.status_code == 200
    body = r.json()
    assert body["data"] is None and body["errors"][0]["extensions"]["code"] == "NOT_FOUND"


INTROSPECTIONS = [
    "{ __schema { queryType { name } } }",
    '{ __type(name: "Organization") { name } }',
    "query { me { role } ...F } fragment F on Query { __schema { types { name } } }",
]


@pytest.fixture(scope="module")
def open_to(seeded: Settings) -> Iterator[dict[str, Server]]:
    servers = {mode: Server(replace(seeded, introspection=mode)) for mode in ("all", "off")}
    for s in servers.values():
        s.__enter__()
    try:
        yield servers
    finally:
        for s in servers.values():
            s.__exit__()


@pytest.mark.parametrize("role", ["ADMIN", "COORDINATOR", "INVESTIGATOR", "LOADER"])
def test_introspection_is_for_admins_by_default(
    api: Server, open_to: dict[str, Server], seeded: Settings, role: str
) -> None:
    token = make_token(
        seeded, role, f"introspection ({role})", "kz-rodnik" if role == "COORDINATOR" else None
    )
    expect = {"admin": role == "ADMIN", "all": True, "off": False}
    for mode, server in [("admin", api), *open_to.items()]:
        for query in INTROSPECTIONS:
            r = _post(server, token, {"query": query}, GRJ)
            body = r.json()
            if expect[mode]:
                assert r.status_code == 200 and "errors" not in body, (mode, query, body)
            else:
                assert r.status_code == 403, (mode, query, r.text)
                assert [e["extensions"]["code"] for e in body["errors"]] == ["FORBIDDEN"]
                assert "data" not in body
        # __typename is no introspection
        r = _post(server, token, {"query": "{ __typename }"}, GRJ)
        assert r.status_code == 200 and r.json() == {"data": {"__typename": "Query"}}


@pytest.mark.unit
def test_accept_negotiation_unit() -> None:
    from api.media_types import wants_graphql_response

    assert wants_graphql_response(GRJ)
    assert wants_graphql_response(f"{GRJ}; charset=utf-8, application/json; q=0.9")
    assert wants_graphql_response(f"application/json;q=0.5, {GRJ}")
    assert not wants_graphql_response("application/json")
    assert not wants_graphql_response("*/*")
    assert not wants_graphql_response("")
    assert not wants_graphql_response(f"{GRJ};q=0")
    assert not wants_graphql_response(f"{GRJ};q=bad")
    assert not wants_graphql_response(f"{GRJ};q=0.4, application/json")


@pytest.mark.unit
def test_a_variable_that_does_not_coerce_is_no_internal_error_unit() -> None:
    from graphql import GraphQLError, parse
    from graphql.execution.values import get_variable_values

    from api.errors import format_error
    from api.media_types import is_request_error
    from api.schema import build_schema

    schema = build_schema(Settings())._schema
    op = parse("query($n: Int!, $f: Upload!) { regions { code } }").definitions[0]
    errors = get_variable_values(schema, op.variable_definitions, {"n": "many", "f": None})  # type: ignore[attr-defined]
    assert isinstance(errors, list) and len(errors) == 2
    assert all(isinstance(e.original_error, GraphQLError) for e in errors)  # graphql-core's cause
    assert [format_error(e)["extensions"]["code"] for e in errors] == ["GRAPHQL_VALIDATION_FAILED"] * 2
    assert is_request_error(None, errors)
    assert not is_request_error(None, [GraphQLError("boom", original_error=RuntimeError("x"))])
