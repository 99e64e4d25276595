"""Tracing linked suspects: which suspects of other cases this case's suspects reach (through
shared identifiers, direct links and confirmed same-person links, never through a case), how
two entities are connected, and an entity's neighborhood for a visual explorer.

Hop counts are relationships: a shared phone is two hops (person - phone - person). Bounds:
maxHops 1..4 for linkedSuspects, 1..6 for connection, depth 1..3 for neighborhood; results are
capped. A node with more than SUPER_DEGREE relationships (a bus station address, a hotline
number) is never expanded: traces report it instead. linkedSuspects and connection let Neo4j
search (one statement; only the paths found come back); neighborhood searches breadth first,
one query per hop, and stops at its limit of nodes. Every path comes with a plain-language
reason (`explain_path`, pure)."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from graph.db import Database
from graph.exceptions import BadInput, NotFound
from graph.investigation_types import (
    CaseRef,
    Connection,
    LinkedSuspect,
    LinkedSuspects,
    Neighborhood,
    SuperNode,
    TraceEdge,
    TraceNode,
    TracePath,
)

SUPER_DEGREE = int(os.environ.get("REFERRALNET_SUPER_NODE_DEGREE", "100"))
MAX_LINKED_HOPS, MAX_CONNECTION_HOPS, MAX_DEPTH = 4, 6, 3
MAX_RESULTS, MAX_PATHS, MAX_NEIGHBORHOOD = 200, 50, 2000
ROWS_PER_RESULT = 4  # paths a linkedSuspects search brings back per suspect asked for

KIND_WORDS = {"Phone": "phone", "Email": "email", "Address": "address",
              "BankAccount": "bank account", "Vehicle": "vehicle", "IdDocument": "document",
              "OnlineAccount": "online account"}
PARTIES = frozenset({"Person", "Company"})
_ROLE_WORD = {"SUSPECT_IN": "a suspect", "VICTIM_IN": "a victim", "WITNESS_IN": "a witness"}


def bounded(name: str, value: int, low: int, high: int) -> int:
    if not low <= value <= high:
        raise BadInput(f"{name} must be between {low} and {high}", field=name)
    return value


def named(n: TraceNode) -> str:
    """How a node is named in a sentence: 'phone +7 701 555 1234', 'Dana Nurova', 'case 2023-017'."""
    word = KIND_WORDS.get(n.label)
    if word is None:
        return n.caption
    return f"{word} {n.caption}"


def _money(e: TraceEdge) -> str:
    if e.amount is None:
        return ""
    amount = f"{e.amount:,.0f}" if e.amount == int(e.amount) else f"{e.amount:,.2f}"
    return f" {amount} {e.currency or ''}".rstrip() + (f" on {e.date}" if e.date else "")


def _step(e: TraceEdge, frm: TraceNode, to: TraceNode) -> str:
    forward = e.source == frm.id
    t = named(to)
    match e.type:
        case "USES":
            return f"uses {t}" if forward else f"used by {t}"
        case "REGISTERED_AT":
            return f"registered at {t}" if forward else f"where {t} is registered"
        case "ASSOCIATE_OF":
            return f"is an associate of {t}"
        case "FAMILY_OF":
            return f"is family ({e.role}) of {t}" if e.role else f"is family of {t}"
        case "EMPLOYED_BY":
            return f"works for {t}" if forward else f"employs {t}"
        case "MEMBER_OF_ORG":
            return f"is a member of {t}" if forward else f"has as a member {t}"
        case "OWNS":
            return f"owns {t}" if forward else f"is owned by {t}"
        case "PAID":
            return f"paid {t}{_money(e)}" if forward else f"was paid{_money(e)} by {t}"
        case "SAME_AS":
            return f"is confirmed to be the same person as {t}"
        case "SUSPECT_IN" | "VICTIM_IN" | "WITNESS_IN":
            role = _ROLE_WORD[e.type]
            return f"is {role} in {t}" if forward else f"which has {t} as {role}"
        case _:
            return f"is linked{f' ({e.role})' if e.role else ''} to {t}"


def explain_path(path: TracePath, cases: Sequence[CaseRef] = (),
                 victim_cases: Sequence[CaseRef] = ()) -> str:
    """'Жанибек Келекеев shares phone +7 701 555 1234 with Dzhanibek Kelekeyev, suspect in
    case 2023-031' (', victim in case 2022-004' when the end is a victim in a case too). A party
    sharing an identifier with the next party is told as one step."""
    nodes, edges = path.nodes, path.edges
    parts = [nodes[0].caption]
    i = 0
    while i < len(edges):
        frm, mid = nodes[i], nodes[i + 1]
        who = "who " if i > 0 and frm.label in PARTIES else ""
        if (i + 1 < len(edges) and edges[i].type == edges[i + 1].type == "USES"
                and frm.label in PARTIES and mid.label in KIND_WORDS
                and nodes[i + 2].label in PARTIES):
            parts.append(f"{who}shares {named(mid)} with {nodes[i + 2].caption}")
            i += 2
            continue
        parts.append(who + _step(edges[i], frm, mid))
        i += 1
    text = parts[0] + " " + ", ".join(parts[1:]) if len(parts) > 1 else parts[0]
    for role, refs in (("suspect", cases), ("victim", victim_cases)):
        if refs:
            text += f", {role} in {_case_words(refs)}"
    return text


def _case_words(cases: Sequence[CaseRef]) -> str:
    """'case 2023-031', 'cases 2023-031, 2024-002'."""
    return f"case{'s' if len(cases) > 1 else ''} " + ", ".join(c.number or c.id for c in cases)


def _path(row: dict[str, Any]) -> TracePath:
    return TracePath(tuple(TraceNode.of(n, SUPER_DEGREE) for n in row["nodes"]),
                     tuple(TraceEdge.of(r) for r in row["rels"]))


def _cases(rows: list[dict[str, Any]]) -> tuple[CaseRef, ...]:
    return tuple(sorted((CaseRef(c["id"], c.get("number")) for c in rows),
                        key=lambda c: (c.number or "", c.id)))


def _node_of(v: list[Any]) -> TraceNode:
    """A node as explore_expand lists it: [id, caption, pseudonymous, label, degree]."""
    degree = int(v[4] or 0)
    # id, label, caption, degree, pseudonymous, super_node (positional, as in _edge_of)
    return TraceNode(v[0], v[3], v[1] or v[0], degree, bool(v[2]), degree > SUPER_DEGREE)


def _edge_of(v: list[Any]) -> TraceEdge:
    """An edge as explore_expand and edges_among list it: [type, source, target, id] and, with
    details, [role, amount, currency, date, status]."""
    if len(v) == 4:  # positional: a frozen dataclass is built a good deal faster so
        return TraceEdge(v[0], v[1], v[2], v[3])
    return TraceEdge(v[0], v[1], v[2], v[3], v[4] or None,
                     float(v[5]) if v[5] is not None else None, v[6], v[7], v[8])


@dataclass
class _Search:
    """A breadth-first search from `starts`, one query per hop, within a budget of nodes (the
    first time a node is reached is by a shortest path: kept as its parent and edge, the edge as
    explore_expand lists it, made a TraceEdge only if asked for). Without `details`, edges carry
    only their type, ends and id."""

    starts: list[TraceNode]
    statement: str
    budget: int
    details: bool = True
    nodes: dict[str, TraceNode] = field(default_factory=dict)
    parent: dict[str, tuple[str, list[Any]] | None] = field(default_factory=dict)
    supers: dict[str, str] = field(default_factory=dict)  # super-node id -> a start it came from
    truncated: bool = False

    def origin(self, node_id: str) -> str:
        while (step := self.parent.get(node_id)) is not None:
            node_id = step[0]
        return node_id

    async def run(self, db: Database, hops: int) -> None:
        for s in self.starts:
            self.nodes[s.id], self.parent[s.id] = s, None
        frontier = [s.id for s in self.starts]
        for _ in range(hops):
            if not frontier:
                break
            cap = 3 * (self.budget - len(self.nodes)) + 50  # rows repeat nodes: some room
            got = await db.read_plain(self.statement, ids=frontier, seen=list(self.nodes),
                                      limit=cap, details=self.details)
            steps: list[list[Any]] = got[0]["steps"] if got else []
            self.truncated = len(steps) >= cap
            frontier = []
            for source, node_row, edge_row in steps:
                if node_row[0] in self.nodes:
                    continue
                if len(self.nodes) >= self.budget:
                    self.truncated = True
                    break
                node = _node_of(node_row)
                self.nodes[node.id] = node
                self.parent[node.id] = (source, edge_row)
                if node.super_node:
                    self.supers[node.id] = self.origin(source)
                else:
                    frontier.append(node.id)
            if self.truncated:
                break


async def linked_suspects(db: Database, case_id: str, max_hops: int = 3,
                          limit: int = 50) -> LinkedSuspects:
    """Suspects of other cases reachable from this case's suspects, nearest first."""
    bounded("maxHops", max_hops, 1, MAX_LINKED_HOPS)
    bounded("limit", limit, 1, MAX_RESULTS)
    cap = ROWS_PER_RESULT * limit  # paths, nearest first: suspects and super-nodes reached
    # the case and the search, side by side (the search finds nothing for an unknown case)
    cases_read, search = await asyncio.gather(
        db.read_plain("case_with_parties", case_id=case_id),
        db.read_plain(f"linked_suspects_h{max_hops}", case_id=case_id,
                      super_degree=SUPER_DEGREE, rows=cap + 1))
    if not cases_read:
        raise NotFound(f"no case with id {case_id!r}")
    case = cases_read[0]
    found: dict[str, LinkedSuspect] = {}
    for p in case["parties"]:
        if p["role"] == "SUSPECT" and p["cases"]:  # a suspect of this case and of others
            node = TraceNode.of(p["node"], SUPER_DEGREE)
            cases, victim = _cases(p["cases"]), _cases(p.get("victim_cases") or [])
            found[node.id] = LinkedSuspect(
                node, cases, TracePath((node,), ()),
                f"{node.caption} is also a suspect in {_case_words(cases)}"
                + (f", and a victim in {_case_words(victim)}" if victim else ""), victim)
    rows: list[dict[str, Any]] = search[0]["paths"] if search else []
    supers: dict[str, SuperNode] = {}
    shortest: dict[str, dict[str, Any]] = {}  # per suspect reached, its shortest row
    for row in rows[:cap]:
        if row["kind"] == "SUPER":  # a super-node's row holds only its end node
            if row["end"] not in supers:
                supers[row["end"]] = SuperNode(TraceNode.of(row["nodes"][-1], SUPER_DEGREE),
                                               row["start"])
        elif row["end"] not in found and (row["end"] not in shortest
                                          or len(shortest[row["end"]]["rels"]) > len(row["rels"])):
            shortest[row["end"]] = row
    # paths and reasons are built only for the suspects that are kept
    ranked = sorted(found.values(), key=lambda s: (s.suspect.caption, s.suspect.id))[:limit]
    for row in sorted(shortest.values(), key=_rank)[:limit - len(ranked)]:
        path, cases = _path(row), _cases(row["cases"])
        victim = _cases(row.get("victim_cases") or [])
        ranked.append(LinkedSuspect(path.nodes[-1], cases, path,
                                    explain_path(path, cases, victim), victim))
    return LinkedSuspects(case_id, max_hops, ranked,
                          sorted(supers.values(), key=lambda s: (-s.node.degree, s.node.id)),
                          truncated=len(found) + len(shortest) > limit or len(rows) > cap)


