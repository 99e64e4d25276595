"""HSDS records -> directory rows: joins the side tables (locations and addresses, service
areas, attributes and taxonomy terms, languages, capacity, identifiers) onto organizations and
services, places them in the 20 regions, maps terms to needs, checks Kazakhstan BINs, and
decides which incoming organizations are duplicates of known ones.

`prepare()` reads the side tables once and keeps per-id facts in memory (a few small values per
service: proportional to the number of services, not to the file's size); problems it finds
are errors and nothing is written while there are any. The big tables are then streamed again
by `organizations()`, `services()` and `records()`. Every row is also kept whole (see
loaders/hsds_keep.py): in its owner's pack when its owner is in the input, else as a record.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from sys import intern
from typing import Any, TypeVar

from graph.exceptions import Problem
from graph.model import load_model
from loaders.hsds_keep import KeptRows, record_row
from loaders.hsds_read import TABLES, HsdsSource, Record
from loaders.kz_ids import bin_problem, normalize_bin
from loaders.needs_mapping import NeedsMapping
from loaders.orgnames import NameIndex, name_keys
from loaders.regions import RegionResolver

# Our own taxonomies: an attribute whose term is in one of these sets a model field directly.
FACET_TAXONOMIES = {
    "referralnet-org-kind": "kind", "referralnet-jurisdiction": "jurisdiction",
    "referralnet-responsibility": "responsibilities", "referralnet-citizenship": "citizenship",
    "referralnet-sex": "sexes", "referralnet-exploitation": "exploitation_types",
}
_BIN_SCHEMES = ("kz-bin", "bin", "бин", "kz-iin", "iin", "иин")

T = TypeVar("T")


@dataclass(frozen=True)
class KnownOrg:
    id: str
    name: str
    alternate_names: tuple[str, ...]
    bin: str | None
    merged_ids: tuple[str, ...]


@dataclass(frozen=True)
class Merge:
    incoming_id: str
    incoming_name: str
    into_id: str
    reason: str


@dataclass(slots=True)
class _Facets:
    needs: frozenset[str] = frozenset()
    values: dict[str, set[str]] | None = None  # made when a facet taxonomy is used


def _join(values: set[str]) -> list[str]:
    return sorted(values)


class HsdsMapper:
    def __init__(self, source: HsdsSource, known: list[KnownOrg], resolver: RegionResolver,
                 needs: NeedsMapping, ids: dict[str, set[str]]) -> None:
        """`ids`: the ids of each table of the input (validate()'s Catalog.ids)."""
        self.source, self.resolver, self.needs_map = source, resolver, needs
        self.kept = KeptRows(ids.get("organization", set()), ids.get("service", set()))
        self.model = load_model()
        self.problems: list[Problem] = []
        self.warnings: list[Problem] = []
        self.merges: list[Merge] = []
        self._known_ids = {k.id for k in known}
        self._alias = {m: k.id for k in known for m in k.merged_ids}
        self._by_bin = {k.bin: k.id for k in known if k.bin}
        self._names = NameIndex()
        for k in known:
            self._names.add(k.id, k.name, k.alternate_names)
        self._org_id: dict[str, str] = {}          # incoming organization id -> graph id
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
        self._loc_org: dict[str, str] = {}

    # ----------------------------------------------------------------- side tables
    def _records(self, table: str) -> Iterator[Record]:
        if table in self.source.tables():
            yield from self.source.records(table)

    def _error(self, rec: Record, fld: str | None, reason: str) -> None:
        self.problems.append(Problem(rec.file, rec.line, _field(rec, fld), reason))

    def _warn(self, rec: Record, fld: str | None, reason: str) -> None:
        self.warnings.append(Problem(rec.file, rec.line, _field(rec, fld), reason))

    def prepare(self) -> None:
        """One pass over every table but organization and service (streamed later)."""
        terms: dict[str, tuple[str | None, str | None, frozenset[str]]] = {}
        handlers = {"attribute": lambda rec: self._attribute(rec, terms),
                    "taxonomy_term": lambda rec: self._term(rec, terms),
                    "location": self._location, "address": self._address,
                    "service_area": self._service_area, "service_at_location": self._at_location,
                    "language": self._language, "service_capacity": self._capacity,
                    "organization_identifier": self._identifier, "phone": self._phone}
        for table in TABLES:
            if table in ("organization", "service"):
                continue
            handler = handlers.get(table)
            for rec in self._records(table):
                if handler is not None:
                    handler(rec)
                self.kept.keep(table, rec.data)
        for loc, org in self._loc_org.items():
            if loc in self._loc_region:
                self._org_region.setdefault(org, self._loc_region[loc])
        self.kept.seal()

    def _term(self, rec: Record, terms: dict[str, tuple[str | None, str | None,
                                                        frozenset[str]]]) -> None:
        d = rec.data
        taxonomy = str(d.get("taxonomy") or "").strip().lower() or None
        needs, _ = self.needs_map.needs_for_term(taxonomy, d.get("code"), d.get("name"),
                                                 d.get("description"))
        terms[str(d["id"])] = (taxonomy, d.get("code"), needs)

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

    def _attribute(self, rec: Record, terms: dict[str, tuple[str | None, str | None,
                                                             frozenset[str]]]) -> None:
        d = rec.data
        term = terms.get(str(d.get("taxonomy_term_id")))
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
        lid = str(d["id"])
        if d.get("organization_id"):
            self._loc_org[lid] = str(d["organization_id"])
        lat, lon = d.get("latitude"), d.get("longitude")
        if isinstance(lat, int | float) and isinstance(lon, int | float) and -90 <= lat <= 90 \
                and -180 <= lon <= 180:
            code = self.resolver.by_point(float(lat), float(lon))
            if code:
                self._loc_region[lid] = code

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

    # ----------------------------------------------------------------- main tables
    def _resolve_org(self, rec: Record) -> str | None:
        """The graph id for an incoming organization; None when it merges into another."""
        d = rec.data
        oid, name = str(d["id"]), str(d["name"])
        alternates = [str(d["alternate_name"])] if d.get("alternate_name") else []
        target: tuple[str, str] | None = None
        if oid in self._known_ids:
            target = None
        elif oid in self._alias:
            target = (self._alias[oid], f"merged earlier under id {oid!r}")
        elif self._org_bin.get(oid) in self._by_bin:
            bin_ = self._org_bin[oid]
            target = (self._by_bin[bin_], f"same BIN {bin_}")
        else:
            hit = self._names.match(name, alternates)
            if hit is not None:
                target = hit
            elif len(self._names.ambiguous(name, alternates)) > 1:
                self._warn(rec, "name", "matches several known organizations; loaded as a new one")
        if target is not None and target[0] != oid:
            self._org_id[oid] = target[0]
            self.merges.append(Merge(oid, name, target[0], target[1]))
            return None
        self._org_id[oid] = oid
        self._known_ids.add(oid)
        self._names.add(oid, name, alternates)
        if oid in self._org_bin:
            self._by_bin.setdefault(self._org_bin[oid], oid)
        return oid

    def organizations(self) -> Iterator[dict[str, Any]]:
        """Organization rows for graph.directory_write (merges are collected on the way)."""
        self.merges = []  # a retried transaction streams again from the start
        for rec in self._records("organization"):
            d = rec.data
            oid = self._resolve_org(rec)
            if oid is None:
                continue
            facets = self._facets.get(("organization", oid)) or self._facets.get(("*", oid))
            values = (facets.values or {}) if facets else {}
            alternates = [str(d["alternate_name"])] if d.get("alternate_name") else []
            props: dict[str, Any] = {
                "name": d["name"], "alternate_names": alternates, "description": d.get("description"),
                "website": d.get("website"), "email": d.get("email"),
                "phone": self._org_phone.get(oid), "bin": self._org_bin.get(oid),
                "name_keys": sorted(name_keys(str(d["name"]), alternates)),
                "search_text": _search(d["name"], *alternates, d.get("description")),
            }
            for facet in ("kind", "jurisdiction"):
                if values.get(facet):
                    props[facet] = sorted(values[facet])[0]
            props["hsds"], kept = self.kept.pack("organization", d)
            yield {"id": oid, "props": props, "kept": kept,
                   "region": self._org_region.get(str(d["id"])),
                   "responsibilities": _join(values["responsibilities"])
                   if values.get("responsibilities") else None}

    def services(self) -> Iterator[dict[str, Any]]:
        for rec in self._records("service"):
            d = rec.data
            sid = str(d["id"])
            given = str(d["organization_id"])
            org = self._org_id.get(given) or self._alias.get(given, given)
            facets = self._facets.get(("service", sid)) or self._facets.get(("*", sid))
            regions = set(self._svc_regions.get(sid, ()))
            if not regions:
                regions = {self._loc_region[lid] for lid in self._svc_locations.get(sid, ())
                           if lid in self._loc_region}
            if not regions and str(d["organization_id"]) in self._org_region:
                regions = {self._org_region[str(d["organization_id"])]}
            needs = set(facets.needs) if facets else set()
            if not needs:
                self._warn(rec, None, "no attribute maps it to a need: it will not be routed")
            available, maximum = self._svc_capacity.get(sid, (None, None))
            values = (facets.values or {}) if facets else {}
            props: dict[str, Any] = {
                "name": d["name"], "description": d.get("description"),
                "status": str(d["status"]).upper().replace(" ", "_"),
                "min_age": d.get("minimum_age"), "max_age": d.get("maximum_age"),
                "languages": sorted(self._svc_languages.get(sid, ())),
                "capacity_total": maximum, "capacity_available": available,
                "hours": None, "search_text": _search(d["name"], d.get("description")),
                "sexes": _join(values["sexes"]) if values.get("sexes") else [],
                "exploitation_types": _join(values["exploitation_types"])
                if values.get("exploitation_types") else [],
            }
            if values.get("citizenship"):
                props["citizenship"] = sorted(values["citizenship"])[0]
            props["hsds"], kept = self.kept.pack("service", d)
            yield {"id": sid, "organization_id": org, "props": props, "kept": kept,
                   "needs": _join(needs),
                   "regions": _join(regions)}

    def records(self) -> Iterator[dict[str, Any]]:
        """After organizations(): the rows kept one by one (see loaders/hsds_keep.py), with
        those of organizations merged into others."""
        merged = {m.incoming_id: m.into_id for m in self.merges}
        for table in TABLES:
            if table in self.kept.standalone_tables:
                for rec in self._records(table):
                    if self.kept.owner(table, rec.data) is None:
                        yield record_row(table, rec.data, *self._record_owner(table, rec.data))
        if not merged:
            return
        for rec in self._records("organization"):
            oid = str(rec.data["id"])
            if oid in merged:
                yield record_row("organization", rec.data, "Organization", merged[oid])
                for table, d in self.kept.orphaned("organization", oid):
                    yield record_row(table, d, "Organization", merged[oid])

    def _record_owner(self, table: str, d: dict[str, Any]) -> tuple[str | None, str | None]:
        if d.get("service_id"):
            return "Service", str(d["service_id"])
        if d.get("organization_id"):
            given = str(d["organization_id"])
            return "Organization", self._org_id.get(given, self._alias.get(given, given))
        return None, None

    def close(self) -> None:
        """Let go of the rows kept for packs (a temporary file)."""
        self.kept.close()

    def packed_keys(self) -> Iterator[str]:
        """"table:id" of every row kept in a pack by this load."""
        return self.kept.packed_keys({m.incoming_id for m in self.merges})

    def alias_rows(self) -> Iterator[dict[str, Any]]:
        """After organizations(): one row per merge, for merge_organization_aliases."""
        for m in self.merges:
            yield {"id": m.into_id, "merged_id": m.incoming_id, "name": m.incoming_name}


_CITY_CODES = frozenset({"almaty", "astana", "shymkent"})


def _field(rec: Record, fld: str | None) -> str | None:
    if rec.where:
        return f"{rec.where}.{fld}" if fld else rec.where
    return fld


def _search(*parts: Any) -> str:
    return " | ".join(str(p) for p in parts if p).lower()


def show_short(text: str) -> str:
    return repr(text if len(text) <= 60 else text[:57] + "...")
