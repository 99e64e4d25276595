"""The GraphQL schema: the Query root and its resolvers (thin: the work is in graph/)."""

from __future__ import annotations

import logging

import strawberry
from graphql import GraphQLError
from strawberry.extensions import (
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    ValidationCache,
)
from strawberry.tools import merge_types
from strawberry.types.execution import ExecutionContext

from api.context import Context
from api.cost import QueryCostLimiter
from api.execution import FlatObjectExecutor
from api.investigations import InvestigationMutation, InvestigationQuery
from api.mutations import DirectoryMutation
from api.referrals import ReferralMutation, ReferralQuery
from api.types.access import AuditEvent, Me
from api.types.coverage import CoverageGaps, NeedGap, ResponsibilityGap
from api.types.enums import Jurisdiction, NeedCode, OrganizationKind
from api.types.need import Need
from api.types.organization import Organization
from api.types.pagination import Connection, connection
from api.types.region import Region
from api.types.responsibility import Responsibility
from api.types.service import Service
from api.types.who_handles import ResponsibleBody, ServiceOption, WhoHandles
from graph import access
from graph.config import Settings
from graph.directory import encode_cursor
from graph.exceptions import BadInput, NotFound, ReferralnetError
from graph.explain import why_responsible, why_service
from graph.types import DirectoryFilter

Info = strawberry.Info[Context, None]
log = logging.getLogger("referralnet.api")


@strawberry.input(description="All fields optional; they combine with AND.")
class DirectoryFilterInput:
    region: str | None = strawberry.field(default=None, description="Region code, e.g. almaty")
    need: NeedCode | None = None
    kind: OrganizationKind | None = None
    text: str | None = strawberry.field(default=None, description="Words in names or description")

    def to_domain(self) -> DirectoryFilter:
        if self.text is not None and len(self.text) > 200:
            raise BadInput("text is longer than 200 characters", field="text")
        return DirectoryFilter(region=self.region, need=self.need.value if self.need else None,
                               kind=self.kind.value if self.kind else None, text=self.text)


def _page_size(first: int, settings: Settings) -> int:
    if first < 1 or first > settings.max_page_size:
        raise BadInput(f"first must be between 1 and {settings.max_page_size}", field="first")
    return first


