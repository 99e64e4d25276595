"""Refused requests (401: no token, a malformed, unknown or revoked one) in the audit trail,
counted, not written one by one: a flood of 401s must not become a flood of writes.

Each process counts its refusals per (what was sent, remote address) in memory and writes the
counts of a window (REFERRALNET_REFUSED_AUDIT_WINDOW seconds) as one statement, one audit
event per pair: "37 refused request(s) from 10.0.0.7, first at ..., last at ...". A window
holds at most MAX_KEYS pairs; past them, refusals are counted per kind under "various
addresses", so one write holds at most MAX_ROWS events whatever comes. No secret is kept:
an unknown or revoked token is named by the first 12 hex digits of its SHA-256 (what the
trail's readers can match against a revoked token's id), a malformed one not at all. The
counts of a window are written when the server stops; a window that cannot be written (Neo4j
down) is kept for the next; a process killed with -9 loses the counts of its last window."""

from __future__ import annotations

import asyncio
import logging
import uuid
from dataclasses import dataclass, field
from datetime import datetime

from graph import access
from graph.db import Database
from graph.exceptions import ReferralnetError

log = logging.getLogger("referralnet.api")
NO_TOKEN, MALFORMED, OTHER_TOKENS = "no token", "malformed token", "other tokens"
VARIOUS = "various addresses"


def target_of(token: str | None) -> str:
    """What a refused request sent, without its secret."""
    if not token:
        return NO_TOKEN
    if not access.well_formed(token):
        return MALFORMED
    return f"unknown or revoked token sha256:{access.hash_secret(token)[:12]}"


@dataclass
class _Count:
    n: int
    first: datetime
    last: datetime


@dataclass
class Unauthenticated:
    """The refusals of one process, counted per window."""

    MAX_KEYS = 100
    MAX_ROWS = MAX_KEYS + 3  # and one row per kind past them

    db: Database
    window_s: float = 10.0
    max_keys: int = MAX_KEYS
    counts: dict[tuple[str, str], _Count] = field(default_factory=dict)

    def count(self, token: str | None, remote: str | None) -> None:
        """Count one refusal: `token` as sent (None or '' for none), `remote` its address."""
        at = access.now()
        self._add((target_of(token), remote or "unknown address"), _Count(1, at, at))

    def _add(self, key: tuple[str, str], more: _Count) -> None:
        if key not in self.counts and len(self.counts) >= self.max_keys:
            target = key[0]
            key = (target if target in (NO_TOKEN, MALFORMED) else OTHER_TOKENS, VARIOUS)
        c = self.counts.get(key)
        if c is None:
            self.counts[key] = _Count(more.n, more.first, more.last)
        else:
            c.n, c.first, c.last = c.n + more.n, min(c.first, more.first), max(c.last, more.last)

    def take(self) -> list[dict[str, object]]:
        """The audit events of the counts so far, which are then forgotten."""
        counts, self.counts = self.counts, {}
        return [
            {
                "id": uuid.uuid4().hex,
                "at": c.last,
                "actor": "anonymous",
                "role": None,
                "action": "denied:unauthenticated",
                "target": target,
                "detail": f"{c.n} refused request(s) from {remote}, first at "
                f"{c.first.isoformat()}, last at {c.last.isoformat()}",
            }
            for (target, remote), c in counts.items()
        ]

    async def flush(self) -> None:
        """Write what was counted; kept for the next window when it cannot be."""
        counts = dict(self.counts)
        rows = self.take()
        if not rows:
            return
        try:
            await self.db.write("record_audit_events", rows=rows)
        except ReferralnetError as e:
            log.warning("refused requests not audited yet (%s); kept for the next window", e.code)
            for key, c in counts.items():  # merged with what came meanwhile
                self._add(key, c)

    async def run(self) -> None:
        """Write the counts every window, until cancelled; then once more."""
        try:
            while True:
                await asyncio.sleep(self.window_s)
                await self.flush()
        finally:
            await self.flush()
