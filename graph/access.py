"""API tokens (stored as SHA-256 hashes, never in clear) and the audit trail."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from graph.db import Database, Tx
from graph.exceptions import BadInput, NotFound
from graph.model import load_model
from graph.types import Principal

TOKEN_PREFIX = "rn_"  # noqa: S105 - a public prefix, not a secret
CLI = Principal("cli", "cli", "ADMIN")


def hash_secret(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class IssuedToken:
    id: str
    token: str


async def create_token(db: Database, *, name: str, role: str,
                       organization_id: str | None = None) -> IssuedToken:
    if role not in load_model().enum("Role"):
        raise BadInput(f"unknown role {role!r}; one of {', '.join(load_model().enum('Role'))}",
                       field="role")
    if not name.strip():
        raise BadInput("a token needs a name", field="name")
    if organization_id is not None and not await db.read("existing_organizations",
                                                         ids=[organization_id]):
        raise NotFound(f"no organization with id {organization_id!r}; "
                       "a token is tied only to an organization of the directory")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    tid = uuid.uuid4().hex[:12]

    async def work(tx: Tx) -> None:  # the token and its audit event, together
        await tx.run("create_token", id=tid, name=name.strip(), role=role,
                     secret_hash=hash_secret(token), organization_id=organization_id,
                     created_at=now())
        await audit_in(tx, CLI, "token.create", tid, f"{name} {role}")

    await db.in_write_tx(work, "create_token")
    return IssuedToken(tid, token)


async def list_tokens(db: Database) -> list[dict[str, Any]]:
    return [r["token"] for r in await db.read("list_tokens")]


async def revoke_token(db: Database, token_id: str) -> None:
    async def work(tx: Tx) -> None:
        if not await tx.run("revoke_token", id=token_id, at=now()):
            raise NotFound(f"no token with id {token_id!r}")
        await audit_in(tx, CLI, "token.revoke", token_id, None)

    await db.in_write_tx(work, "revoke_token")


def well_formed(token: str) -> bool:
    """Could be one of our tokens (else it is refused without a look-up)."""
    return token.startswith(TOKEN_PREFIX) and len(token) <= 200


def principal(t: dict[str, Any]) -> Principal:
    """The caller a stored token (find_tokens, arrivals) stands for."""
    return Principal(t["id"], t["name"], t["role"], t.get("organization_id"))


def audit_row(who: Principal, action: str, target: str | None, detail: str | None,
              at: datetime | None = None) -> dict[str, Any]:
    return {"id": uuid.uuid4().hex, "at": at or now(), "actor": f"{who.name} ({who.token_id})",
            "role": who.role, "action": action, "target": target, "detail": detail}


async def audit(db: Database, who: Principal, action: str, target: str | None,
                detail: str | None) -> None:
    """An audit event of its own (reads, refusals); a change writes its event with audit_in."""
    await db.write("record_audit_events", rows=[audit_row(who, action, target, detail)])


async def audit_in(tx: Tx, who: Principal, action: str, target: str | None,
                   detail: str | None, at: datetime | None = None) -> None:
    """The audit event of a change, in the change's own transaction: both commit, or neither."""
    await tx.run("record_audit_events", rows=[audit_row(who, action, target, detail, at)])


async def audit_events(db: Database, limit: int = 100) -> list[dict[str, Any]]:
    return [r["event"] for r in await db.read("list_audit_events", limit=limit)]
