"""Request limits, GraphiQL, GET queries and error hygiene."""

from __future__ import annotations

import gc
import warnings

import httpx

from tests.conftest import GQL, Server


def test_deep_queries_are_refused(gql: GQL) -> None:
    deep = "query { organizations { nodes { services { organization { services { organization {" \
           " services { organization { services { organization { services { id } } } } } } } } } } } }"
    errors = gql.errors(deep)
    assert errors[0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert "depth" in errors[0]["message"]


def test_too_many_aliases_are_refused(gql: GQL) -> None:
    aliases = " ".join(f"a{i}: regions {{ code }}" for i in range(40))
    errors = gql.errors("query { " + aliases + " }")
    assert "alias" in errors[0]["message"].lower()


def test_oversized_bodies_are_refused(api: Server, admin_token: str) -> None:
    padding = "#" + "x" * 1_200_000 + "\n"
    r = httpx.post(f"{api.url}/graphql", headers={"Authorization": f"Bearer {admin_token}"},
                   json={"query": padding + "query { me { name } }"})
    assert r.status_code == 413
    assert r.json()["errors"][0]["extensions"]["code"] == "REQUEST_TOO_LARGE"


def test_unknown_fields_give_validation_errors_without_internals(gql: GQL) -> None:
    errors = gql.errors("query { organizations { nodes { secretField } } }")
    assert errors[0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    text = str(errors)
    for leak in ("Traceback", "MATCH", "neo4j", "File \""):
        assert leak not in text


def test_injection_strings_are_data_not_cypher(gql: GQL) -> None:
    nasty = "x' }) MATCH (n) DETACH DELETE n //"
    c = gql("query($f: DirectoryFilterInput) { organizations(filter: $f) { totalCount } }",
            f={"text": nasty})
    assert c["organizations"]["totalCount"] == 0
    assert gql("query { organizations { totalCount } }")["organizations"]["totalCount"] > 200
    errors = gql.errors('query { whoHandles(need: SHELTER, region: "x\' OR 1=1") { servedInRegion } }')
    assert errors[0]["extensions"]["code"] == "BAD_INPUT"


def test_get_queries_and_graphiql(api: Server, admin_token: str) -> None:
    r = httpx.get(f"{api.url}/graphql", params={"query": "{ me { role } }"},
                  headers={"Authorization": f"Bearer {admin_token}"})
    assert r.status_code == 200 and r.json()["data"]["me"]["role"] == "ADMIN"
    page = httpx.get(f"{api.url}/graphql", headers={"Accept": "text/html"})
    assert page.status_code == 200 and "graphiql" in page.text.lower()
    mutation = httpx.get(f"{api.url}/graphql", params={"query": "mutation { x }"},
                         headers={"Authorization": f"Bearer {admin_token}"})
    assert mutation.status_code in (400, 405)


def test_a_failing_field_leaves_its_siblings_statements_whole(gql: GQL) -> None:
    # GraphQL cancels the sibling fields of a non-null field that fails; statements they had
    # sent must still end cleanly, not leave dropped connections and their sockets behind
    query = """{ service(id: "kz-sana-sezim-legal-aid") { id } referralStats { region }
                 whoHandles(need: SHELTER, region: "almaty", limit: 0) { servedInRegion } }"""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ResourceWarning)
        for _ in range(20):
            errors = gql.errors(query)
            assert [e["extensions"]["code"] for e in errors] == ["BAD_INPUT"]
        gc.collect()
    assert [str(w.message) for w in caught if w.category is ResourceWarning] == []
