"""The trend plot of the drill history: the rating that stands per capability, drill after drill, per branch.

One panel per plan and capability; the x axis is the drill's date, one line per branch. A hollow
marker is a rating the evaluator set in place of the proposed one (the proposal is a grey cross).
The table it draws is :func:`drillsim.history.queries.capability_trends`.
"""

from __future__ import annotations

import math
from pathlib import Path

import matplotlib as mpl
import pandas as pd
from matplotlib.dates import AutoDateLocator, ConciseDateFormatter
from matplotlib.figure import Figure

from drillsim.scoring.rating import RATINGS
from drillsim.spec.errors import InputError

from .fonts import use_cjk_font

FORMATS = (".png", ".svg")
DPI = 100
COLUMNS = 3
LEVEL = {r: len(RATINGS) - 1 - i for i, r in enumerate(RATINGS)}  # U 0 … P 3: better is higher
COLOURS = mpl.colormaps["tab10"].colors


def capability_trend_figure(trends: pd.DataFrame) -> Figure:
    """The figure of a capability-trends table (one row per drill and capability)."""
    family = use_cjk_font()
    panels = list(dict.fromkeys(zip(trends["plan"], trends["capability"], strict=True)))
    branches = list(dict.fromkeys(trends["branch"]))
    rows = max(1, math.ceil(len(panels) / COLUMNS))
    fig = Figure(figsize=(4.4 * COLUMNS, 1.2 + 2.6 * rows), dpi=DPI, layout="constrained")
    axes = fig.subplots(rows, COLUMNS, squeeze=False, sharey=True).ravel()
    for ax in axes[len(panels):]:
        ax.set_axis_off()
    days = pd.to_datetime(trends["date"])
    for ax, (plan, capability) in zip(axes, panels, strict=False):
        mine = trends[(trends["plan"] == plan) & (trends["capability"] == capability)]
        for colour, branch in zip(COLOURS * (len(branches) // len(COLOURS) + 1), branches, strict=False):
            rows_of = mine[(mine["branch"] == branch) & mine["rating"].notna()]
            x, y = days[rows_of.index], rows_of["rating"].map(LEVEL)
            ax.plot(x, y, "-", color=colour, lw=1.2, label=branch or "—")
            given = rows_of["overridden"]
            ax.scatter(x[~given], y[~given], color=colour, s=36, zorder=3)
            ax.scatter(x[given], y[given], facecolors="white", edgecolors=colour, s=44, lw=1.5, zorder=3)
            changed = rows_of[given & rows_of["proposed"].notna()]
            ax.scatter(days[changed.index], changed["proposed"].map(LEVEL), marker="x", color="#9e9e9e", s=28,
                       zorder=2)
        ax.set_title(f"{mine['name'].iloc[0]} ({capability})" + (f" — {plan}" if trends["plan"].nunique() > 1
                                                                 else ""), fontsize=9, family=family)
        ax.set_yticks(list(LEVEL.values()), list(LEVEL))
        ax.set_ylim(-0.5, len(RATINGS) - 0.5)
        locator = AutoDateLocator(minticks=2, maxticks=6)
        ax.xaxis.set_major_locator(locator)
        ax.xaxis.set_major_formatter(ConciseDateFormatter(locator))
        ax.grid(axis="y", color="#eeeeee")
        ax.tick_params(labelsize=8)
    if branches:
        fig.legend(*axes[0].get_legend_handles_labels(), loc="outside lower center", ncols=min(6, len(branches)),
                   fontsize=8, title="branch (hollow: the evaluator's rating; ×: the one proposed)",
                   title_fontsize=8, prop={"family": family, "size": 8})
    title = trends["plan_title"].iloc[0] if trends["plan"].nunique() == 1 else "drills of several plans"
    fig.suptitle(f"{title} — ratings per capability, drill after drill (P best, U worst)", fontsize=10)
    return fig


def plot_capability_trends(trends: pd.DataFrame, path: str | Path, argument: str = "--plot") -> Path:
    """Draw the trends to ``path``, PNG or SVG by its suffix; ``argument`` names the path in errors."""
    path = Path(path)
    kind = path.suffix.lower()
    if kind not in FORMATS:
        raise InputError(argument, f"{str(path)!r} ends in {path.suffix or 'no suffix'}; the plot is written "
                                   f"as {' or '.join(FORMATS)}, chosen by the suffix")
    if trends.empty:
        raise InputError(argument, "there is nothing to draw: the history holds no drill with these filters")
    fig = capability_trend_figure(trends)
    with mpl.rc_context({"svg.hashsalt": "drillsim"}):
        fig.savefig(path, format=kind[1:], dpi=DPI, metadata={"Date": None} if kind == ".svg" else None)
    return path
