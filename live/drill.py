"""What a live drill is made of, apart from the web: the evaluators' buttons, the MSEL on the drill
clock, the drill-log rows of delivered injects and stamps, the running scorecard and the exported sheet.

The rules are in docs/live.md: the drill clock runs from the controller's start, less the pauses; a
row's time is the start's wall time (to the second) plus the drill clock at the moment it records,
so the exported sheet and the running scorecard count time alike.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path

from drillsim.log.drill_log import DrillLogReader
from drillsim.log.eventlog import EventLog, value_text
from drillsim.reports.msel import msel_rows
from drillsim.scoring.outcomes import Outcome
from drillsim.scoring.scorecard import Scorecard, Scorer
from drillsim.spec.distributions import Distribution, Exponential, Lognormal
from drillsim.spec.errors import InputError
from drillsim.spec.plan import Plan
from drillsim.spec.scenario import Scenario
from drillsim.spec.schema import Selector

KINDS = ("staff", "office", "agency")
UNCERTAIN_MS = 1000.0
"""A stamp whose clock offset is known only to more than this is kept with a warning."""
STATUS = {Outcome.MET: "met", Outcome.LATE: "late", Outcome.PENDING: "pending", Outcome.MISSED: "missed",
          Outcome.INCOMPLETE: "missed", Outcome.VIOLATED: "violated", Outcome.NOT_APPLICABLE: "not-applicable",
          Outcome.NOT_EVALUATED: "not-evaluated"}
"""A requirement's status on the console; a deadline missed while the drill runs is ``overdue``."""


@dataclass(frozen=True)
class Button:
    """One thing the plan expects of a watched role, as a stamp records it."""

    key: str
    label: str
    cells: dict[str, str]
    role: str


def buttons(plan: Plan, roles: Iterable[str], lang: str, sites: Sequence[tuple[str, str]] = ()) -> list[Button]:
    """The evaluator's buttons for the roles they watch, in plan order: each duty's action by each
    watched role that may do it, each report a watched role sends, each one a watched role receives.
    In a drill of several branches (``sites``: each one's id and label, :func:`branch_sites`), all of
    them once for each branch, whose row is at that branch."""
    watched = set(roles)
    zh = lang == "zh"
    out: dict[str, Button] = {}
    for duty in plan.duties:
        for rid in duty.roles:
            if rid in watched:
                role = plan.roles[rid]
                action = plan.action_labels.get(duty.do, duty.do) if zh else duty.do
                label = f"{role.name if zh else rid}: {action}"
                out.setdefault(f"action.{duty.do}.{rid}", Button(
                    f"action.{duty.do}.{rid}", label, {"event": "action", "actor": rid, "what": duty.do}, rid))
    for report in plan.escalation:
        cells = {"actor": report.from_, "what": report.id, "target": report.to, "channel": report.channel}
        names = {r: plan.roles[r].name if zh else r for r in (report.from_, report.to)}
        if report.from_ in watched:
            label = f"{names[report.from_]} → {names[report.to]} ({report.id})"
            out.setdefault(f"sent.{report.id}", Button(f"sent.{report.id}", ("发出 " if zh else "sent ") + label,
                                                      {"event": "sent", **cells}, report.from_))
        if report.to in watched:
            label = f"{names[report.to]} ← {names[report.from_]} ({report.id})"
            out.setdefault(f"received.{report.id}", Button(
                f"received.{report.id}", ("收到 " if zh else "received ") + label, {"event": "received", **cells},
                report.to))
    arriving = {w for req in plan.requirements for sel in _selectors(req) if sel.event == "arrived"
                for w in (sel.what or ())}
    for rid in plan.roles:
        if rid in watched and rid in arriving:
            name = plan.roles[rid].name if zh else rid
            out[f"arrived.{rid}"] = Button(f"arrived.{rid}", f"{name} {'到场' if zh else 'arrived'}",
                                           {"event": "arrived", "what": rid}, rid)
    if not sites:
        return list(out.values())
    return [Button(f"{b.key}@{site}", f"{label} · {b.label}", {**b.cells, "site": site}, b.role)
            for site, label in sites for b in out.values()]


def branch_sites(scenario: Scenario, lang: str) -> list[tuple[str, str]]:
    """Each branch's id and label (its name in ``zh``) in a drill of several branches; none in a drill of
    one, whose rows need not say where they happened (docs/drill-logs.md, "Sites")."""
    if len(scenario.branches) == 1:
        return []
    return [(b.id, (b.name or b.id) if lang == "zh" else b.id) for b in scenario.branches]


def _selectors(req) -> list[Selector]:
    return [s for s in (getattr(req, "trigger", None), getattr(req, "response", None)) if isinstance(s, Selector)]


