"""HSDS records -> directory rows: after the side tables' first pass (made by validate(), see
loaders/hsds_sides.py: regions, needs, facets, languages, capacity, BINs), the organization and
service tables are streamed by `organizations()` and `services()`, each incoming organization
checked against the known ones for duplicates (same id alias, BIN or name fingerprint). Every
row is also kept whole (loaders/hsds_keep.py): in its owner's pack when its owner is in the
input, else as a record, streamed by `records()`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from loaders.hsds_keep import record_row
from loaders.hsds_read import TABLES, HsdsSource, Record
from loaders.hsds_sides import SideTables
from loaders.needs_mapping import NeedsMapping
from loaders.orgnames import NameIndex, name_keys
from loaders.regions import RegionResolver


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


def _join(values: set[str]) -> list[str]:
    return sorted(values)


class HsdsMapper(SideTables):
    def __init__(self, source: HsdsSource, known: list[KnownOrg], resolver: RegionResolver,
                 needs: NeedsMapping) -> None:
        """`known`: the organizations in the database."""
        super().__init__(source, resolver, needs)
        self.merges: list[Merge] = []
        self._known_ids = {k.id for k in known}
        self._alias = {m: k.id for k in known for m in k.merged_ids}
        self._by_bin = {k.bin: k.id for k in known if k.bin}
        self._names = NameIndex()
        for k in known:
            self._names.add(k.id, k.name, k.alternate_names)
        self._org_id: dict[str, str] = {}          # incoming organization id -> graph id

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
        """Service rows; capacity and needs are left out (kept as stored) when the input has
        no capacity or attribute table, regions when it places the service nowhere: it says
        nothing of them (an update of a few rows must not take a shelter out of routing)."""
        states = set(self.source.tables())
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
            if not needs and "attribute" in states:
                self._warn(rec, None, "no attribute maps it to a need: it will not be routed")
            elif not needs:
                self._warn(rec, None, "the input has no attributes: a known service keeps its "
                                      "needs, a new one meets none and will not be routed")
            values = (facets.values or {}) if facets else {}
            props: dict[str, Any] = {
                "name": d["name"], "description": d.get("description"),
                "status": str(d["status"]).upper().replace(" ", "_"),
                "min_age": d.get("minimum_age"), "max_age": d.get("maximum_age"),
                "languages": sorted(self._svc_languages.get(sid, ())),
                "hours": None, "search_text": _search(d["name"], d.get("description")),
                "sexes": _join(values["sexes"]) if values.get("sexes") else [],
                "exploitation_types": _join(values["exploitation_types"])
                if values.get("exploitation_types") else [],
            }
            if values.get("citizenship"):
                props["citizenship"] = sorted(values["citizenship"])[0]
            if "service_capacity" in states:  # else the input says nothing of places: kept
                available, maximum = self._svc_capacity.get(sid, (None, None))
                props["capacity_total"], props["capacity_available"] = maximum, available
            props["hsds"], kept = self.kept.pack("service", d)
            yield {"id": sid, "organization_id": org, "props": props, "kept": kept,
                   "needs": _join(needs) if needs or "attribute" in states else None,
                   "regions": _join(regions) if regions else None,
                   "at": {"file": rec.file, "line": rec.line}}

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


def _search(*parts: Any) -> str:
    return " | ".join(str(p) for p in parts if p).lower()
