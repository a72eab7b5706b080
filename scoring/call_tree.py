"""The reports that had to reach outside bodies and people, shown as a call-tree test is.

Every deadline requirement of the plan whose response is a message to a role outside the branch
(an upper office, a leadership group, an agency: roles of kind ``office`` or ``agency``) is one row:
reached in time, reached late or not reached, with when, against which deadline and which
requirement. "Reached" is what the requirement judges: its response (a report sent, for the alarm
button and the regulator; received, for the upper office). A requirement whose condition did not
hold in this drill is no row; one nobody observed is a row *not evaluated*; while a drill is under
way, one still open is *pending*. The attempts count every report sent to those roles on the
requirement's channels from its trigger on, and how many went unanswered.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from drillsim.log.eventlog import EventLog
from drillsim.spec.plan import DeadlineRequirement, Plan

from .outcomes import FAILURES, Outcome
from .scorecard import Scorecard

MESSAGE_EVENTS = ("sent", "received", "acknowledged")
OUTSIDE_KINDS = ("office", "agency")


class Reached(StrEnum):
    IN_TIME = "in_time"
    LATE = "late"
    NOT_REACHED = "not_reached"
    NOT_EVALUATED = "not_evaluated"
    PENDING = "pending"


_STATUS = {Outcome.MET: Reached.IN_TIME, Outcome.LATE: Reached.LATE, Outcome.NOT_EVALUATED: Reached.NOT_EVALUATED,
           Outcome.PENDING: Reached.PENDING, **{o: Reached.NOT_REACHED for o in FAILURES}}


@dataclass(frozen=True)
class CallTreeRow:
    requirement: str
    title: str
    clause: str
    targets: tuple[str, ...]
    """The outside roles the report had to reach (role ids)."""
    reports: tuple[str, ...]
    """The escalation reports of the plan that go to those roles on the requirement's channels."""
    status: Reached
    since: float | None
    """Minute of the trigger the deadline counts from."""
    at: float | None
    """Minute the report reached them (the requirement's response), if it did."""
    latency: float | None
    deadline: float | None
    late_by: float | None
    attempts: int
    unanswered: int
    detail: str = ""


def outside_targets(plan: Plan, req: DeadlineRequirement) -> tuple[str, ...]:
    """The roles outside the branch a deadline requirement's response is a message to (none: not a call-tree row)."""
    sel = req.response
    if sel.event not in MESSAGE_EVENTS or sel.target is None:
        return ()
    return tuple(t for t in sel.target if t in plan.roles and plan.roles[t].kind in OUTSIDE_KINDS)


def call_tree(plan: Plan, log: EventLog, card: Scorecard) -> list[CallTreeRow]:
    """One row per report the plan requires to reach an outside body or person, in the plan's order."""
    results = {r.id: r for r in card.results}
    rows = []
    for req in plan.requirements:
        if not isinstance(req, DeadlineRequirement) or req.id not in results:
            continue
        targets = outside_targets(plan, req)
        res = results[req.id]
        if not targets or res.outcome is Outcome.NOT_APPLICABLE:
            continue
        channels = req.response.channel
        reports = tuple(rep.id for rep in plan.escalation
                        if ({rep.to, *rep.fallback} & set(targets)) and (channels is None or rep.channel in channels))
        attempts = unanswered = 0
        for row in log.rows:
            if row.target_role not in targets or (channels is not None and row.channel not in channels):
                continue
            if res.since is not None and row.t < res.since:
                continue
            attempts += row.event == "sent"
            unanswered += row.event == "unanswered"
        reached = res.outcome in (Outcome.MET, Outcome.LATE)
        rows.append(CallTreeRow(req.id, req.title, req.clause, targets, reports, _STATUS[res.outcome], res.since,
                                res.at if reached else None, res.latency if reached else None, res.deadline,
                                res.late_by if res.outcome is Outcome.LATE else None, attempts, unanswered,
                                res.detail))
    return rows
