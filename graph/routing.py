"""Routing a referral: which services may take this person for each need, in what order and
why, which were excluded and by which rule, the plan with the fewest organizations, and the
notifications the law requires. Pure functions over candidate rows; graph/route.py feeds them."""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache, cached_property
from itertools import combinations
from pathlib import Path
from typing import Any, Protocol

import yaml

from graph.config import PROJECT_ROOT
from graph.exceptions import ModelError
from graph.types import Basis

NOTIFICATIONS_FILE = PROJECT_ROOT / "data" / "kazakhstan" / "notifications.yaml"
ADULT_AGE = 18


@dataclass(frozen=True)
class Profile:
    """A pseudonymous person: no name, no document number."""

    region: str
    age: int | None = None
    age_min: int | None = None
    age_max: int | None = None
    sex: str | None = None
    citizenship: str | None = None  # ISO alpha-2; KZ is Kazakhstan
    languages: tuple[str, ...] = ()
    exploitation_types: tuple[str, ...] = ()
    vulnerabilities: tuple[str, ...] = ()
    triggers: tuple[str, ...] = ()

    @property
    def youngest(self) -> int | None:
        return self.age if self.age is not None else self.age_min

    @property
    def oldest(self) -> int | None:
        return self.age if self.age is not None else self.age_max

    @property
    def is_minor(self) -> bool:
        oldest = self.oldest
        return ((oldest is not None and oldest < ADULT_AGE) or "MINOR" in self.vulnerabilities
                or "ABANDONED_NEWBORN" in self.triggers)

    @property
    def is_foreign(self) -> bool:
        return self.citizenship is not None and self.citizenship.upper() not in ("KZ", "KAZ")


@dataclass(frozen=True)
class Candidate:
    """A service that meets `need`, as read from the graph."""

    need: str
    service_id: str
    service_name: str
    organization_id: str
    organization_name: str
    region: str  # the served region nearest to the person's
    distance_km: float
    status: str
    citizenship: str = "ANY"
    min_age: int | None = None
    max_age: int | None = None
    sexes: tuple[str, ...] = ()
    exploitation_types: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    capacity_total: int | None = None
    capacity_available: int | None = None
    basis: tuple[Basis, ...] = ()

    @property
    def mandated(self) -> bool:
        return bool(self.basis)

    @cached_property
    def eligibility(self) -> tuple[Any, ...]:
        """Everything but places that decides whom it takes (see _eligibility_rule)."""
        return (self.status, self.min_age, self.max_age, self.sexes, self.citizenship,
                self.exploitation_types)


@dataclass(frozen=True)
class Exclusion:
    rule: str
    detail: str


# Every rule that can exclude a service, in the order exclusions are listed (by name).
EXCLUSION_RULES = ("AGE_ABOVE_MAXIMUM", "AGE_BELOW_MINIMUM", "CITIZENSHIP", "EXPLOITATION_TYPE",
                   "NOT_ACTIVE", "NO_CAPACITY", "SEX")


class Excluded(Protocol):
    """A need's excluded services in (rule, service name, service id) order."""

    def __len__(self) -> int: ...

    def first(self, limit: int | None = None) -> list[tuple[Candidate, Exclusion]]:
        """The first `limit` (all when None)."""

    def by_rule(self) -> dict[str, int]: ...


