"""The state and helpers of mapping one FtM file (loaders/ftm_map.py): what the file's ids point
to, identifiers normalized once per value, relationships stated by properties, problems with
line and field, and who is a victim (kept under a pseudonym)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from graph import identifiers as ids
from graph.exceptions import Problem
from graph.identifiers import Identifier, IdentifierError
from graph.investigations_write import CaseRows
from loaders.ftm_read import Entity, FtmInput
from loaders.ftm_redact import name_pattern, redact
from loaders.ftm_rules import ref_props, role_of

# normalizers whose answer depends only on their arguments (FtmMapper.identifier keeps it)
_PURE = frozenset({ids.phone, ids.email, ids.address, ids.document})


@dataclass
class Known:
    """Where an FtM id points: the node's label and id (an identifier's for merged entities)."""

    label: str
    node: str


@dataclass
class MapResult:
    rows: CaseRows
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    pseudonymized: int = 0
    victim_documents_dropped: int = 0  # identifications, vehicles, accounts: victims' only
    unmasked_victims: int = 0  # stored by name by an earlier file, victims only by this one
    restated: int = 0  # entities of earlier files written again without this file's victims
    redacted: int = 0  # text values in which victims' names were replaced by pseudonyms


class MapperCore:
    """What mapping one file keeps as it goes; loaders/ftm_map.FtmMapper does the mapping."""

    def __init__(self, source: FtmInput) -> None:
        self.src = source
        self.file = source.path.name
        self.out = MapResult(CaseRows())
        self.known: dict[str, Known] = {}
        self.identifiers: dict[str, dict[str, Any]] = {}
        self.links: dict[tuple[str, str, str, str], None] = {}
        # normalized identifiers by (normalizer, value): a shared phone is parsed once
        self.made: dict[tuple[Callable[..., Identifier | None], tuple[Any, ...]],
                        Identifier | IdentifierError | None] = {}
        self.stored_roles: dict[str, set[str]] = {}  # person -> roles the database holds
        # person -> roles the file's parties give them, and those parties' ids (one pass)
        self.party_roles: dict[str, set[str]] = {}
        self.parties: set[str] = set()
        self.case_parties: dict[str, set[str]] = {}  # case -> the people its parties name
        for e in source.entities.values():
            if e.schema == "CourtCaseParty":
                self.parties.add(e.id)
                rel = role_of(e)
                for party in e.get("party"):
                    self.party_roles.setdefault(party, set()).add(rel or "?")
                for case in e.get("case"):
                    self.case_parties.setdefault(case, set()).update(e.get("party"))
        self.victims = self._victims()
        self.skipped_refs = 0
        self._patterns: dict[str, re.Pattern[str] | None] = {}

    # -- references -----------------------------------------------------------------------
    def references(self, among: Iterable[Entity] | None = None) -> set[str]:
        """Ids referred to in the file (or by `among` of its entities) but not defined in it."""
        wanted: set[str] = set()
        for e in self.src.entities.values() if among is None else among:
            for name in ref_props(e):
                wanted.update(v for v in e.get(name)
                          if v not in self.src.entities and v not in self.src.skipped_ids)
        return wanted

    def resolve(self, known: dict[str, Known]) -> None:
        self.known.update(known)

    def people(self) -> list[str]:
        """Ids of the people the file defines, makes a party or refers to in the database (their
        roles in the database are asked for: a victim's passport, vehicle or account named by a
        later file is no more tied to them than one named with them)."""
        out = {e.id for e in self.src.entities.values() if e.schema == "Person"}
        out.update(p for p in self.party_roles if p not in self.src.entities)
        out.update(i for i, k in self.known.items() if k.label == "Person")
        return sorted(out)

    def stored_victims(self) -> list[str]:
        """People this file does not define whom its parties leave victims only, with what the
        database holds: their node, stored by an earlier file, may still bear their name."""
        return sorted(p for p, r in self._roles().items()
                      if r == {"VICTIM_IN"} and p not in self.src.entities)

    def mask(self, stored: Iterable[Entity]) -> None:
        """Map these stored people (entities as an earlier file stated them) with this file, as
        victims: their nodes are written again under the pseudonym, dropping what they stated."""
        for e in stored:
            self.src.entities[e.id] = e
            self.out.unmasked_victims += 1
        self.victims = self._victims()

    def restate(self, stored: Iterable[Entity]) -> list[Entity]:
        """Map with this file the entities through which earlier files tied its victims to an
        identifier (kept records, payments naming their accounts), so that they are written
        again without them; those the file states itself are mapped as it states them."""
        added = [e for e in stored if e.id not in self.src.entities]
        for e in added:
            self.src.entities[e.id] = e
        self.out.restated += len(added)
        return added

    def cases_of(self, victims: Iterable[str]) -> dict[str, set[str]]:
        """The cases this file's parties name these victims in without stating the case, with
        the victims of each."""
        wanted = set(victims)
        return {c: people & wanted for c, people in self.case_parties.items()
                if c not in self.src.entities and people & wanted}

    def restate_texts(self, stored: Iterable[tuple[str, Entity]]) -> list[Entity]:
        """Of the cases and relationships earlier files stored for victims of this file (victim,
        entity), map with this file those whose texts name them, so that they are written again
        without their names."""
        named: dict[str, Entity] = {}
        for victim, e in stored:
            if e.schema == "CourtCase":
                self.case_parties.setdefault(e.id, set()).add(victim)
            if e.id not in self.src.entities and (pattern := self._pattern(victim)) is not None \
                    and redact(e, {victim: pattern})[1]:
                named[e.id] = e
        return self.restate(named.values())

    def resolve_roles(self, stored: Iterable[tuple[str, str, str]]) -> None:
        """The roles the database holds for the file's people, as (person, party id, role): a
        person it knows only as a victim stays pseudonymous when a later file states them again,
        unless that file gives them another role. Parties the file states again count as the
        file states them."""
        for person, party, role in stored:
            if party not in self.parties:
                self.stored_roles.setdefault(person, set()).add(role)
        self.victims = self._victims()

    def _roles(self) -> dict[str, set[str]]:
        """Each person's roles by the file's parties and the database's."""
        roles = {p: set(r) for p, r in self.party_roles.items()}
        for p, r in self.stored_roles.items():
            roles.setdefault(p, set()).update(r)
        return roles

    def _victims(self) -> set[str]:
        return {p for p, r in self._roles().items() if r == {"VICTIM_IN"} and self._person(p)}

    def _person(self, i: str) -> bool:
        """Whether `i` is a person the file defines or, when it does not, the database holds."""
        if (ent := self.src.entities.get(i)) is not None:
            return ent.schema == "Person"
        return (k := self.known.get(i)) is not None and k.label == "Person"

    def held_by_victims(self, e: Entity, props: Iterable[str]) -> bool:
        """Whether `e` names holders (or owners) by `props` and all are victims."""
        held = [h for p in props for h in e.get(p)]
        return bool(held) and all(h in self.victims for h in held)

    def without_victims(self, e: Entity, props: Iterable[str]) -> Entity:
        """`e` as it is kept: victims left out of `props` (a holder, an owner, their account)."""
        drop = [p for p in props if any(v in self.victims for v in e.get(p))]
        if not drop:
            return e
        kept = {k: v for k, v in e.properties.items() if k not in drop}
        kept.update({p: [v for v in e.get(p) if v not in self.victims] for p in drop})
        return Entity(e.id, e.schema, e.line, {k: v for k, v in kept.items() if v})

    def victims_named(self, e: Entity, among: Iterable[str]) -> Entity:
        """`e` with the names of the victims `among` these ids taken out of its texts
        (loaders/ftm_redact.py); those whose names this load does not know cannot be."""
        patterns = {v: p for v in among if v in self.victims and (p := self._pattern(v)) is not None}
        e, changed = redact(e, patterns)
        self.out.redacted += changed
        return e

    def _pattern(self, victim: str) -> re.Pattern[str] | None:
        """Her names as loaders/ftm_redact.name_pattern makes them; None when unknown here."""
        if victim not in self._patterns:
            person = self.src.entities.get(victim)
            self._patterns[victim] = name_pattern(person) if person is not None else None
        return self._patterns[victim]

    # -- helpers --------------------------------------------------------------------------
    def problem(self, e: Entity, prop: str | None, reason: str) -> None:
        self.out.problems.append(Problem(self.file, e.line, prop, reason))

    def identifier(self, e: Entity, prop: str, make: Callable[..., Identifier | None],
                   *args: Any) -> str | None:
        """The node id of the identifier `make(*args)` builds (a problem when it cannot)."""
        key = (make, args) if make in _PURE else None
        try:
            hit = self.made.get(key) if key else None
            if hit is None:
                hit = make(*args)
                if key:
                    self.made[key] = hit
            elif isinstance(hit, IdentifierError):
                raise hit
            ident = hit
        except IdentifierError as err:
            if key:
                self.made[key] = err
            self.problem(e, prop, str(err))
            return None
        if ident is None:
            return None
        if ident.id not in self.identifiers:
            self.identifiers[ident.id] = {"label": ident.label, **ident.row()}
        return ident.id

    def link(self, rel: str, source: str, target: str, via: str) -> None:
        if source != target:
            self.links.setdefault((rel, source, target, via), None)

    def target(self, e: Entity, prop: str, allowed: Iterable[str]) -> list[str]:
        """The node ids `e.prop` refers to; a problem for each that is unknown or not allowed."""
        out: list[str] = []
        allowed = tuple(allowed)
        for ref in e.get(prop):
            k = self.known.get(ref)
            if k is None:
                if ref in self.src.skipped_ids:
                    self.skipped_refs += 1
                elif ref in self.src.entities:
                    self.problem(e, prop, f"refers to {ref}, a {self.src.entities[ref].schema}, "
                                          "which cannot stand here")
                else:
                    self.problem(e, prop, f"refers to {ref}, which is neither in this file nor "
                                          "in the database")
            elif k.label not in allowed:
                self.problem(e, prop, f"refers to {ref}, a {k.label}; expected "
                                      f"{' or '.join(allowed)}")
            else:
                out.append(k.node)
        return out
