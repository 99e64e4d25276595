"""Changes to referrals, each in one transaction with its audit event: a creation (with its
idempotency key, when the client gave one) and a transition. ACCEPTED takes a place of a
capacity-bound service in the transaction that checks it, COMPLETED and CANCELLED give it back;
who may move a referral is graph/referral_rules.py's."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import orjson

from graph import access
from graph.db import Database, Tx
from graph.exceptions import BadInput, Forbidden, IdempotencyConflict, NotFound
from graph.referral_rules import TRANSITIONS, transition_refusal
from graph.referrals import Outcome, Referral, actor, get, now
from graph.routing import Profile
from graph.types import Principal

DECLINE_REASONS = ("NO_CAPACITY", "NOT_ELIGIBLE", "COULD_NOT_CONTACT", "CLIENT_DECLINED", "OTHER")
KEY_MAX = 200


@dataclass(frozen=True)
class Idempotency:
    """A client's idempotency key for one creating mutation, and a hash of its input."""

    key: str
    operation: str
    payload: str

    @classmethod
    def of(cls, p: Principal, key: str | None, operation: str, payload: dict[str, Any]) -> Idempotency | None:
        if key is None:
            return None
        if not key.strip() or len(key) > KEY_MAX:
            raise BadInput(f"an idempotency key has 1 to {KEY_MAX} characters", field="idempotencyKey")
        scope = p.organization_id or f"token {p.token_id}"  # whose retries share the key
        body = orjson.dumps(payload, default=str, option=orjson.OPT_SORT_KEYS)
        return cls(f"{scope}:{key}", operation, hashlib.sha256(body).hexdigest())


def _first_result(row: dict[str, Any], idem: Idempotency) -> str:
    if row["operation"] != idem.operation or row["payload"] != idem.payload:
        raise IdempotencyConflict(
            "this idempotency key was used for another request "
            f"({row['operation']} with other input); use a new key"
        )
    return str(row["result_id"])


async def replayed(db: Database, p: Principal, idem: Idempotency | None) -> Referral | None:
    """What a committed call with this key created (None when none did)."""
    if idem is None:
        return None
    row = await db.read_one("find_idempotency_key", key=idem.key)
    return None if row is None else await get(db, p, _first_result(row, idem))


async def create(
    db: Database,
    p: Principal,
    *,
    service_id: str,
    profile: Profile,
    needs: list[str],
    urgency: str,
    consent: bool,
    from_org: str | None = None,
    override_reason: str | None = None,
    note: str | None = None,
    rerouted_from: str | None = None,
    client_id: str | None = None,
    deadline_hours: dict[str, int],
    idempotency: Idempotency | None = None,
) -> Referral:
    """A PENDING referral and its audit event; with `idempotency`, a retry of a committed call
    returns what that call created (a key used with other input is refused)."""
    # The sender: a coordinator's own organization; an ADMIN names one (fromOrganizationId) or
    # sends from its token's organization, and is refused without either.
    sender = p.organization_id if p.role != "ADMIN" else (from_org or p.organization_id)
    if sender is None:
        raise Forbidden(
            "this token belongs to no organization: referrals are sent by one "
            "(referralnet token create --organization ...)"
        )
    if from_org is not None and p.role != "ADMIN" and from_org != p.organization_id:
        raise Forbidden("a coordinator sends referrals from their own organization only")
    if not needs:
        raise BadInput("name at least one need", field="needs")
    if not consent:
        if p.role != "ADMIN":
            raise Forbidden("without the person's consent only an ADMIN may refer, with a reason")
        if not (override_reason and override_reason.strip()):
            raise BadInput("referring without consent needs a reason", field="consentOverrideReason")
    at = now()
    rid = uuid.uuid4().hex
    client = {
        k: v
        for k, v in {
            "age": profile.age,
            "age_min": profile.age_min,
            "age_max": profile.age_max,
            "sex": profile.sex,
            "citizenship": profile.citizenship,
            "languages": list(profile.languages),
            "region": profile.region,
            "exploitation_types": list(profile.exploitation_types),
            "vulnerabilities": list(profile.vulnerabilities),
            "triggers": list(profile.triggers),
        }.items()
        if v is not None
    }
    detail = (
        "created"
        + (f"; consent overridden: {override_reason}" if not consent else "")
        + (f"; re-routed from {rerouted_from}" if rerouted_from else "")
    )

    async def work(tx: Tx) -> str:
        if idempotency is not None:
            [row] = await tx.run(
                "claim_idempotency_key",
                key=idempotency.key,
                operation=idempotency.operation,
                payload=idempotency.payload,
                result_id=rid,
                at=at,
            )
            if row["result_id"] != rid:
                return _first_result(row, idempotency)
        rows = await tx.run(
            "create_referral",
            client_id=client_id or uuid.uuid4().hex,
            client=client,
            from_org=sender,
            service_id=service_id,
            rerouted_from=rerouted_from,
            referral={
                "id": rid,
                "status": "PENDING",
                "urgency": urgency,
                "needs": needs,
                "consent": consent,
                "consent_override_reason": override_reason if not consent else None,
                "created_at": at,
                "updated_at": at,
                "version": 1,
                "deadline": at + timedelta(hours=deadline_hours[urgency]),
                "holds_place": False,
            },
            event={
                "id": uuid.uuid4().hex,
                "at": at,
                "from_status": None,
                "to_status": "PENDING",
                "actor": actor(p),
                "note": note,
                "reason": None if consent else "CONSENT_OVERRIDE",
            },
        )
        if not rows:  # raised inside: the key's claim is rolled back with the rest
            raise NotFound(f"no organization {sender!r} or no service {service_id!r}")
        await access.audit_in(tx, p, "referral.create", rid, detail, at)
        return rid

    created = await db.in_write_tx(work, "create_referral")
    return await get(db, p, created)


