"""One check per requirement kind, compiled once per plan and run on many logs.

Each kind is a small class registered under its kind name in :data:`CHECKS`; their base reads the
requirement's ``applies_if`` (once, the same way for every kind) before the kind gives its verdict.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from typing import Any, ClassVar, Literal

from drillsim.log.eventlog import Event
from drillsim.spec.conditions import always
from drillsim.spec.durations import format_minutes
from drillsim.spec.plan import (
    ClassificationRequirement,
    ContentRequirement,
    DeadlineRequirement,
    OrderRequirement,
    Plan,
    ProhibitionRequirement,
    Requirement,
    producers,
)
from drillsim.spec.schema import Selector

from .logview import LogView, Selection
from .outcomes import Outcome, RequirementResult

WHERE = {"ever": "at any moment", "end": "at the end of the log"}
"""Where ``applies_if`` was read, for a requirement it does not apply to."""


class RequirementCheck(ABC):
    """What every kind shares: the fields of its result, and the ``applies_if`` guard.

    A kind says at which rows of the log it arises (:meth:`arising`: a deadline's triggers, a
    content requirement's report, …) and judges the rows at which its condition held
    (:meth:`judge`). Read ``applies_when: trigger``, the condition is read at each such row, and,
    when the requirement did not arise, as :attr:`unarisen` says: on the final facts or at any
    moment. Read ``ever`` or ``end``, it is read once, and every row counts.
    """

    arises: ClassVar[str] = ""
    """Where the condition was read when it arose, for a requirement it does not apply to."""
    unarisen: ClassVar[Literal["end", "ever"]] = "end"
    judges: ClassVar[tuple[str, ...]] = ()
    """The selectors whose rows are the roles' own doing, judged by the requirement (a deadline's
    response, not its trigger): an evaluator must have watched one of each one's roles."""

    def __init__(self, req: Requirement, plan: Plan):
        self.req, self.plan = req, plan
        self.applies = plan.compile(req.applies_if)
        self.reading = req.applies_when
        self.unconditional = self.applies is always
        """No ``applies_if`` (always true): every reading agrees, and none need be made."""
        self.base = (req.id, req.kind, req.title, req.clause, req.capability, req.weight, req.critical)
        self.judged = self.judged_roles()
        self.unmet: dict[str, RequirementResult] = {}
        """The results ``not_applicable`` gave, by detail: the same every time."""

    def judged_roles(self) -> tuple[frozenset[str], ...]:
        """For each judged step, the roles whose doing it is (none: no role's, such as a fact)."""
        return tuple(roles_of(getattr(self.req, name), self.plan) for name in self.judges)

    def unobserved(self, observed: frozenset[str]) -> RequirementResult | None:
        """``not_evaluated`` if no evaluator watched any role of one of the judged steps; else None."""
        missing = [roles for roles in self.judged if roles and not roles & observed]
        if not missing:
            return None
        names = sorted({r for roles in missing for r in roles})
        said = ", ".join(f"{r} ({self.plan.roles[r].name})" for r in names)
        return self.result(Outcome.NOT_EVALUATED, 0.0, detail=f"not evaluated: no evaluator observed {said}")

    def __call__(self, view: LogView) -> RequirementResult:
        rows = self.arising(view)
        if self.unconditional:
            return self.judge(view, rows)
        if self.reading != "trigger":
            if not self._reads_true(view, self.reading):
                return self.condition_not_met(WHERE[self.reading])
            return self.judge(view, rows)
        if not rows:
            if not self._reads_true(view, self.unarisen):
                return self.condition_not_met(WHERE[self.unarisen])
            return self.judge(view, rows)
        rows = [row for row in rows if self.applies(view.vars_at(row.t))]
        if not rows:
            return self.condition_not_met(self.arises)
        return self.judge(view, rows)

    def _reads_true(self, view: LogView, reading: str) -> bool:
        return view.ever(self.applies) if reading == "ever" else self.applies(view.final)

    def arising(self, view: LogView) -> list[Event]:
        """The rows at which the requirement arises, in order of time (none: it reads the whole log)."""
        return []

    @abstractmethod
    def judge(self, view: LogView, rows: list[Event]) -> RequirementResult:
        """The kind's verdict on the rows at which the requirement arose and its condition held."""

    def result(self, outcome: Outcome, credit: float, **kw) -> RequirementResult:
        return RequirementResult(*self.base, outcome, credit, **kw)

    def not_applicable(self, detail: str) -> RequirementResult:
        made = self.unmet.get(detail)
        if made is None:
            made = self.unmet[detail] = self.result(Outcome.NOT_APPLICABLE, 0.0, detail=detail)
        return made

    def pending(self, detail: str, **kw) -> RequirementResult:
        return self.result(Outcome.PENDING, 0.0, detail=detail, **kw)

    def condition_not_met(self, where: str) -> RequirementResult:
        return self.not_applicable(f"condition not met {where}: {self.req.applies_if}")


