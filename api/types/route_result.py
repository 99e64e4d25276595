from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from typing import Protocol, TypeVar

import strawberry
from strawberry.dataloader import DataLoader

from api.context import Context
from api.types.enums import Jurisdiction, NeedCode
from api.types.legal_provision import LegalProvision
from api.types.organization import Organization
from api.types.region import Region
from api.types.service import Service
from graph import routing as rt
from graph import types as t
from graph.exceptions import BadInput, NotFound
from graph.route_cache import RouteCache


class _Listed(Protocol):
    @property
    def id(self) -> str: ...


L = TypeVar("L", bound=_Listed)


@strawberry.type(description="A responsibility the provider holds for this need, and its law")
class Mandate:
    responsibility: str
    provision_id: str | None
    provision_title: str | None


class Known:
    """The services (with today's free places) and organizations a routing answer names. They
    come from the routing cache, which keeps them for as long as the directory does not change;
    those it does not hold are read through the request's DataLoaders, which then answer from
    here too (api/context.py, Seeded). An answer with its options, plan and notified bodies
    costs no further statement; exclusions are gathered only when asked for."""

    def __init__(self, ctx: Context, cache: RouteCache) -> None:
        self.ctx = ctx
        self.cache = cache
        self.version = cache.version
        self.services = ctx.known_services
        self.organizations = ctx.known_organizations
        # Organization objects are made once per directory version: an organization does not
        # change between requests, unlike a service's free places.
        self.made: dict[str, Organization] = cache.views

    async def gather(self, candidates: Iterable[rt.Candidate], organization_ids: Iterable[str] = ()
                     ) -> None:
        candidates = list(candidates)
        todo = {c.service_id: c for c in candidates if c.service_id not in self.services}
        services = await self._held_or_loaded(list(todo), self.cache.services, self.ctx.service)
        for sid, c in todo.items():
            s = services.get(sid)
            if s is None:  # no longer listed: service() says so
                continue
            if s.capacity_available != c.capacity_available:
                s = replace(s, capacity_available=c.capacity_available)
                if self.cache.version == self.version:  # the next requests reuse it, and its view
                    self.cache.services[sid] = s
            self.services[sid] = s
        # The organizations of every candidate, not only of the services gathered here: another
        # gather of this request may hold a service already and still wait for its organization
        # (the DataLoader then gives both the same read).
        orgs = {c.organization_id for c in candidates} | set(organization_ids)
        missing = [o for o in orgs if o not in self.organizations]
        if missing:
            self.organizations.update(await self._held_or_loaded(
                missing, self.cache.organizations, self.ctx.organization))

    async def _held_or_loaded(self, ids: list[str], held: dict[str, L],
                              loader: DataLoader[str, L | None]) -> dict[str, L]:
        """By id: what the routing cache holds, the rest through the DataLoader (and kept by
        the cache when the directory did not change meanwhile)."""
        out = {i: held[i] for i in ids if i in held}
        missing = [i for i in ids if i not in out]
        if missing:
            loaded = {x.id: x for x in await loader.load_many(missing) if x is not None}
            out.update(loaded)
            if self.cache.version == self.version:
                held.update(loaded)
        return out

    def service(self, sid: str) -> Service:
        s = self.services.get(sid)
        if s is None:
            raise NotFound(f"service {sid!r} is no longer listed")
        made: Service | None = self.cache.service_views.get(sid)
        if made is not None and made._s is s:  # made of this very record: same free places
            return made
        made = Service.of(s)
        if self.cache.version == self.version:
            self.cache.service_views[sid] = made
        return made

    def organization(self, oid: str) -> Organization:
        made = self.made.get(oid)
        if made is not None:
            return made
        o = self.organizations.get(oid)
        if o is None:
            raise NotFound(f"organization {oid!r} is no longer listed")
        made = Organization.of(o)
        if self.cache.version == self.version:
            self.made[oid] = made
        return made


