"""docs/plans.md: every built-in plan's requirements grouped by the seed clause they encode, and
the clauses each plan's own notes say were left out. Generated, so it cannot drift from the plans:
``python -m drillsim.reports.clauses > docs/plans.md`` (a test checks it is current)."""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

from drillsim.spec.catalog import builtin_plans, builtin_programmes
from drillsim.spec.plan import load_plan
from drillsim.spec.programme import load_programme

# The plans of ../shared/DOMAIN.md and the files that encode them.
SEED_PLANS = [
    ("P1", "district-financial-risk"), ("P2", "it-incident-grading"), ("P3", "counter-security"),
    ("P4", "branch-security"), ("P5", "robbery-variants"), ("P6", "service-incidents"),
    ("P7", "service-guideline"), ("P8", "customer-complaints"), ("P9", "power-outage"),
    ("P10", "cash-in-transit"), ("P11", "atm"), ("P12", "wealth-management"), ("—", "counter-robbery"),
]
LEFT_OUT = re.compile(r"^## .*(left out|could not be encoded|cannot express).*$", re.IGNORECASE | re.MULTILINE)


def left_out(notes: Path) -> str:
    """The plan notes' section on what was left out or could not be expressed."""
    if not notes.exists():
        return ""
    text = notes.read_text("utf-8")
    sections = []
    for m in LEFT_OUT.finditer(text):
        end = text.find("\n## ", m.end())
        body = text[m.end(): end if end >= 0 else None].strip()
        sections.append(f"**{m.group(0)[3:].strip()}**\n\n{body}")
    return "\n\n".join(sections)


def cell(text: str) -> str:
    """Text for one table cell: on one line, with its pipes escaped."""
    return " ".join(text.split()).replace("|", "\\|")


def markdown(docs: Path) -> str:
    plans = builtin_plans()
    out = [
        "# The seed plans, clause by clause",
        "",
        "Generated from the plan files by `python -m drillsim.reports.clauses`; do not edit by hand.",
        "Each plan's notes (docs/plans/<plan>.md) explain its encoding, its choices and its scenarios.",
        "",
        "| plan | file | title | requirements |",
        "|---|---|---|---|",
    ]
    loaded = {pid: load_plan(plans[pid]) for _, pid in SEED_PLANS}
    for label, pid in SEED_PLANS:
        p = loaded[pid]
        out.append(f"| {label} | `plans/{pid}.yaml` | {p.title} | {len(p.requirements)} |")
    for prog_id, path in builtin_programmes().items():
        prog = load_programme(path)
        out.append(f"| P13 | `programmes/{prog_id}.yaml` | {prog.title} | {len(prog.items)} calendar items |")
    for label, pid in SEED_PLANS:
        p = loaded[pid]
        out += ["", f"## {label} `{pid}` — {p.title}", "", "Sources: " + "; ".join(p.sources), ""]
        by_clause: dict[tuple[str, str, str], list[str]] = defaultdict(list)
        for req in p.requirements:
            by_clause[req.clause, req.quote, req.borrows].append(req.id)
        out += ["| seed clause | its words | borrowed | requirements |", "|---|---|---|---|"]
        out += [f"| {clause} | {cell(quote)} | {cell(borrows)} | {', '.join(ids)} |"
                for (clause, quote, borrows), ids in by_clause.items()]
        gaps = left_out(docs / "plans" / f"{pid}.md")
        if gaps:
            out += ["", gaps]
    for prog_id, path in builtin_programmes().items():
        prog = load_programme(path)
        out += ["", f"## P13 `{prog_id}` — {prog.title}", "", "Sources: " + "; ".join(prog.sources), "",
                "| date(s) | kind | item | clause |", "|---|---|---|---|"]
        out += [f"| {', '.join(str(d) for d in it.dates)} | {it.kind} | {it.title} | {it.clause} |"
                for it in prog.items]
        out += ["", "Left out: the seed's second and later parts (篇二 …) are not in the stored text; its "
                "monthly checks are kept as the quarterly inspection; the drill dates are the programme's choice."]
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    print(markdown(Path(__file__).resolve().parent.parent / "docs"), end="")
