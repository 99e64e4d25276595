"""bench.generate: deterministic, the requested sizes, valid values, only existing references.
Pure: no database."""

from __future__ import annotations

from typing import Any

import pytest

from bench.generate import PREFIX, generate, synthetic
from graph.directory_write import DirectoryRows
from graph.model import load_model
from loaders.kazakhstan import ALL_REGIONS, load_directory

pytestmark = pytest.mark.unit

ORGS, SERVICES = 300, 1200


@pytest.fixture(scope="module")
def base() -> DirectoryRows:
    return load_directory()


@pytest.fixture(scope="module")
def rows(base: DirectoryRows) -> DirectoryRows:
    return generate(ORGS, SERVICES, seed=7, base=base)


def test_same_seed_same_rows(base: DirectoryRows, rows: DirectoryRows) -> None:
    assert generate(ORGS, SERVICES, seed=7, base=base) == rows
    assert generate(ORGS, SERVICES, seed=7) == rows  # base read afresh: still the same
    assert generate(ORGS, SERVICES, seed=8, base=base) != rows


def test_requested_counts_on_top_of_the_real_directory(base: DirectoryRows, rows: DirectoryRows) -> None:
    assert len(synthetic(rows.organizations)) == ORGS
    assert len(synthetic(rows.services)) == SERVICES
    assert len(synthetic(rows.links)) == ORGS
    assert len(rows.organizations) == len(base.organizations) + ORGS
    assert len(rows.services) == len(base.services) + SERVICES
    for kind in ("regions", "needs", "provisions", "responsibilities"):
        assert getattr(rows, kind) == getattr(base, kind), kind
    ids = [r["id"] for r in rows.organizations]
    assert len(set(ids)) == len(ids)
    sids = [r["id"] for r in rows.services]
    assert len(set(sids)) == len(sids)
    assert all(not str(r["id"]).startswith(PREFIX) for r in base.organizations + base.services)


def test_other_sizes() -> None:
    small = generate(1, 3, seed=1)
    assert len(synthetic(small.organizations)) == 1
    assert len(synthetic(small.services)) == 3
    assert len(synthetic(generate(5, 0, seed=1).services)) == 0
    with pytest.raises(ValueError):
        generate(0, 1)


def _check_props(label: str, props: dict[str, Any]) -> None:
    model = load_model()
    node = model.nodes[label]
    for name, value in props.items():
        assert name in node.properties, f"{label} has no property {name}"
        assert model.check_value(label, name, value) is None, (label, name, value)
    for name, p in node.properties.items():
        if p.required and name != node.key:
            assert props.get(name) is not None, f"{label}.{name} is required"


def test_only_valid_enum_values(rows: DirectoryRows) -> None:
    model = load_model()
    kinds = set(model.enum("OrganizationKind"))
    jurisdictions = set(model.enum("Jurisdiction"))
    statuses = set(model.enum("ServiceStatus"))
    needs = set(model.enum("NeedCode"))
    sexes = set(model.enum("Sex"))
    citizenship = set(model.enum("Citizenship"))
    exploitation = set(model.enum("ExploitationType"))
    for o in synthetic(rows.organizations):
        assert o["props"]["kind"] in kinds
        assert o["props"]["jurisdiction"] in jurisdictions
        _check_props("Organization", o["props"])
    for s in synthetic(rows.services):
        p = s["props"]
        assert p["status"] in statuses
        assert p["citizenship"] in citizenship
        assert set(p["sexes"]) <= sexes
        assert set(p["exploitation_types"]) <= exploitation
        assert 1 <= len(s["needs"]) <= 3 and set(s["needs"]) <= needs
        _check_props("Service", p)
        if p["capacity_total"] is not None:
            assert 0 <= p["capacity_available"] <= p["capacity_total"]
        if p["min_age"] is not None and p["max_age"] is not None:
            assert p["min_age"] <= p["max_age"]


def test_a_realistic_mix(rows: DirectoryRows) -> None:
    orgs = synthetic(rows.organizations)
    svcs = synthetic(rows.services)
    local_or_regional = sum(o["props"]["jurisdiction"] in ("LOCAL", "REGIONAL") for o in orgs)
    assert local_or_regional > 0.9 * len(orgs)
    assert sum(s["props"]["status"] == "ACTIVE" for s in svcs) > 0.7 * len(svcs)
    assert any(s["props"]["capacity_total"] is not None for s in svcs)
    assert any(s["props"]["capacity_total"] is None for s in svcs)
    assert all(0 <= len(o["responsibilities"]) <= 3 for o in orgs)
    n_regions = len(rows.regions)
    assert all(1 <= len(s["regions"]) <= 3 or len(s["regions"]) == n_regions for s in svcs)


def test_only_existing_references(rows: DirectoryRows) -> None:
    regions = {r["code"] for r in rows.regions}
    needs = {n["code"] for n in rows.needs}
    responsibilities = {x["code"] for x in rows.responsibilities}
    orgs = {o["id"] for o in rows.organizations}
    for o in synthetic(rows.organizations):
        assert o["region"] in regions
        assert set(o["responsibilities"]) <= responsibilities
        assert len(set(o["responsibilities"])) == len(o["responsibilities"])
    for link in synthetic(rows.links):
        assert link["id"] in orgs
        assert set(link["partners"]) <= orgs and link["id"] not in link["partners"]
        assert set(link["member_of"]) <= orgs
    for s in synthetic(rows.services):
        assert s["organization_id"] in orgs
        assert set(s["needs"]) <= needs
        assert ALL_REGIONS not in s["regions"]  # expanded, as the loader does
        assert set(s["regions"]) <= regions
        assert len(set(s["regions"])) == len(s["regions"])