class ListExcluded:
    """Excluded services judged one by one (routing without the cache: graph/route.py)."""

    def __init__(self, pairs: Iterable[tuple[Candidate, Exclusion]]) -> None:
        self._pairs = sorted(pairs, key=lambda x: (x[1].rule, x[0].service_name,
                                                   x[0].service_id))

    def __len__(self) -> int:
        return len(self._pairs)

    def first(self, limit: int | None = None) -> list[tuple[Candidate, Exclusion]]:
        return self._pairs if limit is None else self._pairs[:limit]

    def by_rule(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for _, e in self._pairs:
            counts[e.rule] = counts.get(e.rule, 0) + 1
        return counts


def exclusion(c: Candidate, p: Profile) -> Exclusion | None:
    """The first hard rule the service fails for this person, or None when it may take them."""
    return _eligibility_rule(c, p) or _capacity_rule(c)


def _capacity_rule(c: Candidate) -> Exclusion | None:
    if c.capacity_total is not None and (c.capacity_available or 0) <= 0:
        return Exclusion("NO_CAPACITY", f"all {c.capacity_total} places are taken")
    return None


def _eligibility_rule(c: Candidate, p: Profile) -> Exclusion | None:
    """The rules that depend only on whom the service takes (c.eligibility), not on places."""
    if c.status != "ACTIVE":
        return Exclusion("NOT_ACTIVE", f"the service is {c.status.lower().replace('_', ' ')}")
    oldest, youngest = p.oldest, p.youngest
    if c.min_age is not None and oldest is not None and oldest < c.min_age:
        return Exclusion("AGE_BELOW_MINIMUM", f"takes people from {c.min_age}; the person is {oldest}"
                         if p.age is not None else f"takes people from {c.min_age}; the age band "
                         f"ends at {oldest}")
    if c.max_age is not None and youngest is not None and youngest > c.max_age:
        return Exclusion("AGE_ABOVE_MAXIMUM", f"takes people up to {c.max_age}; the person is "
                         f"{youngest}" if p.age is not None else
                         f"takes people up to {c.max_age}; the age band starts at {youngest}")
    if c.sexes and p.sex is not None and p.sex not in c.sexes:
        return Exclusion("SEX", f"serves {', '.join(s.lower() for s in c.sexes)} only")
    if c.citizenship == "KZ_CITIZENS" and p.is_foreign:
        return Exclusion("CITIZENSHIP", "serves citizens of Kazakhstan only")
    if c.citizenship == "FOREIGN_NATIONALS" and p.citizenship is not None and not p.is_foreign:
        return Exclusion("CITIZENSHIP", "serves foreign nationals only")
    if c.exploitation_types and p.exploitation_types and \
            not set(c.exploitation_types) & set(p.exploitation_types):
        kinds = ", ".join(t.lower().replace("_", " ") for t in c.exploitation_types)
        return Exclusion("EXPLOITATION_TYPE", f"serves victims of {kinds} only")
    return None


@dataclass(frozen=True)
class Ranked:
    candidate: Candidate
    reasons: tuple[str, ...]
    key: tuple[Any, ...]


def rank(eligible: Sequence[Candidate], p: Profile, covered_of: Mapping[str, int],
         asked: int, region_names: dict[str, str], limit: int | None = None) -> list[Ranked]:
    """Order eligible services for one need: legal mandate, then same region, then distance,
    then more of the person's needs met by the same organization (`covered_of`, by organization
    id), then free places, then a shared language. Every step is written out as a reason (for
    the first `limit`)."""
    spoken = set(p.languages)
    keyed = []
    for c in eligible:
        covered = covered_of.get(c.organization_id, 0)
        shared = bool(spoken.intersection(c.languages))
        free = c.capacity_available if c.capacity_total is not None else 0
        keyed.append((rank_key(c, covered, free or 0, shared), c, covered))
    top = heapq.nsmallest(limit, keyed) if limit is not None else sorted(keyed)
    return [Ranked(c, reasons(c, p, covered, asked, region_names), key)
            for key, c, covered in top]


def rank_key(c: Candidate, covered: int, free: int, shared: bool) -> tuple[Any, ...]:
    """rank's order for one service: `covered` needs met by its organization, `free` places
    (0 when not capacity-bound), `shared`: it speaks one of the person's languages."""
    return (not c.mandated, c.distance_km > 0, round(c.distance_km), -covered, -free, not shared,
            c.service_name, c.service_id)


def reasons(c: Candidate, p: Profile, covered: int, asked: int,
            region_names: dict[str, str]) -> tuple[str, ...]:
    """Why a service ranks where it does, one phrase per step of rank's order."""
    languages = sorted(set(c.languages) & set(p.languages))
    out = []
    if c.mandated:
        b = c.basis[0]
        law = f" ({b.provision_title})" if b.provision_title else ""
        out.append(f"holds the legal responsibility {b.responsibility}{law}")
    where = region_names.get(c.region, c.region)
    out.append(f"in {where}" if c.distance_km == 0 else
               f"nearest: {where}, {c.distance_km:.0f} km away")
    if asked > 1:
        out.append(f"its organization meets {covered} of the {asked} needs")
    if c.capacity_total is not None:
        out.append(f"{c.capacity_available} of {c.capacity_total} places free")
    if languages:
        out.append(f"speaks {', '.join(languages)}")
    elif p.languages and c.languages:
        out.append("no shared language listed: interpretation may be needed")
    return tuple(out)


@dataclass
class NeedRoute:
    need: str
    ranked: list[Ranked] = field(default_factory=list)
    excluded: Excluded = field(default_factory=lambda: ListExcluded(()))
    searched_regions: list[str] = field(default_factory=list)

    @property
    def fallback(self) -> bool:
        """True when nothing qualified in the person's region and farther ones were used."""
        return bool(self.ranked) and self.ranked[0].candidate.distance_km > 0


def split(cands: Iterable[Candidate], p: Profile) -> tuple[list[Candidate],
                                                          list[tuple[Candidate, Exclusion]]]:
    eligible, excluded = [], []
    # Many services take the same people: each distinct eligibility is judged once.
    judged: dict[tuple[Any, ...], Exclusion | None] = {}
    for c in cands:
        key = c.eligibility
        if key in judged:
            why = judged[key]
        else:
            why = judged[key] = _eligibility_rule(c, p)
        if why is None and c.capacity_total is not None:
            why = _capacity_rule(c)
        if why is None:
            eligible.append(c)
        else:
            excluded.append((c, why))
    return eligible, excluded


def plan(routes: Sequence[NeedRoute]) -> list[tuple[str, dict[str, Candidate]]]:
    """Services covering every routable need with the fewest organizations (exact for small
    sets: tries 1, 2, ... organizations among those offering the best options), each need served
    by that organization's best-ranked service."""
    routable = [r for r in routes if r.ranked]
    if not routable:
        return []
    offers: dict[str, dict[str, Candidate]] = {}
    order: dict[str, tuple[Any, ...]] = {}
    for r in routable:
        for x in r.ranked:
            org = x.candidate.organization_id
            offers.setdefault(org, {}).setdefault(r.need, x.candidate)
            order[org] = min(order.get(org, x.key), x.key)
    needs = {r.need for r in routable}
    orgs = sorted(offers, key=lambda o: (-len(offers[o]), order[o]))[:30]
    for size in range(1, min(len(orgs), len(needs)) + 1):
        best = None
        for combo in combinations(orgs, size):
            if set().union(*(offers[o] for o in combo)) >= needs:
                score = sum(order[o][3] for o in combo), [order[o] for o in combo]
                if best is None or score < best[0]:
                    best = (score, combo)
        if best is not None:
            chosen = best[1]
            assigned: dict[str, dict[str, Candidate]] = {o: {} for o in chosen}
            for r in routable:
                ranked_orgs = [x.candidate.organization_id for x in r.ranked]
                org = min((o for o in chosen if r.need in offers[o]), key=ranked_orgs.index)
                assigned[org][r.need] = offers[org][r.need]
            return [(o, assigned[o]) for o in chosen if assigned[o]]
    return []


@dataclass(frozen=True)
class NotificationRule:
    code: str
    when: tuple[str, ...]
    unless: tuple[str, ...]
    notify: str
    basis: str
    mandatory: bool
    consent: bool
    reason: str


def _holds(condition: str, p: Profile) -> bool:
    if condition == "minor":
        return p.is_minor
    if condition == "adult":
        return not p.is_minor
    if condition == "foreign":
        return p.is_foreign
    kind, _, value = condition.partition(":")
    if kind == "trigger":
        return value in p.triggers
    if kind == "exploitation":
        return value in p.exploitation_types
    raise ModelError(f"unknown notification condition {condition!r}")


@cache
def notification_rules(path: Path = NOTIFICATIONS_FILE) -> tuple[NotificationRule, ...]:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    rules = []
    for i, r in enumerate(raw.get("notifications") or []):
        try:
            rule = NotificationRule(
                code=r["code"], when=tuple(r["when"]), unless=tuple(r.get("unless") or ()),
                notify=r["notify"], basis=r.get("basis") or r["notify"],
                mandatory=bool(r["mandatory"]), consent=bool(r["consent"]),
                reason=" ".join(str(r["reason"]).split()))
        except (KeyError, TypeError) as e:
            raise ModelError(f"{path.name}: notification {i + 1}: missing or bad {e}") from e
        for condition in (*rule.when, *rule.unless):
            _holds(condition, Profile(region="x"))  # fails loudly on an unknown condition
        rules.append(rule)
    return tuple(rules)


def notifications(p: Profile) -> list[NotificationRule]:
    """The notifications that apply to this person, in the order of the rules file."""
    return [r for r in notification_rules()
            if all(_holds(c, p) for c in r.when) and not any(_holds(c, p) for c in r.unless)]
