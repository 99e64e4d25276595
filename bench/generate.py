"""A deterministic synthetic directory for benchmarks, built on top of the built-in Kazakhstan rows.

The real regions, needs, provisions, responsibilities, organizations and services are kept as
they are; `organizations` synthetic organizations and `services` synthetic services are added,
every id prefixed "bench-". The same seed always gives the same rows (no set iteration, no
clock, one random.Random). Rows have exactly the shapes loaders.kazakhstan produces, so they go
through graph.directory_write unchanged.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from typing import Any, TypeVar

from graph.db import Database
from graph.directory_write import DirectoryRows, Rows, write_directory
from graph.model import load_model
from loaders.kazakhstan import load_directory

PREFIX = "bench-"
SEED = 20240917
CHUNK = 5000  # rows per write_directory call, so that no transaction grows with the data set

T = TypeVar("T")

_JURISDICTIONS = (("LOCAL", 60), ("REGIONAL", 39), ("NATIONAL", 1))
_STATUSES = (("ACTIVE", 85), ("TEMPORARILY_CLOSED", 6), ("INACTIVE", 6), ("DEFUNCT", 3))
_CITIZENSHIP = (("ANY", 80), ("KZ_CITIZENS", 12), ("FOREIGN_NATIONALS", 8))
_LANGUAGES = ("kk", "ru", "en", "uz", "ky", "tg")
_HOURS = (None, "Mon-Fri 09:00-18:00", "24/7", "Mon-Sat 10:00-17:00", "by appointment")
_AGES: tuple[tuple[int | None, int | None], ...] = ((None, None), (0, 17), (18, None), (14, 30))
_AGE_WEIGHTS = (70, 12, 14, 4)
_ALL_REGIONS_RATE = 0.02
_CAPACITY_RATE = 0.3
_PARTNER_RATE = 0.1
_WORDS = ("Centre", "Crisis Line", "Foundation", "Mission", "Network", "Office", "Project",
          "Service Point", "Shelter", "Union")


def _weighted(rng: random.Random, options: Sequence[tuple[str, int]]) -> str:
    return rng.choices([o for o, _ in options], weights=[w for _, w in options])[0]


def _search_text(*parts: str | None) -> str:
    return " | ".join(p for p in parts if p).lower()


def _organization(rng: random.Random, i: int, kinds: Sequence[str], regions: Sequence[dict[str, Any]],
                  responsibilities: Sequence[str]) -> dict[str, Any]:
    region = rng.choice(regions)
    kind = rng.choice(kinds)
    name = f"Synthetic {kind.replace('_', ' ').title()} {rng.choice(_WORDS)} {i:05d}"
    description = (f"Benchmark organization {i} in {region['name_en']}: generated, not a real body.")
    held = sorted(rng.sample(list(responsibilities), rng.choices((0, 1, 2, 3), (40, 30, 20, 10))[0]))
    props = {"name": name, "alternate_names": [], "kind": kind,
             "jurisdiction": _weighted(rng, _JURISDICTIONS), "description": description,
             "website": None, "email": None, "phone": None, "illustrative": ["name", "description"],
             "sources": ["bench synthetic"], "search_text": _search_text(name, description)}
    return {"id": f"{PREFIX}org-{i:05d}", "props": props, "region": region["code"],
            "responsibilities": held}


def _service(rng: random.Random, i: int, org: dict[str, Any], needs: Sequence[str],
             region_codes: Sequence[str], exploitation: Sequence[str]) -> dict[str, Any]:
    met = sorted(rng.sample(list(needs), rng.randint(1, 3)))
    if rng.random() < _ALL_REGIONS_RATE:
        served = list(region_codes)  # what loaders.kazakhstan makes of `regions: [ALL]`
    else:
        others = [c for c in region_codes if c != org["region"]]
        served = [org["region"], *rng.sample(others, rng.randint(0, 2))]
    lo, hi = rng.choices(_AGES, _AGE_WEIGHTS)[0]
    total = free = None
    if rng.random() < _CAPACITY_RATE:
        total = rng.randint(5, 60)
        free = rng.randint(0, total)
    name = f"Synthetic {met[0].replace('_', ' ').lower()} service {i:06d}"
    description = f"Benchmark service {i} of {org['props']['name']}: generated, not a real service."
    props = {"name": name, "description": description, "status": _weighted(rng, _STATUSES),
             "min_age": lo, "max_age": hi,
             "sexes": list(rng.choices(((), ("FEMALE",), ("MALE",)), (80, 15, 5))[0]),
             "citizenship": _weighted(rng, _CITIZENSHIP),
             "exploitation_types": sorted(rng.sample(list(exploitation), rng.choices((0, 1, 2),
                                                                                    (70, 20, 10))[0])),
             "languages": sorted(rng.sample(_LANGUAGES, rng.randint(1, 3))),
             "capacity_total": total, "capacity_available": free, "hours": rng.choice(_HOURS),
             "illustrative": ["name", "description"], "search_text": _search_text(name, description)}
    return {"id": f"{PREFIX}svc-{i:06d}", "organization_id": org["id"], "props": props,
            "needs": met, "regions": served}


def generate(organizations: int, services: int, seed: int = SEED,
             base: DirectoryRows | None = None) -> DirectoryRows:
    """The Kazakhstan rows (or `base`) plus the synthetic organizations and services."""
    if organizations < 1 and services > 0:
        raise ValueError("synthetic services need at least one synthetic organization")
    if organizations < 0 or services < 0:
        raise ValueError("counts must not be negative")
    model = load_model()
    base = base if base is not None else load_directory()
    rng = random.Random(seed)
    regions = base.regions
    region_codes = [r["code"] for r in regions]
    responsibilities = [r["code"] for r in base.responsibilities]
    kinds = model.enum("OrganizationKind")
    needs = [n["code"] for n in base.needs]
    exploitation = model.enum("ExploitationType")

    orgs = [_organization(rng, i, kinds, regions, responsibilities) for i in range(1, organizations + 1)]
    links: Rows = []
    for n, org in enumerate(orgs):
        partners: list[str] = []
        if n > 0 and rng.random() < _PARTNER_RATE:
            picks = rng.sample(range(n), min(n, rng.randint(1, 2)))
            partners = sorted(orgs[p]["id"] for p in picks)
        links.append({"id": org["id"], "partners": partners, "member_of": []})
    svcs = [_service(rng, i, rng.choice(orgs), needs, region_codes, exploitation)
            for i in range(1, services + 1)]
    return DirectoryRows(
        regions=list(base.regions), needs=list(base.needs), provisions=list(base.provisions),
        responsibilities=list(base.responsibilities),
        organizations=[*base.organizations, *orgs], links=[*base.links, *links],
        services=[*base.services, *svcs])


def synthetic(rows: Rows) -> Rows:
    """Only the generated rows of a list."""
    return [r for r in rows if str(r["id"]).startswith(PREFIX)]


def _chunks(items: Sequence[T], size: int) -> Iterator[list[T]]:
    for i in range(0, len(items), size):
        yield list(items[i:i + size])


async def write_in_chunks(db: Database, rows: DirectoryRows, chunk: int = CHUNK) -> dict[str, int]:
    """Write with graph.directory_write in bounded transactions: first everything up to the
    responsibilities, then organizations, links and services `chunk` rows at a time (each
    step needs the previous one complete: links and services refer to organizations)."""
    written = await write_directory(db, DirectoryRows(
        regions=rows.regions, needs=rows.needs, provisions=rows.provisions,
        responsibilities=rows.responsibilities))
    counts = {kind: sum(o.values()) for kind, o in written.items()}
    for kind in ("organizations", "links", "services"):
        counts[kind] = 0
        for part in _chunks(getattr(rows, kind), chunk):
            written = await write_directory(db, DirectoryRows(**{kind: part}))
            counts[kind] += sum(written[kind].values())
    return counts
