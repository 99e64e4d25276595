"""Directory imports against a real Neo4j of their own: every official example loads and is
queryable; broken inputs leave the graph exactly as it was; re-loads change nothing; duplicates
merge; exports load back to the same graph; the GraphQL upload works for LOADER only."""

from __future__ import annotations

import io
import shutil
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from graph.config import Settings
from graph.directory_write import write_directory
from graph.exceptions import InvalidData
from loaders.directory_load import load_hsds
from loaders.hsds_export import export_directory
from loaders.kazakhstan import load_directory
from tests.conftest import GQL, ROOT, Server, graph_digest, make_token, own_database, with_db
from tests.hsds_gen import write_directory as write_hsds_directory

EXAMPLES = ROOT.parent / "shared" / "data" / "hsds-3.0" / "examples"
FIXTURES = ROOT / "tests" / "fixtures" / "hsds"


@pytest.fixture(scope="module")
def fresh(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    yield from own_database(tmp_path_factory, "neo4j-hsds", heap="1g")


def wipe(settings: Settings) -> None:
    with_db(settings, lambda db: db.write("wipe_directory"))


def seed(settings: Settings) -> None:
    with_db(settings, lambda db: write_directory(db, load_directory()))


def load(settings: Settings, path: Path, **kw: Any) -> Any:
    return with_db(settings, lambda db: load_hsds(db, path, **kw))


def fingerprint(settings: Settings) -> str:
    return graph_digest(settings, "directory_fingerprint")


def official_examples() -> list[Path]:
    return [EXAMPLES / "csv", *sorted(EXAMPLES.glob("*.json"))]


def test_every_official_example_loads_and_is_queryable(fresh: Settings) -> None:
    wipe(fresh)
    for path in official_examples():
        report = load(fresh, path)
        assert report.format in ("csv", "json"), path
    with Server(fresh) as api:
        gql = GQL(api.url, make_token(fresh, "COORDINATOR", "examples"))
        d = gql("""{ organizations(filter: {text: "example org"}) { totalCount nodes { id name
                   services { id name status } } }
                   service(id: "ac148810-d857-441c-9679-408f346de14b") { name minAge maxAge
                   organization { name } } }""")
    orgs = d["organizations"]["nodes"]
    assert [o["name"] for o in orgs] == ["Example Organization Inc."]
    assert orgs[0]["services"][0]["name"] == "Community Counselling"
    assert d["service"] == {"name": "Community Counselling", "minAge": 12, "maxAge": 100,
                            "organization": {"name": "Example Organization Inc."}}


def test_export_loads_back_to_the_same_graph(fresh: Settings, tmp_path: Path) -> None:
    wipe(fresh)
    for path in official_examples():
        load(fresh, path)
    before = fingerprint(fresh)
    for fmt, target in (("csv", tmp_path / "export"), ("json", tmp_path / "export.json")):
        with_db(fresh, lambda db, t=target, f=fmt: export_directory(db, t, f))
        wipe(fresh)
        report = load(fresh, target)
        assert report.written["organizations"]["created"] == 1
        assert fingerprint(fresh) == before, fmt


def _broken() -> list[str]:
    expected = yaml.safe_load((FIXTURES / "broken" / "EXPECTED.yaml").read_text())
    return sorted(name for name, problems in expected.items()
                  if any(p.get("severity", "error") in ("error", "unresolved") for p in problems))


def test_broken_inputs_leave_the_graph_exactly_as_it_was(fresh: Settings) -> None:
    wipe(fresh)
    seed(fresh)
    load(fresh, FIXTURES / "valid" / "kz-small")
    before = fingerprint(fresh)
    names = _broken()
    assert len(names) >= 20
    for name in names:
        with pytest.raises(InvalidData) as e:
            load(fresh, FIXTURES / "broken" / name)
        assert e.value.problems, name
        assert all(p.file and p.reason for p in e.value.problems), name
    assert fingerprint(fresh) == before


def test_a_hard_reference_found_in_the_graph_is_accepted(fresh: Settings, tmp_path: Path) -> None:
    wipe(fresh)
    seed(fresh)
    pkg = tmp_path / "svc"
    pkg.mkdir()
    (pkg / "services.csv").write_text(
        "id,organization_id,name,status\nsvc-extra,kz-rodnik,Evening drop-in,active\n"
        "svc-orphan,kz-nowhere,Orphan,active\n")
    with pytest.raises(InvalidData) as e:
        load(fresh, pkg)
    [problem] = e.value.problems
    assert (problem.file, problem.line, problem.field) == ("services.csv", 3, "organization_id")
    (pkg / "services.csv").write_text(
        "id,organization_id,name,status\nsvc-extra,kz-rodnik,Evening drop-in,active\n")
    report = load(fresh, pkg)
    assert report.written["services"]["created"] == 1


def test_reload_is_unchanged_and_a_changed_row_updates_only_itself(fresh: Settings,
                                                                    tmp_path: Path) -> None:
    wipe(fresh)
    seed(fresh)
    first = load(fresh, FIXTURES / "valid" / "kz-small")
    assert first.written["services"]["created"] == 5
    merge = [m for m in first.merges if m.incoming_id == "kz-lcwi"]
    assert merge and merge[0].into_id == "kz-sana-sezim" and "Legal Center" in merge[0].reason
    again = load(fresh, FIXTURES / "valid" / "kz-small")
    for kind, outcome in again.written.items():
        assert outcome["created"] == outcome["updated"] == 0, (kind, outcome)
    changed = tmp_path / "kz-small"
    shutil.copytree(FIXTURES / "valid" / "kz-small", changed)
    services = (changed / "services.csv").read_text()
    (changed / "services.csv").write_text(services.replace("Free legal consultation",
                                                           "Free legal advice"))
    third = load(fresh, changed)
    assert third.written["services"] == {"created": 0, "updated": 1, "unchanged": 4}
    assert third.written["records"]["updated"] == 1
    assert third.written["organizations"]["updated"] == 0


def test_loaded_services_are_routable_with_regions_needs_and_capacity(fresh: Settings) -> None:
    wipe(fresh)
    seed(fresh)
    load(fresh, FIXTURES / "valid" / "kz-small")
    with Server(fresh) as api:
        gql = GQL(api.url, make_token(fresh, "COORDINATOR", "routing"))
        d = gql("""{ service(id: "svc-rodnik-shelter") { needs capacityTotal capacityAvailable
                     minAge maxAge regions { code } organization { id } }
                   whoHandles(need: LEGAL_AID, region: "shymkent") { services { service { id } } }
                   organization(id: "kz-sana-sezim") { alternateNames services { id } } }""")
    s = d["service"]
    assert s["needs"] == ["SHELTER"] and (s["capacityTotal"], s["capacityAvailable"]) == (20, 5)
    assert s["regions"] == [{"code": "almaty"}] and s["organization"]["id"] == "kz-rodnik"
    assert "svc-lcwi-legal" in [x["service"]["id"] for x in d["whoHandles"]["services"]]
    assert "svc-lcwi-legal" in [x["id"] for x in d["organization"]["services"]]


def test_who_handles_and_gaps_fall_back_to_the_nearest_region(fresh: Settings) -> None:
    wipe(fresh)
    load(fresh, FIXTURES / "valid" / "kz-small")  # services in Almaty and Shymkent only
    with Server(fresh) as api:
        gql = GQL(api.url, make_token(fresh, "COORDINATOR", "gaps"))
        d = gql("""{ whoHandles(need: SHELTER, region: "almaty-region") { servedInRegion
                       services { service { id } region { code } distanceKm inRegion why } }
                     coverageGaps(region: "almaty-region") { needs { need nearestRegion { code }
                       distanceKm } } }""")
    w = d["whoHandles"]
    assert w["servedInRegion"] is False and w["services"]
    assert {s["region"]["code"] for s in w["services"]} == {"almaty"}
    assert all(not s["inRegion"] and s["distanceKm"] > 0 and "nearest" in s["why"]
               for s in w["services"])
    gap = next(g for g in d["coverageGaps"]["needs"] if g["need"] == "SHELTER")
    assert gap["nearestRegion"]["code"] == "almaty" and gap["distanceKm"] > 0


def test_generated_directory_streams_with_progress_and_reloads_unchanged(fresh: Settings,
                                                                         tmp_path: Path) -> None:
    wipe(fresh)
    folder = tmp_path / "generated"
    rows = write_hsds_directory(folder, organizations=2000, services=10000)
    seen: dict[str, int] = {}

    def progress(kind: str, n: int) -> None:
        seen[kind] = seen.get(kind, 0) + n

    report = load(fresh, folder, progress=progress)
    assert report.rows_total == rows
    assert seen["organizations"] == 2000 and seen["services"] == 10000
    assert report.written["services"]["created"] == 10000
    again = load(fresh, folder)
    assert again.written["services"] == {"created": 0, "updated": 0, "unchanged": 10000}
    assert again.written["records"]["unchanged"] == rows


def _zip(folder: Path) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for f in sorted(folder.iterdir()):
            z.write(f, f"package/{f.name}")
    return buf.getvalue()


UPLOAD = """mutation($file: Upload!) { loadDirectory(file: $file) {
  __typename
  ... on DirectoryLoaded { format written { kind created updated unchanged } merges { intoId } }
  ... on DirectoryRejected { message problems { file line field reason } } } }"""


def _upload(url: str, token: str, name: str, body: bytes) -> httpx.Response:
    import json
    return httpx.post(f"{url}/graphql", headers={"Authorization": f"Bearer {token}"}, timeout=60,
                      data={"operations": json.dumps({"query": UPLOAD, "variables": {"file": None}}),
                            "map": json.dumps({"0": ["variables.file"]})},
                      files={"0": (name, body, "application/octet-stream")})


def test_graphql_upload_for_loaders_only(fresh: Settings) -> None:
    wipe(fresh)
    seed(fresh)
    with Server(fresh) as api:
        loader = make_token(fresh, "LOADER", "data staff")
        r = _upload(api.url, loader, "kz-small.zip", _zip(FIXTURES / "valid" / "kz-small"))
        result = r.json()["data"]["loadDirectory"]
        assert result["__typename"] == "DirectoryLoaded", r.text
        assert {"intoId": "kz-sana-sezim"} in result["merges"]
        before = fingerprint(fresh)
        bad = _upload(api.url, loader, "bad.zip", _zip(FIXTURES / "broken" / "duplicate_ids"))
        rejected = bad.json()["data"]["loadDirectory"]
        assert rejected["__typename"] == "DirectoryRejected"
        assert rejected["problems"][0]["field"] == "id" and rejected["problems"][0]["line"] == 4
        assert fingerprint(fresh) == before
        txt = _upload(api.url, loader, "notes.txt", b"hello")
        assert txt.json()["errors"][0]["extensions"]["code"] == "BAD_INPUT"
        coordinator = make_token(fresh, "COORDINATOR", "not staff")
        denied = _upload(api.url, coordinator, "kz-small.zip", _zip(FIXTURES / "valid" / "kz-small"))
        assert denied.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