async def transition(
    db: Database,
    p: Principal,
    referral_id: str,
    to: str,
    expected_version: int,
    note: str | None = None,
    decline_reason: str | None = None,
) -> Outcome:
    """One move, written with its event and audit event in one transaction; a caller who may
    not make it is refused (FORBIDDEN, audited as a refusal) and nothing changes."""
    if to not in TRANSITIONS:
        raise BadInput(f"cannot move a referral to {to}", field="to")
    if to == "DECLINED" and decline_reason not in DECLINE_REASONS:
        raise BadInput(
            f"a decline needs a reason: one of {', '.join(DECLINE_REASONS)}", field="declineReason"
        )
    current = await get(db, p, referral_id)
    why = transition_refusal(p, current.from_org, current.to_org, current.status, to)
    if why is not None:
        await access.audit(db, p, f"denied:referral.{to.lower()}", referral_id, why)
        raise Forbidden(why)
    at = now()

    async def work(tx: Tx) -> dict[str, Any]:
        [row] = await tx.run(
            "transition_referral",
            id=referral_id,
            expected_version=expected_version,
            to=to,
            allowed_from=list(TRANSITIONS[to]),
            take_place=to == "ACCEPTED",
            release_place=to in ("COMPLETED", "CANCELLED"),
            decline_reason=decline_reason if to == "DECLINED" else None,
            now=at,
            event={
                "id": uuid.uuid4().hex,
                "at": at,
                "from_status": current.status,
                "to_status": to,
                "actor": actor(p),
                "note": note,
                "reason": decline_reason,
            },
        )
        if row["version_ok"] and row["status_ok"] and row["place_ok"]:
            await access.audit_in(tx, p, f"referral.{to.lower()}", referral_id, note, at)
        return row

    row = await db.in_write_tx(work, "transition_referral")
    if not row["version_ok"]:
        return Outcome(
            None,
            "VERSION_CONFLICT",
            f"the referral changed meanwhile (now version {row['version']}, "
            f"status {row['status']}); reload it and try again",
        )
    if not row["status_ok"]:
        return Outcome(
            None,
            "INVALID_TRANSITION",
            f"a {row['status']} referral cannot become {to}; allowed from {', '.join(TRANSITIONS[to])}",
        )
    if not row["place_ok"]:
        return Outcome(None, "NO_CAPACITY", "the service has no free place left")
    return Outcome(await get(db, p, referral_id))
