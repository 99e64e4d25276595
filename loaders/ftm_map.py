"""FtM entities (checked by loaders/ftm_read.py) to case-graph rows (graph.investigations_write).

- CourtCase -> (:Case); Person -> (:Person); Company and Organization -> (:Company {schema}).
- Identifiers, normalized by graph.identifiers into nodes shared by all who use them: phones,
  emails, addresses, document and registration numbers stated as properties, and the entities
  Address, BankAccount, Vehicle, UserAccount, Identification/Passport (kept whole as FtmRecord).
- Edge entities to relationships: CourtCaseParty (by role) SUSPECT_IN, VICTIM_IN, WITNESS_IN;
  Associate ASSOCIATE_OF; Family FAMILY_OF; Employment EMPLOYED_BY; Membership MEMBER_OF_ORG;
  Payment PAID (its accounts: USES); UnknownLink LINKED_TO; Ownership USES (an asset that is an
  identifier) or OWNS (a company).
- Victims are pseudonymous: a person who is a victim, and neither a suspect nor a witness, by the
  parties of this file and those the database holds, keeps only gender and nationality, under
  the name "victim <hash of the id>"; no name keys, birth date or identifiers of theirs are
  stored: Identifications, Vehicles, UserAccounts and Ownerships of assets held by victims only
  are left out (counted in the report, and an earlier statement of them is withdrawn), and a
  victim is left out of what others hold with her and of the accounts her payments name. People
  an earlier file stored by name whom this file leaves victims only are mapped again from their
  stored entity, as victims, and so is what earlier files kept naming them as holder, owner or
  account holder (loaders/ftm_load.resolve_victims). Their names are replaced by their
  pseudonyms in the texts of their cases and relationships (loaders/ftm_redact.py).

Every problem (an identifier that cannot be normalized, a party without a known role, a
reference to an entity neither in the file nor in the database) names line and field."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from graph import identifiers as ids
from graph.exceptions import Problem
from graph.identifiers import Identifier
from graph.names import name_keys
from loaders.ftm_edges import EdgeMapper
from loaders.ftm_mapcore import Known, MapResult
from loaders.ftm_read import Entity, supported
from loaders.ftm_rules import (
    DOCUMENT_PROPS,
    EDGES,
    HOLDERS,
    NODE_OF,
    PARTY,
    RECORD_KINDS,
    VICTIM_KEEPS,
    countries_of,
    person_names,
    pseudonym,
    schema_of,
)
from loaders.gc_pause import without_gc

__all__ = ["FtmMapper", "Known", "MapResult", "pseudonym"]


class FtmMapper(EdgeMapper):
    """Maps one checked file; `references()` lists the ids to look up in the database first."""

    # -- passes ---------------------------------------------------------------------------
    @without_gc
    def build(self) -> MapResult:
        """First the entities that are nodes or identifiers (so references resolve), then the
        rest."""
        ents = list(self.src.entities.values())
        for e in ents:
            if e.schema in NODE_OF:
                self.known[e.id] = Known(NODE_OF[e.schema], e.id)
            elif (kind := supported(schema_of(e))) in RECORD_KINDS:
                node = self.record_identifier(e, kind)
                if node is not None:
                    self.known[e.id] = Known(self.identifiers[node]["label"], node)
        for e in ents:
            kind = supported(schema_of(e))
            if e.schema in ("Person",):
                self.person(e)
            elif e.schema in ("Company", "Organization"):
                self.company(e)
            elif e.schema == "CourtCase":
                self.case(e)
            elif kind in RECORD_KINDS:
                self.record(e, kind)
            elif kind == "CourtCaseParty":
                self.party(e)
            elif kind in EDGES:
                self.edge(e, kind)
            elif kind == "UnknownLink":
                self.unknown_link(e)
            elif kind == "Ownership":
                self.ownership(e)
        self.out.rows.victims = sorted(self.victims)  # what earlier files tied to them goes
        self.out.rows.identifiers = list(self.identifiers.values())
        self.out.rows.links = [{"type": t, "from": a, "to": b, "via": v}
                               for t, a, b, v in self.links]
        for count, what in (
                (self.skipped_refs, "reference(s) to skipped entities left out"),
                (self.out.unmasked_victims, "person(s) an earlier file stored by name are victims "
                                            "only with this one: now stored under a pseudonym"),
                (self.out.pseudonymized, "victim(s) stored under a pseudonym: names, birth dates "
                                         "and identifiers of victims are not kept"),
                (self.out.restated, "entities an earlier file stored that tie or name people "
                                    "this one leaves victims only: stored again without them"),
                (self.out.victim_documents_dropped, "identity document(s), vehicle(s) or "
                 "account(s) of victims left out: victims keep no identifier"),
                (self.out.redacted, "text(s) of cases and relationships naming victims: their "
                                    "names replaced by their pseudonyms")):
            if count:
                self.out.warnings.append(Problem(self.file, None, None, f"{count} {what}"))
        return self.out

    def node(self, e: Entity, label: str, props: dict[str, Any]) -> None:
        props = {k: v for k, v in props.items() if v not in (None, [], "")}
        self.out.rows.nodes.append({"id": e.id, "label": label,
                                    "props": {**props, "schema": e.schema, "ftm": e.to_json()}})

    def uses(self, e: Entity, label: str) -> None:
        """The identifiers a person's or company's properties state."""
        stated: list[tuple[str, Callable[..., Identifier], tuple[str, ...]]] = [
            (prop, make, (v,)) for prop, make in (("phone", ids.phone), ("email", ids.email),
                                                  ("address", ids.address))
            for v in e.get(prop)]
        stated += [(prop, ids.document, (v, prop)) for prop in DOCUMENT_PROPS[label]
                   for v in e.get(prop)]
        for prop, make, args in stated:
            if (i := self.identifier(e, prop, make, *args)) is not None:
                self.link("USES", e.id, i, e.id)
        for target in self.target(e, "addressEntity", ("Address",)):
            self.link("USES", e.id, target, e.id)

    def person(self, e: Entity) -> None:
        if e.id in self.victims:
            self.out.pseudonymized += 1
            kept = {k: e.get(k) for k in VICTIM_KEEPS if e.get(k)}
            name = pseudonym(e.id)
            masked = Entity(e.id, e.schema, e.line, {"name": [name], **kept})
            self.node(masked, "Person", {"caption": name, "name": name, "pseudonymous": True,
                                         "gender": masked.first("gender"),
                                         "nationality": countries_of(masked)})
            return
        names = person_names(e)
        keys = name_keys(*names)
        self.node(e, "Person", {
            "caption": names[0] if names else e.id, "name": names[0] if names else None,
            "aliases": names[1:], "birth_date": min(e.get("birthDate"), default=None),
            "nationality": countries_of(e), "gender": e.first("gender"), "name_keys": keys,
            "name_text": " ".join(keys), "pseudonymous": False})
        self.uses(e, "Person")

    def company(self, e: Entity) -> None:
        names = e.get("name") + [n for p in ("alias", "weakAlias", "previousName", "abbreviation")
                                 for n in e.get(p)]
        self.node(e, "Company", {"caption": names[0] if names else e.id,
                                 "name": names[0] if names else None, "aliases": names[1:],
                                 "jurisdiction": e.get("jurisdiction") + e.get("country")})
        self.uses(e, "Company")

    def case(self, e: Entity) -> None:
        e = self.victims_named(e, self.case_parties.get(e.id, ()))
        number = e.first("caseNumber")
        self.node(e, "Case", {
            "caption": f"case {number}" if number else (e.first("name") or e.id), "number": number,
            "name": e.first("name"), "article": e.first("category"), "court": e.first("court"),
            "region": e.first("region") if "region" in e.properties else None,
            "country": e.get("country"), "opened_on": e.first("fileDate"),
            "closed_on": e.first("closeDate"), "status": e.first("status")})

    def record_identifier(self, e: Entity, kind: str) -> str | None:
        """The identifier node an Address/BankAccount/Vehicle/UserAccount/Identification is."""
        if kind in HOLDERS and self.held_by_victims(e, HOLDERS[kind]):
            return None  # victims keep no identifier: held only by victims, it is left out
        if kind == "Identification":
            number = e.first("number") or e.first("passportNumber")
            if number is None:
                self.problem(e, "number", f"a {e.schema} needs a number")
                return None
            kind_name = e.first("type") or ("passport" if e.schema == "Passport" else "identification")
            return self.identifier(e, "number", lambda: ids.document(number, kind_name,
                                                                     e.first("country")))
        if kind == "Address":
            full = e.first("full") or ", ".join(
                v for p in ("street", "street2", "postalCode", "city", "region", "state", "country")
                for v in e.get(p)[:1])
            if not full:
                self.problem(e, "full", "an Address needs its full text or its parts")
                return None
            return self.identifier(e, "full", lambda: ids.address(full))
        if kind == "BankAccount":
            prop = "iban" if e.get("iban") else "accountNumber"
            return self.identifier(e, prop, lambda: ids.bank_account(e.first("iban"),
                                                                     e.first("accountNumber"))
                                   or ids.opaque("BankAccount", e.id, e.first("name") or e.id))
        if kind == "Vehicle":
            return self.identifier(e, "registrationNumber", lambda: (
                ids.plate(p) if (p := e.first("registrationNumber"))
                else ids.opaque("Vehicle", e.id, e.first("name") or e.first("model") or e.id)))
        # UserAccount
        return self.identifier(e, "username", lambda: ids.online_account(
            e.first("service"), e.first("username") or e.first("name"))
            or ids.opaque("OnlineAccount", e.id, e.first("name") or e.id))

    def record(self, e: Entity, kind: str) -> None:
        k = self.known.get(e.id)
        if k is None:
            if kind in HOLDERS and self.held_by_victims(e, HOLDERS[kind]):
                self.out.victim_documents_dropped += 1
                self.out.rows.withdrawn.append(e.id)  # an earlier statement of it goes too
            return
        kept = self.without_victims(e, HOLDERS.get(kind, ()))  # shared with a victim: not hers
        self.out.rows.records.append({"id": e.id, "target": k.node,
                                      "props": {"schema": e.schema, "ftm": kept.to_json()}})
        for prop in HOLDERS.get(kind, ()):  # its holders, owners, operators use it
            for holder in self.target(e, prop, PARTY):
                if holder not in self.victims:
                    self.link("USES", holder, k.node, e.id)
        if kind == "Identification":
            return
        for target in self.target(e, "addressEntity", ("Address",)):
            self.link("REGISTERED_AT", k.node, target, e.id)
        if kind == "UserAccount":
            for prop, make in (("phone", ids.phone), ("email", ids.email)):
                for v in e.get(prop):
                    if (i := self.identifier(e, prop, make, v)) is not None:
                        self.link("REGISTERED_AT", k.node, i, e.id)
