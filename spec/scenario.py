"""The scenario file: the branch or branches, the incident as a timeline of injects, and every
stochastic parameter as a named distribution.

Parameters the scenario leaves out take the defaults in :mod:`spec.defaults`, each of which cites
its source in ``docs/parameters.md``.

Checked against its plan, a scenario's fact values are converted to the facts' types
(``spec.values.fact_value``): the engine only ever sees typed values.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Discriminator, Field, Tag, model_validator

from . import defaults, values
from .calendar import LAST_DAY, nth_working_day_after
from .checking import check, raise_problems
from .distributions import Distribution, DistributionField, Exponential, Fixed, Lognormal, parse_distribution
from .errors import InputError
from .plan import MAX_COUNT, Plan, selector_problems, typed_selector
from .schema import Bool, Duration, Number, Probability, Selector, Strict, TimeOfDay, Whole, probability, written_date
from .yamlio import Path_, load_yaml

MAX_ARRIVALS_PER_HOUR = 600.0
MAX_HORIZON = 90 * 1440.0
"""The longest a scenario may run (90 days, in minutes)."""
Count = Annotated[Whole, Field(ge=0, le=MAX_COUNT)]


def _arrivals(value: float) -> float:
    if not 0 <= value <= MAX_ARRIVALS_PER_HOUR:  # also false for NaN
        raise ValueError(f"arrivals_per_hour is a number from 0 to {MAX_ARRIVALS_PER_HOUR:g}, got {value}")
    return value


def _horizon(value: float) -> float:
    if not 0 < value <= MAX_HORIZON:
        raise ValueError(f"the horizon is longer than 0 and at most 90 days, got {value:g} min")
    return value


class Customers(Strict):
    arrivals_per_hour: Annotated[Number, AfterValidator(_arrivals)] = 0.0
    service: DistributionField = Exponential((3.0,))


class Branch(Strict):
    id: str = "branch"
    name: str = ""
    staffing: dict[str, Count] = {}
    """Instances of each branch role, overriding the plan's counts."""
    presence: dict[str, Probability] = {}
    opens: TimeOfDay = time(9, 0)
    closes: TimeOfDay = time(17, 0)
    customers: Customers = Customers()

    @model_validator(mode="after")
    def _open_before_close(self) -> Branch:
        if self.closes < self.opens:  # equal: closed all day (no customers)
            raise ValueError(f"the branch closes at {self.closes:%H:%M}, before it opens at {self.opens:%H:%M}")
        return self


class FactDraw(Strict):
    """A fact whose value is drawn: ``{chance: p}`` is true with probability p."""

    chance: Probability


def _after_kind(value: Any) -> str:
    return "selector" if isinstance(value, dict | Selector) else "inject id"


After = Annotated[Annotated[str, Tag("inject id")] | Annotated[Selector, Tag("selector")], Discriminator(_after_kind)]
"""An inject's ``after``: another inject's id, or a selector of log events (``{event: action, what: …}``)."""


class Inject(Strict):
    id: str
    at: DistributionField = Fixed((0.0,))
    after: After | None = None
    """Another inject: ``at`` then counts from that inject's time. Or an event of the drill, selected
    as a duty's ``on`` is: the inject then comes after the first such event at each of its branches,
    once per branch, ``at`` counted from that event (feedback: what is done changes what happens)."""
    description: str = ""
    when: str | None = None
    """A condition checked at the inject's time: if it does not hold, the inject does not happen."""
    disrupts: Bool = True
    """Whether it interrupts business at its branches (tellers stop serving, no customer comes in);
    false for an advance notice."""
    facts: dict[str, Any] = {}
    """Fact name -> a value of the fact's type, ``{chance: p}`` (a boolean fact) or a distribution
    (a number fact); typed once the scenario is checked against its plan (:func:`typed_fact`)."""
    branches: tuple[str, ...] | None = Field(None, min_length=1)
    """Branches the inject happens at; all of them if left out."""


class IncidentSpec(Strict):
    type: str
    id: str = "INC-1"


class ChannelParams(Strict):
    down: Bool = False
    """The channel does not work for the whole drill: reports go by the plan's fallback channel,
    or are lost (unanswered) where it has none."""
    latency: DistributionField | None = None
    failure: Probability | None = None
    answer_within: Duration | None = None
    talk: DistributionField | None = None


