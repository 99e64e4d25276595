"""Key players of chosen cases: the suspect network (each suspect's parties within two hops
through identifiers and direct links) read from Neo4j, projected to people and companies, then
ranked by betweenness centrality and split into communities (networkx, Louvain with a fixed
seed). Parties that are not suspects and touch the network at one point only lie on no path
between suspects and are pruned first, so a suspect's many loose contacts do not make a broker."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import networkx as nx

from graph.db import Database
from graph.exceptions import BadInput, NotFound
from graph.investigation_types import CaseRef, KeyPlayer, KeyPlayers, TraceNode
from graph.tracing import SUPER_DEGREE

MAX_CASES = 50
MAX_ROWS = 20_000
SEED = 42


def build_graph(rows: list[dict[str, Any]], suspects: set[str]) -> nx.Graph:
    """The party graph: an edge per pair of parties linked directly or through an identifier."""
    g: nx.Graph = nx.Graph()
    g.add_nodes_from(suspects)
    for r in rows:
        a, b = r["source"], r["target"]
        if g.has_edge(a, b):
            g[a][b]["via"].add(r["via"])
        else:
            g.add_edge(a, b, via={r["via"]})
    pruned = True
    while pruned:
        loose = [n for n in g if n not in suspects and g.degree(n) <= 1]
        g.remove_nodes_from(loose)
        pruned = bool(loose)
    return g


def rank(g: nx.Graph) -> tuple[dict[str, float], list[list[str]]]:
    """Betweenness (normalized) of every node, and communities, largest first."""
    if g.number_of_nodes() == 0:
        return {}, []
    between: dict[str, float] = nx.betweenness_centrality(g, normalized=True)
    groups = nx.community.louvain_communities(g, seed=SEED)
    communities = sorted((sorted(c) for c in groups), key=lambda c: (-len(c), c[0]))
    return between, communities


async def key_players(db: Database, case_ids: list[str], limit: int = 20) -> KeyPlayers:
    ids = list(dict.fromkeys(case_ids))
    if not 1 <= len(ids) <= MAX_CASES:
        raise BadInput(f"give 1 to {MAX_CASES} case ids", field="caseIds")
    if not 1 <= limit <= 200:
        raise BadInput("limit must be between 1 and 200", field="limit")
    suspects: set[str] = set()
    for cid in ids:
        case = await db.read_one("case_with_parties", case_id=cid)
        if case is None:
            raise NotFound(f"no case with id {cid!r}")
        suspects |= {p["node"]["id"] for p in case["parties"] if p["role"] == "SUSPECT"}
    rows = await db.read_plain("key_players_network", case_ids=ids, super_degree=SUPER_DEGREE,
                               rows=MAX_ROWS + 1)
    # the ranking is seconds of CPU over many cases: in a worker process (graph/offload.py)
    ranked = await db.cpu.run(ranked_players, rows[:MAX_ROWS], suspects, limit)
    info = {r["node"]["id"]: r for r in await db.read("entity_nodes", ids=ranked.order)}
    players = [KeyPlayer(node=TraceNode.of(info[n]["node"], SUPER_DEGREE),
                         betweenness=round(ranked.betweenness[n], 6), degree=ranked.degree[n],
                         community=ranked.community[n],
                         suspect_in=tuple(CaseRef(c["id"], c.get("number"))
                                          for c in info[n]["cases"]),
                         victim_in=tuple(sorted((CaseRef(c["id"], c.get("number"))
                                                 for c in info[n].get("victim_cases") or []),
                                                key=lambda c: (c.number or "", c.id))))
               for n in ranked.order if n in info]
    return KeyPlayers(tuple(ids), players, ranked.communities, ranked.nodes, ranked.edges,
                      truncated=len(rows) > MAX_ROWS)


@dataclass(frozen=True)
class Ranked:
    """The best `limit` nodes of the party graph, in order, with what an answer shows of them."""

    order: list[str]
    betweenness: dict[str, float]
    degree: dict[str, int]
    community: dict[str, int]
    communities: list[list[str]]
    nodes: int
    edges: int


def ranked_players(rows: list[dict[str, Any]], suspects: set[str], limit: int) -> Ranked:
    """build_graph and rank, then the first `limit` by betweenness, degree and id."""
    g = build_graph(rows, suspects)
    between, communities = rank(g)
    member = {n: i for i, c in enumerate(communities) for n in c}
    order = sorted(g.nodes, key=lambda n: (-between.get(n, 0.0), -g.degree(n), n))[:limit]
    return Ranked(order, {n: between.get(n, 0.0) for n in order},
                  {n: g.degree(n) for n in order}, {n: member.get(n, -1) for n in order},
                  communities, g.number_of_nodes(), g.number_of_edges())
