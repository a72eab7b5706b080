"""The design search's front, table and memo, in English or Chinese (``reports.i18n``).

Colours mean good and bad: a design that meets the target is green, one eliminated red, one left
open, undecided or not pursued (dearer than the chosen) grey; the target is a red dotted line and the
chosen design a star. The front (cost against the weakest requirement's P(met)) is a green line.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from matplotlib.figure import Figure

from .fonts import use_cjk_font
from .i18n import N_, Translator

BAD, NEUTRAL, GOOD = "#c62828", "#9e9e9e", "#2e7d32"
COLOURS = {"meets": GOOD, "fails": BAD}
STATUS = {"meets": N_("meets the target"), "fails": N_("eliminated"), "open": N_("open (budget spent)"),
          "undecided": N_("undecided at the most replications"), "dearer": N_("dearer than the chosen")}


def plot_front(data: dict[str, Any], tr: Translator, path: Path) -> list[Path]:
    """The cost of every design against its compliance (the weakest target requirement's P(met), with
    its interval), the front joined; written as ``path`` (PNG) and beside it as SVG."""
    use_cjk_font()
    fig = Figure(figsize=(10, 6))
    ax = fig.subplots()
    rows = [r for r in data["designs"] if r["compliance"] is not None]
    for status in STATUS:
        mine = [r for r in rows if r["status"] == status]
        if not mine:
            continue
        colour = COLOURS.get(status, NEUTRAL)
        ax.errorbar([r["cost"] for r in mine], [r["compliance"] for r in mine],
                    yerr=[[r["compliance"] - r["compliance_ci95"][0] for r in mine],
                          [r["compliance_ci95"][1] - r["compliance"] for r in mine]],
                    fmt="o", color=colour, ecolor=colour, alpha=0.8, capsize=2, label=tr(STATUS[status]))
    front = sorted((r for r in rows if r["pareto"]), key=lambda r: r["cost"])
    ax.plot([r["cost"] for r in front], [r["compliance"] for r in front], "-", color=GOOD, lw=1.2,
            label=tr(N_("Pareto front")))
    for r in front:
        ax.annotate(r["name"], (r["cost"], r["compliance"]), fontsize=7, xytext=(4, -10), textcoords="offset points")
    ax.axhline(data["target"]["probability"], color=BAD, ls=":", lw=1, label=tr(N_("target")))
    chosen = data["chosen"]
    if chosen is not None:
        ax.plot([chosen["cost"]], [chosen["compliance"]], "*", color=GOOD, ms=18, mec="#212121",
                label=tr(N_("chosen: the cheapest that meets the target")))
    ax.set_xlabel(tr(N_("cost")))
    ax.set_ylabel(tr(N_("P(met) of the weakest target requirement (Wilson interval)")))
    ax.set_ylim(-0.02, 1.02)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    svg = path.with_suffix(".svg")
    fig.savefig(path, dpi=100)
    fig.savefig(svg, metadata={"Date": None})
    return [path, svg]


def write_table(data: dict[str, Any], path: Path) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["design", "name", "cost", "status", "replications", "compliance", "ci_low", "ci_high",
                    "weakest_scenario", "weakest_requirement", "pareto"])
        for r in data["designs"]:
            ci = r["compliance_ci95"] or [None, None]
            weak = r["weakest"] or {"scenario": None, "requirement": None}
            w.writerow([r["design"], r["name"], r["cost"], r["status"], r["replications"], r["compliance"], *ci,
                        weak["scenario"], weak["requirement"], r["pareto"]])
    return path


def memo(data: dict[str, Any], tr: Translator) -> str:
    """The answer and how sure it is, in a few lines."""
    t, reps, sure = data["target"], data["replications"], data["sure"]
    heading = tr(N_("Design search"))
    lines = [f"# {heading}: {data['title']}", "",
             tr(N_("Target: {ids} each met with probability at least {p} at the lower end of its {c} interval, in "
                   "{scenarios}.")).format(ids=", ".join(t["requirements"]), p=tr.percent(t["probability"]),
                                           c=tr.percent(t["confidence"]), scenarios=", ".join(data["scenarios"])),
             ""]
    chosen = data["chosen"]
    if chosen is None:
        lines.append(tr(N_("No design of the space was shown to meet the target.")))
    else:
        lo, hi = chosen["compliance_ci95"]
        lines.append(tr(N_("The cheapest design that meets the target: {name} (cost {cost}). Its weakest requirement, "
                           "{requirement} in {scenario}, is met in {p} of {n} runs (interval {lo} to {hi}).")).format(
            name=chosen["name"], cost=tr.number(chosen["cost"], 2), requirement=chosen["weakest"]["requirement"],
            scenario=chosen["weakest"]["scenario"], p=tr.percent(chosen["compliance"]), n=chosen["replications"],
            lo=tr.percent(lo), hi=tr.percent(hi)))
    by = ", ".join(tr(N_("{designs} at {reps} replications")).format(designs=k, reps=r)
                   for r, k in sure["eliminated_at_replications"].items())
    sentence = (N_("Of the {cheaper} cheaper designs, {eliminated} were eliminated ({by}) and {open} left undecided.")
                if chosen is not None else
                N_("Of the {cheaper} designs, {eliminated} were eliminated ({by}) and {open} left undecided."))
    lines += ["", tr(sentence).format(cheaper=sure["cheaper_designs"], eliminated=sure["eliminated"],
                                              by=by or "-", open=sure["cheaper_not_decided"]),
              tr(N_("Replications spent: {spent} of a budget of {budget} ({every} to run every design at the most "
                    "replications).")).format(spent=f"{reps['spent']:,}", budget=f"{reps['budget']:,}",
                                              every=f"{reps['every_design_at_most']:,}")]
    if sure["budget_ran_out"]:
        lines.append(tr(N_("The budget ran out before every cheaper design was decided.")))
    columns = [tr(N_("design")), tr(N_("cost")), tr(N_("verdict")), tr(N_("replications")), tr(N_("weakest P(met)"))]
    lines += ["", "| " + " | ".join(columns) + " |", "|---|---|---|---|---|"]
    for r in data["designs"]:
        q = "-" if r["compliance"] is None else (
            f"{tr.percent(r['compliance'])} ({tr.percent(r['compliance_ci95'][0])}–"
            f"{tr.percent(r['compliance_ci95'][1])}) {r['weakest']['requirement']}")
        star = " ★" if chosen is not None and r["design"] == chosen["design"] else ""
        lines.append(f"| {r['name']}{star} | {tr.number(r['cost'], 2)} | {tr(STATUS[r['status']])} | "
                     f"{r['replications']} | {q} |")
    return "\n".join(lines) + "\n"


def write_design_report(data: dict[str, Any], out: Path, lang: str = "en") -> dict[str, Path]:
    """Write the table (``designs.csv``), the front (``pareto.png``, ``pareto.svg``) and the memo (``summary.md``)."""
    tr = Translator(lang)
    png, svg = plot_front(data, tr, out / "pareto.png")
    summary = out / "summary.md"
    summary.write_text(memo(data, tr), encoding="utf-8")
    return {"table": write_table(data, out / "designs.csv"), "plot": png, "plot_svg": svg, "summary": summary}
