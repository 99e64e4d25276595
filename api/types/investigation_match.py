"""GraphQL types of same-person matching and of key players."""

from __future__ import annotations

from typing import Annotated

import strawberry

from api.types.investigation_trace import CaseEntity, CaseRef, SameAsStatus
from graph import investigation_types as t

VICTIM_IN = ("The cases they are a victim in: for the non-punishment principle to be weighed "
             "on a suspect or witness who is a victim too")


@strawberry.type(description="Perhaps the same person under another spelling")
class MatchCandidate:
    person: CaseEntity
    birth_date: str | None
    score: float = strawberry.field(description="0..1: names, birth dates, shared identifiers")
    reasons: list[str]
    status: SameAsStatus = strawberry.field(description="CONFIRMED when an investigator already "
                                                        "said so; else CANDIDATE")
    suspect_in: list[CaseRef]
    victim_in: list[CaseRef] = strawberry.field(description=VICTIM_IN)

    @classmethod
    def of(cls, m: t.MatchCandidate) -> MatchCandidate:
        return cls(person=CaseEntity.of(m.person), birth_date=m.birth_date, score=m.score,
                   reasons=list(m.reasons), status=SameAsStatus(m.status),
                   suspect_in=[CaseRef.of(c) for c in m.suspect_in],
                   victim_in=[CaseRef.of(c) for c in m.victim_in])


@strawberry.type(description="An investigator's judgement that two people are, or are not, one")
class SameAsLink:
    person_id: strawberry.ID
    other_id: strawberry.ID
    status: SameAsStatus
    score: float
    reasons: list[str]
    by: str
    at: str
    note: str | None


@strawberry.type
class SameAsRecorded:
    link: SameAsLink

    @classmethod
    def of(cls, s: t.SameAsLink) -> SameAsRecorded:
        return cls(link=SameAsLink(person_id=strawberry.ID(s.person_id),
                                   other_id=strawberry.ID(s.other_id),
                                   status=SameAsStatus(s.status), score=s.score,
                                   reasons=list(s.reasons), by=s.by, at=s.at, note=s.note))


@strawberry.type(description="Nothing recorded: an unknown person, a victim, or the same id twice")
class SameAsRefused:
    code: str = strawberry.field(description="NOT_FOUND or BAD_INPUT")
    message: str


SameAsResult = Annotated[SameAsRecorded | SameAsRefused, strawberry.union("SameAsResult")]


@strawberry.type
class KeyPlayer:
    entity: CaseEntity
    betweenness: float = strawberry.field(description="Normalized betweenness centrality")
    degree: int = strawberry.field(description="Parties linked to it in the suspect network")
    community: int = strawberry.field(description="Index into KeyPlayers.communities")
    suspect_in: list[CaseRef]
    victim_in: list[CaseRef] = strawberry.field(description=VICTIM_IN)


@strawberry.type(description="Brokers of a suspect network: betweenness and communities")
class KeyPlayers:
    case_ids: list[strawberry.ID]
    players: list[KeyPlayer]
    communities: list[list[strawberry.ID]]
    nodes: int
    edges: int
    truncated: bool

    @classmethod
    def of(cls, k: t.KeyPlayers) -> KeyPlayers:
        return cls(case_ids=[strawberry.ID(c) for c in k.case_ids], nodes=k.nodes, edges=k.edges,
                   truncated=k.truncated,
                   communities=[[strawberry.ID(n) for n in c] for c in k.communities],
                   players=[KeyPlayer(entity=CaseEntity.of(p.node), betweenness=p.betweenness,
                                      degree=p.degree, community=p.community,
                                      suspect_in=[CaseRef.of(c) for c in p.suspect_in],
                                      victim_in=[CaseRef.of(c) for c in p.victim_in])
                            for p in k.players])
