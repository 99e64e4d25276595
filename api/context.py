"""The per-request context: who is calling, the repositories, and DataLoaders built fresh for
every request so that no resolver runs one query per row."""

from __future__ import annotations

from dataclasses import dataclass, field

from strawberry.dataloader import DataLoader

from graph import access
from graph.db import Database
from graph.directory import Directory
from graph.exceptions import Forbidden
from graph.types import Organization, Principal, Responsibility, Service


@dataclass
class Context:
    db: Database
    principal: Principal
    look: int = 0  # the routing cache's look read when the request arrived (api/arrivals.py)
    directory: Directory = field(init=False)
    organization: DataLoader[str, Organization | None] = field(init=False)
    service: DataLoader[str, Service | None] = field(init=False)
    service_ids_of: DataLoader[str, list[str]] = field(init=False)
    responsibility_codes_of: DataLoader[str, list[str]] = field(init=False)
    related_of: DataLoader[str, dict[str, list[str]]] = field(init=False)
    _responsibilities: dict[str, Responsibility] | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        d = self.directory = Directory(self.db)

        async def orgs(keys: list[str]) -> list[Organization | None]:
            found = await d.organizations_by_ids(keys)
            return [found.get(k) for k in keys]

        async def services(keys: list[str]) -> list[Service | None]:
            found = await d.services_by_ids(keys)
            return [found.get(k) for k in keys]

        async def service_ids(keys: list[str]) -> list[list[str]]:
            found = await d.service_ids_of(keys)
            return [found.get(k, []) for k in keys]

        async def resp_codes(keys: list[str]) -> list[list[str]]:
            found = await d.responsibility_codes_of(keys)
            return [found.get(k, []) for k in keys]

        async def related(keys: list[str]) -> list[dict[str, list[str]]]:
            found = await d.related_of(keys)
            empty: dict[str, list[str]] = {"partners": [], "member_of": [], "members": []}
            return [found.get(k, empty) for k in keys]

        self.organization = DataLoader(load_fn=orgs)
        self.service = DataLoader(load_fn=services)
        self.service_ids_of = DataLoader(load_fn=service_ids)
        self.responsibility_codes_of = DataLoader(load_fn=resp_codes)
        self.related_of = DataLoader(load_fn=related)

    async def responsibilities(self) -> dict[str, Responsibility]:
        """Every responsibility with its provision, read once per request (a small table)."""
        if self._responsibilities is None:
            self._responsibilities = {r.code: r for r in await self.directory.responsibilities()}
        return self._responsibilities

    def require(self, *roles: str) -> Principal:
        """Check the caller's role (for reads that need no audit trail)."""
        p = self.principal
        if p.role != "ADMIN" and p.role not in roles:
            raise Forbidden(f"the {p.role} role may not do this; needs one of "
                            f"{', '.join(sorted({'ADMIN', *roles}))}")
        return p

    async def require_audited(self, *roles: str, action: str, target: str | None = None) -> Principal:
        """Check the caller's role and record the access, or the refusal, in the audit trail."""
        p = self.principal
        if p.role != "ADMIN" and p.role not in roles:
            await access.audit(self.db, p, "denied:" + action, target, None)
            raise Forbidden(f"the {p.role} role may not do this; needs one of "
                            f"{', '.join(sorted({'ADMIN', *roles}))}")
        await access.audit(self.db, p, action, target, None)
        return p
