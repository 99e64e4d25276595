"""The candidates of one (need, region) as columns, judged for a person all at once.

graph/routing.py states the rules one service at a time (`exclusion`, `rank`); for the few
hundred services of a (need, region) that the routing cache holds, walking them one by one was
most of routeReferral's CPU. A Pool keeps what the rules read as numpy arrays, made once per
directory version; `select` finds for a person the first rule each service fails, in the same
order as `exclusion`, and `Selection.ranked` orders the eligible ones by the same key as
`rank`. Only the services an answer shows become objects, with their reasons and exclusion
details written by routing.py's own functions (tests compare the two ways on random pools)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
import numpy.typing as npt

from graph.routing import (
    EXCLUSION_RULES,
    Candidate,
    Exclusion,
    Profile,
    Ranked,
    exclusion,
    rank_key,
    reasons,
)

Mask = npt.NDArray[np.bool_]
Ints = npt.NDArray[np.int64]
_CODE = {rule: i + 1 for i, rule in enumerate(EXCLUSION_RULES)}  # 0: eligible
_BITS = 63  # values per vocabulary a uint64 mask can hold


class OrgIds:
    """Organization ids as small integers, shared by every pool of a cache."""

    def __init__(self) -> None:
        self.ids: dict[str, int] = {}

    def __call__(self, oid: str) -> int:
        n = self.ids.get(oid)
        if n is None:
            n = self.ids[oid] = len(self.ids)
        return n


def _bits(values: list[tuple[str, ...]]) -> tuple[dict[str, int], npt.NDArray[Any]]:
    """Each value set as a bit mask over the values the pool uses (Python integers in an
    object array in the unlikely case of more than 63 distinct ones)."""
    vocab = {v: i for i, v in enumerate(sorted({x for vs in values for x in vs}))}
    masks = [_mask(vocab, vs) for vs in values]
    if len(vocab) > _BITS:
        return vocab, np.array(masks, dtype=object)
    return vocab, np.array(masks, dtype=np.uint64)


def _mask(vocab: dict[str, int], values: tuple[str, ...]) -> int:
    return sum(1 << vocab[x] for x in set(values) if x in vocab)


class Pool:
    """Candidates in (service_name, service_id) order, and the columns the rules read."""

    def __init__(self, candidates: list[Candidate], org_ids: OrgIds) -> None:
        self.source = candidates
        cs = self.candidates = sorted(candidates, key=lambda c: (c.service_name, c.service_id))
        n = len(cs)

        def col(values: Any, dtype: Any) -> Any:
            return np.fromiter(values, dtype, n)

        self.active = col((c.status == "ACTIVE" for c in cs), np.bool_)
        self.has_min = col((c.min_age is not None for c in cs), np.bool_)
        self.min_age = col((c.min_age or 0 for c in cs), np.int64)
        self.has_max = col((c.max_age is not None for c in cs), np.bool_)
        self.max_age = col((c.max_age or 0 for c in cs), np.int64)
        self.kz_only = col((c.citizenship == "KZ_CITIZENS" for c in cs), np.bool_)
        self.foreign_only = col((c.citizenship == "FOREIGN_NATIONALS" for c in cs), np.bool_)
        self.bound = col((c.capacity_total is not None for c in cs), np.bool_)
        self.bound_at = np.flatnonzero(self.bound)
        self.free = col((c.capacity_available or 0 for c in cs), np.int64)
        self.unmandated = col((not c.basis for c in cs), np.bool_)
        self.org = col((org_ids(c.organization_id) for c in cs), np.int64)
        self.position = np.arange(n, dtype=np.int64)
        self._places: tuple[int, Ints, dict[int, int | None]] | None = None
        self.sex_vocab, self.sexes = _bits([c.sexes for c in cs])
        self.kind_vocab, self.kinds = _bits([c.exploitation_types for c in cs])
        self.lang_vocab, self.languages = _bits([c.languages for c in cs])

    def __len__(self) -> int:
        return len(self.candidates)

    def places(self, free: dict[str, int | None], seq: int | None = None
               ) -> tuple[Ints, dict[int, int | None]]:
        """Free places per candidate (0 when unknown) and, for the capacity-bound ones, as
        `free` has them; kept until `seq` (RouteCache.free_seq) changes."""
        if seq is not None and self._places is not None and self._places[0] == seq:
            return self._places[1], self._places[2]
        live: dict[int, int | None] = {}
        avail = self.free
        if len(self.bound_at):
            avail = avail.copy()
            cs = self.candidates
            for i in self.bound_at.tolist():
                c = cs[i]
                live[i] = now = free.get(c.service_id, c.capacity_available)
                avail[i] = now or 0
        if seq is not None:
            self._places = (seq, avail, live)
        return avail, live

    def select(self, p: Profile, free: dict[str, int | None], distance_km: float = 0.0,
               seq: int | None = None) -> Selection:
        """Every candidate judged for `p`, with today's free places (`free`, by service id;
        `seq` as for places()), the pool's region `distance_km` away from the person's."""
        avail, live = self.places(free, seq)
        conds: list[Mask] = [~self.active]
        codes = [_CODE["NOT_ACTIVE"]]
        oldest, youngest = p.oldest, p.youngest
        if oldest is not None:
            conds.append(self.has_min & (oldest < self.min_age))
            codes.append(_CODE["AGE_BELOW_MINIMUM"])
        if youngest is not None:
            conds.append(self.has_max & (youngest > self.max_age))
            codes.append(_CODE["AGE_ABOVE_MAXIMUM"])
        if p.sex is not None:
            conds.append((self.sexes != 0) & ((self.sexes & _mask(self.sex_vocab, (p.sex,))) == 0))
            codes.append(_CODE["SEX"])
        if p.is_foreign:
            conds.append(self.kz_only)
            codes.append(_CODE["CITIZENSHIP"])
        elif p.citizenship is not None:
            conds.append(self.foreign_only)
            codes.append(_CODE["CITIZENSHIP"])
        if p.exploitation_types:
            wanted = _mask(self.kind_vocab, p.exploitation_types)
            conds.append((self.kinds != 0) & ((self.kinds & wanted) == 0))
            codes.append(_CODE["EXPLOITATION_TYPE"])
        rule = np.select(conds, codes, 0).astype(np.int8)
        rule[(rule == 0) & self.bound & (avail <= 0)] = _CODE["NO_CAPACITY"]
        return Selection(self, p, rule, avail, live, distance_km)


class Selection:
    """One pool judged for one person: the eligible services and the excluded ones."""

    def __init__(self, pool: Pool, p: Profile, rule: npt.NDArray[np.int8], avail: Ints,
                 live: dict[int, int | None], distance_km: float) -> None:
        self.pool, self.profile, self.rule, self.avail, self._live = pool, p, rule, avail, live
        self.distance_km = round(distance_km, 1)
        self.eligible = np.flatnonzero(rule == 0)

    def candidate(self, i: int) -> Candidate:
        """The i-th candidate of the pool with today's free places and its distance."""
        c = self.pool.candidates[i]
        now = self._live.get(i, c.capacity_available)
        if now != c.capacity_available or self.distance_km != c.distance_km:
            return replace(c, capacity_available=now, distance_km=self.distance_km)
        return c

    def organizations(self) -> Ints:
        """The (OrgIds) organizations that have an eligible service, each once."""
        return np.unique(self.pool.org[self.eligible])

    def ranked(self, covered_by_org: Ints, asked: int, region_names: dict[str, str],
               limit: int | None) -> list[Ranked]:
        """The eligible services in routing.rank's order (all at the pool's distance), the first
        `limit` with their reasons; covered_by_org[o]: how many of the asked needs organization o meets."""
        pool, at = self.pool, self.eligible
        covered = covered_by_org[pool.org[at]]
        free = np.where(pool.bound[at], self.avail[at], 0)
        spoken = _mask(pool.lang_vocab, self.profile.languages)
        unshared = (pool.languages[at] & spoken) == 0
        order = np.lexsort((pool.position[at], unshared, -free, -covered, pool.unmandated[at]))
        if limit is not None:
            order = order[:limit]
        out = []
        for j in order.tolist():
            c, n = self.candidate(int(at[j])), int(covered[j])
            key = rank_key(c, n, int(free[j]), not unshared[j])
            out.append(Ranked(c, reasons(c, self.profile, n, asked, region_names), key))
        return out


class PoolExcluded:
    """The excluded services of a selection in (rule, service name, id) order, made into
    objects only when listed."""

    def __init__(self, s: Selection) -> None:
        self._s = s
        at = np.flatnonzero(s.rule)
        self._order = at[np.argsort(s.rule[at], kind="stable")]

    def __len__(self) -> int:
        return len(self._order)

    def first(self, limit: int | None = None) -> list[tuple[Candidate, Exclusion]]:
        s = self._s
        out = []
        for i in (self._order if limit is None else self._order[:limit]).tolist():
            c = s.candidate(i)
            why = exclusion(c, s.profile)
            if why is None:  # the columns and routing.py disagree: a bug, never hidden
                raise AssertionError(f"{c.service_id} was excluded but passes every rule")
            out.append((c, why))
        return out

    def by_rule(self) -> dict[str, int]:
        counts = np.bincount(self._s.rule, minlength=len(EXCLUSION_RULES) + 1)
        return {r: int(counts[i + 1]) for i, r in enumerate(EXCLUSION_RULES) if counts[i + 1]}
