"""A drawing of the escalation graph, with Chinese role names.

Every report (and every fallback target of one) is its own arc: reports between the same two
roles bow out at different radii, so none hides another, and each arc is labelled with its
channel and the deadline the plan's requirements set for it. Written as PNG or SVG by the suffix.
"""

from __future__ import annotations

import math
import textwrap
from collections import defaultdict
from collections.abc import Mapping
from pathlib import Path

import matplotlib as mpl
import networkx as nx
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.patches import FancyArrowPatch
from matplotlib.transforms import Bbox

from drillsim.spec.errors import InputError
from drillsim.spec.graph import escalation_graph
from drillsim.spec.plan import DeadlineRequirement, Plan

from .fonts import use_cjk_font

KIND_COLOURS = {"staff": "#bbdefb", "office": "#ffe0b2", "agency": "#c8e6c9"}
FORMATS = (".png", ".svg")
DPI = 100
NODE_SIZE = 3600  # points², the area of a role's circle
NODE_RADIUS_PT = math.sqrt(NODE_SIZE / math.pi)
NAME_WIDTH = 6  # characters of a role's name per line inside its circle
EDGE_FONT = 7.0
LABEL_SPOTS = (0.5, 0.4, 0.6, 0.3, 0.7, 0.22, 0.78)  # where along its arc a label may go, best first


def edge_deadlines(plan: Plan, report: str, source: str, target: str, channel: str) -> list[str]:
    """The deadlines of the requirements that time this report reaching this target, tightest first."""
    found: dict[str, float] = {}
    for req in plan.requirements:
        sel = req.response if isinstance(req, DeadlineRequirement) else None
        if sel is None or sel.event not in ("sent", "received", "acknowledged"):
            continue
        if any(names is not None and value not in names for names, value in
               ((sel.what, report), (sel.actor, source), (sel.target, target), (sel.channel, channel))):
            continue
        rule = plan.deadline(req.within)
        text = rule.describe() if rule.calendar else f"{rule.minutes:g} min"
        found.setdefault(text, rule.minutes if rule.minutes is not None else math.inf)
    return sorted(found, key=lambda t: found[t])


