"""The drill history as tables in the terminal: drills so far, trends, open actions, re-tests.

Each function takes a table of :mod:`drillsim.history.queries`. A trend table has one column per
drill, the latest :data:`MAX_DRILL_COLUMNS` of them, and says how many earlier ones it left out. The
drills, the open actions and the re-tests are listed up to ``limit`` rows each (default
:data:`MAX_LISTED`; None: all): the latest drills and re-tests, every overdue action and the oldest
others; each such table's title says how many it lists.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
from rich.console import Console
from rich.table import Table
from rich.text import Text

from drillsim.scoring.outcomes import Outcome
from drillsim.spec.durations import format_minutes

from .terminal import RATING_STYLES, STYLES

MAX_DRILL_COLUMNS = 8
MAX_LISTED = 20
ALL = "--all lists every one"


def _cell(value: object, style: str = "") -> Text:
    """A cell shown as written: no markup read in it (plan and branch names may hold brackets)."""
    return Text("" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value), style)


def _drill_label(row: pd.Series) -> str:
    return f"{row['date']}\n{row['branch'] or '—'}\n{row['drill']}"


def _latest(frame: pd.DataFrame, limit: int | None) -> tuple[pd.DataFrame, str]:
    """The last ``limit`` rows of ``frame`` (all if None), and what the title says of them."""
    if limit is None or len(frame) <= limit:
        return frame, ""
    return frame.tail(limit), f"; the latest {limit} listed, {ALL}"


def print_drills(drills: pd.DataFrame, console: Console, limit: int | None = MAX_LISTED) -> None:
    listed, said = _latest(drills, limit)
    table = Table(title=f"drills so far ({len(drills)}{said})")
    for col in ("drill", "date", "plan", "exercise", "branch", "score", "rating", "evaluated", "open actions"):
        table.add_column(col, overflow="fold", no_wrap=col in ("drill", "date"))
    for _, d in listed.iterrows():
        score = "" if pd.isna(d["score"]) else f"{d['score']:.1f}"
        table.add_row(_cell(d["drill"]), _cell(d["date"]), _cell(d["plan"]), _cell(d["exercise"]),
                      _cell(d["branch"] or "—"), _cell(score), _cell(d["rating"], RATING_STYLES.get(d["rating"], "")),
                      _cell(f"{d['evaluated']}/{d['requirements']}"), _cell(d["open_actions"]))
    console.print(table)


def _trend_table(title: str, frame: pd.DataFrame, drills: pd.DataFrame, row_keys: list[str],
                 label: Callable[[str, pd.Series], str], cell: Callable[[pd.Series | None], Text]) -> Table:
    shown = drills.tail(MAX_DRILL_COLUMNS)
    left_out = len(drills) - len(shown)
    table = Table(title=title + (f" (the latest {len(shown)} drills; {left_out} earlier left out)" if left_out
                                 else ""))
    table.add_column("", overflow="fold")
    for _, d in shown.iterrows():
        table.add_column(_drill_label(d), justify="center")
    by = {(r[row_keys[0]], r["drill"]): r for _, r in frame.iterrows()}
    for key, first in frame.drop_duplicates(row_keys[0]).set_index(row_keys[0]).iterrows():
        table.add_row(_cell(label(key, first)), *(cell(by.get((key, drill))) for drill in shown["drill"]))
    return table


def print_capability_trends(trends: pd.DataFrame, drills: pd.DataFrame, console: Console) -> None:
    """Per plan: the rating that stands per capability and drill; ``*`` marks the evaluator's rating."""
    def cell(r: pd.Series | None) -> Text:
        if r is None or pd.isna(r["rating"]):
            return _cell("" if r is None else "n/a", "dim")
        return _cell(r["rating"] + ("*" if r["overridden"] else ""), RATING_STYLES.get(r["rating"], ""))

    for plan, mine in trends.groupby("plan", sort=False):
        table = _trend_table(f"{plan}: ratings per capability (* the evaluator's, in place of the proposed)",
                             mine, drills[drills["plan"] == plan], ["capability"],
                             lambda cid, r: f"{r['name']} ({cid})", cell)
        console.print(table)


def print_requirement_trends(trends: pd.DataFrame, drills: pd.DataFrame, console: Console) -> None:
    """Per plan: the outcome of every requirement that was not met in some drill."""
    def cell(r: pd.Series | None) -> Text:
        if r is None:
            return _cell("")
        late = f" +{format_minutes(r['late_by'])}" if r["outcome"] == "late" and pd.notna(r["late_by"]) else ""
        return _cell(r["outcome"] + late, STYLES[Outcome(r["outcome"])])

    unmet = trends[~trends["outcome"].isin(["met", "not_applicable"])]["requirement"].unique()
    for plan, mine in trends[trends["requirement"].isin(unmet)].groupby("plan", sort=False):
        table = _trend_table(f"{plan}: requirements not met in some drill", mine, drills[drills["plan"] == plan],
                             ["requirement"], lambda rid, r: f"{rid} {r['title'].split(' (')[0]}", cell)
        console.print(table)


def print_open_actions(actions: pd.DataFrame, console: Console, limit: int | None = MAX_LISTED) -> None:
    """The open actions in the order of their drills: every overdue one, and the others up to ``limit`` in all."""
    late = actions["overdue"].astype(bool)
    overdue = int(late.sum())
    listed, said = actions, ""
    if limit is not None and len(actions) > limit:
        others = actions.index[~late][:max(0, limit - overdue)]
        listed = actions[late | actions.index.isin(others)]
        said = f"; {len(listed)} listed: every overdue one and the oldest others, {ALL}"
    table = Table(title=f"open corrective actions ({len(actions)}, {overdue} overdue{said})")
    for col in ("action", "drill", "requirement", "issue", "corrective action", "owner", "due"):
        table.add_column(col, overflow="fold")
    for _, a in listed.iterrows():
        issue = _cell(a["issue"].split(" (")[0])
        if not a["current"]:
            issue.append(" (not failed in the drill's latest scoring)", "dim")
        due = _cell(a["due"] or "—", "bold red" if a["overdue"] else "")
        if a["overdue"]:
            due.append(" overdue", "bold red")
        table.add_row(_cell(a["action"]), _cell(f"{a['date']} {a['branch'] or '—'}"), _cell(a["requirement"]),
                      issue, _cell(a["corrective_action"]), _cell(a["owner"]), due)
    console.print(table)


def print_retested(retested: pd.DataFrame, console: Console, limit: int | None = MAX_LISTED) -> None:
    met = int(retested["met_in"].notna().sum())
    listed, said = _latest(retested, limit)
    table = Table(title=f"failed requirements met in a later drill ({met} of {len(retested)}{said})")
    for col in ("action", "requirement", "failed in", "met later in", "re-test recorded", "status"):
        table.add_column(col, overflow="fold")
    for _, r in listed.iterrows():
        later = (_cell(f"{r['met_on']} {r['met_branch'] or '—'} ({r['met_in']})", "green") if pd.notna(r["met_in"])
                 else _cell("not yet", "yellow"))
        table.add_row(_cell(r["action"]), _cell(r["requirement"]),
                      _cell(f"{r['date']} {r['branch'] or '—'} ({r['outcome']})"), later,
                      _cell(r["retest_drill"] or "—"), _cell(r["status"]))
    console.print(table)
