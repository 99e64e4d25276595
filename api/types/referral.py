from __future__ import annotations

from typing import Annotated

import strawberry

from api.types.enums import DeclineReason, NeedCode, ReferralStatus, Urgency
from api.types.organization import Organization
from api.types.profile import Client
from api.types.service import Service
from graph import referrals as rf


@strawberry.type
class ReferralEvent:
    at: str
    from_status: str | None
    to_status: ReferralStatus
    actor: str
    note: str | None
    reason: str | None


@strawberry.type(description="A referral of a pseudonymous person to a service, and its outcome")
class Referral:
    _r: strawberry.Private[rf.Referral]
    id: strawberry.ID
    status: ReferralStatus
    urgency: Urgency
    needs: list[NeedCode]
    consent: bool
    consent_override_reason: str | None
    decline_reason: DeclineReason | None
    version: int = strawberry.field(description="Send it back as expectedVersion to change it")
    created_at: str
    updated_at: str
    deadline: str
    overdue: bool = strawberry.field(description="Still PENDING past its deadline")
    accepted_at: str | None
    completed_at: str | None
    holds_place: bool
    rerouted_from: str | None
    client: Client

    @classmethod
    def of(cls, r: rf.Referral) -> Referral:
        return cls(
            _r=r, id=strawberry.ID(r.id), status=ReferralStatus(r.status),
            urgency=Urgency(r.urgency), needs=[NeedCode(n) for n in r.needs], consent=r.consent,
            consent_override_reason=r.consent_override_reason,
            decline_reason=DeclineReason(r.decline_reason) if r.decline_reason else None,
            version=r.version, created_at=r.created_at, updated_at=r.updated_at,
            deadline=r.deadline, overdue=r.overdue, accepted_at=r.accepted_at,
            completed_at=r.completed_at, holds_place=r.holds_place,
            rerouted_from=r.rerouted_from, client=Client.of(r.client))

    @strawberry.field
    async def from_organization(self, info: strawberry.Info) -> Organization:
        return Organization.of(await info.context.organization.load(self._r.from_org))

    @strawberry.field
    async def to_organization(self, info: strawberry.Info) -> Organization:
        return Organization.of(await info.context.organization.load(self._r.to_org))

    @strawberry.field
    async def service(self, info: strawberry.Info) -> Service:
        return Service.of(await info.context.service.load(self._r.service_id))

    @strawberry.field(description="Every transition, oldest first")
    async def history(self, info: strawberry.Info) -> list[ReferralEvent]:
        return [ReferralEvent(at=e["at"], from_status=e.get("from_status"),
                              to_status=ReferralStatus(e["to_status"]), actor=e["actor"],
                              note=e.get("note"), reason=e.get("reason"))
                for e in await rf.history(info.context.db, self._r.id)]


@strawberry.type(description="The transition did not happen; nothing changed")
class TransitionRejected:
    code: str = strawberry.field(description="VERSION_CONFLICT, INVALID_TRANSITION or NO_CAPACITY")
    message: str
    referral_id: strawberry.ID


TransitionResult = Annotated[Referral | TransitionRejected, strawberry.union("TransitionResult")]


@strawberry.type
class StatusCount:
    status: ReferralStatus
    count: int


@strawberry.type(description="Referrals received by one organization from one region")
class ReferralStats:
    organization_id: str
    organization_name: str
    region: str | None
    total: int
    by_status: list[StatusCount]
    acceptance_rate: float | None = strawberry.field(description="Accepted / (accepted + declined)")
    median_hours_to_accept: float | None
    median_hours_to_complete: float | None

    @classmethod
    def of(cls, s: rf.Stats) -> ReferralStats:
        return cls(organization_id=s.organization_id, organization_name=s.organization_name,
                   region=s.region, total=sum(s.counts.values()),
                   by_status=[StatusCount(status=ReferralStatus(k), count=v)
                              for k, v in sorted(s.counts.items())],
                   acceptance_rate=s.acceptance_rate,
                   median_hours_to_accept=s.median_hours_to_accept,
                   median_hours_to_complete=s.median_hours_to_complete)
