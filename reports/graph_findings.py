"""The findings of ``drillsim graph`` (``spec.graph_analysis``): a Markdown file, a JSON file, the
terminal's tables, and the folder that holds them with the drawing (docs/graph-analysis.md)."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from drillsim.spec.durations import format_minutes
from drillsim.spec.graph_analysis import Analysis, RequirementAnalysis

HEADINGS = {
    "impossible_deadline": "Deadlines that cannot be met even in the best case",
    "unreachable_requirement": "Requirements no chain of duties and reports can meet",
    "single_point_of_failure": "Single points of failure",
    "unreached_role": "Roles no trigger reaches",
    "fallback_nowhere": "Fallbacks that lead nowhere",
    "fallback_loop": "Fallbacks that loop back",
    "circular_escalation": "Circular escalation",
    "often_missed": "Met in under half the simulated runs",
    "channel_without_defaults": "Channels without default parameters",
}
STATUS = {"ok": "ok", "impossible": "IMPOSSIBLE", "unreachable": "UNREACHABLE",
          "independent": "no bound", "untriggered": "its trigger never comes"}
NO_BOUND = "no bound: the response can come without its trigger (from another cause, or before it)"
STATUS_STYLES = {"ok": "green", "impossible": "bold red", "unreachable": "bold red", "independent": "dim",
                 "untriggered": "yellow"}


def _minutes(value: float | None) -> str:
    return "" if value is None else format_minutes(value)


def _spofs(r: RequirementAnalysis) -> str:
    roles = [x for x in r.spof_roles if x not in r.named_roles]
    return ", ".join([*roles, *(f"{c} (channel)" for c in r.spof_channels)])


def _lines(analysis: Analysis) -> dict[str, list[str]]:
    """The findings' messages by kind, single points of failure grouped by role or channel."""
    by_kind: dict[str, list[str]] = defaultdict(list)
    spof: dict[str, list[str]] = defaultdict(list)
    for f in analysis.findings:
        if f["kind"] == "single_point_of_failure":
            what = (f"{f['role_name']} ({f['role']})" if "role" in f
                    else f"channel {f['channel_name']} ({f['channel']})")
            spof[what].append(f["requirement"])
        else:
            by_kind[f["kind"]].append(f["message"])
    by_kind["single_point_of_failure"] = [f"without {what}: {', '.join(ids)} cannot be met"
                                          for what, ids in spof.items()]
    return {k: by_kind[k] for k in HEADINGS if by_kind.get(k)}


def _route(path: dict[str, list]) -> str:
    steps = [f"{role} —{' / '.join(reports)}→" for role, reports in zip(path["roles"], path["reports"], strict=True)]
    return " ".join(steps) + " response"


def findings_markdown(analysis: Analysis) -> str:
    plan = analysis.plan
    sim = analysis.simulation
    out = [f"# {plan.title} ({plan.id}): escalation design", "",
           f"Best case: {analysis.to_data()['best_case_rule']}; plan defaults (docs/graph-analysis.md).", ""]
    lines = _lines(analysis)
    if not lines:
        out += ["No findings.", ""]
    for kind, messages in lines.items():
        out += [f"## {HEADINGS[kind]}", "", *(f"- {m}" for m in messages), ""]
    out += ["## Reporting requirements", "",
            "| id | deadline | best case | status | routes | single points of failure |"
            + (" P(met) |" if sim else ""),
            "|---|---|---|---|---|---|" + ("---|" if sim else "")]
    for r in analysis.requirements:
        p = "" if r.p_met is None else f"{r.p_met:.2f}"
        out.append(f"| {r.id} | {r.deadline_text} | {_minutes(r.best_case)} | {STATUS[r.status]} | {r.routes} | "
                   f"{_spofs(r)} |" + (f" {p} |" if sim else ""))
    out.append("")
    if any(r.status == "independent" for r in analysis.requirements):
        out += [NO_BOUND[0].upper() + NO_BOUND[1:] + ".", ""]
    for r in analysis.requirements:
        if r.chain:
            out += [f"### {r.id} {r.title}", "", "Best chain:", ""]
            out += [f"{i}. {s['task']} by {s['role_name']} ({s['role']}), on {s['started_on']}"
                    + (f" (held until {s['waited_for']})" if "waited_for" in s else "")
                    + f": {s['event']} at {_minutes(s['at_min'])}" for i, s in enumerate(r.chain, 1)]
            if r.paths:
                out += ["", "Routes (the roles a message passes, the reports between them):", "",
                        *(f"- {_route(p)}" for p in r.paths)]
            out.append("")
    if sim:
        out += [f"Simulated: scenario {sim['scenario']}, {sim['reps']} runs.", ""]
    return "\n".join(out)