@strawberry.type(description="A service that can take the person, with why it ranks here")
class RouteOption:
    _c: strawberry.Private[rt.Candidate]
    rank: int
    service: Service
    organization: Organization
    region: Region
    distance_km: float
    free_places: int | None = strawberry.field(description="Null when not capacity-bound")
    mandated: bool = strawberry.field(description="The provider holds the legal responsibility")
    legal_basis: list[Mandate]
    reasons: list[str]

    @classmethod
    def of(cls, i: int, x: rt.Ranked, known: Known, regions: dict[str, t.Region]) -> RouteOption:
        c = x.candidate
        return cls(_c=c, rank=i, service=known.service(c.service_id),
                   organization=known.organization(c.organization_id),
                   region=Region.of(regions[c.region]), distance_km=c.distance_km,
                   free_places=c.capacity_available if c.capacity_total is not None else None,
                   mandated=c.mandated, reasons=list(x.reasons),
                   legal_basis=[Mandate(responsibility=b.responsibility,
                                        provision_id=b.provision_id,
                                        provision_title=b.provision_title) for b in c.basis])


@strawberry.type(description="A service that meets the need but cannot take this person: why not")
class ExcludedOption:
    _c: strawberry.Private[rt.Candidate]
    rule: str
    detail: str
    service: Service
    organization: Organization


@strawberry.type(description="How many services one exclusion rule kept out")
class RuleCount:
    rule: str
    count: int


@strawberry.type
class NeedRoute:
    need: NeedCode
    served_in_region: bool = strawberry.field(
        description="False when nothing in the person's region qualified and farther regions "
                    "were searched")
    searched_regions: list[str]
    note: str
    options: list[RouteOption]
    _excluded: strawberry.Private[rt.Excluded]
    _known: strawberry.Private[Known]

    @strawberry.field(description="Services that meet the need but cannot take this person, "
                                  "each with the rule that excludes it (the first `limit`; "
                                  "all when no limit is given)")
    async def excluded(self, limit: int | None = None) -> list[ExcludedOption]:
        if limit is not None and limit < 0:
            raise BadInput("limit must not be negative", field="limit")
        shown = self._excluded.first(limit)
        known = self._known
        await known.gather([c for c, _ in shown])
        return [ExcludedOption(_c=c, rule=e.rule, detail=e.detail,
                               service=known.service(c.service_id),
                               organization=known.organization(c.organization_id))
                for c, e in shown]

    @strawberry.field(description="How many services were excluded, whatever `excluded`'s limit")
    def excluded_count(self) -> int:
        return len(self._excluded)

    @strawberry.field(description="Exclusions counted by rule, most frequent first")
    def excluded_by_rule(self) -> list[RuleCount]:
        counts = self._excluded.by_rule()
        return [RuleCount(rule=r, count=n) for r, n in
                sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]

    @classmethod
    def of(cls, n: rt.NeedRoute, regions: dict[str, t.Region], origin: str,
           known: Known) -> NeedRoute:
        region_name = regions[origin].name_en
        if not n.ranked:
            note = (f"nothing qualifies in {region_name} or the {len(n.searched_regions) - 1} "
                    "regions searched after it")
        elif n.fallback:
            top = n.ranked[0].candidate
            note = (f"nothing qualifies in {region_name}; nearest that does: {top.region}, "
                    f"{top.distance_km:.0f} km")
        else:
            note = f"served in {region_name}"
        return cls(need=NeedCode(n.need), served_in_region=bool(n.ranked) and not n.fallback,
                   searched_regions=n.searched_regions, note=note,
                   options=[RouteOption.of(i + 1, x, known, regions)
                            for i, x in enumerate(n.ranked)],
                   _excluded=n.excluded, _known=known)


@strawberry.type
class PlannedService:
    need: NeedCode
    service: Service


@strawberry.type(description="One organization of the plan and what it covers")
class PlanStep:
    organization: Organization
    services: list[PlannedService]


@strawberry.type
class NotifiedBody:
    organization: Organization
    distance_km: float
    jurisdiction: Jurisdiction


@strawberry.type(description="A notification the law requires or offers, with its legal basis")
class Notification:
    code: str
    mandatory: bool
    requires_consent: bool = strawberry.field(
        description="Done only with the person's consent; assistance never depends on it")
    reason: str
    responsibility: str
    legal_basis: LegalProvision | None
    notify: list[NotifiedBody]


@strawberry.type(description="Where to refer this person, why, and who must be told")
class RouteResult:
    needs: list[NeedRoute]
    plan: list[PlanStep] = strawberry.field(
        description="Services covering every need that can be met, with the fewest organizations")
    uncovered_needs: list[NeedCode]
    notifications: list[Notification]
