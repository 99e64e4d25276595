"""The column-wise routing of graph/route_pool.py gives exactly what graph/routing.py's rules give
one service at a time: the same eligible services in the same order with the same keys and
reasons, the same exclusions in the same order with the same details, the same counts."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from graph.route_pool import OrgIds, Pool, PoolExcluded
from graph.routing import Candidate, ListExcluded, Profile, rank, split
from graph.types import Basis

pytestmark = pytest.mark.unit

SEXES = ("FEMALE", "MALE")
KINDS = ("SEXUAL", "LABOR", "FORCED_BEGGING", "SALE_OF_CHILDREN")
LANGS = ("ru", "kk", "en", "uz")
LAW = (Basis("PROVIDE_SHELTER", "law-2024-art-12", "Art. 12"),)
NAMES = {"almaty": "Almaty", "astana": "Astana"}

ages = st.none() | st.integers(0, 80)
some = st.lists(st.sampled_from(SEXES), max_size=2, unique=True).map(tuple)


@st.composite
def candidates(draw: st.DrawFn, i: int) -> Candidate:
    bound = draw(st.booleans())
    return Candidate(
        need="SHELTER", service_id=f"s{i:03d}", service_name=draw(st.sampled_from("ABCD")),
        organization_id=f"o{draw(st.integers(0, 6))}", organization_name="org", region="almaty",
        distance_km=0.0, status=draw(st.sampled_from(("ACTIVE", "ACTIVE", "INACTIVE"))),
        citizenship=draw(st.sampled_from(("ANY", "KZ_CITIZENS", "FOREIGN_NATIONALS"))),
        min_age=draw(ages), max_age=draw(ages), sexes=draw(some),
        exploitation_types=draw(st.lists(st.sampled_from(KINDS), max_size=2, unique=True).map(tuple)),
        languages=draw(st.lists(st.sampled_from(LANGS), max_size=2, unique=True).map(tuple)),
        capacity_total=draw(st.integers(1, 9)) if bound else None,
        capacity_available=draw(st.none() | st.integers(0, 9)) if bound else None,
        basis=LAW if draw(st.booleans()) else ())


@st.composite
def pools(draw: st.DrawFn) -> list[Candidate]:
    n = draw(st.integers(0, 30))
    return [draw(candidates(i)) for i in range(n)]


profiles = st.builds(
    Profile, region=st.just("almaty"), age=ages, age_min=ages, age_max=ages,
    sex=st.none() | st.sampled_from(SEXES),
    citizenship=st.none() | st.sampled_from(("KZ", "UZ", "KG")),
    languages=st.lists(st.sampled_from(LANGS), max_size=2).map(tuple),
    exploitation_types=st.lists(st.sampled_from((*KINDS, "ORGAN_REMOVAL")), max_size=2).map(tuple))


def _live(cs: list[Candidate], data: st.DataObject) -> dict[str, int | None]:
    """Today's free places of some of the capacity-bound services."""
    return {c.service_id: data.draw(st.none() | st.integers(0, 9))
            for c in cs if c.capacity_total is not None and data.draw(st.booleans())}


def _with(c: Candidate, free: dict[str, int | None], km: float) -> Candidate:
    from dataclasses import replace
    return replace(c, capacity_available=free.get(c.service_id, c.capacity_available),
                   distance_km=round(km, 1))


@settings(max_examples=300, deadline=None)
@given(cs=pools(), p=profiles, km=st.sampled_from((0.0, 0.0, 412.34)), asked=st.integers(1, 3),
       limit=st.none() | st.integers(1, 6), data=st.data())
def test_columns_and_rules_agree(cs: list[Candidate], p: Profile, km: float, asked: int,
                                 limit: int | None, data: st.DataObject) -> None:
    free = _live(cs, data)
    ids = OrgIds()
    sel = Pool(cs, ids).select(p, free, km)
    eligible, out = split([_with(c, free, km) for c in cs], p)
    # organizations meeting each of the other asked needs: any of o0..o6
    covered_ids = {f"o{i}": data.draw(st.integers(1, asked)) for i in range(7)}
    covered = np.zeros(len(ids.ids), dtype=np.int64)
    for oid, n in ids.ids.items():
        covered[n] = covered_ids[oid]
    ours = sel.ranked(covered, asked, NAMES, limit)
    theirs = rank(eligible, p, covered_ids, asked, NAMES, limit)
    assert [(x.candidate, x.reasons, x.key) for x in ours] == \
        [(x.candidate, x.reasons, x.key) for x in theirs]
    assert len(sel.eligible) == len(eligible)
    assert sorted(sel.pool.candidates[i].organization_id for i in sel.eligible) == \
        sorted(c.organization_id for c in eligible)
    got, want = PoolExcluded(sel), ListExcluded(out)
    assert len(got) == len(want)
    assert got.first() == want.first()
    assert got.first(3) == want.first(3)
    assert got.by_rule() == want.by_rule()


def test_more_than_63_languages_still_judged() -> None:
    cs = [Candidate(need="SHELTER", service_id=f"s{i}", service_name=f"s{i}", organization_id="o",
                    organization_name="o", region="almaty", distance_km=0.0, status="ACTIVE",
                    languages=(f"l{i}",)) for i in range(80)]
    sel = Pool(cs, OrgIds()).select(Profile(region="almaty", languages=("l70",)), {})
    top = sel.ranked(np.ones(1, dtype=np.int64), 1, NAMES, 1)
    assert top[0].candidate.service_id == "s70"  # the one sharing the language comes first
    assert "speaks l70" in top[0].reasons


def test_free_places_are_read_again_when_they_change() -> None:
    shelter = Candidate(need="SHELTER", service_id="s1", service_name="s1", organization_id="o",
                        organization_name="o", region="almaty", distance_km=0.0,
                        status="ACTIVE", capacity_total=5, capacity_available=2)
    pool = Pool([shelter], OrgIds())
    p = Profile(region="almaty")
    free: dict[str, int | None] = {"s1": 1}
    assert len(pool.select(p, free, 0.0, seq=1).eligible) == 1
    free["s1"] = 0  # the routing cache counts a change: its sequence number moves on
    assert len(pool.select(p, free, 0.0, seq=1).eligible) == 1  # same number: what it read
    sel = pool.select(p, free, 0.0, seq=2)
    assert len(sel.eligible) == 0
    assert PoolExcluded(sel).by_rule() == {"NO_CAPACITY": 1}
    assert PoolExcluded(sel).first()[0][0].capacity_available == 0