def print_findings(analysis: Analysis, console: Console) -> None:
    table = Table(title=f"{analysis.plan.title} — reporting requirements, best case "
                        f"({analysis.to_data()['best_case_rule']})")
    sim = analysis.simulation
    for col in ("id", "deadline", "best case", "status", "routes", "single points of failure",
                *(("P(met)",) if sim else ())):
        table.add_column(col, overflow="fold")
    for r in analysis.requirements:
        style = STATUS_STYLES[r.status]
        table.add_row(escape(r.id), escape(r.deadline_text), _minutes(r.best_case),
                      f"[{style}]{escape(STATUS[r.status])}[/]", str(r.routes), escape(_spofs(r)),
                      *(("" if r.p_met is None else f"{r.p_met:.2f}",) if sim else ()))
    console.print(table)
    if any(r.status == "independent" for r in analysis.requirements):
        console.print(escape(NO_BOUND), style="dim")
    lines = _lines(analysis)
    if not lines:
        console.print("no findings", style="green")
    for kind, messages in lines.items():
        console.print(f"[bold]{escape(HEADINGS[kind])}[/]")
        for m in messages:
            console.print(f"  • {escape(m)}", highlight=False)


def write_folder(analysis: Analysis, out: Path) -> list[Path]:
    """Write ``escalation.png``, ``escalation.svg``, ``findings.md`` and ``findings.json`` into ``out``
    (made if need be), over the files of an earlier analysis; the paths written."""
    from .graph_plot import plot_escalation_graph

    out.mkdir(parents=True, exist_ok=True)
    md, js = out / "findings.md", out / "findings.json"
    md.write_text(findings_markdown(analysis), "utf-8")
    js.write_text(json.dumps(analysis.to_data(), ensure_ascii=False, indent=2) + "\n", "utf-8")
    return [plot_escalation_graph(analysis.plan, out / "escalation.png"),
            plot_escalation_graph(analysis.plan, out / "escalation.svg"), md, js]


def plans_section(analyses: list[Analysis]) -> str:
    """What the analysis finds on several plans, as Markdown: a table of counts, then each plan's findings
    as ``drillsim graph`` prints them (docs/graph-analysis.md lists the built-in plans so)."""
    kinds = ("impossible_deadline", "unreachable_requirement", "single_point_of_failure", "unreached_role",
             "fallback_nowhere", "fallback_loop", "circular_escalation")
    out = ["| plan | reporting requirements | bounded | no bound | " + " | ".join(HEADINGS[k].lower() for k in kinds)
           + " |", "|---|---|---|---|" + "---|" * len(kinds)]
    for a in analyses:
        counts = {k: sum(f["kind"] == k for f in a.findings) for k in kinds}
        bounded = sum(r.best_case is not None for r in a.requirements)
        out.append(f"| {a.plan.id} | {len(a.requirements)} | {bounded} | "
                   f"{sum(r.status == 'independent' for r in a.requirements)} | "
                   + " | ".join(str(counts[k]) for k in kinds) + " |")
    out.append("")
    for a in analyses:
        out += [f"### {a.plan.id}", "", f"{a.plan.title}.", ""]
        lines = _lines(a)
        if not lines:
            out += ["No findings.", ""]
        for kind, messages in lines.items():
            out += [f"{HEADINGS[kind]}:", "", *(f"- {m}" for m in messages), ""]
    return "\n".join(out)
