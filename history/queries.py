"""What the history tells, as pandas tables: the drills so far, trends per capability and per
requirement across drills and branches, the actions still open (and overdue), and re-tests.

Drills are in the order they were held: by date, then by when they were first kept. ``plan`` and
``branch`` narrow every table to one plan or one branch.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from .store import History

ORDER = "d.drill_date, d.first_recorded_at, d.key"
LATER = "(l.drill_date, l.first_recorded_at, l.key) > (d.drill_date, d.first_recorded_at, d.key)"
"""Drill ``l`` was held after drill ``d``."""


def _where(plan: str | None, branch: str | None) -> tuple[str, dict[str, str]]:
    clauses = [c for c, given in (("d.plan = :plan", plan), ("d.branch = :branch", branch)) if given is not None]
    return (" AND ".join(clauses) or "1"), {"plan": plan or "", "branch": branch if branch is not None else ""}


def _frame(history: History, sql: str, params: dict[str, object]) -> pd.DataFrame:
    with history.errors("read the history"):
        return pd.read_sql_query(sql, history.db, params=params)


def drills(history: History, plan: str | None = None, branch: str | None = None) -> pd.DataFrame:
    """One row per drill: its key, plan, exercise, date, branch, score, rating, coverage and open actions."""
    where, params = _where(plan, branch)
    return _frame(history, f"""
        SELECT d.key AS drill, d.plan, d.exercise, d.drill_date AS date, d.branch, d.incident_type, d.scenario,
               d.score, d.rating, d.evaluated, d.requirements, d.times_scored, d.scored_at,
               (SELECT count(*) FROM actions a WHERE a.drill = d.key AND a.status = 'open') AS open_actions
        FROM drills d WHERE {where} ORDER BY {ORDER}""", params)


def capability_trends(history: History, plan: str | None = None, branch: str | None = None) -> pd.DataFrame:
    """One row per drill and capability: the performance, the proposed rating and the rating that stands."""
    where, params = _where(plan, branch)
    frame = _frame(history, f"""
        SELECT d.key AS drill, d.plan, d.plan_title, d.drill_date AS date, d.branch, d.exercise,
               r.capability, r.name, r.performance, r.proposed, r.rating, r.override IS NOT NULL AS overridden,
               r.justification
        FROM ratings r JOIN drills d ON d.key = r.drill WHERE {where} ORDER BY {ORDER}, r.rowid""", params)
    return frame.astype({"overridden": bool})


def requirement_trends(history: History, plan: str | None = None, branch: str | None = None) -> pd.DataFrame:
    """One row per drill and requirement: the outcome, the latency, the deadline and how late (minutes)."""
    where, params = _where(plan, branch)
    frame = _frame(history, f"""
        SELECT d.key AS drill, d.plan, d.drill_date AS date, d.branch, r.requirement, r.title, r.capability,
               r.critical, r.outcome, r.credit, r.latency, r.deadline, r.late_by
        FROM results r JOIN drills d ON d.key = r.drill WHERE {where} ORDER BY {ORDER}, r.rowid""", params)
    return frame.astype({"critical": bool})


def actions(history: History, today: date | None = None, plan: str | None = None, branch: str | None = None,
            open_only: bool = False) -> pd.DataFrame:
    """One row per action of the Improvement Plans; ``overdue``: still open and due before ``today``."""
    where, params = _where(plan, branch)
    status = " AND a.status = 'open'" if open_only else ""
    frame = _frame(history, f"""
        SELECT a.id AS action, a.drill, d.plan, d.drill_date AS date, d.branch, a.requirement, a.capability,
               a.issue, a.corrective_action, a.capability_element, a.organisation, a.owner, a.start, a.due,
               a.status, a.closed_at, a.closing_note, a.retest_drill, a.current
        FROM actions a JOIN drills d ON d.key = a.drill WHERE {where}{status} ORDER BY {ORDER}, a.id""", params)
    today_text = (today or date.today()).isoformat()
    frame["overdue"] = (frame["status"] == "open") & frame["due"].notna() & (frame["due"] < today_text)
    return frame.astype({"current": bool, "overdue": bool})


def open_actions(history: History, today: date | None = None, plan: str | None = None,
                 branch: str | None = None) -> pd.DataFrame:
    """The actions still open, with ``overdue`` as of ``today`` (default: the machine's date)."""
    return actions(history, today, plan, branch, open_only=True)


def retested(history: History, plan: str | None = None, branch: str | None = None) -> pd.DataFrame:
    """One row per action: whether its requirement, failed in its drill, was met in a later drill of the
    same plan (``met_in``: the first such drill, of any branch) and the re-test linked to the action."""
    where, params = _where(plan, branch)
    later_met = f"""FROM drills l JOIN results lr ON lr.drill = l.key
                    WHERE l.plan = d.plan AND lr.requirement = a.requirement AND lr.outcome = 'met' AND {LATER}
                    ORDER BY l.drill_date, l.first_recorded_at, l.key LIMIT 1"""
    return _frame(history, f"""
        SELECT a.id AS action, a.drill, d.plan, d.drill_date AS date, d.branch, a.requirement,
               (SELECT r.outcome FROM results r WHERE r.drill = a.drill AND r.requirement = a.requirement)
                   AS outcome,
               a.status, (SELECT l.key {later_met}) AS met_in, (SELECT l.drill_date {later_met}) AS met_on,
               (SELECT l.branch {later_met}) AS met_branch, a.retest_drill
        FROM actions a JOIN drills d ON d.key = a.drill WHERE {where} ORDER BY {ORDER}, a.id""", params)
