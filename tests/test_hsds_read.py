"""HSDS input: every official example loads, the broken corpus gives exactly the expected
problems, JSON and CSV forms flatten to the same records, and validation streams."""

from __future__ import annotations

import shutil
import tracemalloc
import zipfile
from pathlib import Path
from typing import Any

import pytest
import yaml

from graph.exceptions import InvalidData, Problem
from loaders.hsds_read import TABLES, Catalog, HsdsSource, open_source, validate
from tests.hsds_gen import write_big_services_csv

pytestmark = pytest.mark.unit

FIXTURES = Path(__file__).parent / "fixtures" / "hsds"
BROKEN = FIXTURES / "broken"
EXAMPLES = Path(__file__).resolve().parents[2] / "shared" / "data" / "hsds-3.0" / "examples"
EXAMPLE_INPUTS = [EXAMPLES / "csv", *sorted(EXAMPLES.glob("*.json"))]
EXPECTED: dict[str, list[dict[str, Any]]] = yaml.safe_load(
    (BROKEN / "EXPECTED.yaml").read_text(encoding="utf-8"))


def _outcome(path: Path) -> tuple[Catalog | None, list[Problem]]:
    try:
        return validate(open_source(path)), []
    except InvalidData as e:
        return None, e.problems


def _data(source: HsdsSource, table: str) -> dict[str, dict[str, Any]]:
    return {r.data["id"]: r.data for r in source.records(table)}


# --- the official HSDS 3.0 examples ----------------------------------------------------------

@pytest.mark.parametrize("path", EXAMPLE_INPUTS, ids=lambda p: p.name)
def test_every_official_example_validates_with_no_error(path: Path) -> None:
    catalog, errors = _outcome(path)
    assert errors == []
    assert catalog is not None
    assert catalog.unresolved == []  # every hard reference of the examples resolves
    source = open_source(path)
    counted = {t: len(list(source.records(t))) for t in source.tables()}
    assert catalog.rows == counted
    assert (sum(counted.values()) == 0) == (path.name == "base.json")


def test_the_example_soft_references_that_dangle_are_warnings() -> None:
    catalog, _ = _outcome(EXAMPLES / "csv")
    assert catalog is not None
    dangling = sorted((w.file, w.field) for w in catalog.warnings if "in this input" in w.reason)
    assert dangling == [
        ("attributes.csv", "link_id"), ("contacts.csv", "organization_id"),
        ("contacts.csv", "service_at_location_id"), ("locations.csv", "organization_id"),
        ("metadata.csv", "resource_id"), ("organizations.csv", "parent_organization_id"),
        ("taxonomy_terms.csv", "parent_id"), ("taxonomy_terms.csv", "taxonomy_id"),
    ]
    latitude = [w for w in catalog.warnings if w.field == "latitude"]
    assert [(w.file, w.line) for w in latitude] == [("locations.csv", 2)]  # latitude 100


def test_the_tabular_json_example_gives_the_same_records_as_the_csv_example() -> None:
    csv_form, json_form = open_source(EXAMPLES / "csv"), open_source(EXAMPLES / "tabular.json")
    assert csv_form.tables() == json_form.tables()
    for table in csv_form.tables():
        assert [r.data for r in csv_form.records(table)] == \
            [r.data for r in json_form.records(table)], table


# Differences that are in the example files themselves: the CSV's ids there dangle on purpose
# where the nested JSON's structure names the real parent, and the JSON organization has no tax_id.
_EXAMPLE_DIFFERENCES = {
    ("organization", "tax_id"), ("location", "organization_id"),
    ("contact", "organization_id"), ("contact", "service_at_location_id"),
    ("taxonomy_term", "taxonomy_id"), ("attribute", "link_id"), ("metadata", "resource_id"),
}


@pytest.mark.parametrize("name", ["organization_full.json", "service_full.json",
                                  "service_at_location_full.json"])
def test_nested_json_flattens_to_the_csv_records(name: str) -> None:
    csv_form, json_form = open_source(EXAMPLES / "csv"), open_source(EXAMPLES / name)
    validate(json_form)
    assert set(json_form.tables()) == set(csv_form.tables()) - {"meta_table_description"}
    for table in json_form.tables():
        flat, rows = _data(json_form, table), _data(csv_form, table)
        assert flat.keys() == rows.keys(), table
        for rid, data in flat.items():
            differing = {k for k in data.keys() | rows[rid].keys()
                         if data.get(k) != rows[rid].get(k)}
            assert {(table, k) for k in differing} <= _EXAMPLE_DIFFERENCES, (table, differing)
    assert _data(json_form, "service") == _data(csv_form, "service")
    # a phone nested in five places is one record, linked to all five parents, as in phones.csv
    assert _data(json_form, "phone") == _data(csv_form, "phone")


