"""Reports of many replications, in English or Chinese: how each requirement's runs split into met,
late, missed and violated with intervals, the capability ratings across runs, the runs capped by a
critical failure, and latency percentiles against the deadlines (words from reports/i18n.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from drillsim.scoring.outcomes import Outcome
from drillsim.scoring.rating import RATINGS
from drillsim.spec.plan import DeadlineRequirement, Plan

from .fonts import cjk_family, use_cjk_font
from .i18n import N_, OUTCOMES, Translator
from .i18n import RATINGS as RATING_WORDS
from .templating import render

COLOURS = {
    Outcome.MET: "#2e7d32", Outcome.LATE: "#ffa000", Outcome.INCOMPLETE: "#e57373", Outcome.MISSED: "#c62828",
    Outcome.VIOLATED: "#8e0000", Outcome.NOT_APPLICABLE: "#bdbdbd", Outcome.PENDING: "#e0e0e0",
    Outcome.NOT_EVALUATED: "#9e9e9e",
}
"""Good and bad: green met, amber late, reds for the failures, greys where nothing was judged."""
SPLIT = (Outcome.MET, Outcome.LATE, Outcome.INCOMPLETE, Outcome.MISSED, Outcome.VIOLATED, Outcome.NOT_APPLICABLE,
         Outcome.PENDING, Outcome.NOT_EVALUATED)
"""The order of the outcomes in the split of a requirement's runs, good to bad, then the unjudged."""
ALWAYS = (Outcome.MET, Outcome.LATE, Outcome.MISSED, Outcome.VIOLATED)
"""Outcomes the split always shows; the others only where some run had them."""
RATING_COLOURS = {"P": "#2e7d32", "S": "#7cb342", "M": "#ffa000", "U": "#c62828"}
CRITICAL = "★"

SPLIT_AXIS = N_("share of the {reps} replications (bar: 95% interval of the share met); {mark}: critical requirement")
LATENCY_AXIS = N_("latency (minutes, log scale): ● median, bar to p90, | p95, x p99; ◆ the deadline (minutes)")
MINUTES = N_("{minutes} min")


def plan_name(title: str, lang: str) -> str:
    """A title from the plan in a language: as the plan writes it (``中文 (English)``) in English, its
    Chinese in Chinese."""
    return title.split(" (")[0] if lang == "zh" else title


def _short(r: dict[str, Any]) -> str:
    """A requirement's label on a plot: its id, the critical mark, and its Chinese name."""
    return f"{r['id']}{' ' + CRITICAL if r['critical'] else ''} {r['title'].split(' (')[0]}"


def shown_outcomes(summary: dict[str, Any]) -> list[Outcome]:
    """The outcomes of the split, in its order: those always shown, and any other some run had."""
    had = {o for r in summary["requirements"] for o, n in r["outcomes"].items() if n}
    return [o for o in SPLIT if o in ALWAYS or o.value in had]


def split_figure(summary: dict[str, Any], tr: Translator) -> Figure:
    """A stacked bar per requirement: the share of the runs met, late, missed, violated (and the
    rest), coloured good to bad, with the 95 % interval of the share met; critical ones marked ★."""
    use_cjk_font()
    reqs = summary["requirements"]
    fig = Figure(figsize=(10, 0.35 * len(reqs) + 2.0))
    ax = fig.subplots()
    y = np.arange(len(reqs))
    left = np.zeros(len(reqs))
    outcomes = shown_outcomes(summary)
    for outcome in outcomes:  # the segments some run had: a bar of no width costs as much to draw as any
        share = np.array([(r["split"].get(outcome.value) or {}).get("share") or 0.0 for r in reqs])
        had = share > 0
        ax.barh(y[had], share[had], left=left[had], color=COLOURS[outcome], label=tr(OUTCOMES[outcome]),
                edgecolor="white", linewidth=0.5)
        left += share
    met = [(i, r["split"]["met"]) for i, r in enumerate(reqs) if r["applicable"]]
    if met:
        p = np.array([m["share"] for _, m in met])
        lo, hi = (np.array([m["ci95"][k] for _, m in met]) for k in (0, 1))
        ax.errorbar(p, [i for i, _ in met], xerr=[p - lo, hi - p], fmt="none", ecolor="#212121", capsize=3)
    ax.set_yticks(y, [_short(r) for r in reqs], fontsize=8)
    ax.set_ylim(len(reqs) - 0.5, -0.5)
    ax.set_xlim(0, 1)
    ax.xaxis.set_major_formatter(lambda x, _: tr.percent(x))
    ax.set_xlabel(tr(SPLIT_AXIS).format(reps=tr.number(summary["reps"], 0), mark=CRITICAL))
    ax.legend(handles=[Patch(color=COLOURS[o], label=tr(OUTCOMES[o])) for o in outcomes], loc="lower center",
              bbox_to_anchor=(0.5, 1.0), ncol=len(outcomes), fontsize=8, frameon=False)
    fig.tight_layout()
    return fig


def plot_compliance(plan: Plan, summary: dict[str, Any], path: Path, tr: Translator | None = None) -> Path:
    """Draw the split of each requirement's runs (:func:`split_figure`) to ``path``."""
    split_figure(summary, tr or Translator("en")).savefig(path, dpi=100)
    return path


def plot_latencies(plan: Plan, summary: dict[str, Any], path: Path, tr: Translator | None = None) -> Path | None:
    """Draw the latency percentiles against the deadlines to ``path``; None when no deadline has a latency."""
    fig = latency_figure(plan, summary, tr)
    if fig is None:
        return None
    fig.savefig(path, dpi=100)
    return path