CHECKS: dict[str, type[RequirementCheck]] = {}
"""The check of each requirement kind, by kind name."""


def check_of(kind: str) -> Callable[[type[RequirementCheck]], type[RequirementCheck]]:
    def register(cls: type[RequirementCheck]) -> type[RequirementCheck]:
        CHECKS[kind] = cls
        return cls

    return register


def compile_check(req: Requirement, plan: Plan) -> RequirementCheck:
    return CHECKS[req.kind](req, plan)


SEVERITY = {Outcome.MET: 0, Outcome.PENDING: 1, Outcome.LATE: 2, Outcome.MISSED: 3}
"""The worst branch's outcome counts: a branch late or missed outweighs one still open."""

Verdict = tuple[Outcome, float, dict[str, Any]]
"""A result's outcome, credit and other fields, before the result is made."""


def _verdict(outcome: Outcome, credit: float, **kw: Any) -> Verdict:
    return outcome, credit, kw


@check_of("deadline")
class DeadlineCheck(RequirementCheck):
    """The response within the allowed time of the first trigger (at each branch, when branch
    staff respond); the worst branch counts."""

    req: DeadlineRequirement
    arises = "at the trigger"
    unarisen = "ever"
    judges = ("response",)

    def __init__(self, req: DeadlineRequirement, plan: Plan):
        super().__init__(req, plan)
        self.trigger, self.response = Selection.of(req.trigger), Selection.of(req.response)
        self.rule = plan.deadline(req.within)
        self.per_site = _done_at_each_branch(req, plan)

    def arising(self, view: LogView) -> list[Event]:
        starts = view.all(self.trigger)
        # `first: true` (`incident`): only the first trigger at each site counts
        return _first_at_each_site(starts) if self.req.trigger.first else starts

    def judge(self, view: LogView, rows: list[Event]) -> RequirementResult:
        if not rows:
            return self.not_applicable("the trigger did not occur")
        # the deadline counts from the first trigger at which the condition holds
        sites = sorted({row.site for row in rows} & view.branches) if self.per_site else []
        responses, done = view.candidates(self.response), self.response.match
        if len(sites) <= 1:
            outcome, credit, kw = self.measure(view, rows[0], None, (row for row in responses if done(row)))
            return self.result(outcome, credit, **kw)
        # several branches, each must respond: the worst of them counts. One pass over the triggers
        # and one over the responses find every branch's first trigger and its responses.
        starts: dict[str, Event] = {}
        for row in rows:
            starts.setdefault(row.site, row)
        done_at: dict[str, list[Event]] = {site: [] for site in sites}
        for row in responses:
            if row.site in done_at and done(row):
                done_at[row.site].append(row)
        each = [self.measure(view, starts[s], s, iter(done_at[s])) for s in sites]
        outcome, credit, kw = max(each, key=lambda v: (SEVERITY[v[0]], v[2].get("latency") or 0.0))
        return self.result(outcome, credit, **kw)  # one result made, not one per branch

    def measure(self, view: LogView, start: Event, site: str | None, responses: Iterator[Event]) -> Verdict:
        """The verdict on the trigger ``start`` (at ``site``, or anywhere), given the responses, in order of time."""
        verdict = _verdict
        limit = self.rule.allowed(start.t, view.origin)
        where = "" if site is None else f" at {site}"
        open_for = None if view.now is None else start.t + limit - view.now
        done = next(responses, None)
        if done is None:
            if open_for is not None and open_for > 0:
                return verdict(Outcome.PENDING, 0.0, since=start.t, deadline=limit,
                               detail=f"still open: {format_minutes(open_for)} left{where}")
            return verdict(Outcome.MISSED, 0.0, since=start.t, deadline=limit,
                           detail=f"no response in the log{where}")
        if done.t < start.t:
            early = format_minutes(start.t - done.t)
            if self.req.earlier_counts:
                return verdict(Outcome.MET, 1.0, at=done.t, since=start.t, latency=0.0, deadline=limit,
                               detail=f"done {early} before the trigger{where}")
            before = done
            done = next((row for row in responses if row.t >= start.t), None)
            if done is None:
                if open_for is not None and open_for > 0:
                    return verdict(Outcome.PENDING, 0.0, at=before.t, since=start.t, deadline=limit,
                                   detail=f"still open: {format_minutes(open_for)} left{where} (the response "
                                          f"came {early} before the trigger, and only one after it counts)")
                return verdict(Outcome.MISSED, 0.0, at=before.t, since=start.t, deadline=limit,
                               detail=f"the response came {early} before the trigger{where}; this "
                                      f"requirement counts only responses after it")
        latency = done.t - start.t
        if latency <= limit + 1e-9:
            return verdict(Outcome.MET, 1.0, at=done.t, since=start.t, latency=latency, deadline=limit,
                           detail=where.strip())
        return verdict(Outcome.LATE, self.plan.scoring.late_credit, at=done.t, since=start.t, latency=latency,
                       deadline=limit, detail=f"late by {format_minutes(latency - limit)}{where}")


