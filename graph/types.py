"""Domain objects the repositories return. Plain data, no behaviour, no GraphQL."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Region:
    code: str
    kind: str
    name_en: str
    name_ru: str
    center_en: str
    lat: float
    lon: float


@dataclass(frozen=True)
class Need:
    code: str
    description: str | None = None


@dataclass(frozen=True)
class LegalProvision:
    id: str
    act: str
    title: str
    article: str | None = None
    summary: str | None = None
    effective_date: str | None = None
    sources: tuple[str, ...] = ()


@dataclass(frozen=True)
class Responsibility:
    code: str
    description: str
    covers: tuple[str, ...]
    provision: LegalProvision | None


@dataclass(frozen=True)
class Organization:
    id: str
    name: str
    kind: str
    jurisdiction: str
    region: str | None
    alternate_names: tuple[str, ...] = ()
    description: str | None = None
    website: str | None = None
    email: str | None = None
    phone: str | None = None
    illustrative: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()


@dataclass(frozen=True)
class Service:
    id: str
    name: str
    organization_id: str
    status: str
    citizenship: str
    needs: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    description: str | None = None
    min_age: int | None = None
    max_age: int | None = None
    sexes: tuple[str, ...] = ()
    exploitation_types: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    capacity_total: int | None = None
    capacity_available: int | None = None
    hours: str | None = None
    illustrative: tuple[str, ...] = ()


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a keyset-paginated list."""

    items: list[T]
    has_next: bool
    has_previous: bool


@dataclass(frozen=True)
class DirectoryFilter:
    region: str | None = None
    need: str | None = None
    kind: str | None = None
    text: str | None = None


@dataclass(frozen=True)
class ResponsibleBody:
    organization_id: str
    responsibility: str
    responsibility_description: str
    provision: LegalProvision | None
    region: str
    distance_km: float
    jurisdiction: str

    @property
    def in_region(self) -> bool:
        return self.distance_km == 0.0


@dataclass(frozen=True)
class Basis:
    """A responsibility held for a need, with the provision that assigns it."""

    responsibility: str
    provision_id: str | None
    provision_title: str | None = None


@dataclass(frozen=True)
class ServiceOption:
    service_id: str
    organization_id: str
    region: str
    distance_km: float
    basis: tuple[Basis, ...] = ()

    @property
    def in_region(self) -> bool:
        return self.distance_km == 0.0


@dataclass(frozen=True)
class WhoHandles:
    need: str
    region: str
    responsible: list[ResponsibleBody] = field(default_factory=list)
    services: list[ServiceOption] = field(default_factory=list)

    @property
    def served_in_region(self) -> bool:
        return any(s.in_region for s in self.services)


@dataclass(frozen=True)
class NeedGap:
    need: str
    nearest_region: str | None
    distance_km: float | None


@dataclass(frozen=True)
class ResponsibilityGap:
    responsibility: str
    description: str
    provision_id: str | None
    held_in: tuple[str, ...]


@dataclass(frozen=True)
class CoverageGaps:
    region: str
    needs: list[NeedGap]
    responsibilities: list[ResponsibilityGap]


@dataclass(frozen=True)
class Principal:
    """Who is calling: a token's id, name and role (and organization for coordinators)."""

    token_id: str
    name: str
    role: str
    organization_id: str | None = None
