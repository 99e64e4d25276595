"""Reads of the directory: lists with keyset pagination, batch lookups, whoHandles, gaps."""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from graph.db import Database, Row
from graph.exceptions import BadInput
from graph.model import load_model
from graph.types import (
    Basis,
    CoverageGaps,
    DirectoryFilter,
    LegalProvision,
    Need,
    NeedGap,
    Organization,
    Page,
    Region,
    Responsibility,
    ResponsibilityGap,
    ResponsibleBody,
    Service,
    ServiceOption,
    WhoHandles,
)

REGIONS_TTL = 300.0
RESPONSIBILITIES_TTL = 10.0


def encode_cursor(name: str, id_: str) -> str:
    return base64.urlsafe_b64encode(json.dumps([name, id_]).encode()).decode()


def decode_cursor(cursor: str) -> tuple[str, str]:
    try:
        name, id_ = json.loads(base64.urlsafe_b64decode(cursor.encode()))
        if isinstance(name, str) and isinstance(id_, str):
            (name + id_).encode()  # no lone surrogate: Bolt sends UTF-8
            return name, id_
    except (ValueError, binascii.Error, TypeError, UnicodeDecodeError):
        pass
    raise BadInput("the cursor is not one this service gave out", field="after")


def _tuple(v: Any) -> tuple[str, ...]:
    return tuple(v or ())


def organization_from(row: Row) -> Organization:
    return Organization(
        id=row["id"], name=row["name"], kind=row["kind"], jurisdiction=row["jurisdiction"],
        region=row.get("region"), alternate_names=_tuple(row.get("alternate_names")),
        description=row.get("description"), website=row.get("website"), email=row.get("email"),
        phone=row.get("phone"), illustrative=_tuple(row.get("illustrative")),
        sources=_tuple(row.get("sources")))


def service_from(row: Row) -> Service:
    return Service(
        id=row["id"], name=row["name"], organization_id=row["organization_id"],
        status=row["status"], citizenship=row["citizenship"], needs=_tuple(row.get("needs")),
        regions=_tuple(row.get("regions")), description=row.get("description"),
        min_age=row.get("min_age"), max_age=row.get("max_age"), sexes=_tuple(row.get("sexes")),
        exploitation_types=_tuple(row.get("exploitation_types")),
        languages=_tuple(row.get("languages")), capacity_total=row.get("capacity_total"),
        capacity_available=row.get("capacity_available"), hours=row.get("hours"),
        illustrative=_tuple(row.get("illustrative")))


def provision_from(row: Row | None) -> LegalProvision | None:
    if row is None or row.get("id") is None:
        return None
    return LegalProvision(id=row["id"], act=row["act"], title=row["title"],
                          article=row.get("article"), summary=row.get("summary"),
                          effective_date=row.get("effective_date"),
                          sources=_tuple(row.get("sources")))