def _rank(row: dict[str, Any]) -> tuple[int, str, str]:
    """Nearest first, then by name, as a suspect's TraceNode is sorted."""
    end = row["nodes"][-1]
    return len(row["rels"]), end.get("caption") or end["id"], end["id"]


async def node_by_id(db: Database, entity_id: str) -> TraceNode:
    row = await db.read_one("entity_by_any_id", id=entity_id)
    if row is None:
        raise NotFound(f"no case, party or identifier with id {entity_id!r}")
    return TraceNode.of(row["node"], SUPER_DEGREE)


async def connection(db: Database, from_id: str, to_id: str, max_hops: int = 4,
                     limit: int = 10) -> Connection:
    """The shortest paths (up to `limit`) between two entities, every hop named."""
    bounded("maxHops", max_hops, 1, MAX_CONNECTION_HOPS)
    bounded("limit", limit, 1, MAX_PATHS)
    a, b = await node_by_id(db, from_id), await node_by_id(db, to_id)
    if a.id == b.id:
        raise BadInput("fromId and toId name the same entity", field="toId")
    rows = await db.read(f"connection_h{max_hops}", from_id=a.id, to_id=b.id,
                         super_degree=SUPER_DEGREE, limit=limit + 1)
    paths = [_path(r) for r in rows[:limit]]
    return Connection(a, b, max_hops, [(p, explain_path(p)) for p in paths],
                      truncated=len(rows) > limit)


