"""Investigation fields (INVESTIGATOR and ADMIN only): cases, linked-suspect tracing, connections,
neighborhoods, key players, same-person matching and judgements. Every field checks the role and
writes an audit event first (ctx.require_audited); any other role is refused with FORBIDDEN and
the refusal is audited too."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import strawberry
from strawberry.types.nodes import SelectedField, Selection

from api.context import Context
from api.types.investigation_case import Case
from api.types.investigation_match import (
    KeyPlayers,
    MatchCandidate,
    SameAsRecorded,
    SameAsRefused,
    SameAsResult,
)
from api.types.investigation_trace import Connection, LinkedSuspects, Neighborhood
from graph import investigations, key_players, matching, tracing
from graph.exceptions import NotFound

Info = strawberry.Info[Context, None]
ROLE = "INVESTIGATOR"
_BRIEF_EDGE = frozenset({"type", "source", "target", "id", "__typename"})


def _fields(selections: Iterable[Selection]) -> Iterator[SelectedField]:
    """The fields of a selection set, fragments opened."""
    for s in selections:
        if isinstance(s, SelectedField):
            yield s
        else:
            yield from _fields(s.selections)


def _edge_details_wanted(info: Info) -> bool:
    """Whether the query asks for more of a neighborhood's edges than type, ends and id (the
    rest costs Neo4j a property read per edge)."""
    for f in _fields(info.selected_fields):
        for e in _fields(f.selections):
            if e.name == "edges" and any(x.name not in _BRIEF_EDGE for x in _fields(e.selections)):
                return True
    return False


@strawberry.type
class InvestigationQuery:
    @strawberry.field(description="A case and its parties (victims under a pseudonym)")
    async def case(self, info: Info, id: strawberry.ID) -> Case:
        ctx = info.context
        await ctx.require_audited(ROLE, action="case.read", target=str(id))
        c = await investigations.case(ctx.db, str(id))
        if c is None:
            raise NotFound(f"no case with id {id!r}")
        return Case.of(c)

    @strawberry.field(description="Suspects of other cases reachable from this case's suspects "
                                  "through shared identifiers, direct links and confirmed "
                                  "same-person links, nearest first, each with its path and why. "
                                  "maxHops counts relationships (a shared phone is 2), 1 to 4")
    async def linked_suspects(self, info: Info, case_id: strawberry.ID, max_hops: int = 3,
                              limit: int = 50) -> LinkedSuspects:
        ctx = info.context
        await ctx.require_audited(ROLE, action="case.linked_suspects", target=str(case_id))
        return LinkedSuspects.of(await tracing.linked_suspects(ctx.db, str(case_id), max_hops,
                                                               limit))

    @strawberry.field(description="The shortest paths between two entities (1 to 6 hops), every "
                                  "hop named")
    async def connection(self, info: Info, from_id: strawberry.ID, to_id: strawberry.ID,
                         max_hops: int = 4, limit: int = 10) -> Connection:
        ctx = info.context
        await ctx.require_audited(ROLE, action="case.connection", target=f"{from_id} {to_id}")
        return Connection.of(await tracing.connection(ctx.db, str(from_id), str(to_id), max_hops,
                                                      limit))

    @strawberry.field(description="An entity, its nearest nodes within depth 1 to 3 (at most "
                                  "limit besides itself, up to 2000) and the edges among them")
    async def neighborhood(self, info: Info, entity_id: strawberry.ID, depth: int = 1,
                           limit: int = 200) -> Neighborhood:
        ctx = info.context
        await ctx.require_audited(ROLE, action="case.neighborhood", target=str(entity_id))
        return Neighborhood.of(await tracing.neighborhood(ctx.db, str(entity_id), depth, limit,
                                                          details=_edge_details_wanted(info)))

    @strawberry.field(description="Brokers of the suspect network of these cases: betweenness "
                                  "centrality and communities")
    async def key_players(self, info: Info, case_ids: list[strawberry.ID],
                          limit: int = 20) -> KeyPlayers:
        ctx = info.context
        await ctx.require_audited(ROLE, action="case.key_players",
                                  target=" ".join(str(c) for c in case_ids)[:500])
        return KeyPlayers.of(await key_players.key_players(ctx.db, [str(c) for c in case_ids],
                                                           limit))

    @strawberry.field(description="People who may be this person (or bear this name) under "
                                  "another spelling, scored with reasons, best first")
    async def match_candidates(self, info: Info, person_id: strawberry.ID | None = None,
                               name: str | None = None, birth_date: str | None = None,
                               limit: int = 10) -> list[MatchCandidate]:
        ctx = info.context
        await ctx.require_audited(ROLE, action="case.match_candidates",
                                  target=str(person_id) if person_id else "name search")
        found = await matching.match_candidates(
            ctx.db, person_id=str(person_id) if person_id is not None else None, name=name,
            birth_date=birth_date, limit=limit)
        return [MatchCandidate.of(m) for m in found]


async def _decide(info: Info, person_id: strawberry.ID, other_id: strawberry.ID, status: str,
                  note: str | None) -> SameAsResult:
    ctx = info.context
    p = await ctx.require_audited(ROLE, action=f"case.same_as.{status.lower()}",
                                  target=f"{person_id} {other_id}")
    result = await matching.decide_same_as(ctx.db, str(person_id), str(other_id), status,
                                           by=f"{p.name} ({p.token_id})", note=note)
    if isinstance(result, matching.Refusal):
        return SameAsRefused(code=result.code, message=result.message)
    return SameAsRecorded.of(result)


@strawberry.type
class InvestigationMutation:
    @strawberry.mutation(description="Record that two people are one (the link then feeds traces)")
    async def confirm_same_as(self, info: Info, person_id: strawberry.ID, other_id: strawberry.ID,
                              note: str | None = None) -> SameAsResult:
        return await _decide(info, person_id, other_id, "CONFIRMED", note)

    @strawberry.mutation(description="Record that two people are not one (never proposed again)")
    async def reject_same_as(self, info: Info, person_id: strawberry.ID, other_id: strawberry.ID,
                             note: str | None = None) -> SameAsResult:
        return await _decide(info, person_id, other_id, "REJECTED", note)
