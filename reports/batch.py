"""Reports of many replications: compliance with intervals, latency percentiles against deadlines."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.figure import Figure

from drillsim.spec.plan import DeadlineRequirement, Plan

from .fonts import use_cjk_font
from .templating import render


def plot_compliance(plan: Plan, summary: dict[str, Any], path: Path) -> Path:
    use_cjk_font()
    reqs = [r for r in summary["requirements"] if r["p_met"] is not None]
    fig = Figure(figsize=(10, 0.35 * len(reqs) + 1.5))
    ax = fig.subplots()
    y = np.arange(len(reqs))
    p = np.array([r["p_met"] for r in reqs])
    lo = np.array([r["p_met_ci95"][0] for r in reqs])
    hi = np.array([r["p_met_ci95"][1] for r in reqs])
    ax.barh(y, p, color=["#c62828" if r["critical"] else "#1565c0" for r in reqs], alpha=0.8)
    ax.errorbar(p, y, xerr=[p - lo, hi - p], fmt="none", ecolor="#212121", capsize=3)
    ax.set_yticks(y, [f"{r['id']} {r['title'].split(' (')[0]}" for r in reqs], fontsize=8)
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    ax.set_xlabel(f"probability met (95% Wilson interval), {summary['reps']} replications; red: critical")
    ax.grid(axis="x", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    return path


def plot_latencies(plan: Plan, summary: dict[str, Any], path: Path) -> Path | None:
    """Draw the latency percentiles against the deadlines to ``path``; None when no deadline has a latency."""
    fig = latency_figure(plan, summary)
    if fig is None:
        return None
    fig.savefig(path, dpi=100)
    return path


def latency_figure(plan: Plan, summary: dict[str, Any]) -> Figure | None:
    """Latency percentiles of each deadline requirement, with its deadline marked and written in minutes."""
    use_cjk_font()
    deadlines = {r.id: r for r in plan.requirements if isinstance(r, DeadlineRequirement)}
    reqs = [r for r in summary["requirements"] if r["id"] in deadlines and r["latency_min"]["n"]]
    if not reqs:
        return None
    fig = Figure(figsize=(10, 0.4 * len(reqs) + 1.5))
    ax = fig.subplots()
    shown = []
    for i, r in enumerate(reqs):
        lat = r["latency_min"]
        ax.plot([lat["median"], lat["p99"]], [i, i], color="#9e9e9e", lw=1)
        ax.plot([lat["median"], lat["p90"]], [i, i], color="#1565c0", lw=4)
        for key, marker in (("median", "o"), ("p95", "|"), ("p99", "x")):
            ax.plot(lat[key], i, marker, color="#1565c0")
        shown += [lat[k] for k in ("median", "p90", "p95", "p99")]
        rule = plan.deadline(deadlines[r["id"]].within)
        if not rule.calendar:
            ax.plot(rule.minutes, i, "d", color="#c62828")
            ax.annotate(f"{rule.minutes:g} min", (rule.minutes, i), xytext=(0, 5), textcoords="offset points",
                        ha="center", va="bottom", fontsize=7, color="#c62828")
            shown.append(rule.minutes)
    # room on both sides of the log axis for the outermost markers and the deadline labels
    positive = [v for v in shown if v > 0]
    ax.set_xscale("log")
    if positive:
        lo, hi = np.log10(min(positive)), np.log10(max(positive))
        pad = 0.08 * max(hi - lo, 1.0)
        ax.set_xlim(10 ** (lo - pad), 10 ** (hi + pad))
    ax.set_yticks(range(len(reqs)), [f"{r['id']} {r['title'].split(' (')[0]}" for r in reqs], fontsize=8)
    ax.set_ylim(len(reqs) - 0.4, -0.7)
    ax.set_xlabel("latency (minutes, log scale): ● median, bar to p90, | p95, x p99; ◆ the deadline (minutes)")
    ax.grid(axis="x", alpha=0.3)
    fig.tight_layout()
    return fig


def write_many_report(plan: Plan, summary: dict[str, Any], out: Path) -> dict[str, Path]:
    made = {"compliance": plot_compliance(plan, summary, out / "compliance.png")}
    latency = plot_latencies(plan, summary, out / "latency.png")
    if latency is not None:
        made["latency"] = latency
    page = out / "report.html"
    page.write_text(render("many.html.j2", plan=plan, s=summary, plots={k: v.name for k, v in made.items()}),
                    encoding="utf-8")
    return {**made, "report": page}
