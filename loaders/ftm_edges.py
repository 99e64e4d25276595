"""FtM edge entities to relationships (loaders/ftm_map.py): CourtCaseParty by role, Associate,
Family, Employment, Membership, Payment (with the accounts it names), UnknownLink, Ownership."""

from __future__ import annotations

from typing import Any

from loaders.ftm_mapcore import MapperCore
from loaders.ftm_read import Entity
from loaders.ftm_rules import EDGE_PROPS, EDGES, LINKABLE, PARTY, amount_of, role_of


class EdgeMapper(MapperCore):
    def edge_row(self, e: Entity, rel: str, source: str, target: str,
                 extra: dict[str, Any] | None = None) -> None:
        e = self.victims_named(e, (source, target))
        held = e.properties
        props: dict[str, Any] = {p: held[p][0] for p in EDGE_PROPS if held.get(p)}
        props.update({k: v for k, v in (extra or {}).items() if v is not None})
        props["schema"] = e.schema
        props["ftm"] = e.to_json()
        self.out.rows.edges.append({"id": e.id, "type": rel, "from": source, "to": target,
                                    "props": props})

    def _ends(self, e: Entity, src: str, dst: str, src_ok: tuple[str, ...],
              dst_ok: tuple[str, ...]) -> tuple[str, str] | None:
        sources, targets = e.get(src), e.get(dst)
        for prop, refs in ((src, sources), (dst, targets)):
            if not refs:
                self.problem(e, prop, f"a {e.schema} needs its {prop}")
        a, b = self.target(e, src, src_ok), self.target(e, dst, dst_ok)
        if len(sources) > 1 or len(targets) > 1:
            self.problem(e, src if len(sources) > 1 else dst, "names more than one entity")
            return None
        return (a[0], b[0]) if a and b else None

    def party(self, e: Entity) -> None:
        rel = role_of(e)
        if rel is None:
            self.problem(e, "role", f"role {', '.join(e.get('role')) or '(none)'} is not one of suspect, "
                                    "victim, witness (or accused, defendant, injured party)")
            return
        ends = self._ends(e, "party", "case", PARTY, ("Case",))
        if ends:
            self.edge_row(e, rel, *ends)

    def edge(self, e: Entity, kind: str) -> None:
        src, dst, rel, src_ok, dst_ok = EDGES[kind]
        ends = self._ends(e, src, dst, src_ok, dst_ok)
        if ends is None:
            return
        extra: dict[str, Any] = {}
        if kind == "Payment":
            amount, currency = amount_of(e)
            extra = {"amount": amount, "currency": currency}
            victims_side = []
            for prop, party in (("payerAccount", ends[0]), ("beneficiaryAccount", ends[1])):
                for account in self.target(e, prop, ("BankAccount",)):
                    if party not in self.victims:
                        self.link("USES", party, account, e.id)
                if party in self.victims:
                    victims_side.append(prop)
            if victims_side:  # a victim's account is not kept with her payment either
                e = Entity(e.id, e.schema, e.line, {k: v for k, v in e.properties.items()
                                                    if k not in victims_side})
        self.edge_row(e, rel, *ends, extra)

    def unknown_link(self, e: Entity) -> None:
        ends = self._ends(e, "subject", "object", LINKABLE, LINKABLE)
        if ends:
            self.edge_row(e, "LINKED_TO", *ends)

    def ownership(self, e: Entity) -> None:
        owners = self.target(e, "owner", PARTY)
        assets = self.target(e, "asset", ("Company", "BankAccount", "Vehicle", "OnlineAccount"))
        if not e.get("owner") or not e.get("asset"):
            self.problem(e, "owner" if not e.get("owner") else "asset", "an Ownership needs "
                                                                        "owner and asset")
            return
        if not owners or not assets:
            return
        label = self.known[e.get("asset")[0]].label
        if label == "Company":
            self.edge_row(e, "OWNS", owners[0], assets[0])
            return
        if owners[0] in self.victims:  # an account or vehicle of a victim's: not kept
            self.out.victim_documents_dropped += 1
            self.out.rows.withdrawn.append(e.id)
            return
        self.out.rows.records.append({"id": e.id, "target": assets[0],
                                      "props": {"schema": e.schema, "ftm": e.to_json()}})
        if owners[0] not in self.victims:
            self.link("USES", owners[0], assets[0], e.id)
