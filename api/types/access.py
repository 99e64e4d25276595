from __future__ import annotations

from typing import Any

import strawberry

from api.types.enums import Role
from graph.types import Principal


@strawberry.type(description="The caller, as its token says")
class Me:
    token_id: str
    name: str
    role: Role
    organization_id: str | None

    @classmethod
    def of(cls, p: Principal) -> Me:
        return cls(token_id=p.token_id, name=p.name, role=Role(p.role),
                   organization_id=p.organization_id)


@strawberry.type(description="Who did what to which target, when")
class AuditEvent:
    id: str
    at: str
    actor: str
    role: str | None
    action: str
    target: str | None
    detail: str | None

    @classmethod
    def of(cls, row: dict[str, Any]) -> AuditEvent:
        return cls(id=row["id"], at=row["at"], actor=row["actor"], role=row.get("role"),
                   action=row["action"], target=row.get("target"), detail=row.get("detail"))
