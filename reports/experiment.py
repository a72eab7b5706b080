"""The report of an experiment: compliance by configuration with intervals, latencies side by side,
the ranking and the paired differences against the baseline."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.figure import Figure

from drillsim.spec.plan import DeadlineRequirement, Plan

from .fonts import use_cjk_font
from .templating import render

MAX_PANELS = 6


def _varying(comparison: dict[str, Any]) -> list[str]:
    """The :data:`MAX_PANELS` requirements whose P(met) differs most between configurations, widest spread first."""
    configs = comparison["configurations"]
    spread = {}
    for j, req in enumerate(next(iter(configs.values()))["requirements"]):
        ps = [c["requirements"][j]["p_met"] for c in configs.values() if c["requirements"][j]["p_met"] is not None]
        if ps:
            spread[req["id"]] = max(ps) - min(ps)
    return sorted(spread, key=lambda rid: -spread[rid])[:MAX_PANELS]


def plot_compliance_by_configuration(plan: Plan, comparison: dict[str, Any], path: Path) -> Path:
    use_cjk_font()
    names = list(comparison["configurations"])
    shown = _varying(comparison)
    fig = Figure(figsize=(11, 2.2 * len(shown) + 1))
    axes = np.atleast_1d(fig.subplots(len(shown), 1, sharex=True))
    titles = {r.id: r.title.split(" (")[0] for r in plan.requirements}
    for ax, rid in zip(axes, shown, strict=True):
        ps, los, his = [], [], []
        for n in names:
            req = next(r for r in comparison["configurations"][n]["requirements"] if r["id"] == rid)
            p = req["p_met"] if req["p_met"] is not None else np.nan
            lo, hi = req["p_met_ci95"] or (np.nan, np.nan)
            ps.append(p)
            los.append(p - lo)
            his.append(hi - p)
        x = np.arange(len(names))
        ax.errorbar(x, ps, yerr=[los, his], fmt="o", capsize=4, color="#1565c0")
        ax.set_ylim(0, 1.02)
        ax.set_ylabel("P(met)", fontsize=8)
        ax.set_title(f"{rid} {titles[rid]}", fontsize=9, loc="left")
        ax.grid(alpha=0.3)
    axes[-1].set_xticks(range(len(names)), names, rotation=25, ha="right", fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    return path


def plot_latency_by_configuration(plan: Plan, comparison: dict[str, Any], latencies: dict[str, np.ndarray],
                                  path: Path) -> Path | None:
    use_cjk_font()
    names = list(comparison["configurations"])
    ids = [r.id for r in plan.requirements]
    deadline_ids = [r.id for r in plan.requirements if isinstance(r, DeadlineRequirement)]
    shown = [rid for rid in _varying(comparison) if rid in deadline_ids][:4]
    if not shown:
        return None
    fig = Figure(figsize=(11, 2.6 * len(shown) + 1))
    axes = np.atleast_1d(fig.subplots(len(shown), 1, sharex=True))
    for ax, rid in zip(axes, shown, strict=True):
        j = ids.index(rid)
        data = [latencies[n][:, j][~np.isnan(latencies[n][:, j])] for n in names]
        ax.boxplot([d if len(d) else [np.nan] for d in data], whis=(5, 95), showfliers=False)
        req = next(r for r in plan.requirements if r.id == rid)
        rule = plan.deadline(req.within)
        if not rule.calendar:
            ax.axhline(rule.minutes, color="#c62828", lw=1, ls="--")
            ax.annotate(f"deadline {rule.minutes:g} min", (1, rule.minutes), xycoords=("axes fraction", "data"),
                        xytext=(-4, 3), textcoords="offset points", ha="right", va="bottom", fontsize=7,
                        color="#c62828", bbox={"fc": "white", "ec": "none", "alpha": 0.8, "pad": 1})
        ax.set_ylabel("latency (min)", fontsize=8)
        ax.set_title(f"{rid} {req.title.split(' (')[0]} — latency, minutes (box: quartiles; whiskers: 5–95 %; "
                     "dashed: deadline)", fontsize=9, loc="left")
        ax.grid(alpha=0.3)
    axes[-1].set_xticks(range(1, len(names) + 1), names, rotation=25, ha="right", fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    return path


def write_experiment_report(plan: Plan, comparison: dict[str, Any], latencies: dict[str, np.ndarray],
                            out: Path) -> dict[str, Path]:
    made = {"compliance": plot_compliance_by_configuration(plan, comparison, out / "compliance.png")}
    latency = plot_latency_by_configuration(plan, comparison, latencies, out / "latency.png")
    if latency is not None:
        made["latency"] = latency
    titles = {r.id: r.title for r in plan.requirements}
    page = out / "report.html"
    html = render("experiment.html.j2", c=comparison, titles=titles, plots={k: v.name for k, v in made.items()})
    page.write_text(html, encoding="utf-8")
    return {**made, "report": page}