class Directory:
    """The directory repository. Region and need codes are checked before any query runs."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._regions: dict[str, Region] | None = None

    async def regions(self) -> dict[str, Region]:
        """The 20 regions: reference data, cached by the process for REGIONS_TTL seconds."""
        if self._regions is None:
            self._regions = await self.db.cached("list_regions", REGIONS_TTL, _regions_of)
        return self._regions

    async def check_region(self, code: str | None, field: str = "region") -> str | None:
        if code is None:
            return None
        regions = await self.regions()
        if code not in regions:
            raise BadInput(f"unknown region {code!r}; known: {', '.join(sorted(regions))}",
                           field=field)
        return code

    @staticmethod
    def check_enum(enum: str, value: str | None, field: str) -> str | None:
        if value is not None and value not in load_model().enum(enum):
            raise BadInput(f"{value!r} is not a valid {enum}", field=field)
        return value

    async def _filter_params(self, f: DirectoryFilter) -> dict[str, Any]:
        text = f.text.strip().lower() if f.text else None
        return {"region": await self.check_region(f.region),
                "need": self.check_enum("NeedCode", f.need, "need"),
                "kind": self.check_enum("OrganizationKind", f.kind, "kind"),
                "text": text or None}

    async def _page(self, list_query: str, key: str, f: DirectoryFilter, first: int,
                    after: str | None) -> tuple[list[Row], bool]:
        params = await self._filter_params(f)
        after_name, after_id = decode_cursor(after) if after else (None, None)
        rows = await self.db.read(list_query, **params, after_name=after_name,
                                  after_id=after_id, limit=first + 1)
        items = [r[key] for r in rows]
        return items[:first], len(items) > first

    async def organizations(self, f: DirectoryFilter, first: int,
                            after: str | None) -> Page[Organization]:
        rows, more = await self._page("list_organizations", "org", f, first, after)
        return Page([organization_from(r) for r in rows], more, after is not None)

    async def count_organizations(self, f: DirectoryFilter) -> int:
        row = await self.db.read_one("count_organizations", **await self._filter_params(f))
        return int(row["n"]) if row else 0

    async def services(self, f: DirectoryFilter, first: int, after: str | None) -> Page[Service]:
        rows, more = await self._page("list_services", "service", f, first, after)
        return Page([service_from(r) for r in rows], more, after is not None)

    async def count_services(self, f: DirectoryFilter) -> int:
        row = await self.db.read_one("count_services", **await self._filter_params(f))
        return int(row["n"]) if row else 0

    async def organizations_by_ids(self, ids: list[str]) -> dict[str, Organization]:
        rows = await self.db.read("organizations_by_ids", ids=ids)
        return {r["org"]["id"]: organization_from(r["org"]) for r in rows}

    async def services_by_ids(self, ids: list[str]) -> dict[str, Service]:
        rows = await self.db.read("services_by_ids", ids=ids)
        return {r["service"]["id"]: service_from(r["service"]) for r in rows}

    async def service_ids_of(self, org_ids: list[str]) -> dict[str, list[str]]:
        rows = await self.db.read("service_ids_of_organizations", ids=org_ids)
        return {r["id"]: r["service_ids"] for r in rows}

    async def responsibility_codes_of(self, org_ids: list[str]) -> dict[str, list[str]]:
        rows = await self.db.read("responsibilities_of_organizations", ids=org_ids)
        return {r["id"]: r["codes"] for r in rows}

    async def related_of(self, org_ids: list[str]) -> dict[str, dict[str, list[str]]]:
        rows = await self.db.read("related_organizations", ids=org_ids)
        return {r["id"]: {k: r[k] for k in ("partners", "member_of", "members")} for r in rows}

    async def needs(self) -> list[Need]:
        return [Need(**r["need"]) for r in await self.db.read("list_needs")]

    async def responsibilities(self) -> list[Responsibility]:
        """Every responsibility with its provision; cached by the process for a few seconds."""
        return list(await self.db.cached("list_responsibilities", RESPONSIBILITIES_TTL,
                                         _responsibilities_of))

    async def who_handles(self, need: str, region: str, limit: int = 50) -> WhoHandles:
        self.check_enum("NeedCode", need, "need")
        await self.check_region(region)
        resp = await self.db.read("who_handles_responsible", need=need, region=region, limit=limit)
        svc = await self.db.read("who_handles_services", need=need, region=region, limit=limit)
        return WhoHandles(
            need=need, region=region,
            responsible=[ResponsibleBody(
                organization_id=r["organization_id"], responsibility=r["responsibility"],
                responsibility_description=r["responsibility_description"],
                provision=provision_from(r["provision"]), region=r["region"],
                distance_km=round(float(r["distance_km"]), 1), jurisdiction=r["jurisdiction"])
                for r in resp],
            services=[ServiceOption(
                service_id=r["service_id"], organization_id=r["organization_id"],
                region=r["region"], distance_km=round(float(r["distance_km"]), 1),
                basis=tuple(Basis(b["responsibility"], b["provision_id"]) for b in r["basis"]))
                for r in svc])

    async def coverage_gaps(self, region: str) -> CoverageGaps:
        await self.check_region(region)
        needs = await self.db.read("coverage_gaps_needs", region=region)
        resps = await self.db.read("coverage_gaps_responsibilities", region=region)
        return CoverageGaps(
            region=region,
            needs=[NeedGap(r["need"], r["nearest_region"],
                           None if r["distance_km"] is None else round(float(r["distance_km"]), 1))
                   for r in needs],
            responsibilities=[ResponsibilityGap(r["responsibility"], r["description"],
                                                r["provision_id"], _tuple(r["held_in"]))
                              for r in resps])


def _regions_of(rows: list[Row]) -> dict[str, Region]:
    return {r["region"]["code"]: Region(**r["region"]) for r in rows}


def _responsibilities_of(rows: list[Row]) -> tuple[Responsibility, ...]:
    return tuple(Responsibility(code=x["code"], description=x["description"],
                                covers=_tuple(x["covers"]), provision=provision_from(x.get("provision")))
                 for x in (r["responsibility"] for r in rows))
