"""The after-action summary of one drill as a self-standing HTML page with its timeline.

The page's event log lists every row of a short log; of a longer one (more than
:data:`MAX_EVENT_ROWS`) the first :data:`HEAD_ROWS` and the last :data:`TAIL_ROWS`, and says how many
rows it left out and that events.csv lists them all. Its warnings from reading the log are bounded
alike (the scorecard lists them all).
"""

from __future__ import annotations

from importlib.metadata import version
from pathlib import Path

from drillsim.log.eventlog import EventLog
from drillsim.scoring.rating import RATING_NAMES
from drillsim.scoring.scorecard import Scorecard
from drillsim.spec.durations import format_minutes
from drillsim.spec.plan import Plan

from .bounds import HEAD_ROWS, MAX_EVENT_ROWS, MAX_WARNINGS, TAIL_ROWS
from .templating import render
from .timeline import actor_label, incident_start, plot_timeline


def _fmt(minutes: float | None) -> str:
    return "" if minutes is None else format_minutes(minutes)


def write_report(plan: Plan, log: EventLog, card: Scorecard, out: Path) -> dict[str, Path]:
    timeline = plot_timeline(plan, log, card, out / "timeline.png")
    t0 = incident_start(log)
    rows, left_out = log.rows, 0
    if len(rows) > MAX_EVENT_ROWS:
        left_out = len(rows) - HEAD_ROWS - TAIL_ROWS
        rows = rows[:HEAD_ROWS] + rows[-TAIL_ROWS:]
    events = []
    for rec in EventLog(rows, log.origin).records():
        extra = rec["value"] if rec["value"] is not None else ""
        if rec["fields"]:
            extra = "、".join(plan.report_fields.get(f, f) for f in rec["fields"])
        events.append({
            **rec, "rel": format_minutes(rec["t"] - t0),
            "actor": actor_label(plan, rec["actor_role"], rec["actor"]) if rec["actor"] else "",
            "target": actor_label(plan, rec["target_role"], rec["target"]) if rec["target"] else "",
            "channel": plan.channels[rec["channel"]].name if rec["channel"] in plan.channels else "",
            "extra": extra,
        })
    html = render(
        "report.html.j2", plan=plan, card=card, drill=card.meta, timeline=timeline.name, events=events, fmt=_fmt,
        head_rows=HEAD_ROWS if left_out else len(events), left_out=left_out, log_file="events.csv",
        warnings=card.warnings[:MAX_WARNINGS], warnings_left_out=max(len(card.warnings) - MAX_WARNINGS, 0),
        rating_name=RATING_NAMES.get(card.rating or "", ""), version=version("drillsim"),
        incident_type_name=plan.incident_types[card.incident_type].name,
    )
    page = out / "report.html"
    page.write_text(html, encoding="utf-8")
    return {"timeline": timeline, "report": page}
