"""The whole GraphQL schema fuzzed over HTTP (hypothesis-graphql): queries and mutations that
the schema allows, with ids and strings drawn from what the database holds (the Kazakhstan
directory, a test shelter, the planted case set, two referrals) mixed with arbitrary ones, sent
with a token of each role. Whatever is asked, the answer is JSON with a stable error code on every
error, never an internal error, a stack trace or Cypher; a victim's name, birth date or phone
never comes back; roles without access to investigations get FORBIDDEN and no case data."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import graphql
import httpx
import hypothesis_graphql as hg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api.schema import build_schema
from graph.config import Settings
from graph.directory_write import write_directory
from graph.localdb import Instance, free_port
from loaders.directory_load import load_hsds
from loaders.ftm_load import load_cases
from loaders.kazakhstan import load_directory
from tests.conftest import GQL, ROOT, Server, make_token, with_db
from tests.fixtures.ftm import planted

INVESTIGATION_FIELDS = ["case", "linkedSuspects", "connection", "neighborhood", "keyPlayers",
                        "matchCandidates"]
# every mutation but loadDirectory, whose Upload is a file (tests/test_hsds_load.py sends them)
MUTATIONS = ["createReferral", "transitionReferral", "rerouteReferral", "confirmSameAs",
             "rejectSameAs"]
CODES = {"BAD_INPUT", "NOT_FOUND", "FORBIDDEN", "GRAPHQL_VALIDATION_FAILED",  # limits: the last
         "QUERY_TOO_COSTLY"}
LEAKS = ("Traceback", "File \"", "MATCH ", "MERGE ", "neo4j.", "Neo.ClientError", "Cypher")
# what the planted victims were loaded with: stored under a pseudonym, so never answered
VICTIM = ("Aigerim Victim", "2001-01-01", "+77050000001", "705 000")
FUZZ = settings(max_examples=60, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@dataclass
class Fuzz:
    server: Server
    settings: Settings
    sdl: str
    ids: list[str]
    strings: list[str]

    def client(self, role: str, organization: str | None = None) -> GQL:
        return GQL(self.server.url, make_token(self.settings, role, f"fuzz {role}", organization))

    def scalars(self) -> dict[str, st.SearchStrategy[graphql.ValueNode]]:
        def text(known: list[str]) -> st.SearchStrategy[graphql.ValueNode]:
            return st.one_of(st.sampled_from(known), st.text(max_size=12)).map(
                lambda v: graphql.StringValueNode(value=v))
        return {"ID": text(self.ids), "String": text(self.strings)}


@pytest.fixture(scope="module")
def fuzz(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Fuzz]:
    home = tmp_path_factory.mktemp("neo4j-fuzz")
    inst = Instance(home / "db", free_port())
    inst.start(heap="768m", pagecache_mb=128)
    cfg = Settings(neo4j_uri=inst.uri, neo4j_password=inst.password())
    directory = load_directory()

    async def prepare(db):  # type: ignore[no-untyped-def]
        await db.apply_schema()
        await write_directory(db, directory)
        await load_hsds(db, ROOT / "tests/fixtures/hsds/valid/test-shelter")
        await load_cases(db, planted.write(home / "planted.ijson"))

    with_db(cfg, prepare)
    try:
        with Server(cfg) as server:
            sender = GQL(server.url, make_token(cfg, "COORDINATOR", "sender", "kz-sana-sezim"))
            referrals = [sender(
                "mutation($i: CreateReferralInput!) { createReferral(input: $i) { id } }",
                i={"serviceId": "test-shelter", "needs": ["SHELTER"], "consent": True,
                   "profile": {"region": "pavlodar", "age": 30, "sex": "FEMALE",
                               "citizenship": "KZ"}})["createReferral"]["id"] for _ in range(2)]
            ids = ([o["id"] for o in directory.organizations[:40]]
                   + [s["id"] for s in directory.services[:40]]
                   + ["test-shelter", "test-shelter-org"] + referrals
                   + [e["id"] for e in planted.entities()])
            strings = ([r["code"] for r in directory.regions] + [n["code"] for n in directory.needs]
                       + ["Жанибек Келекеев", "Kelekeeva", "Janibek", "1985-03-02", "KZ",
                          "kz-sana-sezim", "2023-017"])
            yield Fuzz(server, cfg, build_schema(cfg).as_str(), ids, strings)
    finally:
        inst.stop()


def check(body: dict[str, Any], status: int) -> list[str]:
    """The codes of a well-formed answer's errors; fails on anything a client must never see."""
    assert status == 200, body
    text = json.dumps(body, ensure_ascii=False)
    for leak in LEAKS + VICTIM:
        assert leak not in text, (leak, body)
    codes = [(e.get("extensions") or {}).get("code") for e in body.get("errors") or []]
    assert set(codes) <= CODES, body
    return codes  # type: ignore[return-value]


