"""Directory writes against what referrals hold. A changed service row that lowers the service's
total below the places its referrals hold (or drops its capacity), or moves a service with live
referrals to another organization, is refused: InvalidData naming the row's file, line and
field, nothing written. With `allow` (allow_referral_conflicts, --allow-referral-conflicts) it is
written and reported as a warning. Either way no referral changes hands: a referral keeps the
organizations stored on it at creation, and its held places stay held (free places are derived:
the places the directory offers minus those held, never below 0)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from graph.db import Tx
from graph.exceptions import InvalidData, Problem

_HINT = " (allow_referral_conflicts accepts it with a warning)"


@dataclass
class ReferralHolds:
    allow: bool = False
    found: dict[tuple[str, str], Problem] = field(default_factory=dict)

    @property
    def warnings(self) -> list[Problem]:
        return list(self.found.values()) if self.allow else []

    async def check(self, tx: Tx, rows: list[dict[str, Any]]) -> None:
        """Changed service rows (as upsert_services takes them, `at` saying where each was
        read: file, line, field prefix); raise InvalidData unless `allow`."""
        asked = [
            {
                "id": r["id"],
                "organization_id": r["organization_id"],
                "capacity_total": r["props"].get("capacity_total"),
                "states_capacity": "capacity_total" in r["props"],
            }
            for r in rows
        ]
        hits = await tx.run("service_referral_holds", rows=asked)
        if not hits:
            return
        by_id = {r["id"]: r for r in rows}
        problems: list[Problem] = []
        for hit in hits:
            row = by_id[hit["id"]]
            for name, reason in _reasons(row, hit):
                at = row.get("at") or {}
                problem = Problem(
                    at.get("file") or "directory",
                    at.get("line"),
                    (at.get("field") or "") + name,
                    f"service {row['id']!r}: {reason}",
                )
                self.found[(row["id"], name)] = problem
                problems.append(problem)
        if not self.allow:
            raise InvalidData([Problem(p.file, p.line, p.field, p.reason + _HINT) for p in problems])


def _reasons(row: dict[str, Any], hit: dict[str, Any]) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    total, held = row["props"].get("capacity_total"), hit["held"]
    if "capacity_total" in row["props"] and held and (total is None or total < held):
        now = "no places (not capacity-bound)" if total is None else f"{total} place(s)"
        out.append(
            (
                "capacity_total",
                f"would have {now} while its referrals hold {held} "
                f"places; they stay held, none is free until enough "
                f"are given back",
            )
        )
    if hit["organization_id"] != row["organization_id"]:
        out.append(
            (
                "organization_id",
                f"would move from {hit['organization_id']} to "
                f"{row['organization_id']} with {hit['live']} live "
                f"referral(s); they stay with {hit['organization_id']}, "
                f"which received them",
            )
        )
    return out
