"""The per-request context: who is calling, the repositories, and DataLoaders built fresh for
every request so that no resolver runs one query per row."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import TypeVar

from strawberry.dataloader import AbstractCache, DataLoader

from graph import access
from graph.db import Database
from graph.directory import Directory
from graph.exceptions import Forbidden
from graph.types import Organization, Principal, Responsibility, Service

V = TypeVar("V")


class Seeded(AbstractCache[str, V]):
    """A DataLoader's cache that answers from `known` too: values this request already holds
    (a routing answer's services and organizations, from the routing cache), each made a
    future only when asked for, so that handing them over costs nothing."""

    def __init__(self, known: dict[str, V]) -> None:
        self.known = known
        self.futures: dict[str, asyncio.Future[V]] = {}

    def get(self, key: str) -> asyncio.Future[V] | None:
        future = self.futures.get(key)
        if future is None and key in self.known:
            future = self.futures[key] = asyncio.get_running_loop().create_future()
            future.set_result(self.known[key])
        return future

    def set(self, key: str, value: asyncio.Future[V]) -> None:
        self.futures[key] = value

    def delete(self, key: str) -> None:
        self.futures.pop(key, None)
        self.known.pop(key, None)

    def clear(self) -> None:
        self.futures.clear()
        self.known.clear()


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
    # services and organizations this request already holds; the DataLoaders answer from them
    known_services: dict[str, Service] = field(init=False, default_factory=dict)
    known_organizations: dict[str, Organization] = field(init=False, default_factory=dict)

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

        self.organization = DataLoader(load_fn=orgs, cache_map=Seeded(self.known_organizations))
        self.service = DataLoader(load_fn=services, cache_map=Seeded(self.known_services))
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

    async def require_audited(self, *roles: str, action: str, target: str | None = None,
                              detail: str | None = None) -> Principal:
        """Check the caller's role and record the access, or the refusal, in the audit trail."""
        p = self.principal
        if p.role != "ADMIN" and p.role not in roles:
            await access.audit(self.db, p, "denied:" + action, target, detail)
            raise Forbidden(f"the {p.role} role may not do this; needs one of "
                            f"{', '.join(sorted({'ADMIN', *roles}))}")
        await access.audit(self.db, p, action, target, detail)
        return p