@pytest.mark.parametrize("role", ["ADMIN", "INVESTIGATOR", "COORDINATOR", "LOADER"])
def test_any_query_gets_a_clean_answer(fuzz: Fuzz, role: str) -> None:
    client = fuzz.client(role, "kz-rodnik" if role == "COORDINATOR" else None)
    seen: set[str] = set()

    @FUZZ
    @given(hg.queries(fuzz.sdl, custom_scalars=fuzz.scalars()))
    def ask(query: str) -> None:
        r = client.post(query)
        seen.update(check(r.json(), r.status_code) or ["OK"])

    ask()
    assert "OK" in seen and "BAD_INPUT" in seen  # the fuzz reached answers and refusals alike


@pytest.mark.parametrize("role", ["COORDINATOR", "LOADER"])
def test_investigation_fields_are_refused_whatever_the_arguments(fuzz: Fuzz, role: str) -> None:
    client = fuzz.client(role, "kz-rodnik" if role == "COORDINATOR" else None)

    @FUZZ
    @given(hg.queries(fuzz.sdl, fields=INVESTIGATION_FIELDS, custom_scalars=fuzz.scalars()))
    def ask(query: str) -> None:
        r = client.post(query)
        body = r.json()
        # refused for the role, or before that for its cost (api/cost.py)
        assert set(check(body, r.status_code)) in ({"FORBIDDEN"}, {"QUERY_TOO_COSTLY"}), body
        assert body["data"] is None, body

    ask()


@pytest.mark.parametrize("role", ["ADMIN", "COORDINATOR", "INVESTIGATOR"])
def test_any_mutation_gets_a_clean_answer(fuzz: Fuzz, role: str) -> None:
    client = fuzz.client(role, "kz-sana-sezim" if role == "COORDINATOR" else None)

    @FUZZ
    @given(hg.mutations(fuzz.sdl, fields=MUTATIONS, custom_scalars=fuzz.scalars()))
    def change(query: str) -> None:
        r = client.post(query)
        check(r.json(), r.status_code)

    change()


# Hostile HTTP (issue 19, failure 8): bodies that are not GraphQL requests, crafted cursors and
# broken uploads get a 4xx or a coded error, never a 500 or INTERNAL.

JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False)
                    | st.text(max_size=20),
                    lambda inner: st.lists(inner, max_size=4)
                    | st.dictionaries(st.sampled_from(["query", "variables", "operationName",
                                                      "extensions", "x"]), inner, max_size=4),
                    max_leaves=12)


def _clean(r: httpx.Response, codes: set[str]) -> list[str]:
    assert r.status_code < 500, r.text
    body = r.json()
    text = json.dumps(body, ensure_ascii=False)
    for leak in LEAKS + VICTIM:
        assert leak not in text, (leak, body)
    found = [(e.get("extensions") or {}).get("code") for e in body.get("errors") or []]
    assert set(found) <= codes, body
    return found  # type: ignore[return-value]


