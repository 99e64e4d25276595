"""The domain model, read once from graph/model/*.yaml (one file per part of the domain, merged;
a name defined twice is an error); any bad definition fails loudly."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from graph.exceptions import ModelError

MODEL_DIR = Path(__file__).resolve().parent / "model"

_SCALARS = frozenset({"string", "text", "bytes", "int", "float", "bool", "date", "datetime", "point"})
_IDENT = re.compile(r"^[A-Z][A-Za-z0-9]*$")
_RELNAME = re.compile(r"^[A-Z][A-Z0-9_]*$")
_SECTIONS = ("enums", "nodes", "relationships", "roles", "markers")
_PROPNAME = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True)
class Property:
    name: str
    type: str
    required: bool
    doc: str

    @property
    def is_list(self) -> bool:
        return self.type.startswith("list[")

    @property
    def item_type(self) -> str:
        return self.type[5:-1] if self.is_list else self.type


@dataclass(frozen=True)
class NodeType:
    label: str
    key: str
    properties: dict[str, Property]


@dataclass(frozen=True)
class RelType:
    """A relationship type; `from`/`to` in the YAML name one label or a list of labels."""

    name: str
    sources: tuple[str, ...]
    targets: tuple[str, ...]

    @property
    def source(self) -> str:
        return " | ".join(self.sources)

    @property
    def target(self) -> str:
        return " | ".join(self.targets)


@dataclass(frozen=True)
class Role:
    """A label a node carries while it has at least one outgoing relationship of a type
    (`Suspect`: a SUSPECT_IN), so that a search tests a label instead of reading relationships.
    Derived: the statement `refresh` (queries/) sets and removes it; the loads writing that type
    run it, and so does every schema application (graph/db.py)."""

    label: str
    labels: tuple[str, ...]  # those that may carry it
    relationship: str
    doc: str

    @property
    def refresh(self) -> str:
        return "refresh_" + re.sub(r"(?<!^)(?=[A-Z])", "_", self.label).lower() + "_labels"


@dataclass(frozen=True)
class Marker:
    """A label a node carries for a while besides its own (`Staged`: created by a load that is
    not DONE yet, hidden from every reader), on the node types listed."""

    label: str
    labels: tuple[str, ...]
    doc: str


@dataclass(frozen=True)
class Model:
    enums: dict[str, tuple[str, ...]]
    nodes: dict[str, NodeType]
    relationships: dict[str, RelType]
    roles: dict[str, Role]
    markers: dict[str, Marker] = field(default_factory=dict)

    @property
    def labels(self) -> frozenset[str]:
        """Every label a statement may name: node types, roles and markers."""
        return frozenset(self.nodes) | frozenset(self.roles) | frozenset(self.markers)

    def enum(self, name: str) -> tuple[str, ...]:
        try:
            return self.enums[name]
        except KeyError:
            raise ModelError(f"no enum {name!r} in the model") from None

    def check_value(self, label: str, prop: str, value: Any) -> str | None:
        """Why `value` is not valid for `label.prop`, or None when it is."""
        p = self.nodes[label].properties.get(prop)
        if p is None:
            return f"{label} has no property {prop!r}"
        if value is None:
            return "is required" if p.required else None
        items = value if p.is_list else [value]
        if p.is_list and not isinstance(value, list):
            return f"must be a list, got {type(value).__name__}"
        t = p.item_type
        for item in items:
            if t in self.enums:
                if item not in self.enums[t]:
                    return f"{item!r} is not one of {', '.join(self.enums[t])}"
            elif t == "int" and (not isinstance(item, int) or isinstance(item, bool)):
                return f"must be a whole number, got {item!r}"
            elif t in ("string", "text") and not isinstance(item, str):
                return f"must be text, got {item!r}"
            elif t == "bytes" and not isinstance(item, bytes):
                return f"must be bytes, got {item!r}"
        return None


def _fail(where: str, msg: str) -> ModelError:
    return ModelError(f"model: {where}: {msg}")


def build_model(raw: Any) -> Model:
    """Validate a parsed model document and build the Model; raise ModelError on any fault."""
    if not isinstance(raw, dict):
        raise _fail("top", "must be a mapping")
    unknown = set(raw) - {"version", *_SECTIONS}
    if unknown:
        raise _fail("top", f"unknown section(s) {sorted(unknown)}")
    enums: dict[str, tuple[str, ...]] = {}
    for name, values in (raw.get("enums") or {}).items():
        if not _IDENT.match(str(name)):
            raise _fail(f"enums.{name}", "enum names are CamelCase")
        if not isinstance(values, list) or not values or not all(isinstance(v, str) for v in values):
            raise _fail(f"enums.{name}", "must be a non-empty list of strings")
        if len(set(values)) != len(values):
            raise _fail(f"enums.{name}", "has duplicate values")
        enums[name] = tuple(values)
    nodes: dict[str, NodeType] = {}
    for label, spec in (raw.get("nodes") or {}).items():
        where = f"nodes.{label}"
        if not _IDENT.match(str(label)):
            raise _fail(where, "labels are CamelCase")
        if not isinstance(spec, dict) or not isinstance(spec.get("properties"), dict):
            raise _fail(where, "needs a 'properties' mapping")
        props: dict[str, Property] = {}
        for pname, pspec in spec["properties"].items():
            if not _PROPNAME.match(str(pname)):
                raise _fail(f"{where}.{pname}", "property names are snake_case")
            if not isinstance(pspec, dict) or "type" not in pspec:
                raise _fail(f"{where}.{pname}", "needs a type")
            ptype = str(pspec["type"])
            item = ptype[5:-1] if ptype.startswith("list[") and ptype.endswith("]") else ptype
            if item not in _SCALARS and item not in enums:
                raise _fail(f"{where}.{pname}", f"unknown type {ptype!r}")
            extra = set(pspec) - {"type", "required", "doc"}
            if extra:
                raise _fail(f"{where}.{pname}", f"unknown key(s) {sorted(extra)}")
            props[pname] = Property(pname, ptype, bool(pspec.get("required", False)),
                                    str(pspec.get("doc", "")))
        key = spec.get("key")
        if key not in props or not props[key].required:
            raise _fail(where, f"key {key!r} must be a required property")
        nodes[label] = NodeType(label, key, props)
    rels: dict[str, RelType] = {}
    for name, spec in (raw.get("relationships") or {}).items():
        where = f"relationships.{name}"
        if not _RELNAME.match(str(name)):
            raise _fail(where, "relationship types are UPPER_SNAKE")
        if not isinstance(spec, dict) or set(spec) - {"from", "to", "doc"}:
            raise _fail(where, "takes 'from' and 'to' (a label or a list of labels)")
        ends: dict[str, tuple[str, ...]] = {}
        for end in ("from", "to"):
            given = spec.get(end)
            labels: list[Any] = given if isinstance(given, list) and given else [given]
            for label in labels:
                if label not in nodes:
                    raise _fail(where, f"{end!r} names unknown label {label!r}")
            if len(set(labels)) != len(labels):
                raise _fail(where, f"{end!r} names a label twice")
            ends[end] = tuple(str(label) for label in labels)
        rels[name] = RelType(name, ends["from"], ends["to"])
    if not nodes:
        raise _fail("nodes", "no node types defined")
    roles = _roles(raw.get("roles") or {}, nodes, rels)
    return Model(enums, nodes, rels, roles, _markers(raw.get("markers") or {}, nodes, roles))


def _markers(raw: Any, nodes: dict[str, NodeType], roles: dict[str, Role]) -> dict[str, Marker]:
    if not isinstance(raw, dict):
        raise _fail("markers", "must be a mapping")
    markers: dict[str, Marker] = {}
    for label, spec in raw.items():
        where = f"markers.{label}"
        if not _IDENT.match(str(label)):
            raise _fail(where, "labels are CamelCase")
        if label in nodes or label in roles:
            raise _fail(where, "is already a node type or a role")
        if not isinstance(spec, dict) or set(spec) - {"labels", "doc"}:
            raise _fail(where, "takes 'labels' (those that may carry it) and 'doc'")
        on = spec.get("labels")
        if not isinstance(on, list) or not on or any(n not in nodes for n in on):
            raise _fail(where, "'labels' must be a non-empty list of node types")
        markers[str(label)] = Marker(str(label), tuple(str(n) for n in on), str(spec.get("doc", "")))
    return markers


def _roles(raw: Any, nodes: dict[str, NodeType], rels: dict[str, RelType]) -> dict[str, Role]:
    if not isinstance(raw, dict):
        raise _fail("roles", "must be a mapping")
    roles: dict[str, Role] = {}
    for label, spec in raw.items():
        where = f"roles.{label}"
        if not _IDENT.match(str(label)):
            raise _fail(where, "labels are CamelCase")
        if label in nodes:
            raise _fail(where, "is already a node type")
        if not isinstance(spec, dict) or set(spec) - {"labels", "relationship", "doc"}:
            raise _fail(where, "takes 'labels' (those that may carry it), 'relationship' and 'doc'")
        rel = rels.get(str(spec.get("relationship")))
        if rel is None:
            raise _fail(where, f"'relationship' names unknown type {spec.get('relationship')!r}")
        on = spec.get("labels")
        if not isinstance(on, list) or not on:
            raise _fail(where, "'labels' must be a non-empty list of labels")
        for node in on:
            if node not in rel.sources:
                raise _fail(where, f"{node!r} is not a source of {rel.name}")
        roles[str(label)] = Role(str(label), tuple(str(n) for n in on), rel.name,
                                 str(spec.get("doc", "")))
    return roles


def merge_documents(docs: list[tuple[str, Any]]) -> dict[str, Any]:
    """Merge the model files' sections; the same enum, label or type in two files is an error."""
    merged: dict[str, Any] = {"version": 1, **{section: {} for section in _SECTIONS}}
    for name, doc in docs:
        if not isinstance(doc, dict):
            raise ModelError(f"{name}: must be a mapping")
        for section, items in doc.items():
            if section == "version":
                continue
            if section not in _SECTIONS:
                raise ModelError(f"{name}: unknown section {section!r}")
            for key, value in (items or {}).items():
                if key in merged[section]:
                    raise ModelError(f"{name}: {section}.{key} is already defined in another file")
                merged[section][key] = value
    return merged


@cache
def load_model(directory: Path = MODEL_DIR) -> Model:
    docs: list[tuple[str, Any]] = []
    for path in sorted(directory.glob("*.yaml")):
        try:
            docs.append((path.name, yaml.safe_load(path.read_text(encoding="utf-8"))))
        except (OSError, yaml.YAMLError) as e:
            raise ModelError(f"cannot read {path}: {e}") from e
    if not docs:
        raise ModelError(f"no model files in {directory}")
    return build_model(merge_documents(docs))