def default_evaluators(plan: Plan) -> list[tuple[str, list[str]]]:
    """One evaluator per kind of role that has something to do, named by the kind."""
    busy = {b.role for b in buttons(plan, plan.roles, "en")}
    out = []
    for kind in KINDS:
        roles = [r for r, role in plan.roles.items() if role.kind == kind and r in busy]
        if roles:
            out.append((kind, roles))
    return out


def roles_named(plan: Plan, text: str, argument: str = "--evaluator") -> list[str]:
    """Role ids from a comma-separated list of ids or names (as ``drillsim sheet --roles`` reads them)."""
    from drillsim.log.drill_log import suggest

    labels = {n: f"{r} ({plan.roles[r].name})" for n, r in plan.role_names.items()}
    out: list[str] = []
    for name in (r.strip() for r in text.replace("，", ",").split(",")):
        if name not in plan.role_names:
            raise InputError(argument, f"unknown role {name!r}" + suggest(name, labels))
        if plan.role_names[name] not in out:
            out.append(plan.role_names[name])
    return out


# The clock -------------------------------------------------------------------------------------------


def clock_ms(started: int | None, ended: int | None, pauses: Sequence[tuple[int, int | None]], at: int) -> int:
    """The drill clock at server time ``at`` (ms): time since the start, less the pauses, stopped at the end."""
    if started is None:
        return 0
    if ended is not None:
        at = min(at, ended)
    paused = sum(max(0, min(at, resumed if resumed is not None else at) - p) for p, resumed in pauses)
    return max(0, at - started - paused)