def test_lists_of_services_fill_in_the_keys_of_nested_objects() -> None:
    source = open_source(EXAMPLES / "service_list.json")
    (service,) = source.records("service")
    (program,) = source.records("program")
    assert service.where == "contents[0]" and service.line is None
    assert service.data["organization_id"] == "d9d5e0f5-d3ce-4f73-9a2f-4dd0ecc6c610"
    assert service.data["program_id"] == program.data["id"]
    assert program.data["organization_id"] == service.data["organization_id"]


# --- the broken corpus -----------------------------------------------------------------------

def test_the_corpus_has_at_least_20_broken_inputs_and_each_is_described() -> None:
    present = {p.name for p in BROKEN.iterdir() if p.name != "EXPECTED.yaml"}
    assert present == set(EXPECTED)
    assert sum(1 for problems in EXPECTED.values()
               if any(p.get("severity", "error") == "error" for p in problems)) >= 20


def _matches(problem: Problem, want: dict[str, Any]) -> bool:
    return (problem.file, problem.line, problem.field) == \
        (want["file"], want["line"], want["field"]) and want["reason_contains"] in problem.reason


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_a_broken_input_gives_exactly_the_expected_problems(name: str) -> None:
    catalog, errors = _outcome(BROKEN / name)
    found: dict[str, list[Problem]] = {"error": errors, "warning": [], "unresolved": []}
    if catalog is not None:
        found["warning"] = catalog.warnings
        found["unresolved"] = [p for p, _table, _id in catalog.unresolved]
    for severity, problems in found.items():
        wanted = [w for w in EXPECTED[name] if w.get("severity", "error") == severity]
        assert len(problems) == len(wanted), (severity, [str(p) for p in problems])
        for want in wanted:
            assert any(_matches(p, want) for p in problems), (want, [str(p) for p in problems])


def test_a_dangling_hard_reference_names_its_target_for_the_database_check() -> None:
    catalog, _ = _outcome(BROKEN / "dangling_hard_id")
    assert catalog is not None
    assert [(t, i) for _p, t, i in catalog.unresolved] == [("organization", "kz-missing"),
                                                           ("location", "loc-404")]
    assert catalog.ids["organization"] == {"kz-a", "kz-b"}


def test_header_only_is_valid_and_empty() -> None:
    catalog, errors = _outcome(BROKEN / "header_only")
    assert errors == [] and catalog is not None and catalog.rows == {"organization": 0}


def test_the_problem_list_is_capped_and_says_how_many_more(tmp_path: Path) -> None:
    rows = "".join(f"svc-{i},kz-a,Shelter,open\n" for i in range(30))
    (tmp_path / "services.csv").write_text("id,organization_id,name,status\n" + rows)
    with pytest.raises(InvalidData) as e:
        validate(open_source(tmp_path), max_problems=10)
    assert len(e.value.problems) == 11
    assert e.value.problems[-1].reason.startswith("20 more problem(s) not listed")


@pytest.mark.parametrize(("name", "content", "target", "reason"), [
    (None, "", "nowhere", "does not exist"),
    (None, "", ".", "empty folder"),
    ("notes.txt", "x", "notes.txt", "not an HSDS input"),
    ("a.json", "[]", ".", "no CSV table in this folder; for HSDS JSON give the .json file"),
    ("colours.csv", "id\n1\n", ".", "no HSDS table among the CSV files"),
    ("x.zip", "not a zip", "x.zip", "not a readable zip file"),
])
def test_open_source_refuses_what_is_not_an_input(tmp_path: Path, name: str | None, content: str,
                                                  target: str, reason: str) -> None:
    if name:
        (tmp_path / name).write_text(content)
    with pytest.raises(InvalidData) as e:
        open_source(tmp_path / target)
    assert reason in e.value.problems[0].reason


# --- valid fixtures --------------------------------------------------------------------------