def _radii(count: int) -> list[float]:
    """Arc radii for ``count`` edges between one pair of roles: bowed alternately to either side, each pair
    further out than the last, none straight (a straight edge may run behind a role drawn between)."""
    return [(0.1 + 0.2 * (i // 2)) * (1 if i % 2 == 0 else -1) for i in range(count)]


def escalation_figure(plan: Plan, observed: Mapping[str, str] | None = None, title: str | None = None) -> Figure:
    """The escalation graph: staff on the left, offices by their distance from the staff, agencies right.

    ``observed`` (edge key -> text) adds a line to an arc's label, e.g. what a drill observed on it;
    ``title`` replaces the title.
    """
    family = use_cjk_font()
    g = escalation_graph(plan)
    g.remove_nodes_from([n for n in list(g) if g.degree(n) == 0])
    staff = [n for n, d in g.nodes(data=True) if d["kind"] == "staff"]
    hops = nx.multi_source_dijkstra_path_length(g, staff) if staff else {}
    deepest = max([h for n, h in hops.items() if g.nodes[n]["kind"] == "office"], default=0)
    layers: dict[int, list[str]] = defaultdict(list)  # in the plan's order of roles, so the drawing is the same
    for node, data in g.nodes(data=True):
        layers[{"staff": 0, "agency": deepest + 1}.get(data["kind"], hops.get(node, deepest))].append(node)
    layout = nx.multipartite_layout(g, subset_key=dict(sorted(layers.items())), align="vertical")
    pos = {n: np.asarray(p, dtype=float) for n, p in layout.items()}
    fig = Figure(figsize=(13, 1.5 + 0.9 * max(4, len(g))), dpi=DPI)
    renderer = FigureCanvasAgg(fig).get_renderer()
    ax = fig.add_axes((0.01, 0.01, 0.98, 0.93))
    xs, ys = [p[0] for p in pos.values()] or [0.0], [p[1] for p in pos.values()] or [0.0]
    pad_x, pad_y = 0.08 * (max(xs) - min(xs) or 1), 0.08 * (max(ys) - min(ys) or 1)
    ax.set_xlim(min(xs) - pad_x, max(xs) + pad_x)
    ax.set_ylim(min(ys) - pad_y, max(ys) + pad_y)
    ax.axis("off")

    nodes = list(g)
    ax.scatter([pos[n][0] for n in nodes], [pos[n][1] for n in nodes], s=NODE_SIZE, zorder=2,
               c=[KIND_COLOURS[g.nodes[n]["kind"]] for n in nodes], edgecolors="#757575", linewidths=0.6)
    for n in nodes:
        name = g.nodes[n]["name"]
        lines = textwrap.wrap(name, math.ceil(len(name) / math.ceil(len(name) / NAME_WIDTH))) or [n]
        ax.text(*pos[n], "\n".join(lines), ha="center", va="center", fontsize=8, family=family, zorder=3)

    to_px = ax.transData.transform
    from_px = ax.transData.inverted().transform
    placed: list[Bbox] = [Bbox.from_bounds(*(to_px(pos[n]) - NODE_RADIUS_PT * DPI / 72),
                                           *(2 * [2 * NODE_RADIUS_PT * DPI / 72])) for n in nodes]
    label_font = FontProperties(family=family, size=EDGE_FONT)
    pairs: dict[frozenset[str], list[tuple[str, str, str, dict]]] = defaultdict(list)
    for u, v, key, d in g.edges(keys=True, data=True):
        pairs[frozenset((u, v))].append((u, v, key, d))
    for edges in pairs.values():
        first = min(edges[0][0], edges[0][1])
        for (u, v, key, d), rad in zip(edges, _radii(len(edges)), strict=True):
            rad = rad if u == first else -rad  # the same side whichever way the report goes
            fallback = d["fallback"] > 0
            arrow = FancyArrowPatch(pos[u], pos[v], connectionstyle=f"arc3,rad={rad}", arrowstyle="-|>",
                                    mutation_scale=12, shrinkA=NODE_RADIUS_PT + 1, shrinkB=NODE_RADIUS_PT + 2,
                                    color="#9e9e9e" if fallback else "#212121", lw=0.9,
                                    linestyle="--" if fallback else "-", zorder=2.5)  # over any role it passes
            gid = key.replace("#", ".fallback")  # an XML name: the SVG's id of the arc, "label." its label's
            arrow.set_gid(gid)
            ax.add_patch(arrow)
            text = plan.channels[d["channel"]].name
            deadlines = edge_deadlines(plan, d["report"], u, v, d["channel"])
            if deadlines:
                text += " ≤" + " / ".join(deadlines)
            if fallback:
                text += f" (fallback {d['fallback']})"
            if observed and key in observed:
                text += "\n" + observed[key]
            # the arc is a quadratic Bézier in display space: ends a, b, control point c
            a, b = to_px(pos[u]), to_px(pos[v])
            c = (a + b) / 2 + rad * np.array([b[1] - a[1], a[0] - b[0]])
            sizes = [renderer.get_text_width_height_descent(line, label_font, ismath=False)
                     for line in text.split("\n")]
            w, h = max(size[0] for size in sizes), sum(size[1] for size in sizes) * (1.2 if len(sizes) > 1 else 1)
            spot = None
            for t in LABEL_SPOTS:
                centre = (1 - t) ** 2 * a + 2 * t * (1 - t) * c + t ** 2 * b
                box = Bbox.from_bounds(centre[0] - w / 2 - 2, centre[1] - h / 2 - 2, w + 4, h + 4)
                if spot is None:
                    spot = (centre, box)
                if not any(box.overlaps(other) for other in placed):
                    spot = (centre, box)
                    break
            placed.append(spot[1])
            ax.text(*from_px(spot[0]), text, ha="center", va="center", fontsize=EDGE_FONT, family=family,
                    color="#616161" if fallback else "#212121", zorder=4, gid=f"label.{gid}",
                    bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.85})
    ax.set_title(title or f"{plan.title} — 报告关系 (escalation graph: one arc per report, labelled with its channel "
                 "and deadline; dashed: fallback)", fontsize=10)
    return fig


def plot_escalation_graph(plan: Plan, path: str | Path, argument: str = "--out") -> Path:
    """Draw the escalation graph to ``path``, PNG or SVG by its suffix; ``argument`` names the path in errors."""
    path = Path(path)
    kind = path.suffix.lower()
    if kind not in FORMATS:
        raise InputError(argument, f"{str(path)!r} ends in {path.suffix or 'no suffix'}; the drawing is written "
                                   f"as {' or '.join(FORMATS)}, chosen by the suffix")
    fig = escalation_figure(plan)
    with mpl.rc_context({"svg.hashsalt": "drillsim"}):  # the same ids, so the same bytes, on every run
        fig.savefig(path, format=kind[1:], dpi=DPI, metadata={"Date": None} if kind == ".svg" else None)
    return path