class AgencyParams(Strict):
    answer: DistributionField | None = None
    dispatch: DistributionField | None = None
    travel: DistributionField | None = None
    units: Count | None = None


class HumanParams(Strict):
    reaction: DistributionField | None = None
    """Time from noticing a trigger to starting on it."""
    reaction_by_role: dict[str, DistributionField] = {}
    """The same for the people of one staff or office role, by role id (instead of ``reaction``)."""
    handling: DistributionField | None = None
    """Time an office takes to read a received report before acting on it."""
    omission: dict[str, Probability] = {}
    """Probability of omitting a step: ``default`` and per duty or report id."""
    botch: dict[str, Probability] = {}
    """Probability a duty with ``botch_as`` is done wrongly: ``default`` and per duty id."""
    field_omission: Probability = 0.0
    """Probability that each field a report must carry is left out."""


class Parameters(Strict):
    human: HumanParams = HumanParams()
    channels: dict[str, ChannelParams] = {}
    agencies: dict[str, AgencyParams] = {}
    durations: dict[str, DistributionField] = {}
    """Time a duty or report takes, by its id (overrides the plan's ``takes``)."""
    presence: dict[str, Probability] = {}
    """Probability that each member of an office role is on duty (branch staff: see ``branches``)."""
    travel: dict[str, DistributionField] = {}
    """Time for an off-site person of a role to reach the scene."""


class Scenario(Strict):
    schema_: str = Field(alias="schema", pattern=r"^drillsim\.scenario/1$")
    id: str
    title: str
    plan: str
    """The id of the plan this scenario is written for."""
    description: str = ""
    start: Annotated[datetime, BeforeValidator(written_date)]
    """Wall-clock time of scenario time 0."""
    horizon: Annotated[Duration, AfterValidator(_horizon)] = 240.0
    branches: tuple[Branch, ...] = Field((Branch(),), min_length=1)
    incident: IncidentSpec
    injects: tuple[Inject, ...] = Field(min_length=1)
    parameters: Parameters = Parameters()

    def sites_of(self, inject: Inject) -> tuple[str, ...]:
        """The branches ``inject`` happens at: those its ``branches:`` lists, else every one."""
        return inject.branches or tuple(b.id for b in self.branches)


def _check_span(sc: Scenario) -> list[tuple[Path_, str]]:
    """The drill from ``start`` to its horizon ends by :data:`~spec.calendar.LAST_DAY`."""
    if sc.start.replace(tzinfo=None) <= datetime.combine(LAST_DAY, time.max) - timedelta(minutes=sc.horizon):
        return []
    return [(("start",), f"the drill would run past {LAST_DAY}, the last day drillsim can count to: "
             "start it earlier, or shorten the horizon")]


def _check_ids(sc: Scenario) -> list[tuple[Path_, str]]:
    problems: list[tuple[Path_, str]] = []
    for kind, key, ids in (("inject", "injects", [i.id for i in sc.injects]),
                           ("branch", "branches", [b.id for b in sc.branches])):
        for i, name in enumerate(ids):
            if name in ids[:i]:
                problems.append(((key, i, "id"), f"{kind} id {name!r} is used twice"))
    ids = [b.id for b in sc.branches]
    names = [b.name for b in sc.branches]
    for i, b in enumerate(sc.branches):  # a drill log names a branch by its id or its name
        if b.name and (b.name in ids[:i] + ids[i + 1:] or b.name in names[:i]):
            problems.append((("branches", i, "name"), f"branch name {b.name!r} is also another branch's "
                             f"{'id' if b.name in ids else 'name'}: a drill log could not tell them apart"))
    return problems


def earliest(inject: Inject) -> float:
    """The soonest an inject's ``at`` can come (minutes): 0 for an exponential or a lognormal one."""
    return 0.0 if isinstance(inject.at, Exponential | Lognormal) else min(inject.at.params)


