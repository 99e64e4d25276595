"""Referrals: created PENDING, moved through their lifecycle by version-guarded transitions,
each an event (graph/referral_write.py). Each belongs to the organization that sent it and the
one that received it, both stored at creation: a coordinator sees only those of its own
organization. Reading them, one or a page at a time, and their statistics."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from graph.db import Database, Row
from graph.exceptions import Forbidden, NotFound
from graph.routing import Profile
from graph.types import Principal


def now() -> datetime:
    return datetime.now(UTC)


def actor(p: Principal) -> str:
    return f"{p.name} ({p.token_id})"


@dataclass(frozen=True)
class Referral:
    id: str
    status: str
    urgency: str
    needs: tuple[str, ...]
    consent: bool
    version: int
    created_at: str
    updated_at: str
    deadline: str
    overdue: bool
    from_org: str
    to_org: str
    service_id: str
    client: dict[str, Any]
    rerouted_from: str | None = None
    decline_reason: str | None = None
    consent_override_reason: str | None = None
    accepted_at: str | None = None
    completed_at: str | None = None
    holds_place: bool = False


@dataclass(frozen=True)
class Outcome:
    """A transition's result: the referral when it happened, else why not (a stable code)."""

    referral: Referral | None
    code: str | None = None
    message: str | None = None


def _referral(row: Row) -> Referral:
    r = row["referral"]
    return Referral(
        id=r["id"], status=r["status"], urgency=r["urgency"], needs=tuple(r["needs"]),
        consent=r["consent"], version=r["version"], created_at=r["created_at"],
        updated_at=r["updated_at"], deadline=r["deadline"], overdue=bool(row["overdue"]),
        from_org=row["from_org"], to_org=row["to_org"], service_id=row["service_id"],
        client={k: v for k, v in row["client"].items() if v not in (None, [])},
        rerouted_from=row["rerouted_from"], decline_reason=r.get("decline_reason"),
        consent_override_reason=r.get("consent_override_reason"),
        accepted_at=r.get("accepted_at"), completed_at=r.get("completed_at"),
        holds_place=bool(r.get("holds_place")))


def in_scope(p: Principal, r: Referral) -> bool:
    return p.role == "ADMIN" or (p.organization_id is not None
                                 and p.organization_id in (r.from_org, r.to_org))


async def by_ids(db: Database, ids: list[str]) -> dict[str, Referral]:
    return {r.id: r for r in map(_referral, await db.read("referrals_by_ids", ids=ids))}


async def get(db: Database, p: Principal, referral_id: str) -> Referral:
    found = (await by_ids(db, [referral_id])).get(referral_id)
    if found is None or not in_scope(p, found):
        raise NotFound(f"no referral {referral_id!r} that you may see")
    return found


async def history(db: Database, referral_id: str) -> list[dict[str, Any]]:
    return [r["event"] for r in await db.read("referral_events", id=referral_id)]


def scope_of(p: Principal) -> str | None:
    if p.role == "ADMIN":
        return None
    if p.organization_id is None:
        raise Forbidden("this token belongs to no organization, so it sees no referrals")
    return p.organization_id


@dataclass(frozen=True)
class Stats:
    organization_id: str
    organization_name: str
    region: str | None
    counts: dict[str, int]
    acceptance_rate: float | None
    median_hours_to_accept: float | None
    median_hours_to_complete: float | None


def stats_from(row: Row) -> Stats:
    counts: dict[str, int] = {}
    for s in row["statuses"]:
        counts[s] = counts.get(s, 0) + 1
    accepted = len(row["to_accept"])  # every referral that was ever accepted
    decided = accepted + counts.get("DECLINED", 0)

    def median_h(xs: list[int]) -> float | None:
        return round(statistics.median(xs) / 3600, 2) if xs else None

    return Stats(row["organization_id"], row["organization_name"], row["region"], counts,
                 round(accepted / decided, 3) if decided else None,
                 median_h(row["to_accept"]), median_h(row["to_complete"]))


async def page(db: Database, p: Principal, *, status: str | None, organization: str | None,
               region: str | None, overdue: bool | None, first: int,
               after: tuple[str, str] | None) -> tuple[list[Referral], bool]:
    at = now()
    rows = await db.read(
        "list_referrals", status=status, organization=organization, region=region,
        overdue=overdue, now=at, scope_org=scope_of(p),
        after_at=datetime.fromisoformat(after[0]) if after else None,
        after_id=after[1] if after else None, limit=first + 1)
    ids = [r["id"] for r in rows]
    found = await by_ids(db, ids[:first])
    return [found[i] for i in ids[:first] if i in found], len(ids) > first


async def count(db: Database, p: Principal, *, status: str | None, organization: str | None,
                region: str | None, overdue: bool | None) -> int:
    row = await db.read_one("count_referrals", status=status, organization=organization,
                            region=region, overdue=overdue, now=now(), scope_org=scope_of(p))
    return int(row["n"]) if row else 0


async def stats(db: Database, p: Principal, organization: str | None,
                region: str | None) -> list[Stats]:
    rows = await db.read("referral_stats", organization=organization, region=region,
                         scope_org=scope_of(p))
    return [stats_from(r) for r in rows]


def profile_of(client: dict[str, Any]) -> Profile:
    return Profile(
        region=str(client.get("region")), age=client.get("age"), age_min=client.get("age_min"),
        age_max=client.get("age_max"), sex=client.get("sex"),
        citizenship=client.get("citizenship"), languages=tuple(client.get("languages") or ()),
        exploitation_types=tuple(client.get("exploitation_types") or ()),
        vulnerabilities=tuple(client.get("vulnerabilities") or ()),
        triggers=tuple(client.get("triggers") or ()))


async def chain(db: Database, p: Principal, referral: Referral) -> list[Referral]:
    """The referral and those it was re-routed from, newest first."""
    out = [referral]
    while out[-1].rerouted_from and len(out) < 50:
        out.append(await get(db, p, out[-1].rerouted_from))
    return out
