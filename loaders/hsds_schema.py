"""HSDS 3.0 schemas (data/hsds-3.0/schema) and two HSDS 3.1 tables defined here, compiled once
with jsonschema_rs.

Formats are annotations only, never asserted: "uuid" because a local directory's ids (for example
"kz-rodnik") need not be UUIDs, and email, uri, date and date-time because real directories carry
"www.example.kz" and "12.03.2024"; such values are kept as text. `type`, `enum`, `required`,
`minimum`/`maximum` are asserted. A CSV row is checked against the table's flat ("tabular") form:
scalar properties only, required = `required` + `tabular_required`.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any, Literal

import jsonschema_rs

from graph.config import PROJECT_ROOT

SCHEMA_DIR = PROJECT_ROOT / "data" / "hsds-3.0" / "schema"
_BASE = "https://referralnet.invalid/hsds/"

TABLES: tuple[str, ...] = (
    "organization", "organization_identifier", "program", "service", "location", "address",
    "service_at_location", "contact", "phone", "schedule", "service_area", "language",
    "accessibility", "funding", "cost_option", "required_document", "unit", "service_capacity",
    "taxonomy", "taxonomy_term", "attribute", "metadata", "meta_table_description",
)
ORDER = {t: i for i, t in enumerate(TABLES)}


@dataclass(frozen=True)
class Record:
    """One row of one HSDS table, wherever it came from."""

    table: str
    file: str
    line: int | None
    where: str
    data: dict[str, Any]


def _prop(kind: str, title: str, **extra: Any) -> dict[str, Any]:
    return {"name": title, "type": kind, **extra}


_LINKS = {
    "attributes": {"name": "attributes", "type": "array", "items": {"$ref": "attribute.json"}},
    "metadata": {"name": "metadata", "type": "array", "items": {"$ref": "metadata.json"}},
}
# HSDS 3.1 tables (required fields as in 3.1), with whole non-negative numbers for capacity
# (3.1 says "number"; places are counted).
_EXTRA: dict[str, dict[str, Any]] = {
    "service_capacity": {
        "name": "service_capacity", "path": "service_capacity.csv", "type": "object",
        "properties": {
            "id": _prop("string", "id", format="uuid"),
            "service_id": _prop("string", "service_id", format="uuid"),
            "unit_id": _prop("string", "unit_id", format="uuid"),
            "unit": {"name": "unit", "$ref": "unit.json"},
            "available": _prop("integer", "available", minimum=0),
            "maximum": _prop("integer", "maximum", minimum=0),
            "description": _prop("string", "description"),
            "updated": _prop("string", "updated", format="date-time"),
            **_LINKS,
        },
        "required": ["id", "available", "updated"],
        "tabular_required": ["unit_id", "service_id"],
    },
    "unit": {
        "name": "unit", "path": "units.csv", "type": "object",
        "properties": {
            "id": _prop("string", "id", format="uuid"),
            "name": _prop("string", "name"),
            "scheme": _prop("string", "scheme"),
            "identifier": _prop("string", "identifier"),
            "uri": _prop("string", "uri", format="uri"),
            **_LINKS,
        },
        "required": ["id", "name"],
    },
}

# Nested JSON: parent table -> property -> (child table, how, key). "many": each child gets
# key = parent id; "one": the parent gets key = child id. Every table also nests attributes
# (link_id) and metadata (resource_id).
Nest = tuple[str, Literal["many", "one"], str]
_S = "service_id"
NESTED: dict[str, dict[str, Nest]] = {
    "organization": {"funding": ("funding", "many", "organization_id"),
                     "contacts": ("contact", "many", "organization_id"),
                     "phones": ("phone", "many", "organization_id"),
                     "locations": ("location", "many", "organization_id"),
                     "programs": ("program", "many", "organization_id"),
                     "organization_identifiers": ("organization_identifier", "many", "organization_id"),
                     "services": ("service", "many", "organization_id")},
    "service": {"organization": ("organization", "one", "organization_id"),
                "program": ("program", "one", "program_id"),
                "phones": ("phone", "many", _S), "schedules": ("schedule", "many", _S),
                "service_areas": ("service_area", "many", _S),
                "service_at_locations": ("service_at_location", "many", _S),
                "languages": ("language", "many", _S), "funding": ("funding", "many", _S),
                "cost_options": ("cost_option", "many", _S),
                "required_documents": ("required_document", "many", _S),
                "contacts": ("contact", "many", _S),
                "capacities": ("service_capacity", "many", _S)},
    "service_at_location": {"location": ("location", "one", "location_id"),
                            "service": ("service", "one", _S),
                            "contacts": ("contact", "many", "service_at_location_id"),
                            "phones": ("phone", "many", "service_at_location_id"),
                            "schedules": ("schedule", "many", "service_at_location_id")},
    "location": {p: (t, "many", "location_id") for p, t in (
        ("languages", "language"), ("addresses", "address"), ("contacts", "contact"),
        ("accessibility", "accessibility"), ("phones", "phone"), ("schedules", "schedule"))},
    "contact": {"phones": ("phone", "many", "contact_id")},
    "phone": {"languages": ("language", "many", "phone_id")},
    "attribute": {"taxonomy_term": ("taxonomy_term", "one", "taxonomy_term_id")},
    "taxonomy_term": {"taxonomy_detail": ("taxonomy", "one", "taxonomy_id")},
    "service_capacity": {"unit": ("unit", "one", "unit_id")},
}
for _t in TABLES:
    NESTED.setdefault(_t, {}).update({"attributes": ("attribute", "many", "link_id"),
                                      "metadata": ("metadata", "many", "resource_id")})

# References: (field, target table). HARD ones must resolve (in the source or the database);
# SOFT ones that dangle are warnings. "*" = the table named by link_entity / resource_type.
HARD_REFS: dict[str, tuple[tuple[str, str], ...]] = {
    "service": (("organization_id", "organization"),),
    "service_at_location": (("service_id", "service"), ("location_id", "location")),
    "service_area": (("service_id", "service"),),
    "service_capacity": (("service_id", "service"),),
    "organization_identifier": (("organization_id", "organization"),),
    "attribute": (("taxonomy_term_id", "taxonomy_term"),),
}
_O, _L, _SV, _SAL = ("organization_id", "organization"), ("location_id", "location"), \
    ("service_id", "service"), ("service_at_location_id", "service_at_location")
SOFT_REFS: dict[str, tuple[tuple[str, str], ...]] = {
    "organization": (("parent_organization_id", "organization"),),
    "program": (_O,), "service": (("program_id", "program"),), "location": (_O,),
    "address": (_L,), "contact": (_O, _SV, _SAL, _L),
    "phone": (_L, _SV, _O, ("contact_id", "contact"), _SAL),
    "schedule": (_SV, _L, _SAL), "language": (_SV, _L, ("phone_id", "phone")),
    "accessibility": (_L,), "funding": (_O, _SV), "cost_option": (_SV,),
    "required_document": (_SV,), "service_capacity": (("unit_id", "unit"),),
    "taxonomy_term": (("parent_id", "taxonomy_term"), ("taxonomy_id", "taxonomy")),
    "attribute": (("link_id", "*"),), "metadata": (("resource_id", "*"),),
}
POLYMORPHIC = {"attribute": "link_entity", "metadata": "resource_type"}


@cache
def raw_schema(table: str) -> dict[str, Any]:
    """The table's HSDS schema as published (with `services` added to organization and
    `capacities` to service, as nested JSON carries them)."""
    if table in _EXTRA:
        schema = json.loads(json.dumps(_EXTRA[table]))
    else:
        schema = json.loads((SCHEMA_DIR / f"{table}.json").read_text(encoding="utf-8"))
    props = schema["properties"]
    for prop, (child, how, _key) in NESTED[table].items():
        if prop not in props:
            ref = {"$ref": f"{child}.json"}
            props[prop] = ref if how == "one" else {"type": "array", "items": ref}
    schema["$id"] = f"{_BASE}{table}.json"
    return schema  # type: ignore[no-any-return]


def file_tables() -> dict[str, str]:
    """Lower-cased CSV file name -> table: the schema's `path` ("organizations.csv") and the
    table name itself ("organization.csv")."""
    out: dict[str, str] = {}
    for t in TABLES:
        out[str(raw_schema(t)["path"]).lower()] = t
        out[f"{t}.csv"] = t
    return out


_KEEP = ("type", "enum", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum",
         "minLength", "maxLength", "pattern")


def scalar_columns(table: str) -> dict[str, str]:
    """Flat (CSV) columns of a table -> JSON type ("string", "number", "integer", "boolean")."""
    return {k: str(v["type"]) for k, v in raw_schema(table)["properties"].items()
            if isinstance(v.get("type"), str) and v["type"] not in ("array", "object")}


def required_columns(table: str) -> list[str]:
    s = raw_schema(table)
    return list(dict.fromkeys([*s.get("required", []), *s.get("tabular_required", [])]))


@cache
def row_validator(table: str) -> jsonschema_rs.Validator:
    """Validator of one flat record of `table` (compiled once)."""
    props = raw_schema(table)["properties"]
    flat = {k: {kk: v[kk] for kk in _KEEP if kk in v} for k, v in props.items()
            if k in scalar_columns(table)}
    schema = {"type": "object", "properties": flat, "required": required_columns(table)}
    return jsonschema_rs.validator_for(schema, validate_formats=False)


@cache
def _registry() -> jsonschema_rs.Registry:
    return jsonschema_rs.Registry([(raw_schema(t)["$id"], raw_schema(t)) for t in TABLES])


@cache
def document_validator(table: str) -> jsonschema_rs.Validator:
    """Validator of one nested JSON object of `table` with every nested table (compiled once)."""
    return jsonschema_rs.validator_for(raw_schema(table), registry=_registry(),
                                       validate_formats=False)


def show(value: Any) -> str:
    if isinstance(value, str):
        return repr(value if len(value) <= 40 else value[:37] + "...")
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 40 else text[:37] + "..."


_TYPE_WORDS = {"number": "a number", "integer": "a whole number", "string": "text",
               "boolean": "true or false", "array": "a list", "object": "an object"}


def explain(error: jsonschema_rs.ValidationError) -> tuple[list[str | int], str]:
    """A jsonschema error as (path to the field, short human reason)."""
    kind = error.kind
    path = list(error.instance_path)
    if isinstance(kind, jsonschema_rs.ValidationErrorKind.Required):
        return [*path, kind.property], "is required"
    if isinstance(kind, jsonschema_rs.ValidationErrorKind.Type):
        words = " or ".join(_TYPE_WORDS.get(t, t) for t in kind.types)
        return path, f"must be {words}, got {show(error.instance)}"
    if isinstance(kind, jsonschema_rs.ValidationErrorKind.Enum):
        options = ", ".join(str(o) for o in kind.options)
        return path, f"must be one of {options}, got {show(error.instance)}"
    if isinstance(kind, jsonschema_rs.ValidationErrorKind.Minimum):
        return path, f"must be at least {kind.limit}, got {show(error.instance)}"
    if isinstance(kind, jsonschema_rs.ValidationErrorKind.Maximum):
        return path, f"must be at most {kind.limit}, got {show(error.instance)}"
    return path, error.message


def path_text(parts: list[str | int]) -> str:
    """["contents", 0, "name"] -> "contents[0].name"."""
    out = ""
    for p in parts:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else p)
    return out


def _number(text: str) -> int | float:
    text = text.strip()
    if "_" in text:
        raise ValueError(text)
    try:
        return int(text)
    except ValueError:
        value = float(text)
    if not math.isfinite(value):
        raise ValueError(text)
    return value


def _integer(text: str) -> int:
    value = _number(text)
    if isinstance(value, float):
        if not value.is_integer():
            raise ValueError(text)
        return int(value)
    return value


_TRUE, _FALSE = {"true", "1", "yes"}, {"false", "0", "no"}


def _boolean(text: str) -> bool:
    low = text.strip().lower()
    if low in _TRUE or low in _FALSE:
        return low in _TRUE
    raise ValueError(text)


CONVERTERS: dict[str, Callable[[str], Any]] = {"number": _number, "integer": _integer,
                                               "boolean": _boolean}