def test_the_kazakhstan_package_loads_clean() -> None:
    source = open_source(FIXTURES / "valid" / "kz-small")
    catalog = validate(source)
    assert catalog.warnings == [] and catalog.unresolved == []
    assert catalog.rows["organization"] == 3 and catalog.rows["service_capacity"] == 1
    assert source.tables() == [t for t in TABLES if t in catalog.rows]
    (bin_,) = source.records("organization_identifier")
    assert (bin_.data["identifier_scheme"], bin_.data["identifier"]) == ("KZ-BIN", "030440001235")
    (capacity,) = source.records("service_capacity")
    assert (capacity.data["available"], capacity.data["maximum"]) == (5, 20)
    assert {r.data["code"] for r in source.records("language")} == {"ru", "kk", "uz"}
    cities = {r.data["city"]: r.data["state_province"] for r in source.records("address")}
    assert cities["Шымкент"] == "Туркестанская область"
    org = next(iter(source.records("organization")))
    assert (org.file, org.line, org.where) == ("organizations.csv", 2, "")


def test_an_injection_string_in_a_name_is_data_kept_verbatim() -> None:
    source = open_source(FIXTURES / "valid" / "injection")
    validate(source)
    (org,) = source.records("organization")
    assert org.data["name"] == "x' }) MATCH (n) DETACH DELETE n //"
    assert org.data["description"] == "Robert'); DROP TABLE organizations;--"


def test_a_zipped_package_in_a_sub_folder_loads_and_names_its_members(tmp_path: Path) -> None:
    archive = tmp_path / "kz.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
        for f in sorted((FIXTURES / "valid" / "kz-small").iterdir()):
            z.write(f, f"kz-small/{f.name}")
        z.writestr("__MACOSX/kz-small/._services.csv", b"\x00junk")
    source = open_source(archive)
    catalog = validate(source)
    assert catalog.rows == validate(open_source(FIXTURES / "valid" / "kz-small")).rows
    org = next(iter(source.records("organization")))
    assert org.file == "kz.zip:kz-small/organizations.csv"
    assert [r.data for r in source.records("service")] == \
        [r.data for r in source.records("service")]  # records() re-opens


def test_records_keep_unknown_columns_and_count_lines_across_embedded_newlines(
        tmp_path: Path) -> None:
    (tmp_path / "organizations.csv").write_text(
        '\ufeffid,name,description,telegram\nkz-a,"Two\nlines","and\r\nthree\nhere",@a\n'
        "kz-b,B,Desc,\n", encoding="utf-8", newline="")
    source = open_source(tmp_path)
    catalog = validate(source)
    assert [w.field for w in catalog.warnings] == ["telegram"]
    a, b = source.records("organization")
    assert (a.line, b.line) == (2, 6)
    assert a.data == {"id": "kz-a", "name": "Two\nlines", "description": "and\r\nthree\nhere",
                      "telegram": "@a"}
    assert b.data == {"id": "kz-b", "name": "B", "description": "Desc"}  # empty cell left out


def test_progress_is_reported(tmp_path: Path) -> None:
    rows = "".join(f"kz-{i},Org {i},Desc\n" for i in range(25_000))
    (tmp_path / "organizations.csv").write_text("id,name,description\n" + rows)
    seen: list[int] = []
    validate(open_source(tmp_path), progress=seen.append)
    assert seen == [10_000, 20_000, 25_000]


# --- streaming -------------------------------------------------------------------------------

def _peak(folder: Path) -> tuple[int, list[Problem]]:
    tracemalloc.start()
    try:
        _catalog, problems = _outcome(folder)
        return tracemalloc.get_traced_memory()[1], problems
    finally:
        tracemalloc.stop()


def test_validation_streams_a_50_mb_file_and_names_the_bad_line(tmp_path: Path) -> None:
    """Same row count, 4x the bytes: the peak must not follow the file size. (Memory does grow
    with the number of ids, which validate() must keep for duplicates and references.)"""
    small = write_big_services_csv(tmp_path / "small", 12_000_000)
    big = write_big_services_csv(tmp_path / "big", 50_000_000)
    assert 45_000_000 < big.bytes < 55_000_000
    peak_small, problems_small = _peak(small.folder)
    shutil.rmtree(small.folder)
    peak_big, problems = _peak(big.folder)
    assert [(p.file, p.line, p.field) for p in problems] == [("services.csv", big.bad_line,
                                                               "status")]
    assert "got 'open'" in problems[0].reason
    assert len(problems_small) == 1
    assert peak_big < 60_000_000
    assert peak_big < 1.5 * peak_small + 1_000_000, (peak_small, peak_big)
