"""Export the directory as Open Referral HSDS: a CSV data package, or tabular JSON
({"organizations.csv": [rows], ...}). Rows kept from HSDS loads come back as they were loaded;
organizations and services that no HSDS row describes (the built-in directory) are written
from the graph, their kind, jurisdiction, responsibilities, needs and eligibility as attributes
of the project's own taxonomies, their region as a location at the region's center, so that
loading an export gives the same directory."""

from __future__ import annotations

import csv
import json
import shutil
from collections import defaultdict
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from graph.db import Database
from graph.hsds_packs import pack_rows
from loaders.hsds_read import TABLES
from loaders.hsds_schema import raw_schema, scalar_columns
from loaders.hsds_sides import FACET_TAXONOMIES

Row = dict[str, Any]
_NEEDS_TAXONOMY = "referralnet-needs"
_FACET_OF = {v: k for k, v in FACET_TAXONOMIES.items()}


def _term(taxonomy: str, code: str) -> Row:
    return {"id": f"{taxonomy}:{code}", "code": code, "name": code.replace("_", " ").lower(),
            "description": f"{taxonomy} {code}", "taxonomy": taxonomy}


class _Synth:
    """HSDS rows for graph records that no kept row describes."""

    def __init__(self) -> None:
        self.tables: dict[str, list[Row]] = defaultdict(list)
        self.terms: dict[str, Row] = {}
        self.now = datetime.now(UTC).isoformat(timespec="seconds")

    def attribute(self, entity: str, link_id: str, taxonomy: str, code: str) -> None:
        term = _term(taxonomy, code)
        self.terms.setdefault(term["id"], term)
        self.tables["attribute"].append({
            "id": f"{entity}:{link_id}:{taxonomy}:{code}", "link_id": link_id,
            "link_type": taxonomy, "link_entity": entity, "taxonomy_term_id": term["id"]})

    def organization(self, r: Row) -> None:
        o = r["org"]
        oid = o["id"]
        alternates = o.get("alternate_names") or []
        self.tables["organization"].append({
            "id": oid, "name": o["name"], "alternate_name": alternates[0] if alternates else None,
            "description": o.get("description") or o["name"], "email": o.get("email"),
            "website": o.get("website")})
        for facet in ("kind", "jurisdiction"):
            if o.get(facet):
                self.attribute("organization", oid, _FACET_OF[facet], o[facet])
        for code in r["responsibilities"]:
            self.attribute("organization", oid, _FACET_OF["responsibilities"], code)
        if r["region"]:
            g = r["region"]
            self.tables["location"].append({
                "id": f"location:{oid}", "organization_id": oid, "location_type": "physical",
                "name": g["name_en"], "latitude": g["lat"], "longitude": g["lon"]})
        if o.get("phone"):
            self.tables["phone"].append({"id": f"phone:{oid}", "organization_id": oid,
                                         "number": o["phone"]})
        if o.get("bin"):
            self.tables["organization_identifier"].append({
                "id": f"bin:{oid}", "organization_id": oid, "identifier_scheme": "KZ-BIN",
                "identifier_type": "Business identification number", "identifier": o["bin"]})

    def service(self, r: Row) -> None:
        s = r["service"]
        sid = s["id"]
        self.tables["service"].append({
            "id": sid, "organization_id": r["organization_id"], "name": s["name"],
            "description": s.get("description"), "status": s["status"].lower().replace("_", " "),
            "minimum_age": s.get("min_age"), "maximum_age": s.get("max_age")})
        for need in r["needs"]:
            self.attribute("service", sid, _NEEDS_TAXONOMY, need)
        if s.get("citizenship") and s["citizenship"] != "ANY":
            self.attribute("service", sid, _FACET_OF["citizenship"], s["citizenship"])
        for facet in ("sexes", "exploitation_types"):
            for value in s.get(facet) or []:
                self.attribute("service", sid, _FACET_OF[facet], value)
        for name in r["regions"]:
            self.tables["service_area"].append({"id": f"area:{sid}:{name}", "service_id": sid,
                                                "name": name})
        for code in s.get("languages") or []:
            self.tables["language"].append({"id": f"language:{sid}:{code}", "service_id": sid,
                                            "code": code})
        if s.get("capacity_total") is not None:
            self.tables["unit"] = [{"id": "unit:place", "name": "place"}]
            self.tables["service_capacity"].append({
                "id": f"capacity:{sid}", "service_id": sid, "unit_id": "unit:place",
                "available": s.get("capacity_available") or 0, "maximum": s["capacity_total"],
                "updated": self.now})


async def _tables(db: Database) -> Iterator[tuple[str, list[Row]]]:
    synth = _Synth()
    for r in await db.read("export_unrecorded_organizations"):
        synth.organization(r)
    for r in await db.read("export_unrecorded_services"):
        synth.service(r)
    synth.tables["taxonomy_term"].extend(synth.terms.values())
    packed: dict[str, list[Row]] = defaultdict(list)
    for r in await db.read("export_packs"):
        for table, row in pack_rows(r["hsds"]):
            packed[table].append(row)
    out: list[tuple[str, list[Row]]] = []
    for table in TABLES:
        kept = [json.loads(r["data"]) for r in await db.read("export_records", table=table)]
        kept_ids = {str(k["id"]) for k in kept}
        kept += sorted((p for p in packed.pop(table, []) if str(p["id"]) not in kept_ids),
                       key=lambda p: str(p["id"]))
        kept_ids = {str(k["id"]) for k in kept}
        rows = kept + [s for s in synth.tables.get(table, []) if str(s["id"]) not in kept_ids]
        out.append((table, rows))
    return iter(out)


def _columns(table: str, rows: list[Row]) -> list[str]:
    cols = list(scalar_columns(table))
    for row in rows:
        cols += [k for k in row if k not in cols]
    return cols


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


async def export_directory(db: Database, target: Path, fmt: str) -> dict[str, int]:
    """Write the directory to `target` (a folder for csv, a file for json); rows per table."""
    counts: dict[str, int] = {}
    document: dict[str, list[Row]] = {}
    if fmt == "csv":
        if target.exists():
            shutil.rmtree(target) if target.is_dir() else target.unlink()
        target.mkdir(parents=True)
    for table, rows in await _tables(db):
        counts[table] = len(rows)
        if not rows:
            continue
        path = str(raw_schema(table)["path"])
        rows = [{k: v for k, v in r.items() if v is not None} for r in rows]
        if fmt == "json":
            document[path] = rows
            continue
        with (target / path).open("w", encoding="utf-8", newline="") as f:
            cols = _columns(table, rows)
            writer = csv.writer(f)
            writer.writerow(cols)
            for row in rows:
                writer.writerow([_cell(row.get(c)) for c in cols])
    if fmt == "json":
        target.write_text(json.dumps(document, ensure_ascii=False, indent=1), encoding="utf-8")
    return counts