@check_of("content")
class ContentCheck(RequirementCheck):
    """The first such report carries every listed field; credit is the share it carries."""

    req: ContentRequirement
    arises = "when the report was sent"
    judges = ("report",)

    def __init__(self, req: ContentRequirement, plan: Plan):
        super().__init__(req, plan)
        self.report = Selection.of(req.report)

    def arising(self, view: LogView) -> list[Event]:
        row = view.first(self.report)
        return [] if row is None else [row]

    def judge(self, view: LogView, rows: list[Event]) -> RequirementResult:
        if not rows:
            if view.now is not None:  # no time limit of its own: the report can still come
                return self.pending("no such report yet")
            return self.result(Outcome.MISSED, 0.0, detail="no such report in the log")
        row, wanted = rows[0], self.req.fields
        carried = set(row.fields or ())
        missing = [f for f in wanted if f not in carried]
        if not missing:
            return self.result(Outcome.MET, 1.0, at=row.t)
        names = ", ".join(f"{f} ({self.plan.report_fields[f]})" for f in missing)
        share = 1 - len(missing) / len(wanted)
        return self.result(Outcome.INCOMPLETE, share, at=row.t, detail=f"missing: {names}")


@check_of("order")
class OrderCheck(RequirementCheck):
    """The first step comes no later than the second."""

    req: OrderRequirement
    arises = "at the second step"
    judges = ("first", "then")

    def __init__(self, req: OrderRequirement, plan: Plan):
        super().__init__(req, plan)
        self.first, self.then = Selection.of(req.first), Selection.of(req.then)

    def arising(self, view: LogView) -> list[Event]:
        row = view.first(self.then)
        return [] if row is None else [row]

    def judge(self, view: LogView, rows: list[Event]) -> RequirementResult:
        a = view.first(self.first)
        if not rows:
            if view.now is not None and a is not None:
                return self.pending("the first step is done, the second not yet", at=a.t)
            return self.not_applicable("the second step did not occur")
        b = rows[0]
        if a is None:
            return self.result(Outcome.VIOLATED, 0.0, at=b.t, detail="the second step came without the first")
        if a.t > b.t:
            return self.result(Outcome.VIOLATED, 0.0, at=b.t, latency=b.t - a.t,
                               detail=f"the second step came {format_minutes(a.t - b.t)} before the first")
        return self.result(Outcome.MET, 1.0, at=b.t, latency=b.t - a.t)


