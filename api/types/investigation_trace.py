"""GraphQL types of the case graph's nodes, edges and paths (tracing, neighborhood)."""

from __future__ import annotations

from enum import Enum

import strawberry

from graph import investigation_types as t


@strawberry.enum(description="A party's role in a case (the model's CaseRole)")
class CaseRole(Enum):
    SUSPECT = "SUSPECT"
    VICTIM = "VICTIM"
    WITNESS = "WITNESS"


@strawberry.enum(description="An investigator's judgement on two people (the model's SameAsStatus)")
class SameAsStatus(Enum):
    CANDIDATE = "CANDIDATE"
    CONFIRMED = "CONFIRMED"
    REJECTED = "REJECTED"


_STATUS = dict(SameAsStatus.__members__)  # a stored status -> its member; another is None


@strawberry.type(description="A case, party or identifier of the case graph")
class CaseEntity:
    id: strawberry.ID = strawberry.field(description="The FtM id of a case, person or company; "
                                                     "'<kind>:<value>' for an identifier")
    label: str = strawberry.field(description="Case, Person, Company, Phone, Email, Address, "
                                              "BankAccount, Vehicle, IdDocument, OnlineAccount")
    caption: str = strawberry.field(description="A name, or the identifier written out; a "
                                                "victim's pseudonym")
    degree: int = strawberry.field(description="How many relationships it has")
    pseudonymous: bool = strawberry.field(description="A victim: no name or identifiers kept")
    super_node: bool = strawberry.field(description="Shared too widely to be followed in traces")

    @classmethod
    def of(cls, n: t.TraceNode) -> CaseEntity:
        return cls(id=strawberry.ID(n.id), label=n.label, caption=n.caption, degree=n.degree,
                   pseudonymous=n.pseudonymous, super_node=n.super_node)


@strawberry.type(description="A relationship, from source to target as stored")
class TraceEdge:
    type: str
    source: strawberry.ID
    target: strawberry.ID
    id: str | None = strawberry.field(description="The FtM edge entity's id, when it came from one")
    role: str | None
    amount: float | None
    currency: str | None
    date: str | None
    status: SameAsStatus | None = strawberry.field(description="SAME_AS only")

    @classmethod
    def of(cls, e: t.TraceEdge) -> TraceEdge:
        return cls(type=e.type, source=strawberry.ID(e.source), target=strawberry.ID(e.target),
                   id=e.id, role=e.role, amount=e.amount, currency=e.currency, date=e.date,
                   status=_STATUS.get(e.status) if e.status is not None else None)


@strawberry.type(description="A path: nodes[i] and nodes[i+1] are joined by edges[i]")
class TracePath:
    hops: int
    nodes: list[CaseEntity]
    edges: list[TraceEdge]

    @classmethod
    def of(cls, p: t.TracePath) -> TracePath:
        return cls(hops=p.hops, nodes=[CaseEntity.of(n) for n in p.nodes],
                   edges=[TraceEdge.of(e) for e in p.edges])


@strawberry.type
class CaseRef:
    id: strawberry.ID
    number: str | None

    @classmethod
    def of(cls, c: t.CaseRef) -> CaseRef:
        return cls(id=strawberry.ID(c.id), number=c.number)


@strawberry.type(description="A widely shared node a trace reached and did not follow")
class SuperNode:
    entity: CaseEntity
    reached_from: strawberry.ID = strawberry.field(description="The suspect whose trace reached it")


@strawberry.type
class LinkedSuspect:
    suspect: CaseEntity
    cases: list[CaseRef] = strawberry.field(description="The other cases they are a suspect in")
    victim_in_cases: list[CaseRef] = strawberry.field(
        description="The cases they are a victim in, for the non-punishment principle to be "
                    "weighed")
    path: TracePath
    reason: str = strawberry.field(description="The path in plain language")


@strawberry.type(description="Suspects of other cases linked to this case's suspects")
class LinkedSuspects:
    case_id: strawberry.ID
    max_hops: int
    suspects: list[LinkedSuspect]
    super_nodes: list[SuperNode]
    truncated: bool

    @classmethod
    def of(cls, r: t.LinkedSuspects) -> LinkedSuspects:
        return cls(case_id=strawberry.ID(r.case_id), max_hops=r.max_hops, truncated=r.truncated,
                   suspects=[LinkedSuspect(suspect=CaseEntity.of(s.suspect),
                                           cases=[CaseRef.of(c) for c in s.cases],
                                           victim_in_cases=[CaseRef.of(c) for c in s.victim_cases],
                                           path=TracePath.of(s.path), reason=s.reason)
                             for s in r.suspects],
                   super_nodes=[SuperNode(entity=CaseEntity.of(s.node),
                                          reached_from=strawberry.ID(s.reached_from))
                                for s in r.super_nodes])


@strawberry.type
class ConnectionPath:
    path: TracePath
    reason: str


@strawberry.type(description="The shortest paths between two entities")
class Connection:
    source: CaseEntity
    target: CaseEntity
    max_hops: int
    paths: list[ConnectionPath]
    truncated: bool

    @classmethod
    def of(cls, c: t.Connection) -> Connection:
        return cls(source=CaseEntity.of(c.source), target=CaseEntity.of(c.target),
                   max_hops=c.max_hops, truncated=c.truncated,
                   paths=[ConnectionPath(path=TracePath.of(p), reason=why) for p, why in c.paths])


@strawberry.type(description="Nodes and edges around an entity, for a visual explorer")
class Neighborhood:
    center: CaseEntity
    depth: int
    nodes: list[CaseEntity]
    edges: list[TraceEdge]
    truncated: bool = strawberry.field(description="More nodes were within reach than the limit")

    @classmethod
    def of(cls, n: t.Neighborhood) -> Neighborhood:
        return cls(center=CaseEntity.of(n.center), depth=n.depth, truncated=n.truncated,
                   nodes=[CaseEntity.of(x) for x in n.nodes], edges=[TraceEdge.of(e) for e in n.edges])
