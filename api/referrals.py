"""routeReferral and the referral lifecycle (COORDINATOR; ADMIN sees all)."""

from __future__ import annotations

import base64
import binascii
import dataclasses
from datetime import datetime
from typing import Any

import strawberry

from api.context import Context
from api.types.enums import DeclineReason, Jurisdiction, NeedCode, ReferralStatus, Urgency
from api.types.legal_provision import LegalProvision
from api.types.pagination import Connection, connection
from api.types.profile import ProfileInput
from api.types.referral import Referral, ReferralStats, TransitionRejected, TransitionResult
from api.types.route_result import (
    Known,
    NeedRoute,
    Notification,
    NotifiedBody,
    PlannedService,
    PlanStep,
    RouteResult,
)
from graph import access
from graph import referral_write as rw
from graph import referrals as rf
from graph.exceptions import BadInput, Forbidden, NotFound
from graph.referral_rules import reroute_refusal
from graph.route import route
from graph.route_cache import cache_for

Info = strawberry.Info[Context, None]
ROLES = ("COORDINATOR",)


@strawberry.input
class RouteRequestInput:
    profile: ProfileInput
    needs: list[NeedCode]
    limit: int = strawberry.field(default=5, description="Options per need (1-20)")


@strawberry.input
class ReferralFilterInput:
    status: ReferralStatus | None = None
    organization_id: str | None = None
    region: str | None = None
    overdue: bool | None = None


@strawberry.input
class CreateReferralInput:
    service_id: strawberry.ID
    profile: ProfileInput
    needs: list[NeedCode]
    consent: bool
    urgency: Urgency = Urgency.NORMAL
    from_organization_id: str | None = strawberry.field(
        default=None, description="ADMIN only; a coordinator sends from their own organization")
    consent_override_reason: str | None = None
    note: str | None = None
    idempotency_key: str | None = strawberry.field(
        default=None, description="Send the same key when retrying: a retry of a committed "
                                  "creation returns the same referral; other input with a used "
                                  "key is refused (IDEMPOTENCY_KEY_REUSED)")


def _cursor(r: rf.Referral) -> str:
    return base64.urlsafe_b64encode(f"{r.created_at}|{r.id}".encode()).decode()


def _uncursor(cursor: str) -> tuple[str, str]:
    try:
        at, _, rid = base64.urlsafe_b64decode(cursor.encode()).decode().partition("|")
        if at and rid and datetime.fromisoformat(at).tzinfo is not None:
            return at, rid
    except (ValueError, binascii.Error, UnicodeDecodeError):
        pass
    raise BadInput("the cursor is not one this service gave out", field="after")


@strawberry.type
class ReferralQuery:
    @strawberry.field(description="Where to refer this person for each need, why, what was "
                                  "excluded and why, and who must be notified. Writes nothing.")
    async def route_referral(self, info: Info, request: RouteRequestInput) -> RouteResult:
        ctx = info.context
        # routing reads the directory only and writes nothing: not audited; a refusal is
        if ctx.principal.role != "ADMIN" and ctx.principal.role not in ROLES:
            await ctx.require_audited(*ROLES, action="referral.route")  # records it, raises
        if not 1 <= request.limit <= 20:
            raise BadInput("limit must be between 1 and 20", field="limit")
        profile = request.profile.to_domain()
        cache = cache_for(ctx.db)
        result = await route(ctx.db, ctx.directory, profile, [n.value for n in request.needs],
                             request.limit, cache, ctx.look)
        known = Known(ctx, cache)
        await known.gather([x.candidate for n in result.needs for x in n.ranked],
                           [h.organization_id for n in result.notices for h in n.holders])
        regions = await ctx.directory.regions()
        held = await ctx.responsibilities()
        notices = []
        for n in result.notices:
            basis = held.get(n.rule.basis)
            notices.append(Notification(
                code=n.rule.code, mandatory=n.rule.mandatory, requires_consent=n.rule.consent,
                reason=n.rule.reason, responsibility=n.rule.notify,
                legal_basis=LegalProvision.of(basis.provision) if basis and basis.provision
                else None,
                notify=[NotifiedBody(organization=known.organization(h.organization_id),
                                     distance_km=h.distance_km,
                                     jurisdiction=Jurisdiction(h.jurisdiction))
                        for h in n.holders]))
        return RouteResult(
            needs=[NeedRoute.of(n, regions, profile.region, known) for n in result.needs],
            plan=[PlanStep(organization=known.organization(org),
                           services=[PlannedService(need=NeedCode(k),
                                                    service=known.service(c.service_id))
                                     for k, c in svc.items()])
                  for org, svc in result.plan],
            uncovered_needs=[NeedCode(n) for n in result.uncovered], notifications=notices)

    @strawberry.field
    async def referral(self, info: Info, id: strawberry.ID) -> Referral:
        ctx = info.context
        await ctx.require_audited(*ROLES, action="referral.read", target=str(id))
        return Referral.of(await rf.get(ctx.db, ctx.principal, str(id)))

    @strawberry.field(description="Referrals sent by or to your organization, newest first")
    async def referrals(self, info: Info, filter: ReferralFilterInput | None = None,
                        first: int = 20, after: str | None = None) -> Connection[Referral]:
        ctx = info.context
        await ctx.require_audited(*ROLES, action="referral.list")
        if not 1 <= first <= ctx.db.settings.max_page_size:
            raise BadInput(f"first must be between 1 and {ctx.db.settings.max_page_size}",
                           field="first")
        f = filter or ReferralFilterInput()
        if f.region is not None:
            await ctx.directory.check_region(f.region)
        args: dict[str, Any] = {"status": f.status.value if f.status else None,
                "organization": f.organization_id, "region": f.region, "overdue": f.overdue}
        items, more = await rf.page(ctx.db, ctx.principal, first=first,
                                    after=_uncursor(after) if after else None, **args)
        return connection([(_cursor(r), Referral.of(r)) for r in items], more, after is not None,
                          lambda: rf.count(ctx.db, ctx.principal, **args))

    @strawberry.field(description="Counts by status, acceptance rate, median hours to accept "
                                  "and to complete, per receiving organization and region")
    async def referral_stats(self, info: Info, organization_id: str | None = None,
                             region: str | None = None) -> list[ReferralStats]:
        ctx = info.context
        await ctx.require_audited(*ROLES, action="referral.stats")
        return [ReferralStats.of(s) for s in
                await rf.stats(ctx.db, ctx.principal, organization_id, region)]