@check_of("prohibition")
class ProhibitionCheck(RequirementCheck):
    """No forbidden event while ``while`` holds. Read at each forbidden event, the requirement
    applies whenever its condition held at some moment, and an event counts when it held then."""

    req: ProhibitionRequirement
    unarisen = "ever"
    judges = ("forbidden",)

    def __init__(self, req: ProhibitionRequirement, plan: Plan):
        super().__init__(req, plan)
        self.forbidden = Selection.of(req.forbidden)
        self.while_ = plan.compile(req.while_)
        self.met = self.result(Outcome.MET, 1.0)  # the same every time

    def judge(self, view: LogView, rows: list[Event]) -> RequirementResult:
        at_each = self.reading == "trigger"
        for row in view.all(self.forbidden):
            now = view.vars_at(row.t)
            if self.while_(now) and (not at_each or self.applies(now)):
                return self.result(Outcome.VIOLATED, 0.0, at=row.t,
                                   detail=f"{row.what} by {row.actor or row.actor_role}")
        return self.met


@check_of("classification")
class ClassificationCheck(RequirementCheck):
    """Every declared level is the one the grading rules give at that moment, and the last keeps
    up with the final facts."""

    req: ClassificationRequirement

    def __init__(self, req: ClassificationRequirement, plan: Plan):
        super().__init__(req, plan)
        self.names = {0: "none", **{rank: name for name, rank in plan.level_rank.items()}}

    def judged_roles(self) -> tuple[frozenset[str], ...]:
        return (frozenset([self.plan.grading.by]),) if self.plan.grading else ()

    def judge(self, view: LogView, rows: list[Event]) -> RequirementResult:
        names, grade = self.names, self.plan.grade
        should_end = grade(view.final, view.incident_type)
        if not view.levels:
            if should_end == 0:
                return self.not_applicable("the rules give no level")
            if view.now is not None:
                return self.pending(f"no level declared yet; the rules give {names[should_end]}")
            return self.result(Outcome.MISSED, 0.0, detail=f"no level declared; the rules give {names[should_end]}")
        for t, name, declared in view.levels:
            should = grade(view.vars_at(t), view.incident_type)
            if declared != should:
                return self.result(Outcome.VIOLATED, 0.0, at=t,
                                   detail=f"declared {_said(name, declared)}; the rules give {names[should]}")
        t, name, last = view.levels[-1]
        if should_end and last != should_end:
            if view.now is not None:
                return self.pending(f"not re-graded yet: last declared {_said(name, last)}, the facts so far "
                                    f"give {names[should_end]}", at=t)
            return self.result(Outcome.MISSED, 0.0, at=t,
                               detail=f"not re-graded: last declared {_said(name, last)}, the final facts "
                                      f"give {names[should_end]}")
        return self.result(Outcome.MET, 1.0, at=view.levels[0][0])


MESSAGE_EVENTS = ("sent", "received", "acknowledged", "unanswered", "lost")


def roles_of(sel: Selector, plan: Plan) -> frozenset[str]:
    """The roles whose doing the rows ``sel`` selects are: its actors (for an arrival, who arrived);
    else, as the plan assigns it, the roles whose duties do the action, the senders of the reports that
    match, the grading role for a level. None for a fact or an inject (no role's doing)."""
    if sel.event == "arrived":
        return frozenset(sel.what or sel.actor or ())
    if sel.actor:
        return frozenset(sel.actor)
    if sel.event == "action":
        duties = [d for name in sel.what for d in plan.duties_doing.get(name, ())] if sel.what else plan.duties
        return frozenset(r for d in duties for r in d.roles)
    if sel.event in MESSAGE_EVENTS:
        named = plan.report_by_id
        reports = [named[name] for name in sel.what if name in named] if sel.what else plan.escalation
        return frozenset(r.from_ for r in reports if (not sel.target or {r.to, *r.fallback} & set(sel.target))
                         and (not sel.channel or r.channel in sel.channel))
    if sel.event == "level" and plan.grading is not None:
        return frozenset([plan.grading.by])
    return frozenset()


def _said(name: str, rank: int) -> str:
    return name if rank else f"{name} (not a level of this plan)"


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
    an office or an agency alone is checked once. A response that names no actor is done by the
    roles whose tasks can make it (``spec.plan.producers``)."""
    staff = {r for r, role in plan.roles.items() if role.kind == "staff"}
    sel = req.response
    named = sel.what if sel.event == "arrived" else sel.actor or producers(plan, sel)
    return bool(named) and bool(set(named) & staff)
