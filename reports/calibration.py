"""What ``drillsim calibrate`` writes: the overlay (``params.yaml``), the results (``calibration.json``),
the memo with the parameters and the requirements before and after (``summary.md``) and the PIT
histograms before and after (``pit.png``, ``pit.svg``), in English or Chinese (``reports.i18n``)."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import yaml
from matplotlib.figure import Figure

from drillsim.spec.yamlio import significant

from .fonts import use_cjk_font
from .i18n import N_, Translator

if TYPE_CHECKING:
    from drillsim.calibration import CalibrationResult

BINS = 10
BEFORE, AFTER = "#9e9e9e", "#2e7d32"


def plot_pit(result: CalibrationResult, tr: Translator, path: Path) -> list[Path]:
    """The PIT histograms at the defaults and calibrated, with the level a uniform one would have."""
    use_cjk_font()
    fig = Figure(figsize=(10, 4.5))
    axes = fig.subplots(1, 2, sharey=True)
    n = len(result.pit_before)
    for ax, pit, colour, title in ((axes[0], result.pit_before, BEFORE, N_("defaults")),
                                   (axes[1], result.pit_after, AFTER, N_("calibrated"))):
        ax.hist(pit, bins=BINS, range=(0, 1), color=colour, edgecolor="white")
        ax.axhline(n / BINS, color="#c62828", ls=":", lw=1, label=tr(N_("uniform")))
        ax.set_title(tr(N_("{what}: Kolmogorov–Smirnov p = {p}")).format(
            what=tr(title), p=tr.number(result.ks(pit), 3)))
        ax.set_xlabel(tr(N_("percentile of the drill's latency in the simulated distribution")))
        ax.grid(alpha=0.3)
    axes[0].set_ylabel(tr(N_("observations")))
    axes[1].legend(fontsize=8)
    fig.tight_layout()
    svg = path.with_suffix(".svg")
    fig.savefig(path, dpi=100)
    fig.savefig(svg, metadata={"Date": None})
    return [path, svg]


def _text(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _minutes(x: float, tr: Translator) -> str:
    return "-" if not math.isfinite(x) else tr.number(x, 2)


def memo(result: CalibrationResult, tr: Translator) -> str:
    """The parameters fitted, and each observed requirement's latency before and after."""
    drills = {o.drill for o in result.observations}
    censored = sum(o.censored for o in result.observations)
    heading = tr(N_("Calibration from the drill history"))
    lines = [f"# {heading}: {result.plan}", "",
             tr(N_("Drills used: {drills}. Latencies observed: {observations}, of which {censored} not done by the "
                   "end of the drill (right-censored). Replications: {reps} at each point, {spent} in all.")).format(
                 drills=len(drills), observations=len(result.observations), censored=censored,
                 reps=result.options.reps, spent=f"{result.reps_run:,}")]
    if not result.options.censoring:
        lines += ["", tr(N_("The drills not done by their end were DROPPED (a naive fit, for comparison)."))]
    if result.skipped:
        lines += ["", tr(N_("Drills not used:"))]
        lines += [f"- {s['exercise']} ({s['date']}): {s['why']}" for s in result.skipped]
    head = [tr(N_("parameter")), tr(N_("default")), tr(N_("calibrated")), tr(N_("multiplier (95% interval)")),
            tr(N_("requirements"))]
    lines += ["", "| " + " | ".join(head) + " |", "|---|---|---|---|---|"]
    for p in result.parameters:
        lo, hi = p.interval
        default = _text(significant(p.factor.base.to_data()))
        lines.append(f"| {p.factor.label[tr.lang]} | {default} | {_text(p.value())} | "
                     f"{tr.number(p.multiplier, 2)} ({tr.number(lo, 2)}–{tr.number(hi, 2)}) | "
                     f"{', '.join(p.requirements)} |")
    if result.unexercised:
        lines += ["", tr(N_("Not fitted (no observed latency depends on them): {names}.")).format(
            names=", ".join(f.label[tr.lang] for f in result.unexercised))]
    head = [tr(N_("requirement")), tr(N_("drills")), tr(N_("not done by the end")),
            tr(N_("observed median (done only)")), tr(N_("simulated median, defaults")),
            tr(N_("simulated median, calibrated"))]
    lines += ["", "| " + " | ".join(head) + " |", "|---|---|---|---|---|---|"]
    groups: dict[tuple[str, str], list] = {}
    for o in result.observations:
        groups.setdefault((o.scenario or "", o.requirement), []).append(o)
    for (sid, req), group in sorted(groups.items()):
        done = [(o.low + o.high) / 2 for o in group if not o.censored]
        medians = [float(np.median(done)) if done else math.nan, result.before.median(sid, req),
                   result.after.median(sid, req)]
        lines.append(f"| {req} | {len(group)} | {sum(o.censored for o in group)} | "
                     + " | ".join(_minutes(m, tr) for m in medians) + " |")
    lines += ["", tr(N_("Latencies in minutes. Run with the calibrated values: --params {file}.")).format(
        file="params.yaml")]
    return "\n".join(lines) + "\n"


def write_calibration(result: CalibrationResult, out: Path, lang: str = "en") -> dict[str, Path]:
    tr = Translator(lang)
    out.mkdir(parents=True, exist_ok=True)
    overlay = result.overlay()
    params = out / "params.yaml"
    params.write_text(yaml.safe_dump(overlay, allow_unicode=True, sort_keys=False), encoding="utf-8")
    data = {**overlay["provenance"], "plan": result.plan, "set": overlay["set"], "rounds": result.rounds,
            "observations": [{"drill": o.drill, "scenario": o.scenario, "requirement": o.requirement,
                              "low_min": o.low, "high_min": None if o.censored else o.high}
                             for o in result.observations],
            "pit": {"before": [round(float(u), 4) for u in result.pit_before],
                    "after": [round(float(u), 4) for u in result.pit_after]}}
    results = out / "calibration.json"
    results.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    png, svg = plot_pit(result, tr, out / "pit.png")
    summary = out / "summary.md"
    summary.write_text(memo(result, tr), encoding="utf-8")
    return {"params": params, "json": results, "plot": png, "plot_svg": svg, "summary": summary}
