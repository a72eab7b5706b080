"""The Improvement Plan as a workbook for the evaluator to complete (improvement-plan.xlsx).

One row per failed or late requirement, prefilled with the requirement, its capability and the
issue; the corrective action, the capability element (a drop-down of HSEEP's five), the
responsible organisation, the owner and the start and due dates are left blank, checked as the
evaluator types them. Headers and the drop-down are in the report's language.
"""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from drillsim.scoring.evaluation import Evaluation, ImprovementItem
from drillsim.scoring.outcomes import RequirementResult
from drillsim.spec.plan import Plan

from .i18n import N_, OUTCOMES, Translator

CAPABILITY_ELEMENTS = (N_("Planning"), N_("Organising"), N_("Equipment"), N_("Training"), N_("Exercises"))
"""HSEEP's capability elements, the drop-down of the Improvement Plan."""
COLUMNS = (  # (header, width in characters)
    (N_("Requirement"), 12), (N_("Capability"), 14), (N_("Issue / area for improvement"), 60),
    (N_("Corrective action"), 40), (N_("Capability element"), 16), (N_("Responsible organisation"), 20),
    (N_("Owner"), 14), (N_("Start date"), 12), (N_("Due date"), 12),
)
BLANK_ROWS = 20
"""Rows below the prefilled ones that keep the drop-down and date checks, for items the evaluator adds."""


def issue_text(tr: Translator, result: RequirementResult, quote: str) -> str:
    """The issue of a failed or late requirement in the report's language, with its clause and the clause's words."""
    detail = f": {result.detail}" if result.detail else ""
    words = f" “{quote}”" if quote else ""
    return f"{result.title} ({tr.gettext(OUTCOMES[result.outcome])}{detail}) — {result.clause}{words}"


def improvement_rows(plan: Plan, evaluation: Evaluation, tr: Translator) -> list[tuple[ImprovementItem, str, str]]:
    """Each item of the Improvement Plan with its capability's name and its issue in the report's language."""
    results = {r.id: r for r in evaluation.card.results}
    quotes = {r.id: r.quote for r in plan.requirements}
    return [(item, plan.capabilities.get(item.capability, item.capability),
             issue_text(tr, results[item.requirement], quotes.get(item.requirement, "")))
            for item in evaluation.improvement_items()]


def write_improvement_plan(plan: Plan, evaluation: Evaluation, tr: Translator, path: Path) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = tr.gettext("Improvement Plan")
    ws.append([tr.gettext(header) for header, _ in COLUMNS])
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="F5F5F5")
    for item, capability, issue in improvement_rows(plan, evaluation, tr):
        ws.append([item.requirement, capability, issue, item.corrective_action, tr.gettext(item.capability_element)
                   if item.capability_element else "", item.organisation, item.owner, item.start, item.due])
    last = ws.max_row + BLANK_ROWS
    elements = DataValidation(type="list", formula1='"' + ",".join(tr.gettext(e) for e in CAPABILITY_ELEMENTS) + '"',
                              allow_blank=True, showErrorMessage=True, error=tr.gettext("Choose one of the list"))
    elements.add(f"E2:E{last}")
    dates = DataValidation(type="date", operator="greaterThan", formula1="1", allow_blank=True,
                           showErrorMessage=True, error=tr.gettext("A date, e.g. 2026-03-31"))
    dates.add(f"H2:I{last}")
    ws.add_data_validation(elements)
    ws.add_data_validation(dates)
    for i, (_, width) in enumerate(COLUMNS, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    for row in ws.iter_rows(min_row=2, max_row=last):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        row[7].number_format = row[8].number_format = "yyyy-mm-dd"
    ws.freeze_panes = "A2"
    wb.save(path)
    return path
