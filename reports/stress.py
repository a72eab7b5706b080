"""The stress test's charts, page and memo, in English or Chinese (``reports.i18n``).

Colours mean good and bad: a drop in compliance whose interval excludes 0 is red, one that may be
chance is grey; on the load curve each requirement has its own colour, its deadline a dotted line in
that colour, and a red line marks 50 % met; in the tornado, a change that adds deadline misses is
red, one that removes them green.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from matplotlib.figure import Figure

from .fonts import cjk_family, use_cjk_font
from .i18n import N_, Translator
from .templating import render

if TYPE_CHECKING:
    from drillsim.stress_runs import StressResult

BAD, NEUTRAL, GOOD = "#c62828", "#9e9e9e", "#2e7d32"
TOP_DROPS = 25
"""Pairs of (perturbation, requirement) the drop chart shows, worst first."""


def drops(result: StressResult) -> list[dict[str, Any]]:
    """Every (perturbation, requirement) with a measured change, worst drop first."""
    rows = [{"perturbation": p["id"], "family": p["family"], "label": p["label"], **r}
            for p in result.perturbations for r in p["requirements"] if r["change"] is not None]
    rows.sort(key=lambda r: (r["change"], not r["critical"]))
    return rows


def _significant(row: dict[str, Any]) -> bool:
    ci = row["change_ci95"]
    return ci is not None and ci[1] < 0


def weakest(result: StressResult, n: int = 3) -> list[dict[str, Any]]:
    """The design's ``n`` weakest points: the largest drops in a requirement's being met, worst first,
    each of another perturbation and another requirement than those before it."""
    by_id = {p["id"]: p for p in result.perturbations}
    out: list[dict[str, Any]] = []
    for row in drops(result):
        if len(out) == n or row["change"] >= 0:
            break
        if any(w["perturbation"]["id"] == row["perturbation"] or w["requirement"]["requirement"] == row["requirement"]
               for w in out):
            continue
        out.append({"perturbation": by_id[row["perturbation"]], "requirement": row})
    return out


def plot_drops(result: StressResult, tr: Translator, path: Path) -> Path | None:
    rows = [r for r in drops(result) if r["change"] < 0][:TOP_DROPS]
    if not rows:
        return None
    use_cjk_font()
    fig = Figure(figsize=(10, 0.32 * len(rows) + 1.6))
    ax = fig.subplots()
    y = np.arange(len(rows))
    change = np.array([r["change"] for r in rows])
    lo = np.array([r["change_ci95"][0] if r["change_ci95"] else r["change"] for r in rows])
    hi = np.array([r["change_ci95"][1] if r["change_ci95"] else r["change"] for r in rows])
    ax.barh(y, change, color=[BAD if _significant(r) else NEUTRAL for r in rows])
    ax.errorbar(change, y, xerr=[change - lo, hi - change], fmt="none", ecolor="#212121", capsize=3)
    ax.set_yticks(y, [f"{r['label'][tr.lang]} · {r['requirement']}{' ★' if r['critical'] else ''}" for r in rows],
                  fontsize=8)
    ax.invert_yaxis()
    ax.axvline(0, color="#212121", lw=0.8)
    ax.set_xlim(-1.05, max(0.05, float(hi.max()) + 0.05))
    ax.set_xlabel(tr(N_("change in the probability the requirement is met (paired, 95% interval); "
                        "red: the interval excludes 0; ★ critical")))
    ax.grid(axis="x", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    return path


def plot_load(result: StressResult, tr: Translator, path: Path) -> Path | None:
    rows = [r for r in result.load if any(p["p_met"] is not None for p in r["points"])]
    if not rows:
        return None
    use_cjk_font()
    fig = Figure(figsize=(11, 4.8))
    met_ax, lat_ax = fig.subplots(1, 2)
    for k, r in enumerate(rows):
        colour = f"C{k % 10}"
        pts = [p for p in r["points"] if p["p_met"] is not None]
        n = [p["branches"] for p in pts]
        met_ax.plot(n, [p["p_met"] for p in pts], "o-", color=colour, label=f"{r['requirement']} {r['title']}"[:40])
        met_ax.fill_between(n, [p["p_met_ci95"][0] for p in pts], [p["p_met_ci95"][1] for p in pts],
                            color=colour, alpha=0.15)
        lat = [p for p in r["points"] if p["latency_mean"] is not None and p["latency_mean_ci95"] is not None]
        if lat:
            x = [p["branches"] for p in lat]
            lat_ax.errorbar(x, [p["latency_mean"] for p in lat],
                            yerr=[[p["latency_mean"] - p["latency_mean_ci95"][0] for p in lat],
                                  [p["latency_mean_ci95"][1] - p["latency_mean"] for p in lat]],
                            fmt="o-", color=colour, capsize=3)
            if r["deadline_min"] is not None:
                lat_ax.axhline(r["deadline_min"], color=colour, ls=":", lw=1)
    for ax in (met_ax, lat_ax):
        ax.set_xscale("log")
        ax.set_xlabel(tr(N_("branches at once")))
        ax.grid(alpha=0.3)
    met_ax.set_ylim(-0.02, 1.02)
    met_ax.axhline(0.5, color=BAD, lw=0.8)
    met_ax.set_ylabel(tr(N_("probability met (95% Wilson interval)")))
    lat_ax.set_ylabel(tr(N_("latency of the worst branch, minutes (mean, 95% interval); dotted: deadline")))
    met_ax.legend(fontsize=7, loc="lower left")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    return path


def plot_tornado(result: StressResult, tr: Translator, path: Path) -> Path | None:
    rows = result.tornado
    if not rows:
        return None
    use_cjk_font()
    fig = Figure(figsize=(10, 0.4 * len(rows) + 1.6))
    ax = fig.subplots()
    y = np.arange(len(rows))
    for end, offset in (("low", -0.18), ("high", 0.18)):
        change = np.array([r[end]["change"] for r in rows])
        ax.barh(y + offset, change, height=0.34, color=[BAD if c > 0 else GOOD for c in change],
                alpha=0.85 if end == "high" else 0.55,
                label=tr(N_("×{factor} (longer)")).format(factor=rows[0]["high"]) if end == "high"
                else tr(N_("×{factor} (shorter)")).format(factor=rows[0]["low"]))
    ax.set_yticks(y, [r["label"][tr.lang] for r in rows], fontsize=8)
    ax.invert_yaxis()
    ax.axvline(0, color="#212121", lw=0.8)
    ax.set_xlabel(tr(N_("change in deadline misses per run against the drill as planned; red: more misses")))
    ax.legend(fontsize=8)
    ax.grid(axis="x", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    return path


def write_tables(result: StressResult, out: Path) -> dict[str, Path]:
    files = {}
    path = out / "perturbations.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["perturbation", "family", "requirement", "critical", "p_met", "baseline_p_met", "change",
                    "change_ci_low", "change_ci_high"])
        for r in drops(result):
            ci = r["change_ci95"] or [None, None]
            w.writerow([r["perturbation"], r["family"], r["requirement"], r["critical"], r["p_met"],
                        r["baseline_p_met"], r["change"], *ci])
    files["perturbations"] = path
    if result.load:
        path = out / "load.csv"
        with path.open("w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(["requirement", "branches", "p_met", "p_met_ci_low", "p_met_ci_high", "latency_mean",
                        "latency_p90", "deadline_min"])
            for r in result.load:
                for p in r["points"]:
                    ci = p["p_met_ci95"] or [None, None]
                    w.writerow([r["requirement"], p["branches"], p["p_met"], *ci, p["latency_mean"], p["latency_p90"],
                                r["deadline_min"]])
        files["load"] = path
    if result.tornado or result.sobol:
        path = out / "sensitivity.csv"
        with path.open("w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(["factor", "low_change", "high_change", "S1", "S1_ci95", "ST", "ST_ci95"])
            sobol = {s["factor"]: s for s in result.sobol}
            for r in result.tornado:
                s = sobol.get(r["factor"], {})
                w.writerow([r["factor"], r["low"]["change"], r["high"]["change"], s.get("S1"), s.get("S1_ci95"),
                            s.get("ST"), s.get("ST_ci95")])
        files["sensitivity"] = path
    return files


def memo(result: StressResult, tr: Translator) -> str:
    """A few lines a planner can paste into a memo: the design's three weakest points, with their numbers."""
    plan, sc = result.drill.plan, result.drill.scenario
    title, weakest_heading = tr(N_("Stress test")), tr(N_("The three weakest points"))
    lines = [f"# {title}: {plan.id} / {sc.title}", "",
             tr(N_("{reps} replications of each change, on common random numbers against the drill as planned "
                   "(seed {seed}).")).format(reps=result.options.reps, seed=result.options.seed), "",
             f"## {weakest_heading}", ""]
    weak = weakest(result)
    for k, w in enumerate(weak, 1):
        p, r = w["perturbation"], w["requirement"]
        ci = r["change_ci95"]
        lines.append(tr(N_("{k}. {change}: {requirement} ({title}) is met in {p_met} of runs instead of {baseline} "
                           "(change {drop}, 95% interval {low} to {high})")).format(
            k=k, change=p["label"][tr.lang], requirement=r["requirement"], title=r["title"],
            p_met=tr.percent(r["p_met"]), baseline=tr.percent(r["baseline_p_met"]),
            drop=tr(N_("{value} pp")).format(value=tr.number(100 * r["change"], 1)),
            low=tr.number(100 * ci[0], 1) if ci else "?", high=tr.number(100 * ci[1], 1) if ci else "?"))
    if not weak:
        lines.append(tr(N_("No change made any requirement less likely to be met.")))
    if result.load:
        heading = tr(N_("Load"))
        lines += ["", f"## {heading}", ""]
        broken = [r for r in result.load if r["breaks_at"] is not None and not r["fails_alone"]]
        if broken:
            first = min(broken, key=lambda r: r["breaks_at"])
            lines.append(tr(N_("With {n} branches at once, {requirement} ({title}) is met in under half the runs."))
                         .format(n=first["breaks_at"], requirement=first["requirement"], title=first["title"]))
        else:
            lines.append(tr(N_("Every report deadline met in half the runs at {fewest} branch(es) still is at {n} "
                               "branches at once.")).format(fewest=min(result.options.branches),
                                                            n=max(result.options.branches)))
        alone = [r["requirement"] for r in result.load if r["fails_alone"]]
        if alone:
            lines.append(tr(N_("Met in under half the runs even at {fewest} branch(es): {ids}.")).format(
                fewest=min(result.options.branches), ids=", ".join(alone)))
    if result.tornado:
        top = result.tornado[0]
        heading = tr(N_("Sensitivity"))
        lines += ["", f"## {heading}", "",
                  tr(N_("Deadline misses depend most on {factor}: twice as long adds {high} misses per run, half "
                        "as long {low}.")).format(factor=top["label"][tr.lang],
                                                  high=tr.number(top["high"]["change"], 2),
                                                  low=tr.number(top["low"]["change"], 2))]
    return "\n".join(lines) + "\n"


def write_stress_report(result: StressResult, out: Path, lang: str = "en") -> dict[str, Path]:
    """Write the charts, tables, page (``stress.html``) and memo (``summary.md``) into ``out``."""
    tr = Translator(lang)
    files = write_tables(result, out)
    plots = {}
    for key, draw in (("drops", plot_drops), ("load", plot_load), ("tornado", plot_tornado)):
        made = draw(result, tr, out / f"{key}.png")
        if made is not None:
            plots[key] = made.name
            files[f"{key}_plot"] = made
    summary = memo(result, tr)
    (out / "summary.md").write_text(summary, encoding="utf-8")
    files["summary"] = out / "summary.md"
    page = out / "stress.html"
    page.write_text(render("stress.html.j2", _=tr, tr=tr, r=result, plan=result.drill.plan,
                           scenario=result.drill.scenario, drops=[d for d in drops(result) if d["change"] < 0][:60],
                           significant=_significant, plots=plots, memo=summary.splitlines(), font=cjk_family()),
                    encoding="utf-8")
    files["report"] = page
    return files
