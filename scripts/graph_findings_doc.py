"""The part of docs/graph-analysis.md that lists what ``drillsim graph`` finds on the built-in plans.

    .venv/bin/python scripts/graph_findings_doc.py            # check it is what the analysis finds now
    .venv/bin/python scripts/graph_findings_doc.py --update   # write it

The part is between the two markers below; ``tests/test_graph_analysis.py`` runs the check.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "graph-analysis.md"
BEGIN, END = "<!-- built-in plans: begin (scripts/graph_findings_doc.py) -->", "<!-- built-in plans: end -->"


def section() -> str:
    import drillsim
    from drillsim.reports.graph_findings import plans_section
    from drillsim.spec.catalog import builtin_plans
    from drillsim.spec.graph_analysis import analyse

    return plans_section([analyse(drillsim.load_plan(pid)) for pid in sorted(builtin_plans())])


def documented(text: str) -> str:
    return text.split(BEGIN, 1)[1].split(END, 1)[0].strip("\n")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--update", action="store_true", help="write the part into the document")
    args = parser.parse_args()
    text = DOC.read_text("utf-8")
    now = section()
    if args.update:
        head, rest = text.split(BEGIN, 1)
        DOC.write_text(f"{head}{BEGIN}\n{now}\n{END}{rest.split(END, 1)[1]}", "utf-8")
        return 0
    if documented(text) != now.strip("\n"):
        print(f"{DOC} does not list what the analysis finds now: run {Path(__file__).name} --update", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
