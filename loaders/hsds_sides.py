"""The first pass of an HSDS load, made by validate() as it checks each row (`visitor`, then
`seal`): every table but organization and service is read once, its
facts about organizations and services kept per id (regions, needs and facets from attributes,
languages, capacity, BINs, phones; a few small shared values per service, so memory grows with
the number of services, not with the file), its rows set aside to be kept whole
(loaders/hsds_keep.py). Problems found are errors: nothing is written while there are any."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from sys import intern
from typing import Any, TypeVar

from graph.exceptions import Problem
from graph.model import load_model
from loaders.hsds_keep import KeptRows
from loaders.hsds_read import HsdsSource, Record
from loaders.kz_ids import bin_problem, normalize_bin
from loaders.needs_mapping import NeedsMapping
from loaders.regions import RegionResolver

# Our own taxonomies: an attribute whose term is in one of these sets a model field directly.
FACET_TAXONOMIES = {
    "referralnet-org-kind": "kind", "referralnet-jurisdiction": "jurisdiction",
    "referralnet-responsibility": "responsibilities", "referralnet-citizenship": "citizenship",
    "referralnet-sex": "sexes", "referralnet-exploitation": "exploitation_types",
}
_BIN_SCHEMES = ("kz-bin", "bin", "бин", "kz-iin", "iin", "иин")

T = TypeVar("T")
_CITY_CODES = frozenset({"almaty", "astana", "shymkent"})


@dataclass(slots=True)
class _Facets:
    needs: frozenset[str] = frozenset()
    values: dict[str, set[str]] | None = None  # made when a facet taxonomy is used


class SideTables:
    def __init__(self, source: HsdsSource, resolver: RegionResolver, needs: NeedsMapping) -> None:
        self.source, self.resolver, self.needs_map = source, resolver, needs
        # The ids of each table of the input: validate(first_pass=self) fills it (its
        # Catalog.ids) table by table, in TABLES order, before the rows of the next table come.
        self.ids: dict[str, set[str]] = {}
        self.kept = KeptRows(self.ids)
        self.model = load_model()
        self.problems: list[Problem] = []
        self.warnings: list[Problem] = []
        self._org_region: dict[str, str] = {}
        self._org_bin: dict[str, str] = {}
        self._org_phone: dict[str, str] = {}
        self._facets: dict[tuple[str, str], _Facets] = defaultdict(_Facets)
        # Per service: shared immutable values (few distinct ones), interned ids as keys, so
        # that memory per service stays a few dozen bytes.
        self._shared: dict[Any, Any] = {}
        self._svc_regions: dict[str, frozenset[str]] = {}
        self._svc_locations: dict[str, set[str]] = defaultdict(set)
        self._svc_languages: dict[str, tuple[str, ...]] = {}
        self._svc_capacity: dict[str, tuple[int | None, int | None]] = {}
        self._loc_region: dict[str, str] = {}
        self._loc_point: dict[str, tuple[float, float]] = {}  # until seal(): see _location
        self._terms: dict[str, tuple[str | None, str | None, frozenset[str]]] = {}
        self._handlers: dict[str, Callable[[Record], None]] = {
            "attribute": self._attribute, "taxonomy_term": self._term, "location": self._location,
            "address": self._address, "service_area": self._service_area,
            "service_at_location": self._at_location, "language": self._language,
            "service_capacity": self._capacity, "organization_identifier": self._identifier,
            "phone": self._phone}

    # ----------------------------------------------------------------- side tables
    def _records(self, table: str) -> Iterator[Record]:
        if table in self.source.tables():
            yield from self.source.records(table)

    def _error(self, rec: Record, fld: str | None, reason: str) -> None:
        self.problems.append(Problem(rec.file, rec.line, _field(rec, fld), reason))

    def _warn(self, rec: Record, fld: str | None, reason: str) -> None:
        self.warnings.append(Problem(rec.file, rec.line, _field(rec, fld), reason))

    def visitor(self, table: str) -> Callable[[Record], None] | None:
        """What the first pass does with a valid row of `table`: None for organization and
        service (streamed later), else its handler, and the row set aside to be kept whole."""
        if table in ("organization", "service"):
            return None
        handler, keep = self._handlers.get(table), self.kept.keep
        if handler is None:
            return lambda rec: keep(table, rec.data)

        def visit(rec: Record) -> None:
            handler(rec)
            keep(table, rec.data)
        return visit

    def seal(self) -> None:
        """After the first pass, which validate() makes (see `ids`)."""
        for lid, (lat, lon) in self._loc_point.items():
            if lid not in self._loc_region and (code := self.resolver.by_point(lat, lon)):
                self._loc_region[lid] = code
        self._loc_point.clear()
        for loc, org in self.kept.location_org.items():  # filled by kept.keep()
            if loc in self._loc_region:
                self._org_region.setdefault(org, self._loc_region[loc])
        self.kept.seal()

    def _term(self, rec: Record) -> None:
        d = rec.data
        taxonomy = str(d.get("taxonomy") or "").strip().lower() or None
        needs, _ = self.needs_map.needs_for_term(taxonomy, d.get("code"), d.get("name"),
                                                 d.get("description"))
        self._terms[str(d["id"])] = (taxonomy, d.get("code"), needs)

    def _at_location(self, rec: Record) -> None:
        sid, lid = rec.data.get("service_id"), rec.data.get("location_id")
        if sid and lid:
            self._svc_locations[intern(str(sid))].add(intern(str(lid)))

    def _language(self, rec: Record) -> None:
        sid, code = rec.data.get("service_id"), rec.data.get("code") or rec.data.get("name")
        if sid and code:
            langs = self._svc_languages.get(str(sid), ())
            if str(code) not in langs:
                self._svc_languages[intern(str(sid))] = self._share((*langs, str(code)))

    def _capacity(self, rec: Record) -> None:
        sid = rec.data.get("service_id")
        if sid:
            self._svc_capacity[str(sid)] = (rec.data.get("available"), rec.data.get("maximum"))

    def _phone(self, rec: Record) -> None:
        phone_org, number = rec.data.get("organization_id"), rec.data.get("number")
        if phone_org and number:
            self._org_phone.setdefault(str(phone_org), str(number).strip('"'))

    def _attribute(self, rec: Record) -> None:
        d = rec.data
        term = self._terms.get(str(d.get("taxonomy_term_id")))
        link = d.get("link_id")
        if term is None or not link:
            return
        taxonomy, code, needs = term
        entity = str(d.get("link_entity") or "").lower()
        facets = self._facets[(entity if entity in ("organization", "service") else "*",
                               intern(str(link)))]
        facet = FACET_TAXONOMIES.get(taxonomy or "")
        if facet is not None:
            allowed = self._facet_values(facet)
            value = str(code or "").strip()
            if allowed is not None and value not in allowed:
                self._error(rec, "taxonomy_term_id", f"{value!r} is not a valid {facet} value")
            else:
                if facets.values is None:
                    facets.values = defaultdict(set)
                facets.values[facet].add(value)
            return
        found = self.needs_map.needs_for_attribute(d.get("value"), needs)
        if not found <= facets.needs:
            facets.needs = self._share(facets.needs | found)

    def _facet_values(self, facet: str) -> tuple[str, ...] | None:
        enums = {"kind": "OrganizationKind", "jurisdiction": "Jurisdiction",
                 "citizenship": "Citizenship", "sexes": "Sex",
                 "exploitation_types": "ExploitationType"}
        return self.model.enum(enums[facet]) if facet in enums else None

    def _location(self, rec: Record) -> None:
        d = rec.data
        lid = str(d["id"])  # its organization: kept.keep() notes it (kept.location_org)
        lat, lon = d.get("latitude"), d.get("longitude")
        if isinstance(lat, int | float) and isinstance(lon, int | float) and -90 <= lat <= 90 \
                and -180 <= lon <= 180:
            self._loc_point[lid] = (float(lat), float(lon))  # seal() places it if no address does

    def _address(self, rec: Record) -> None:
        d = rec.data
        lid = str(d.get("location_id") or "")
        city = d.get("city")
        code = self.resolver.by_name(city) if city else None
        if code is not None and self.resolver.by_name(str(city)) in _CITY_CODES:
            why = f'city "{city}"'
        else:
            code, why = self.resolver.by_address(d.get("region"), d.get("state_province"), city,
                                                 d.get("country"))
        if code is not None:
            if lid:
                self._loc_region[lid] = code  # an address says more than coordinates
        elif why == "outside Kazakhstan":
            self._warn(rec, "country", f"{d.get('country')!r}: outside Kazakhstan, not placed in a region")
        else:
            self._error(rec, "state_province", f"unknown region: {why}")

    def _service_area(self, rec: Record) -> None:
        d = rec.data
        sid = str(d.get("service_id") or "")
        name = d.get("name")
        text = str(name or "").strip()
        if text.lower() in ("all", "kazakhstan", "казахстан", "қазақстан", "nationwide"):
            self._add_regions(sid, frozenset(self.resolver.codes))
            return
        code = self.resolver.by_name(text) if text else None
        if code is None:
            self._warn(rec, "name", f"{show_short(text)} names no region of Kazakhstan; kept, not placed")
        else:
            self._add_regions(sid, frozenset((code,)))

    def _share(self, value: T) -> T:
        return self._shared.setdefault(value, value)  # type: ignore[no-any-return]

    def _add_regions(self, sid: str, codes: frozenset[str]) -> None:
        had = self._svc_regions.get(sid, frozenset())
        if not codes <= had:
            self._svc_regions[intern(sid)] = self._share(had | codes)

    def _identifier(self, rec: Record) -> None:
        d = rec.data
        scheme = str(d.get("identifier_scheme") or d.get("identifier_type") or "").lower()
        if not any(s in scheme for s in _BIN_SCHEMES):
            return
        value = normalize_bin(str(d.get("identifier") or ""))
        why = bin_problem(value)
        if why:
            self._error(rec, "identifier", f"not a valid Kazakhstan BIN/IIN: {why}")
        else:
            self._org_bin[str(d["organization_id"])] = value


def _field(rec: Record, fld: str | None) -> str | None:
    if rec.where:
        return f"{rec.where}.{fld}" if fld else rec.where
    return fld


def show_short(text: str) -> str:
    return repr(text if len(text) <= 60 else text[:57] + "...")
