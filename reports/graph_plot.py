"""A drawing of the escalation graph, with Chinese role names."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
from matplotlib.figure import Figure

from drillsim.sim.graph import escalation_graph
from drillsim.sim.plan import Plan

from .fonts import use_cjk_font

KIND_COLOURS = {"staff": "#bbdefb", "office": "#ffe0b2", "agency": "#c8e6c9"}


def plot_escalation_graph(plan: Plan, path: str | Path) -> Path:
    family = use_cjk_font()
    g = escalation_graph(plan)
    g.remove_nodes_from([n for n in list(g) if g.degree(n) == 0])
    # columns: staff first, then each office by how many reports away from the staff it is, agencies last
    staff = [n for n, d in g.nodes(data=True) if d["kind"] == "staff"]
    hops = nx.multi_source_dijkstra_path_length(g, staff) if staff else {}
    deepest = max([h for n, h in hops.items() if g.nodes[n]["kind"] == "office"], default=0)
    for node, data in g.nodes(data=True):
        data["layer"] = {"staff": 0, "agency": deepest + 1}.get(data["kind"], hops.get(node, deepest))
    pos = nx.multipartite_layout(g, subset_key="layer", align="vertical")
    fig = Figure(figsize=(12, 1 + 0.7 * max(4, len(g))))
    ax = fig.subplots()
    nx.draw_networkx_nodes(g, pos, ax=ax, node_size=2600,
                           node_color=[KIND_COLOURS[d["kind"]] for _, d in g.nodes(data=True)])
    nx.draw_networkx_labels(g, pos, {n: d["name"] for n, d in g.nodes(data=True)}, ax=ax, font_size=8,
                            font_family=family)
    primary = [(u, v) for u, v, d in g.edges(data=True) if d["fallback"] == 0]
    fallback = [(u, v) for u, v, d in g.edges(data=True) if d["fallback"] > 0]
    nx.draw_networkx_edges(g, pos, primary, ax=ax, arrows=True, node_size=2600, connectionstyle="arc3,rad=0.08")
    nx.draw_networkx_edges(g, pos, fallback, ax=ax, arrows=True, node_size=2600, style="dashed",
                           edge_color="#9e9e9e", connectionstyle="arc3,rad=0.2")
    labels = {(u, v): plan.channels[d["channel"]].name for u, v, d in g.edges(data=True) if d["fallback"] == 0}
    nx.draw_networkx_edge_labels(g, pos, labels, ax=ax, font_size=7, font_family=family)
    ax.set_title(f"{plan.title} — 报告关系 (escalation graph; dashed: fallback)", fontsize=10)
    ax.axis("off")
    fig.tight_layout()
    path = Path(path)
    fig.savefig(path, dpi=100)
    return path