def _check_starts(sc: Scenario) -> list[tuple[Path_, str]]:
    """An incident that cannot start before the horizon: nothing would happen, yet be scored."""
    roots = [inject for inject in sc.injects if inject.after is None]
    if not roots:
        return []
    first = min(roots, key=earliest)
    if earliest(first) < sc.horizon:
        return []
    return [(("horizon",), f"the horizon ({sc.horizon:g} min) ends before any inject can happen (the first, "
                           f"{first.id!r}, comes at {earliest(first):g} min or later): the incident never starts")]


def _check_against_plan(sc: Scenario, plan: Plan) -> list[tuple[Path_, str]]:
    problems: list[tuple[Path_, str]] = []

    def need(kind: str, value: str, known: set[str] | dict, loc: Path_) -> None:
        if value not in known:
            problems.append((loc, f"unknown {kind} {value!r}; known: {', '.join(sorted(known)) or '(none)'}"))

    if sc.plan != plan.id:
        problems.append((("plan",), f"this scenario is written for plan {sc.plan!r}, not {plan.id!r}"))
    need("incident type", sc.incident.type, plan.incident_types, ("incident", "type"))
    branch_roles = {r for r, role in plan.roles.items() if role.kind == "staff"}
    agencies = {r for r, role in plan.roles.items() if role.kind == "agency"}
    branch_ids = {b.id for b in sc.branches}
    for i, b in enumerate(sc.branches):
        for role in b.staffing:
            need("branch role", role, branch_roles, ("branches", i, "staffing", role))
        for role in b.presence:
            need("branch role", role, branch_roles, ("branches", i, "presence", role))
    inject_ids = [inj.id for inj in sc.injects]
    for i, inj in enumerate(sc.injects):
        loc: Path_ = ("injects", i)
        if isinstance(inj.after, Selector):
            problems += selector_problems(plan, inj.after, (*loc, "after"))
            if inj.after.event == "inject":
                for name in inj.after.what or ():
                    need("inject", name, set(inject_ids), (*loc, "after", "what"))
        elif inj.after is not None and inj.after not in inject_ids[:i]:
            problems.append(((*loc, "after"), f"'after' must name an earlier inject, not {inj.after!r}"))
        for b in inj.branches or ():
            need("branch", b, branch_ids, (*loc, "branches"))
        try:
            plan.compile(inj.when)
        except ValueError as err:
            problems.append(((*loc, "when"), str(err)))
        for name, value in inj.facts.items():
            floc = (*loc, "facts", name)
            if name not in plan.facts:
                need("fact", name, plan.facts, floc)
                continue
            if plan.facts[name].type == "elapsed":
                problems.append((floc, f"{name!r} is an elapsed fact: set {plan.facts[name].while_!r} instead"))
                continue
            try:
                typed_fact(plan.facts[name].type, value)
            except ValueError as err:
                problems.append((floc, f"{err} (the fact {name!r} is of type {plan.facts[name].type})"))
    calendar = calendar_problem(sc, plan)
    if calendar:
        problems.append((("start",), calendar))
    p = sc.parameters
    for name, given in p.channels.items():
        need("channel", name, plan.channels, ("parameters", "channels", name))
        if name in plan.channels and not plan.channels[name].synchronous:
            for key in ("answer_within", "talk"):
                if getattr(given, key) is not None:
                    problems.append((("parameters", "channels", name, key), f"channel {name!r} is not synchronous "
                                     f"(no call to answer or talk through), so {key} does not apply"))
    for cid, channel in plan.channels.items():
        missing = missing_channel_parameters(cid, channel.synchronous, p.channels.get(cid))
        if missing:
            problems.append((("parameters",), f"channel {cid!r} has no standard defaults; give "
                             + ", ".join(f"parameters.channels.{cid}.{k}" for k in missing)))
    for name in p.agencies:
        need("agency", name, agencies, ("parameters", "agencies", name))
    duty_ids = {d.id for d in plan.duties}
    task_ids = duty_ids | {r.id for r in plan.escalation}
    for name in p.durations:
        need("duty or report", name, task_ids, ("parameters", "durations", name))
    offices = {r for r, role in plan.roles.items() if role.kind == "office"}
    for name in p.presence:
        need("office role", name, offices, ("parameters", "presence", name))
    for name in p.travel:
        need("role", name, plan.roles, ("parameters", "travel", name))
    for name in p.human.reaction_by_role:
        need("staff or office role", name, branch_roles | offices, ("parameters", "human", "reaction_by_role", name))
    for table in ("omission", "botch"):
        for name in getattr(p.human, table):
            need("duty or report", name, task_ids | {"default"}, ("parameters", "human", table, name))
    botched = {d.id for d in plan.duties if d.botch_as}
    for name in p.human.botch:
        if name in task_ids and name not in botched:
            problems.append((("parameters", "human", "botch", name), f"{name!r} has no botch_as in the plan, "
                             "so it cannot be done wrongly"))
    return problems


