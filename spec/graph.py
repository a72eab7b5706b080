"""The plan's escalation graph as a networkx graph, for analysis and drawing.

Nodes are roles (attributes: ``name``, ``kind``, ``count``, ``presence``, ``reachable``). Each
escalation edge becomes an edge ``from -> to`` keyed by its id (``id#1``, ``id#2`` … for the fallbacks;
attributes: ``channel``, ``report``, ``fallback`` = 0 for the primary target, 1, 2 … for the fallbacks
in order, ``when``).
"""

from __future__ import annotations

import networkx as nx

from .plan import Plan


def escalation_graph(plan: Plan) -> nx.MultiDiGraph:
    g = nx.MultiDiGraph(plan=plan.id)
    for rid, role in plan.roles.items():
        g.add_node(rid, name=role.name, kind=role.kind, count=role.count, presence=role.presence,
                   reachable=role.reachable)
    for rep in plan.escalation:
        for rank, target in enumerate((rep.to, *rep.fallback)):
            g.add_edge(rep.from_, target, key=f"{rep.id}#{rank}" if rank else rep.id, report=rep.id,
                       channel=rep.channel, fallback=rank, when=rep.when or "")
    return g

