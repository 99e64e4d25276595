"""Reading cases: a case and its parties. Victims come as they are stored, under a pseudonym."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from graph.db import Database
from graph.investigation_types import Case, CaseRef, Party, TraceNode
from graph.tracing import SUPER_DEGREE

_ROLE_ORDER = {"SUSPECT": 0, "WITNESS": 1, "VICTIM": 2}


def _refs(rows: Iterable[dict[str, Any]]) -> tuple[CaseRef, ...]:
    return tuple(sorted((CaseRef(k["id"], k.get("number")) for k in rows),
                        key=lambda c: (c.number or "", c.id)))


async def case(db: Database, case_id: str) -> Case | None:
    row = await db.read_one("case_with_parties", case_id=case_id)
    if row is None:
        return None
    c = row["case"]
    parties = sorted(
        (Party(role=p["role"], node=TraceNode.of(p["node"], SUPER_DEGREE),
               birth_date=None if p["node"].get("pseudonymous") else p.get("birth_date"),
               other_cases=_refs(p["cases"]), victim_cases=_refs(p.get("victim_cases") or ()))
         for p in row["parties"]),
        key=lambda p: (_ROLE_ORDER.get(p.role, 9), p.node.caption, p.node.id))
    return Case(id=c["id"], number=c.get("number"), name=c.get("name"), article=c.get("article"),
                court=c.get("court"), region=c.get("region"), opened_on=c.get("opened_on"),
                closed_on=c.get("closed_on"), status=c.get("status"), parties=tuple(parties))