@pytest.mark.parametrize("accept", ["application/json", "application/graphql-response+json"])
def test_any_json_body_gets_a_clean_answer(fuzz: Fuzz, accept: str) -> None:
    client = fuzz.client("COORDINATOR", "kz-rodnik")

    @FUZZ
    @given(JSON)
    def send(body: object) -> None:
        r = httpx.post(client.url, content=json.dumps(body), timeout=30, headers={
            **client.headers, "content-type": "application/json", "accept": accept})
        codes = _clean(r, CODES | {"BAD_REQUEST"})
        if not isinstance(body, dict):
            assert r.status_code == 400 and codes == ["BAD_REQUEST"], r.text

    send()


@pytest.mark.parametrize("field", ["organizations", "services", "referrals"])
def test_any_cursor_gets_a_clean_answer(fuzz: Fuzz, field: str) -> None:
    client = fuzz.client("ADMIN")
    raw = st.one_of(st.binary(max_size=40), st.text(max_size=30).map(str.encode),
                    JSON.map(lambda v: json.dumps(v).encode()),
                    st.tuples(st.text(max_size=30), st.text(max_size=8)).map(
                        lambda t: f"{t[0]}|{t[1]}".encode("utf-8", "surrogatepass")))
    cursors = st.one_of(raw.map(lambda b: base64.urlsafe_b64encode(b).decode()),
                        st.text(max_size=40))

    @FUZZ
    @given(cursors)
    def page(cursor: str) -> None:
        r = client.post(f"query($a: String) {{ {field}(after: $a) {{ nodes {{ id }} }} }}",
                        {"a": cursor})
        assert r.status_code == 200, r.text
        _clean(r, {"BAD_INPUT"})

    page()


def test_the_cursors_given_out_still_page(fuzz: Fuzz) -> None:
    client = fuzz.client("ADMIN")
    for field in ("organizations", "services", "referrals"):
        query = (f"query($a: String) {{ {field}(first: 1, after: $a) "
                 "{ pageInfo { endCursor } nodes { id } } }")
        first = client(query, a=None)[field]
        second = client(query, a=first["pageInfo"]["endCursor"])[field]
        assert len(second["nodes"]) == 1 and second["nodes"] != first["nodes"], field


UPLOAD = """mutation($file: Upload!, $mapping: Upload) {
  loadDirectory(file: $file, mapping: $mapping) { __typename } }"""
NAMES = st.one_of(st.sampled_from(["", ".", "..", "../..", "/", "a/..", "x.zip", "x.json",
                                   "../x.zip", "map.yaml"]), st.text(max_size=12))


@pytest.mark.parametrize("role", ["COORDINATOR", "LOADER"])
def test_any_upload_gets_a_clean_answer(fuzz: Fuzz, role: str) -> None:
    client = fuzz.client(role, "kz-rodnik" if role == "COORDINATOR" else None)

    @FUZZ
    @given(file=st.one_of(NAMES, st.just(None)), mapping=st.one_of(NAMES, st.just(None)),
           as_text=st.booleans(), body=st.binary(max_size=64))
    def upload(file: str | None, mapping: str | None, as_text: bool, body: bytes) -> None:
        if as_text or file is None:  # a string (or nothing) sent for the file
            r = client.post(UPLOAD, {"file": file, "mapping": mapping})
        else:
            parts = {"file": (file, body)} | ({"mapping": (mapping, body)} if mapping else {})
            r = httpx.post(client.url, headers=client.headers, timeout=60, data={
                "operations": json.dumps({"query": UPLOAD,
                                          "variables": {"file": None, "mapping": None}}),
                "map": json.dumps({k: [f"variables.{k}"] for k in parts})},
                files={k: (n, b, "application/octet-stream") for k, (n, b) in parts.items()})
        assert r.status_code == 200, r.text
        codes = _clean(r, CODES | {"INVALID_DATA"})
        if role == "COORDINATOR" and file is not None:
            assert codes == ["FORBIDDEN"], r.text

    upload()
