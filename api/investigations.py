"""Investigation fields (INVESTIGATOR and ADMIN only): cases, linked-suspect tracing, connections,
neighborhoods, key players, same-person matching and judgements. Every field checks the role and
writes an audit event (ctx.require_audited; the traces write it while they search, and answer
only once it is written); any other role is refused with FORBIDDEN and the refusal is audited
too."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable, Iterator
from typing import TypeVar

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
from graph import access, investigations, key_players, matching, tracing
from graph.exceptions import NotFound

Info = strawberry.Info[Context, None]
ROLE = "INVESTIGATOR"
_BRIEF_EDGE = frozenset({"type", "source", "target", "id", "__typename"})
T = TypeVar("T")


async def _audited(info: Info, action: str, target: str, work: Callable[[], Awaitable[T]]) -> T:
    """require_audited for a trace: the role is checked first (a refusal is recorded and nothing
    is read), then the audit event is written while `work` runs; the answer leaves only once
    its event is recorded."""
    ctx = info.context
    if ctx.principal.role not in ("ADMIN", ROLE):
        await ctx.require_audited(ROLE, action=action, target=target)  # records the refusal
    event = asyncio.create_task(access.audit(ctx.db, ctx.principal, action, target, None))
    try:
        return await work()
    finally:
        await event


def _searched(name: str | None, birth_date: str | None) -> str | None:
    """What a matchCandidates search looked for, as its audit event's detail."""
    parts = ([f"name: {name[:500]}"] if name is not None else []) + (
        [f"birth date: {birth_date[:40]}"] if birth_date is not None else [])
    return "; ".join(parts) or None


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
        found = await _audited(info, "case.linked_suspects", str(case_id), lambda: tracing.linked_suspects(
            info.context.db, str(case_id), max_hops, limit))
        return LinkedSuspects.of(found)

    @strawberry.field(description="The shortest paths between two entities (1 to 6 hops), every "
                                  "hop named")
    async def connection(self, info: Info, from_id: strawberry.ID, to_id: strawberry.ID,
                         max_hops: int = 4, limit: int = 10) -> Connection:
        found = await _audited(info, "case.connection", f"{from_id} {to_id}", lambda: tracing.connection(
            info.context.db, str(from_id), str(to_id), max_hops, limit))
        return Connection.of(found)

    @strawberry.field(description="An entity, its nearest nodes within depth 1 to 3 (at most "
                                  "limit besides itself, up to 2000) and the edges among them")
    async def neighborhood(self, info: Info, entity_id: strawberry.ID, depth: int = 1,
                           limit: int = 200) -> Neighborhood:
        details = _edge_details_wanted(info)
        found = await _audited(info, "case.neighborhood", str(entity_id), lambda: tracing.neighborhood(
            info.context.db, str(entity_id), depth, limit, details=details))
        return Neighborhood.of(found)

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
        # a name search is audited with the name and birth date searched (for ADMIN eyes)
        await ctx.require_audited(ROLE, action="case.match_candidates",
                                  target=str(person_id) if person_id else "name search",
                                  detail=_searched(name, birth_date))
        found = await matching.match_candidates(
            ctx.db, person_id=str(person_id) if person_id is not None else None, name=name,
            birth_date=birth_date, limit=limit)
        return [MatchCandidate.of(m) for m in found]


async def _decide(info: Info, person_id: strawberry.ID, other_id: strawberry.ID, status: str,
                  note: str | None) -> SameAsResult:
    ctx = info.context
    p = await ctx.require_audited(ROLE, action="case.same_as.attempt",
                                  target=f"{person_id} {other_id}")
    # the decision's own audit event (case.same_as.confirmed / .rejected) is written with it
    result = await matching.decide_same_as(ctx.db, str(person_id), str(other_id), status,
                                           who=p, note=note)
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
