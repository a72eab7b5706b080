"""One check per requirement kind, compiled once per plan and run on many logs."""

from __future__ import annotations

from collections.abc import Callable

from drillsim.log.eventlog import Event
from drillsim.spec.durations import format_minutes
from drillsim.spec.plan import (
    ClassificationRequirement,
    ContentRequirement,
    DeadlineRequirement,
    OrderRequirement,
    Plan,
    ProhibitionRequirement,
    Requirement,
)

from .logview import LogView, matcher
from .outcomes import Outcome, RequirementResult

Check = Callable[[LogView], RequirementResult]


def compile_check(req: Requirement, plan: Plan) -> Check:
    applies = plan.compile(req.applies_if)
    reading = req.applies_when  # with no applies_if (always true) every reading agrees
    base = dict(id=req.id, kind=req.kind, title=req.title, clause=req.clause, capability=req.capability,
                weight=req.weight, critical=req.critical)
    late_credit = plan.scoring.late_credit

    def result(outcome: Outcome, credit: float, **kw) -> RequirementResult:
        return RequirementResult(outcome=outcome, credit=credit, **base, **kw)

    def not_applicable(detail: str) -> RequirementResult:
        return result(Outcome.NOT_APPLICABLE, 0.0, detail=detail)

    def holds(view: LogView, at: float | None) -> bool:
        """``applies_if`` read as the plan says; ``at`` is the moment the requirement arose, if any."""
        if reading == "ever":
            return view.ever(applies)
        if reading == "trigger" and at is not None:
            return applies(view.vars_at(at))
        return applies(view.final)

    def condition_not_met(moment: str = "") -> RequirementResult:
        where = {"ever": "at any moment", "end": "at the end of the log"}.get(reading, moment)
        return not_applicable(f"condition not met {where}: {req.applies_if}")

    match req:
        case DeadlineRequirement():
            trigger, response = matcher(req.trigger), matcher(req.response)
            t_event, r_event = req.trigger.event, req.response.event
            rule = plan.deadline(req.within)
            per_site = _done_at_each_branch(req, plan)
            earlier_counts, only_first = req.earlier_counts, req.trigger.first

            def measure(view: LogView, start: Event, site: str | None) -> RequirementResult:
                limit = rule.allowed(start.t, view.origin)
                here = response if site is None else (lambda row: row.site == site and response(row))
                where = "" if site is None else f" at {site}"
                done = view.first(r_event, here)
                if done is None:
                    return result(Outcome.MISSED, 0.0, since=start.t, deadline=limit,
                                  detail=f"no response in the log{where}")
                if done.t < start.t:
                    early = format_minutes(start.t - done.t)
                    if earlier_counts:
                        return result(Outcome.MET, 1.0, at=done.t, since=start.t, latency=0.0, deadline=limit,
                                      detail=f"done {early} before the trigger{where}")
                    before = done
                    done = view.first(r_event, here, after=start.t)
                    if done is None:
                        return result(Outcome.MISSED, 0.0, at=before.t, since=start.t, deadline=limit,
                                      detail=f"the response came {early} before the trigger{where}; this "
                                             f"requirement counts only responses after it")
                latency = done.t - start.t
                if latency <= limit + 1e-9:
                    return result(Outcome.MET, 1.0, at=done.t, since=start.t, latency=latency, deadline=limit,
                                  detail=where.strip())
                return result(Outcome.LATE, late_credit, at=done.t, since=start.t, latency=latency, deadline=limit,
                              detail=f"late by {format_minutes(latency - limit)}{where}")

            def deadline(view: LogView) -> RequirementResult:
                if reading != "trigger" and not holds(view, None):
                    return condition_not_met()
                starts = view.all(t_event, trigger)
                if not starts:
                    if reading == "trigger" and not view.ever(applies):
                        return not_applicable(f"condition not met at any moment: {req.applies_if}")
                    return not_applicable("the trigger did not occur")
                if reading == "trigger":
                    if only_first:  # `first: true` (`incident`): only the first trigger at each site counts
                        starts = _first_at_each_site(starts)
                    # the deadline counts from the first trigger at which the condition holds
                    starts = [row for row in starts if holds(view, row.t)]
                    if not starts:
                        return condition_not_met("at the trigger")
                sites = sorted({row.site for row in starts} & view.branches) if per_site else []
                if len(sites) <= 1:
                    return measure(view, starts[0], None)
                # several branches, each must respond: the worst of them counts
                each = [measure(view, next(r for r in starts if r.site == s), s) for s in sites]
                return max(each, key=lambda r: (SEVERITY[r.outcome], r.latency or 0.0))

            return deadline

        case ContentRequirement():
            report, event, wanted = matcher(req.report), req.report.event, req.fields

            def content(view: LogView) -> RequirementResult:
                row = view.first(event, report)
                if not holds(view, None if row is None else row.t):
                    return condition_not_met("at the end of the log" if row is None else "when the report was sent")
                if row is None:
                    return result(Outcome.MISSED, 0.0, detail="no such report in the log")
                carried = set(row.fields or ())
                missing = [f for f in wanted if f not in carried]
                if not missing:
                    return result(Outcome.MET, 1.0, at=row.t)
                names = ", ".join(f"{f} ({plan.report_fields[f]})" for f in missing)
                share = 1 - len(missing) / len(wanted)
                return result(Outcome.INCOMPLETE, share, at=row.t, detail=f"missing: {names}")

            return content

        case OrderRequirement():
            first, then = matcher(req.first), matcher(req.then)

            def order(view: LogView) -> RequirementResult:
                b = view.first(req.then.event, then)
                if b is None:
                    if not holds(view, None):
                        return condition_not_met("at the end of the log")
                    return not_applicable("the second step did not occur")
                if not holds(view, b.t):
                    return condition_not_met("at the second step")
                a = view.first(req.first.event, first)
                if a is None:
                    return result(Outcome.VIOLATED, 0.0, at=b.t, detail="the second step came without the first")
                if a.t > b.t:
                    return result(Outcome.VIOLATED, 0.0, at=b.t, latency=b.t - a.t,
                                  detail=f"the second step came {format_minutes(a.t - b.t)} before the first")
                return result(Outcome.MET, 1.0, at=b.t, latency=b.t - a.t)

            return order

        case ProhibitionRequirement():
            forbidden, event = matcher(req.forbidden), req.forbidden.event
            while_ = plan.compile(req.while_)
            at_each = reading == "trigger"

            def prohibition(view: LogView) -> RequirementResult:
                # read at each forbidden event, the condition applies whenever it held at some moment
                if not (view.ever(applies) if at_each else holds(view, None)):
                    return condition_not_met("at any moment")
                for row in view.all(event, forbidden):
                    now = view.vars_at(row.t)
                    if while_(now) and (not at_each or applies(now)):
                        return result(Outcome.VIOLATED, 0.0, at=row.t,
                                      detail=f"{row.what} by {row.actor or row.actor_role}")
                return result(Outcome.MET, 1.0)

            return prohibition

        case ClassificationRequirement():
            names = {0: "none", **{rank: name for name, rank in plan.level_rank.items()}}

            def said(name: str, rank: int) -> str:
                return name if rank else f"{name} (not a level of this plan)"

            def classification(view: LogView) -> RequirementResult:
                if not holds(view, None):
                    return condition_not_met("at the end of the log")
                should_end = plan.grade(view.final, view.incident_type)
                if not view.levels:
                    if should_end == 0:
                        return not_applicable("the rules give no level")
                    return result(Outcome.MISSED, 0.0, detail=f"no level declared; the rules give {names[should_end]}")
                for t, name, declared in view.levels:
                    should = plan.grade(view.vars_at(t), view.incident_type)
                    if declared != should:
                        return result(Outcome.VIOLATED, 0.0, at=t,
                                      detail=f"declared {said(name, declared)}; the rules give {names[should]}")
                t, name, last = view.levels[-1]
                if should_end and last != should_end:
                    return result(Outcome.MISSED, 0.0, at=t,
                                  detail=f"not re-graded: last declared {said(name, last)}, the final facts "
                                         f"give {names[should_end]}")
                return result(Outcome.MET, 1.0, at=view.levels[0][0])

            return classification
    raise AssertionError(req)


SEVERITY = {Outcome.MET: 0, Outcome.LATE: 1, Outcome.MISSED: 2}


def _first_at_each_site(rows: list[Event]) -> list[Event]:
    seen: set[str] = set()
    firsts = []
    for row in rows:
        if row.site not in seen:
            seen.add(row.site)
            firsts.append(row)
    return firsts


def _done_at_each_branch(req: DeadlineRequirement, plan: Plan) -> bool:
    """Whether the response is done for each branch by branch staff (perhaps with an office's
    fallback): then, when an incident hits several branches, every branch is checked. A response by
    an office or an agency alone is checked once."""
    staff = {r for r, role in plan.roles.items() if role.kind == "staff"}
    sel = req.response
    named = sel.what if sel.event == "arrived" else sel.actor
    return bool(named) and bool(set(named) & staff)