def channel_parameters(cid: str, given: ChannelParams | None) -> dict[str, Any]:
    """The standard defaults of a channel id, overridden by what the scenario gives."""
    base = dict(defaults.CHANNELS.get(cid, {}))
    if given is not None:
        base.update({k: getattr(given, k) for k in ("latency", "failure", "answer_within", "talk")
                     if getattr(given, k) is not None})
    return base


def missing_channel_parameters(cid: str, synchronous: bool, given: ChannelParams | None) -> list[str]:
    needed = ("latency", "failure") + (("answer_within", "talk") if synchronous else ())
    have = channel_parameters(cid, given)
    return [k for k in needed if k not in have]


def typed_fact(kind: str, value: Any) -> bool | int | float | str | FactDraw | Distribution:
    """An inject's value for a fact of type ``kind``: a constant of that type (``spec.values``),
    ``{chance: p}`` for a boolean fact, or a distribution for a number. ValueError says what is wrong.

    Typed values are returned as they are, so converting twice is harmless.
    """
    if isinstance(value, FactDraw) or (isinstance(value, dict) and set(value) == {"chance"}):
        if kind != "bool":
            raise ValueError("{chance: p} draws true or false, so it is for a boolean fact only")
        return value if isinstance(value, FactDraw) else FactDraw(chance=probability(value["chance"]))
    if isinstance(value, Distribution | dict):
        if kind not in ("int", "float"):
            raise ValueError(f"a distribution draws a number, not a value of type {kind}")
        return parse_distribution(value)
    return values.fact_value(kind, value)


def calendar_problem(sc: Scenario, plan: Plan) -> str | None:
    """Why the plan's working-day deadlines cannot be counted on this scenario's dates, if they cannot."""
    deadlines = [plan.deadline(r.within) for r in plan.requirements if r.kind == "deadline"]
    most = max((d.working_days for d in deadlines if d.working_days), default=0)
    if not most:
        return None
    last = (sc.start + timedelta(minutes=sc.horizon)).date()
    try:
        nth_working_day_after(last, most)
    except InputError as err:
        return (f"the plan counts deadlines in working days (up to {most}), which this scenario's dates "
                f"({sc.start.date()} to {last}, and {most} working days after) take past the Chinese calendar "
                f"drillsim knows: {err.message}")
    return None


def _typed(sc: Scenario, plan: Plan) -> Scenario:
    """The scenario with every inject's fact values, and the value an ``after`` selects, converted
    to the facts' types."""
    injects = tuple(inj.model_copy(update={
        "facts": {k: typed_fact(plan.facts[k].type, v) for k, v in inj.facts.items()},
        "after": typed_selector(plan, inj.after) if isinstance(inj.after, Selector) else inj.after})
        for inj in sc.injects)
    return sc.model_copy(update={"injects": injects})


def parse_scenario(data: Any, plan: Plan | None = None, source: str = "<scenario>",
                   positions: dict[Path_, int] | None = None) -> Scenario:
    positions = positions or {}
    sc = check(Scenario, data, source, positions, "schema, id, plan, injects")
    problems = _check_span(sc) + _check_ids(sc) + _check_starts(sc)
    if problems:
        raise_problems(source, data, positions, problems)
    if plan is not None:
        problems = _check_against_plan(sc, plan)
        if problems:
            raise_problems(source, data, positions, problems)
        sc = _typed(sc, plan)
    return sc


def load_scenario(path: str | Path, plan: Plan | None = None) -> Scenario:
    """Read and check a scenario; with ``plan``, also check every name against that plan."""
    data, positions = load_yaml(path)
    return parse_scenario(data, plan, str(path), positions)
