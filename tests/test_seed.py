"""The built-in Kazakhstan directory: validated, complete enough to route, idempotent to load."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

from graph.config import Settings
from graph.directory_write import write_directory
from graph.exceptions import InvalidData
from loaders.kazakhstan import DATA_DIR, load_directory
from tests.conftest import with_db


def test_directory_expands_templates_and_marks_illustrative_values() -> None:
    rows = load_directory()
    orgs = {o["id"]: o for o in rows.organizations}
    regions = [r["code"] for r in rows.regions]
    assert len(regions) == 20
    for code in regions:
        guardianship = [o for o in orgs.values() if o["region"] == code
                        and o["props"]["kind"] == "CHILD_PROTECTION"
                        and "guardianship" in o["props"]["name"].lower()]
        assert guardianship, code
    for s in rows.services:
        if s["props"].get("capacity_total") is not None:
            assert {"capacity_total", "capacity_available"} <= set(s["props"]["illustrative"] or []), s["id"]
    sana = [o for o in orgs.values() if "sana sezim" in o["props"]["search_text"]
            and "sana sezim" in (o["props"]["name"] + " ".join(o["props"]["alternate_names"])).lower()]
    assert len(sana) == 1
    assert "Legal Center for Women's Initiatives" in sana[0]["props"]["alternate_names"]
    names = {o["props"]["name"] for o in orgs.values()}
    for expected in ("Rodnik", "Zhan Zholdas", "Zabota", "Megapolise"):
        assert any(expected in n for n in names), expected
    for r in rows.responsibilities:
        assert r["provision"], r["code"]


def _copy(tmp_path: Path) -> Path:
    target = tmp_path / "kz"
    shutil.copytree(DATA_DIR, target)
    return target


def test_broken_directory_reports_every_problem_with_file_line_field(tmp_path: Path) -> None:
    d = _copy(tmp_path)
    orgs = (d / "organizations.yaml").read_text()
    orgs = orgs.replace("    region: almaty\n", "    region: atlantis\n", 1)
    orgs = orgs.replace("kind: NGO", "kind: CHARITY", 1)
    orgs = orgs.replace("min_age: 18", "min_age: eighteen", 1)
    (d / "organizations.yaml").write_text(orgs)
    resp = (d / "responsibilities.yaml").read_text().replace("provision: kz-", "provision: xx-", 1)
    (d / "responsibilities.yaml").write_text(resp)
    with pytest.raises(InvalidData) as e:
        load_directory(d)
    problems = e.value.problems
    fields = {(p.file, p.field) for p in problems}
    assert ("organizations.yaml", "region") in fields
    assert ("organizations.yaml", "kind") in fields
    assert any(p.field and p.field.endswith("min_age") for p in problems)
    assert ("responsibilities.yaml", "provision") in fields
    assert all(p.line for p in problems if p.file != "needs.yaml")
    atlantis = next(p for p in problems if "atlantis" in p.reason)
    line = orgs.splitlines()[atlantis.line - 1]  # type: ignore[operator]
    assert line.startswith("  - ")


def test_bad_yaml_names_the_line(tmp_path: Path) -> None:
    d = _copy(tmp_path)
    (d / "provisions.yaml").write_text("provisions:\n  - id: a\n    title: [unclosed\n")
    with pytest.raises(InvalidData) as e:
        load_directory(d)
    assert e.value.problems[0].file == "provisions.yaml"
    assert e.value.problems[0].line is not None


def _fingerprint(settings: Settings) -> tuple[int, int, str]:
    async def go(db):  # type: ignore[no-untyped-def]
        row = await db.read_one("directory_fingerprint")
        nodes = [(label, sorted(props.items())) for label, props in row["nodes"]]
        digest = hashlib.sha256(repr((nodes, row["rels"])).encode()).hexdigest()
        return len(nodes), len(row["rels"]), digest
    return with_db(settings, go)  # type: ignore[no-any-return]


def _changed(counts: dict[str, dict[str, int]]) -> dict[str, dict[str, int]]:
    return {kind: {o: n for o, n in outcomes.items() if n and o != "unchanged"}
            for kind, outcomes in counts.items() if outcomes["created"] or outcomes["updated"]}


def test_seeding_twice_changes_nothing(seeded: Settings) -> None:
    before = _fingerprint(seeded)
    again = with_db(seeded, lambda db: write_directory(db, load_directory()))
    assert _fingerprint(seeded) == before
    assert before[0] > 500 and before[1] > 1000
    # every kind, reference data and links too, reports its rows unchanged
    assert _changed(again) == {}
    assert again["regions"]["unchanged"] == 20 and again["links"]["unchanged"] > 200
    changed = load_directory()
    changed.services[0]["props"]["hours"] = "09:00-18:00 (test)"
    changed.services[0]["needs"] = changed.services[0]["needs"][:1]
    changed.regions[0]["name_en"] += " (test)"
    changed.responsibilities[0]["covers"] = [*changed.responsibilities[0]["covers"][:1], "BASIC_NEEDS"]
    linked = next(x for x in changed.links if x["partners"])
    linked["partners"] = linked["partners"] + [next(
        o["id"] for o in changed.organizations if o["id"] not in linked["partners"] + [linked["id"]])]
    counts = with_db(seeded, lambda db: write_directory(db, changed))
    after_change = _fingerprint(seeded)
    assert after_change[2] != before[2]
    expected = {kind: {"updated": 1} for kind in ("regions", "responsibilities", "links", "services")}
    assert _changed(counts) == expected
    restored = with_db(seeded, lambda db: write_directory(db, load_directory()))
    assert _fingerprint(seeded) == before
    assert _changed(restored) == expected
