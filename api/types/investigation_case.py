"""GraphQL types of a case and its parties."""

from __future__ import annotations

import strawberry

from api.types.investigation_trace import CaseEntity, CaseRef, CaseRole
from graph import investigation_types as t


@strawberry.type
class CaseParty:
    role: CaseRole
    entity: CaseEntity
    birth_date: str | None = strawberry.field(
        description="Never a pseudonymous victim's (one who is also a suspect or witness keeps it)")
    other_cases: list[CaseRef] = strawberry.field(description="Other cases they are a suspect in")
    victim_in_cases: list[CaseRef] = strawberry.field(
        description="Other cases they are a victim in: a suspect or witness who is a victim "
                    "elsewhere, for the non-punishment principle to be weighed")


@strawberry.type(description="A case file (an FtM CourtCase) and its parties")
class Case:
    id: strawberry.ID
    number: str | None
    name: str | None
    article: str | None
    court: str | None
    region: str | None
    opened_on: str | None
    closed_on: str | None
    status: str | None
    parties: list[CaseParty]

    @classmethod
    def of(cls, c: t.Case) -> Case:
        return cls(id=strawberry.ID(c.id), number=c.number, name=c.name, article=c.article,
                   court=c.court, region=c.region, opened_on=c.opened_on, closed_on=c.closed_on,
                   status=c.status,
                   parties=[CaseParty(role=CaseRole(p.role), entity=CaseEntity.of(p.node),
                                      birth_date=p.birth_date,
                                      other_cases=[CaseRef.of(k) for k in p.other_cases],
                                      victim_in_cases=[CaseRef.of(k) for k in p.victim_cases])
                            for p in c.parties])