@strawberry.type
class DirectoryQuery:
    @strawberry.field(description="Who the token belongs to")
    def me(self, info: Info) -> Me:
        return Me.of(info.context.principal)

    @strawberry.field(description="The newest audit events (ADMIN only)")
    async def audit_events(self, info: Info, limit: int = 50) -> list[AuditEvent]:
        ctx = info.context
        await ctx.require_audited("ADMIN", action="audit.read")
        if not 1 <= limit <= 500:
            raise BadInput("limit must be between 1 and 500", field="limit")
        return [AuditEvent.of(r) for r in await access.audit_events(ctx.db, limit)]

    @strawberry.field(description="Organizations, filtered, a page at a time")
    async def organizations(self, info: Info, filter: DirectoryFilterInput | None = None,
                            first: int = 20, after: str | None = None) -> Connection[Organization]:
        ctx = info.context
        f = filter.to_domain() if filter else DirectoryFilter()
        page = await ctx.directory.organizations(f, _page_size(first, ctx.db.settings), after)
        return connection([(encode_cursor(o.name, o.id), Organization.of(o)) for o in page.items],
                          page.has_next, page.has_previous,
                          lambda: ctx.directory.count_organizations(f))

    @strawberry.field(description="Services, filtered, a page at a time")
    async def services(self, info: Info, filter: DirectoryFilterInput | None = None,
                       first: int = 20, after: str | None = None) -> Connection[Service]:
        ctx = info.context
        f = filter.to_domain() if filter else DirectoryFilter()
        page = await ctx.directory.services(f, _page_size(first, ctx.db.settings), after)
        return connection([(encode_cursor(s.name, s.id), Service.of(s)) for s in page.items],
                          page.has_next, page.has_previous, lambda: ctx.directory.count_services(f))

    @strawberry.field
    async def organization(self, info: Info, id: strawberry.ID) -> Organization:
        o = await info.context.organization.load(str(id))
        if o is None:
            raise NotFound(f"no organization with id {id!r}")
        return Organization.of(o)

    @strawberry.field
    async def service(self, info: Info, id: strawberry.ID) -> Service:
        s = await info.context.service.load(str(id))
        if s is None:
            raise NotFound(f"no service with id {id!r}")
        return Service.of(s)

    @strawberry.field
    async def regions(self, info: Info) -> list[Region]:
        return [Region.of(r) for r in (await info.context.directory.regions()).values()]

    @strawberry.field
    async def needs(self, info: Info) -> list[Need]:
        return [Need.of(n) for n in await info.context.directory.needs()]

    @strawberry.field(description="Every responsibility the law assigns, with its legal basis")
    async def responsibilities(self, info: Info) -> list[Responsibility]:
        return [Responsibility.of(r) for r in (await info.context.responsibilities()).values()]

    @strawberry.field(description="Who handles this need here, and on what legal basis: the "
                                  "responsible bodies and the services in or nearest to the region")
    async def who_handles(self, info: Info, need: NeedCode, region: str,
                          limit: int = 50) -> WhoHandles:
        ctx = info.context
        if not 1 <= limit <= ctx.db.settings.max_page_size:
            raise BadInput(f"limit must be between 1 and {ctx.db.settings.max_page_size}",
                           field="limit")
        w = await ctx.directory.who_handles(need.value, region, limit)
        regions = await ctx.directory.regions()
        known = await ctx.responsibilities()
        asked = regions[region]
        responsible = []
        for b in w.responsible:
            title = b.provision.title if b.provision else None
            responsible.append(ResponsibleBody(
                _b=b, responsibility=Responsibility.of(known[b.responsibility]),
                legal_basis=Responsibility.of(known[b.responsibility]).legal_basis,
                distance_km=b.distance_km, in_region=b.in_region,
                jurisdiction=Jurisdiction(b.jurisdiction),
                why=why_responsible(b, title, regions[b.region], asked)))
        services = [ServiceOption(
            _o=o, distance_km=o.distance_km, in_region=o.in_region,
            legal_basis=[Responsibility.of(known[x.responsibility]) for x in o.basis
                         if x.responsibility in known],
            why=why_service(o, need.value, regions[o.region], asked)) for o in w.services]
        return WhoHandles(need=need, region=Region.of(asked), served_in_region=w.served_in_region,
                          responsible=responsible, services=services)

    @strawberry.field(description="Needs and responsibilities nobody covers in the region")
    async def coverage_gaps(self, info: Info, region: str) -> CoverageGaps:
        ctx = info.context
        gaps = await ctx.directory.coverage_gaps(region)
        regions = await ctx.directory.regions()
        return CoverageGaps(
            region=Region.of(regions[region]),
            needs=[NeedGap(need=NeedCode(g.need),
                           nearest_region=Region.of(regions[g.nearest_region])
                           if g.nearest_region else None,
                           distance_km=g.distance_km) for g in gaps.needs],
            responsibilities=[ResponsibilityGap(code=g.responsibility, description=g.description,
                                                legal_basis_id=g.provision_id,
                                                held_in=list(g.held_in))
                              for g in gaps.responsibilities])


class Schema(strawberry.Schema):
    def process_errors(self, errors: list[GraphQLError],
                       execution_context: ExecutionContext | None = None) -> None:
        """Expected failures (coded errors, validation) are the client's business: log the rest,
        which api.errors masks, with their traceback."""
        for e in errors:
            if e.original_error is not None and not isinstance(
                    e.original_error, ReferralnetError | GraphQLError):
                log.error("unexpected error at %s", e.path, exc_info=e.original_error)


# Each part of the domain contributes its own root fields.
Query = merge_types("Query", (DirectoryQuery, ReferralQuery, InvestigationQuery))
Mutation = merge_types("Mutation", (DirectoryMutation, ReferralMutation, InvestigationMutation))


def build_schema(settings: Settings) -> strawberry.Schema:
    # One instance of each extension for every request: a client sends the same few documents
    # again and again, and the caches key validation on the rules' identity, so each document is
    # parsed and validated (limits included) once.
    shared = (QueryDepthLimiter(max_depth=settings.max_query_depth),
              MaxAliasesLimiter(max_alias_count=settings.max_aliases),
              MaxTokensLimiter(max_token_count=settings.max_tokens),
              QueryCostLimiter(settings.max_query_cost, settings.max_page_size),
              ParserCache(maxsize=256), ValidationCache(maxsize=256))
    return Schema(query=Query, mutation=Mutation, execution_context_class=FlatObjectExecutor,
                  extensions=[(lambda x=x: x) for x in shared])  # type: ignore[misc]
