"""Domain objects of investigations: plain data the repositories return, no GraphQL."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class TraceNode:
    """A node on a path or in a neighborhood: a case, party or identifier."""

    id: str
    label: str
    caption: str
    degree: int = 0
    pseudonymous: bool = False
    super_node: bool = False

    @staticmethod
    def of(row: dict[str, Any], super_degree: int | None = None) -> TraceNode:
        degree = int(row.get("degree") or 0)
        return TraceNode(id=row["id"], label=row["label"], caption=row.get("caption") or row["id"],
                         degree=degree, pseudonymous=bool(row.get("pseudonymous")),
                         super_node=super_degree is not None and degree > super_degree)


@dataclass(frozen=True)
class TraceEdge:
    """A relationship, as stored (source -> target), with what a reader needs of it."""

    type: str
    source: str
    target: str
    id: str | None = None
    role: str | None = None
    amount: float | None = None
    currency: str | None = None
    date: str | None = None
    status: str | None = None

    @staticmethod
    def of(row: dict[str, Any]) -> TraceEdge:
        amount = row.get("amount")
        return TraceEdge(type=row["type"], source=row["source"], target=row["target"],
                         id=row.get("id"), role=row.get("role") or row.get("relationship"),
                         amount=float(amount) if amount is not None else None,
                         currency=row.get("currency"), date=row.get("date"),
                         status=row.get("status"))


@dataclass(frozen=True)
class TracePath:
    nodes: tuple[TraceNode, ...]
    edges: tuple[TraceEdge, ...]

    @property
    def hops(self) -> int:
        return len(self.edges)


@dataclass(frozen=True)
class CaseRef:
    id: str
    number: str | None


@dataclass(frozen=True)
class Party:
    role: str  # SUSPECT, VICTIM, WITNESS
    node: TraceNode
    birth_date: str | None = None
    other_cases: tuple[CaseRef, ...] = ()
    victim_cases: tuple[CaseRef, ...] = ()  # the other cases they are a victim in


@dataclass(frozen=True)
class Case:
    id: str
    number: str | None
    name: str | None
    article: str | None
    court: str | None
    region: str | None
    opened_on: str | None
    closed_on: str | None
    status: str | None
    parties: tuple[Party, ...] = ()


@dataclass(frozen=True)
class SuperNode:
    """An identifier (or party) too widely shared to be followed: reported, not expanded."""

    node: TraceNode
    reached_from: str  # the suspect whose trace reached it


@dataclass(frozen=True)
class LinkedSuspect:
    suspect: TraceNode
    cases: tuple[CaseRef, ...]
    path: TracePath
    reason: str
    victim_cases: tuple[CaseRef, ...] = ()  # the cases they are a victim in


@dataclass(frozen=True)
class LinkedSuspects:
    case_id: str
    max_hops: int
    suspects: list[LinkedSuspect] = field(default_factory=list)
    super_nodes: list[SuperNode] = field(default_factory=list)
    truncated: bool = False


@dataclass(frozen=True)
class Connection:
    source: TraceNode
    target: TraceNode
    max_hops: int
    paths: list[tuple[TracePath, str]] = field(default_factory=list)  # (path, reason)
    truncated: bool = False


@dataclass(frozen=True)
class Neighborhood:
    center: TraceNode
    depth: int
    nodes: list[TraceNode]
    edges: list[TraceEdge]
    truncated: bool


@dataclass(frozen=True)
class KeyPlayer:
    node: TraceNode
    betweenness: float
    degree: int
    community: int
    suspect_in: tuple[CaseRef, ...]
    victim_in: tuple[CaseRef, ...] = ()


@dataclass(frozen=True)
class KeyPlayers:
    case_ids: tuple[str, ...]
    players: list[KeyPlayer]
    communities: list[list[str]]
    nodes: int
    edges: int
    truncated: bool


@dataclass(frozen=True)
class MatchCandidate:
    person: TraceNode
    birth_date: str | None
    score: float
    reasons: tuple[str, ...]
    status: str  # CANDIDATE, or CONFIRMED when an investigator already said so
    suspect_in: tuple[CaseRef, ...] = ()
    victim_in: tuple[CaseRef, ...] = ()


@dataclass(frozen=True)
class SameAsLink:
    person_id: str
    other_id: str
    status: str
    score: float
    reasons: tuple[str, ...]
    by: str
    at: str
    note: str | None = None
