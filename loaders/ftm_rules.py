"""What the case graph makes of each FtM schema: roles, labels, the properties that hold
identifiers, the edge schemata and their ends; small helpers reading an entity. Used by
loaders/ftm_map.py."""

from __future__ import annotations

import hashlib

from followthemoney import model as ftm_model
from followthemoney.schema import Schema

from loaders.ftm_read import Entity

ROLES = {"suspect": "SUSPECT_IN", "suspected": "SUSPECT_IN", "accused": "SUSPECT_IN",
         "defendant": "SUSPECT_IN", "perpetrator": "SUSPECT_IN", "подозреваемый": "SUSPECT_IN",
         "обвиняемый": "SUSPECT_IN", "victim": "VICTIM_IN", "injured party": "VICTIM_IN",
         "потерпевший": "VICTIM_IN", "потерпевшая": "VICTIM_IN", "witness": "WITNESS_IN",
         "свидетель": "WITNESS_IN"}
PARTY = ("Person", "Company")
NODE_OF = {"Person": "Person", "Company": "Company", "Organization": "Company", "CourtCase": "Case"}
DOCUMENT_PROPS = {"Person": ("idNumber", "passportNumber", "taxNumber", "innCode",
                              "socialSecurityNumber"),
                   "Company": ("registrationNumber", "taxNumber", "innCode", "ogrnCode", "vatCode",
                               "idNumber")}
VICTIM_KEEPS = ("gender", "nationality", "citizenship", "country")
# (schema, source property, target property, relationship type, allowed source / target labels)
EDGES: dict[str, tuple[str, str, str, tuple[str, ...], tuple[str, ...]]] = {
    "Associate": ("person", "associate", "ASSOCIATE_OF", ("Person",), ("Person",)),
    "Family": ("person", "relative", "FAMILY_OF", ("Person",), ("Person",)),
    "Employment": ("employee", "employer", "EMPLOYED_BY", PARTY, ("Company",)),
    "Membership": ("member", "organization", "MEMBER_OF_ORG", PARTY, ("Company",)),
    "Payment": ("payer", "beneficiary", "PAID", PARTY, PARTY),
}
LINKABLE = ("Person", "Company", "Case", "Phone", "Email", "Address", "BankAccount", "Vehicle",
             "IdDocument", "OnlineAccount")
# kept on the relationship, first value, from the entity as kept (victims' names taken out)
EDGE_PROPS = ("role", "relationship", "date", "startDate", "endDate", "summary", "purpose")


def pseudonym(entity_id: str) -> str:
    return "victim " + hashlib.blake2b(entity_id.encode(), digest_size=4).hexdigest()


RECORD_KINDS = frozenset({"Address", "BankAccount", "Vehicle", "UserAccount", "Identification"})
# the properties naming who holds a record kind (a victim keeps none: loaders/ftm_map.py)
HOLDERS = {"Identification": ("holder",), "Vehicle": ("owner", "operator"), "UserAccount": ("owner",)}


def schema_of(e: Entity) -> Schema:
    schema = ftm_model.get(e.schema)
    assert schema is not None  # ftm_read kept only entities of known schemata
    return schema


def ref_props(e: Entity) -> list[str]:
    schema = schema_of(e)
    return [name for name in e.properties if schema.properties[name].type.name == "entity"]


def role_of(e: Entity) -> str | None:
    for value in e.get("role"):
        rel = ROLES.get(" ".join(value.lower().split()))
        if rel is not None:
            return rel
    return None


def countries_of(e: Entity) -> list[str]:
    return list(dict.fromkeys(e.get("nationality") + e.get("citizenship")))


def person_names(e: Entity) -> list[str]:
    names = list(e.get("name"))
    parts = [e.first(p) for p in ("firstName", "fatherName", "middleName", "lastName")]
    composed = " ".join(p for p in parts if p)
    if composed and composed not in names:
        names.append(composed)
    for p in ("alias", "weakAlias", "previousName"):
        names.extend(n for n in e.get(p) if n not in names)
    return names


def amount_of(e: Entity) -> tuple[float | None, str | None]:
    for prop, currency in (("amount", e.first("currency")), ("amountEur", "EUR"),
                           ("amountUsd", "USD")):
        if e.get(prop):
            return float(e.first(prop) or 0), currency
    return None, e.first("currency")