def latency_figure(plan: Plan, summary: dict[str, Any], tr: Translator | None = None) -> Figure | None:
    """Latency percentiles of each deadline requirement, with its deadline marked and written in minutes."""
    tr = tr or Translator("en")
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
            ax.plot(rule.minutes, i, "d", color="#424242")
            ax.annotate(tr(MINUTES).format(minutes=f"{rule.minutes:g}"), (rule.minutes, i), xytext=(0, 5),
                        textcoords="offset points", ha="center", va="bottom", fontsize=7, color="#424242")
            shown.append(rule.minutes)
    # room on both sides of the log axis for the outermost markers and the deadline labels
    positive = [v for v in shown if v > 0]
    ax.set_xscale("log")
    if positive:
        lo, hi = np.log10(min(positive)), np.log10(max(positive))
        pad = 0.08 * max(hi - lo, 1.0)
        ax.set_xlim(10 ** (lo - pad), 10 ** (hi + pad))
    ax.set_yticks(range(len(reqs)), [_short(r) for r in reqs], fontsize=8)
    ax.set_ylim(len(reqs) - 0.4, -0.7)
    ax.set_xlabel(tr(LATENCY_AXIS))
    ax.grid(axis="x", alpha=0.3)
    fig.tight_layout()
    return fig


def _share(tr: Translator, entry: dict[str, Any] | None) -> str:
    """A share of runs with its 95 % interval: ``42.0% (39.1–45.0%)``; empty without runs."""
    if not entry or entry["share"] is None:
        return ""
    lo, hi = entry["ci95"]
    return f"{tr.percent(entry['share'], 1)} ({tr.percent(lo, 1)}–{tr.percent(hi, 1)})"


def many_html(plan: Plan, summary: dict[str, Any], tr: Translator, plots: dict[str, str]) -> str:
    """The report's page; ``plots`` names the images beside it (``compliance``, and ``latency`` if drawn)."""
    outcomes = shown_outcomes(summary)
    return render(
        "many.html.j2", _=tr, tr=tr, plan=plan, s=summary, plots=plots, font=cjk_family(),
        outcomes=[(o.value, tr(OUTCOMES[o]), COLOURS[o]) for o in outcomes],
        ratings=[(k, tr(RATING_WORDS[k]), RATING_COLOURS[k]) for k in RATINGS],
        title=lambda text: plan_name(text, tr.lang), share=lambda e: _share(tr, e), critical=CRITICAL,
    )


TABLE_TITLE = N_("{reps} replications — how the runs of each requirement split (met: with its 95% interval)")
TABLE_COLUMNS = (N_("id"), N_("requirement"), N_("median (min)"), N_("p90 (min)"))
RATINGS_TITLE = N_("Capability ratings across the runs")
SCORE_LINE = N_("score: mean {mean}, median {median}, p90 {p90}")
CAPPED_LINE = N_("capped at {cap} by a failed critical requirement: {share}, {runs} of {reps} runs")


def print_many(summary: dict[str, Any], plan: Plan, console: Any, lang: str = "en") -> None:
    """The terminal's tables of many runs (a rich ``console``): each requirement's split and latencies,
    the capability ratings across runs, the score and the runs capped by a critical failure."""
    from rich.table import Table

    tr = Translator(lang)
    reps = tr.number(summary["reps"], 0)
    table = Table(title=tr(TABLE_TITLE).format(reps=reps))
    outcomes = shown_outcomes(summary)
    columns = [tr(c) for c in TABLE_COLUMNS]
    for col in (*columns[:2], *(tr(OUTCOMES[o]) for o in outcomes), *columns[2:]):
        table.add_column(col, overflow="fold")
    for r in summary["requirements"]:
        split = [(r["split"].get(o.value) or {}) for o in outcomes]
        shares = [tr.percent(e.get("share")) for e in split]
        if r["applicable"]:  # the share met with its interval, as narrow as a terminal needs it
            lo, hi = split[0]["ci95"]
            shares[0] += f" ({tr.number(100 * lo, 0)}–{tr.percent(hi)})"
        lat = r["latency_min"]
        table.add_row(r["id"] + (f" {CRITICAL}" if r["critical"] else ""), r["title"].split(" (")[0], *shares,
                      *(tr.number(lat[k], 1) for k in ("median", "p90")))
    console.print(table)
    ratings = Table(title=tr(RATINGS_TITLE))
    for col in (tr.gettext("Capability"), *RATINGS, tr.gettext("not rated")):
        ratings.add_column(col, overflow="fold")
    for c in summary["capabilities"]:
        ratings.add_row(f"{c['name']} ({c['id']})", *(tr.percent(c["ratings"][k]["share"]) for k in RATINGS),
                        tr.number(c["not_rated"], 0))
    console.print(ratings)
    s, capped = summary["score"], summary["capped_by_critical_failure"]
    console.print(tr(SCORE_LINE).format(mean=tr.number(s["mean"]), median=tr.number(s["median"]),
                                        p90=tr.number(s["p90"])), highlight=False, markup=False)
    console.print(tr(CAPPED_LINE).format(cap=tr.number(plan.scoring.critical_cap), share=_share(tr, capped),
                                         runs=tr.number(capped["runs"], 0), reps=reps), highlight=False, markup=False)


def write_many_report(plan: Plan, summary: dict[str, Any], out: Path, lang: str = "en") -> dict[str, Path]:
    """Write the report of many runs into ``out`` in ``lang`` (``en`` or ``zh``): ``report.html`` and its plots."""
    tr = Translator(lang)
    made = {"compliance": plot_compliance(plan, summary, out / "compliance.png", tr)}
    latency = plot_latencies(plan, summary, out / "latency.png", tr)
    if latency is not None:
        made["latency"] = latency
    page = out / "report.html"
    page.write_text(many_html(plan, summary, tr, {k: v.name for k, v in made.items()}), encoding="utf-8")
    return {**made, "report": page}
