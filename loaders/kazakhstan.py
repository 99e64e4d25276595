"""The built-in Kazakhstan directory (data/kazakhstan/*.yaml and regions.csv), validated
against the domain model and turned into rows for graph.directory_write."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path
from typing import Any

from graph.config import PROJECT_ROOT
from graph.directory_write import DirectoryRows
from graph.exceptions import InvalidData, Problem
from graph.model import Model, load_model
from loaders.yamlsrc import line_of, read_yaml, strip_lines

DATA_DIR = PROJECT_ROOT / "data" / "kazakhstan"
ALL_REGIONS = "ALL"
_PLACEHOLDERS = ("{region}", "{region_en}", "{region_ru}", "{center_en}")

ORG_FIELDS = {"id", "name", "alternate_names", "kind", "jurisdiction", "description", "website",
              "email", "phone", "region", "responsibilities", "partners", "member_of", "sources",
              "illustrative", "services", "per_region"}
SERVICE_FIELDS = {"id", "name", "description", "status", "needs", "regions", "min_age", "max_age",
                  "sexes", "citizenship", "exploitation_types", "languages", "capacity_total",
                  "capacity_available", "hours", "illustrative"}


class _Checker:
    def __init__(self, model: Model) -> None:
        self.model = model
        self.problems: list[Problem] = []

    def add(self, file: str, line: int | None, field: str | None, reason: str) -> None:
        self.problems.append(Problem(file, line, field, reason))

    def props(self, label: str, item: dict[str, Any], names: set[str], file: str,
              line: int | None, prefix: str = "") -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name in sorted(names):
            value = item.get(name)
            if isinstance(value, date):
                value = value.isoformat() if label != "LegalProvision" else value
            why = self.model.check_value(label, name, value)
            if why:
                self.add(file, line, prefix + name, why)
            out[name] = value
        return out


def _expand(value: Any, subs: dict[str, str]) -> Any:
    if isinstance(value, str):
        for k, v in subs.items():
            value = value.replace(k, v)
        return value
    if isinstance(value, list):
        return [_expand(v, subs) for v in value]
    if isinstance(value, dict):
        return {k: _expand(v, subs) for k, v in value.items()}
    return value


def read_regions(path: Path) -> list[dict[str, Any]]:
    problems: list[Problem] = []
    rows: list[dict[str, Any]] = []
    with path.open(encoding="utf-8", newline="") as f:
        for lineno, r in enumerate(csv.DictReader(f), start=2):
            try:
                rows.append({"code": r["code"], "kind": r["kind"], "name_en": r["name_en"],
                             "name_ru": r["name_ru"], "center_en": r["center_en"],
                             "lat": float(r["center_lat"]), "lon": float(r["center_lon"])})
            except (KeyError, ValueError, TypeError) as e:
                problems.append(Problem(path.name, lineno, None, f"bad region row: {e}"))
    if problems:
        raise InvalidData(problems)
    return rows


def _search_text(*parts: Any) -> str:
    words: list[str] = []
    for p in parts:
        if isinstance(p, list):
            words.extend(str(x) for x in p)
        elif p:
            words.append(str(p))
    return " | ".join(words).lower()


def load_directory(data_dir: Path = DATA_DIR) -> DirectoryRows:
    """Read, validate and expand the directory; raise InvalidData listing every problem."""
    model = load_model()
    ck = _Checker(model)
    regions = read_regions(data_dir / "regions.csv")
    region_codes = [r["code"] for r in regions]
    by_code = {r["code"]: r for r in regions}
    out = DirectoryRows(regions=regions)

    needs_doc = strip_lines(read_yaml(data_dir / "needs.yaml"))["needs"]
    for code in model.enum("NeedCode"):
        if code not in needs_doc:
            ck.add("needs.yaml", None, code, "need has no description")
    out.needs = [{"code": c, "description": needs_doc.get(c)} for c in model.enum("NeedCode")]

    pfile = "provisions.yaml"
    provision_ids: set[str] = set()
    for item in read_yaml(data_dir / pfile).get("provisions") or []:
        line = line_of(item)
        props = ck.props("LegalProvision", item, {"act", "article", "title", "summary",
                                                  "effective_date", "sources", "id"}, pfile, line)
        if props["id"] in provision_ids:
            ck.add(pfile, line, "id", f"duplicate provision id {props['id']!r}")
        provision_ids.add(props["id"])
        pid = props.pop("id")
        out.provisions.append({"id": pid, "props": props})

    rfile = "responsibilities.yaml"
    resp_codes: set[str] = set()
    for item in read_yaml(data_dir / rfile).get("responsibilities") or []:
        line = line_of(item)
        props = ck.props("Responsibility", item, {"code", "description"}, rfile, line)
        if item.get("provision") not in provision_ids:
            ck.add(rfile, line, "provision", f"unknown provision {item.get('provision')!r}")
        covers = item.get("covers") or []
        for c in covers:
            if c not in model.enum("NeedCode"):
                ck.add(rfile, line, "covers", f"{c!r} is not a NeedCode")
        if props["code"] in resp_codes:
            ck.add(rfile, line, "code", f"duplicate responsibility {props['code']!r}")
        resp_codes.add(props["code"])
        out.responsibilities.append({"code": props["code"], "description": props["description"],
                                     "provision": item.get("provision"), "covers": covers})

    ofile = "organizations.yaml"
    raw_orgs: list[tuple[int | None, dict[str, Any]]] = []
    for item in read_yaml(data_dir / ofile).get("organizations") or []:
        line = line_of(item)
        if item.get("per_region"):
            for code in region_codes:
                g = by_code[code]
                subs = {"{region}": code, "{region_en}": g["name_en"], "{region_ru}": g["name_ru"],
                        "{center_en}": g["center_en"]}
                expanded = _expand(strip_lines(item), subs)
                expanded.setdefault("jurisdiction", "REGIONAL")
                raw_orgs.append((line, expanded))
        else:
            raw_orgs.append((line, strip_lines(item)))

    org_ids: set[str] = {o.get("id") for _, o in raw_orgs}  # type: ignore[misc]
    seen_orgs: set[str] = set()
    seen_services: set[str] = set()
    for line, org in raw_orgs:
        for unknown in set(org) - ORG_FIELDS:
            ck.add(ofile, line, unknown, "unknown field")
        org.setdefault("jurisdiction", "LOCAL")
        org_props = {"id", "name", "alternate_names", "kind", "jurisdiction", "description",
                     "website", "email", "phone", "illustrative", "sources"}
        props = ck.props("Organization", org, org_props, ofile, line)
        oid = props["id"]
        if oid in seen_orgs:
            ck.add(ofile, line, "id", f"duplicate organization id {oid!r}")
        seen_orgs.add(oid)
        if any(p in str(oid) for p in _PLACEHOLDERS):
            ck.add(ofile, line, "id", "placeholder outside a per_region template")
        if org.get("region") not in by_code:
            ck.add(ofile, line, "region", f"unknown region {org.get('region')!r}")
        for code in org.get("responsibilities") or []:
            if code not in resp_codes:
                ck.add(ofile, line, "responsibilities", f"unknown responsibility {code!r}")
        for key in ("partners", "member_of"):
            for ref in org.get(key) or []:
                if ref not in org_ids:
                    ck.add(ofile, line, key, f"unknown organization {ref!r}")
        props["search_text"] = _search_text(props["name"], props["alternate_names"],
                                            props["description"])
        out.organizations.append({"id": oid, "props": {k: v for k, v in props.items() if k != "id"},
                                  "region": org.get("region"),
                                  "responsibilities": org.get("responsibilities") or []})
        out.links.append({"id": oid, "partners": org.get("partners") or [],
                          "member_of": org.get("member_of") or []})
        for svc in org.get("services") or []:
            where = f"services[{svc.get('id')}]."
            for unknown in set(svc) - SERVICE_FIELDS:
                ck.add(ofile, line, where + unknown, "unknown field")
            svc.setdefault("status", "ACTIVE")
            svc.setdefault("citizenship", "ANY")
            sprops = ck.props("Service", svc, SERVICE_FIELDS - {"needs", "regions"}, ofile, line,
                              where)
            if sprops["id"] in seen_services:
                ck.add(ofile, line, where + "id", f"duplicate service id {sprops['id']!r}")
            seen_services.add(sprops["id"])
            needs = svc.get("needs") or []
            if not needs:
                ck.add(ofile, line, where + "needs", "a service must meet at least one need")
            for n in needs:
                if n not in model.enum("NeedCode"):
                    ck.add(ofile, line, where + "needs", f"{n!r} is not a NeedCode")
            served = svc.get("regions") or []
            if served == [ALL_REGIONS]:
                served = region_codes
            for code in served:
                if code not in by_code:
                    ck.add(ofile, line, where + "regions", f"unknown region {code!r}")
            lo, hi = sprops.get("min_age"), sprops.get("max_age")
            if isinstance(lo, int) and isinstance(hi, int) and lo > hi:
                ck.add(ofile, line, where + "max_age", f"age range inverted ({lo} > {hi})")
            total, free = sprops.get("capacity_total"), sprops.get("capacity_available")
            if isinstance(total, int) and total < 0:
                ck.add(ofile, line, where + "capacity_total", "negative capacity")
            if isinstance(free, int) and (free < 0 or (isinstance(total, int) and free > total)):
                ck.add(ofile, line, where + "capacity_available", "must be between 0 and capacity_total")
            sprops["search_text"] = _search_text(sprops["name"], sprops["description"])
            sid = sprops.pop("id")
            out.services.append({"id": sid, "organization_id": oid, "props": sprops,
                                 "needs": needs, "regions": served,
                                 "at": {"file": ofile, "line": line, "field": where}})
    if ck.problems:
        raise InvalidData(ck.problems)
    return out