def origin_of(started: int) -> datetime:
    """The drill's minute 0: the local wall time of the start, to the second."""
    return datetime.fromtimestamp(started // 1000)


def row_time(origin: datetime, clock: int) -> str:
    """A row's time: minute 0 plus the drill clock, rounded to the second."""
    return (origin + timedelta(seconds=round(clock / 1000))).isoformat(sep=" ")


# The MSEL on the clock ------------------------------------------------------------------------------


@dataclass(frozen=True)
class InjectLine:
    id: str
    seq: int
    time: str
    text: str
    actions: tuple[str, ...]
    requirements: tuple[str, ...]
    contingency: str | None
    after: str | None
    """The inject it follows (an id), or None: due at the start (or, a contingency, never on its own)."""
    lo_s: float
    """The earliest it can come after what it follows, in seconds; for one that follows nothing, counted
    from the earliest such inject (the drill starts with it: it is due at once)."""
    facts: dict[str, str]
    sites: tuple[str, ...]
    """The branches it happens at (its ``branches:``, else every one): a row at each."""


def _lo(dist: Distribution) -> float:
    return 0.0 if isinstance(dist, Exponential | Lognormal) else min(dist.params)


def inject_lines(plan: Plan, scenario: Scenario, lang: str) -> list[InjectLine]:
    rows = {r.inject: r for r in msel_rows(plan, scenario, lang)}
    out = []
    for inj in scenario.injects:
        row = rows[inj.id]
        facts = {name: text for name, value in inj.facts.items()
                 if not isinstance(value, Distribution) and (text := value_text(value)) is not None
                 and not hasattr(value, "chance")}
        after = inj.after if isinstance(inj.after, str) else None
        out.append(InjectLine(inj.id, row.seq, row.time, row.text, row.actions, row.requirements, row.contingency,
                              after, _lo(inj.at) * 60.0, facts, scenario.sites_of(inj)))
    first = min((x.lo_s for x in out if x.after is None and x.contingency is None), default=0.0)
    return [x if x.after is not None or x.contingency is not None else replace(x, lo_s=x.lo_s - first) for x in out]


def inject_status(lines: Sequence[InjectLine], done: dict[str, tuple[str, int]], clock: int,
                  running: bool) -> list[dict]:
    """Each inject: delivered or skipped (``done``: id -> (status, drill clock ms)), else due once its
    time on the clock has come, else pending; ``due_s`` where the clock gives it one."""
    out = []
    for line in lines:
        entry: dict = {"id": line.id, "contingency": line.contingency is not None}
        due = None
        if line.contingency is None:
            if line.after is None:
                due = line.lo_s
            elif done.get(line.after, ("", 0))[0] == "delivered":
                due = done[line.after][1] / 1000 + line.lo_s
        if due is not None:
            entry["due_s"] = round(due, 1)
        if line.id in done:
            entry["status"] = done[line.id][0]
        elif due is not None and running and clock / 1000 >= due:
            entry["status"] = "due"
        else:
            entry["status"] = "pending"
        out.append(entry)
    return out


# The log ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    """One row of the live log: its drill clock (ms) and its cells (who recorded it and their notes go
    to the sheet's notes, :meth:`Session.rows`)."""

    clock: int
    cells: dict[str, str]


def inject_rows(line: InjectLine, clock: int) -> list[Row]:
    """The rows of an inject delivered: the inject and the facts it sets, at each of its branches."""
    rows = []
    for site in line.sites:
        rows.append(Row(clock, {"event": "inject", "what": line.id, "site": site}))
        rows += [Row(clock, {"event": "fact", "what": name, "value": text, "site": site})
                 for name, text in line.facts.items()]
    return rows


def check_row(plan: Plan, scenario: Scenario, cells: dict[str, str]) -> None:
    """Refuse a row the drill-log reader refuses, with its message (raises :class:`InputError`)."""
    reader = DrillLogReader(plan, scenario=scenario, origin=datetime(2000, 1, 1), source="live drill")
    reader.add({**cells, "time": "2000-01-01 00:00:00"}, 1)


def read_log(plan: Plan, scenario: Scenario, origin: datetime, rows: Sequence[Row]) -> EventLog:
    """The live log through the drill-log reader, row by row in time order (raises its errors)."""
    reader = DrillLogReader(plan, scenario=scenario, origin=origin, source="live drill")
    for n, row in enumerate(sorted(rows, key=lambda r: r.clock), start=1):
        reader.add({**row.cells, "time": row_time(origin, row.clock)}, n)
    return reader.finish()


def running_card(plan: Plan, scenario: Scenario, origin: datetime, rows: Sequence[Row], clock: int,
                 observed: frozenset[str]) -> tuple[Scorecard | None, list[str]]:
    """The scorecard as of the drill clock, or None before the first inject; and what the reader said."""
    if not any(r.cells["event"] == "inject" for r in rows):
        return None, []
    try:
        log = read_log(plan, scenario, origin, rows)
    except InputError as err:
        return None, [str(e) for e in err.problems]
    now = round(clock / 1000) / 60.0
    card = Scorer(plan).score(log, scenario.incident.type, now=now, observed=observed)
    return card, [str(w) for w in log.warnings]


def requirement_status(plan: Plan, card: Scorecard | None, ended: bool) -> list[dict]:
    """Each requirement's status; while the drill runs a deadline already passed is ``overdue``."""
    if card is None:
        return [{"id": r.id, "status": "pending"} for r in plan.requirements]
    out = []
    for r in card.results:
        status = STATUS[r.outcome]
        entry: dict = {"id": r.id, "status": status}
        if r.outcome is Outcome.PENDING and r.since is not None and r.deadline is not None and card.now is not None:
            entry["left_s"] = round(((r.since + r.deadline) - card.now) * 60.0, 1)
        if not ended and r.outcome is Outcome.MISSED and r.deadline is not None:
            entry["status"] = "overdue"
        out.append(entry)
    return out


# The sheet ------------------------------------------------------------------------------------------


def write_live_sheet(plan: Plan, scenario: Scenario, path: Path, lang: str, origin: datetime, rows: Sequence[Row],
                     name: str, drill: str, evaluators: Sequence[tuple[str, Sequence[str]]],
                     notes: Sequence[tuple[str, str]]) -> Path:
    """The live log as one log sheet (log/sheets.py's format): rows to the second, the evaluators'
    notes, every watched role in ``observed``, the exercise named and dated."""
    from openpyxl import load_workbook

    from drillsim.log.drill_log import HEADERS
    from drillsim.log.sheets import EXERCISE_KEYS, LANGS, LOG_COLUMNS, SHEETS, write_sheet

    watched = {r for _, roles in evaluators for r in roles}
    write_sheet(plan, scenario, path, lang, watched)
    i = LANGS.index(lang)
    book = load_workbook(path)
    log = book[SHEETS["log"][i]]
    header = [c.value for c in log[1]]
    keys = [next(k for k, names in HEADERS.items() if h in names) for h in header]
    for row in sorted(rows, key=lambda r: r.clock):
        cells = {**row.cells, "time": row_time(origin, row.clock)}
        log.append([cells.get(k, "") for k in keys])
    assert set(keys) >= set(LOG_COLUMNS)
    exercise = book[SHEETS["exercise"][i]]
    given = {"name": name, "date": origin.date().isoformat(), "drill": drill,
             "evaluators": ", ".join(n for n, _ in evaluators)}
    for cells in exercise.iter_rows(min_row=2):
        key = next((k for k, names in EXERCISE_KEYS.items() if cells[0].value in names), None)
        if key in given:
            cells[1].value = given[key]
    sheet = book[SHEETS["notes"][i]]
    for by, text in notes:
        sheet.append([by, text])
    book.save(path)
    return path