@strawberry.type
class ReferralMutation:
    @strawberry.mutation(description="Refer a pseudonymous person to one service (PENDING)")
    async def create_referral(self, info: Info, input: CreateReferralInput) -> Referral:
        ctx = info.context
        await ctx.require_audited(*ROLES, action="referral.create.attempt")
        profile = input.profile.to_domain()
        await ctx.directory.check_region(profile.region)
        args: dict[str, Any] = {
            "service_id": str(input.service_id), "needs": [n.value for n in input.needs],
            "urgency": input.urgency.value, "consent": input.consent,
            "from_org": input.from_organization_id,
            "override_reason": input.consent_override_reason, "note": input.note}
        idem = rw.Idempotency.of(ctx.principal, input.idempotency_key, "createReferral",
                                 {**args, "profile": dataclasses.asdict(profile)})
        created = await rw.create(ctx.db, ctx.principal, profile=profile, idempotency=idem,
                                  deadline_hours=ctx.db.settings.deadline_hours, **args)
        return Referral.of(created)

    @strawberry.mutation(description="Move a referral on; guarded by the version you last saw")
    async def transition_referral(self, info: Info, id: strawberry.ID, to: ReferralStatus,
                                  expected_version: int, note: str | None = None,
                                  decline_reason: DeclineReason | None = None
                                  ) -> TransitionResult:
        ctx = info.context
        await ctx.require_audited(*ROLES, action="referral.transition.attempt", target=str(id))
        outcome = await rw.transition(ctx.db, ctx.principal, str(id), to.value, expected_version,
                                      note, decline_reason.value if decline_reason else None)
        if outcome.referral is None:
            return TransitionRejected(code=outcome.code or "REJECTED",
                                      message=outcome.message or "", referral_id=id)
        return Referral.of(outcome.referral)

    @strawberry.mutation(description="Send a DECLINED referral's person to the next candidate "
                                     "(or to serviceId), linked to the declined one")
    async def reroute_referral(self, info: Info, id: strawberry.ID,
                               service_id: strawberry.ID | None = None,
                               note: str | None = None,
                               idempotency_key: str | None = None) -> Referral:
        ctx = info.context
        await ctx.require_audited(*ROLES, action="referral.reroute.attempt", target=str(id))
        idem = rw.Idempotency.of(ctx.principal, idempotency_key, "rerouteReferral",
                                 {"id": str(id), "service_id": service_id, "note": note})
        first = await rw.replayed(ctx.db, ctx.principal, idem)
        if first is not None:  # a retry of a committed re-route: routed again, it would differ
            return Referral.of(first)
        declined = await rf.get(ctx.db, ctx.principal, str(id))
        why = reroute_refusal(ctx.principal, declined.from_org)
        if why is not None:
            await access.audit(ctx.db, ctx.principal, "denied:referral.reroute", declined.id, why)
            raise Forbidden(why)
        if declined.status != "DECLINED":
            raise BadInput(f"only a DECLINED referral can be re-routed; this one is "
                           f"{declined.status}", field="id")
        profile = rf.profile_of(declined.client)
        target = str(service_id) if service_id else None
        if target is None:
            tried = {r.service_id for r in await rf.chain(ctx.db, ctx.principal, declined)}
            result = await route(ctx.db, ctx.directory, profile, list(declined.needs), 20)
            options = [x.candidate.service_id for x in result.needs[0].ranked
                       if x.candidate.service_id not in tried]
            if not options:
                raise NotFound("no other service can take this person for "
                               f"{declined.needs[0]}; see routeReferral for why")
            target = options[0]
        created = await rw.create(
            ctx.db, ctx.principal, service_id=target, profile=profile, needs=list(declined.needs),
            urgency=declined.urgency, consent=declined.consent, from_org=declined.from_org,
            override_reason=declined.consent_override_reason,
            note=note or f"re-routed after decline ({declined.decline_reason})",
            rerouted_from=declined.id, client_id=str(declined.client.get("id") or ""),
            deadline_hours=ctx.db.settings.deadline_hours, idempotency=idem)
        return Referral.of(created)