async def neighborhood(db: Database, entity_id: str, depth: int = 1, limit: int = 200,
                       details: bool = True) -> Neighborhood:
    """The entity, its nearest `limit` nodes within `depth` hops (breadth first; super-nodes
    shown, not expanded) and every edge among them. Without `details` (a caller that shows only
    who is linked to whom), edges carry only their type, ends and id."""
    bounded("depth", depth, 1, MAX_DEPTH)
    bounded("limit", limit, 1, MAX_NEIGHBORHOOD)
    center = await node_by_id(db, entity_id)
    search = _Search([center], "explore_expand", limit + 1, details)
    await search.run(db, depth)
    nodes = list(search.nodes.values())
    ids = [n.id for n in nodes]
    expand = [n.id for n in nodes if not n.super_node] or [center.id]
    # edges by (type, source, target, id), the first four items of an edge row
    edges: dict[tuple[str, str, str, str | None], TraceEdge] = {}
    got = await db.read_plain("edges_among", ids=ids, expand=expand, details=details)
    for row in got[0]["edges"] if got else []:
        key = (row[0], row[1], row[2], row[3])
        if key not in edges:
            edges[key] = _edge_of(row)
    for n in nodes:  # the edges that reached a super-node, when both ends are super-nodes
        step = search.parent.get(n.id)
        if step is not None:
            row = step[1]
            key = (row[0], row[1], row[2], row[3])
            if key not in edges:
                edges[key] = _edge_of(row)
    return Neighborhood(center, depth, nodes, list(edges.values()), truncated=search.truncated)
