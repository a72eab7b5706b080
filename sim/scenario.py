"""The scenario file: the branch or branches, the incident as a timeline of injects, and every
stochastic parameter as a named distribution.

Parameters the scenario leaves out take the defaults in :mod:`sim.defaults`, each of which cites
its source in ``docs/parameters.md``.
"""

from __future__ import annotations

from datetime import datetime, time
from pathlib import Path
from typing import Annotated, Any

from pydantic import Field, model_validator

from . import defaults
from .checking import check, raise_problems
from .distributions import Distribution, DistributionField, parse_distribution
from .plan import Plan
from .schema import Duration, Probability, Strict
from .yamlio import Path_, load_yaml


class Customers(Strict):
    arrivals_per_hour: float = Field(0.0, ge=0)
    service: DistributionField = Distribution("exponential", (3.0,))


class Branch(Strict):
    id: str = "branch"
    name: str = ""
    staffing: dict[str, Annotated[int, Field(ge=0)]] = {}
    """Instances of each branch role, overriding the plan's counts."""
    presence: dict[str, Probability] = {}
    opens: time = time(9, 0)
    closes: time = time(17, 0)
    customers: Customers = Customers()


class FactDraw(Strict):
    """A fact whose value is drawn: ``{chance: p}`` is true with probability p."""

    chance: Probability


class Inject(Strict):
    id: str
    at: DistributionField = Distribution("fixed", (0.0,))
    after: str | None = None
    """Another inject: ``at`` then counts from that inject's time."""
    description: str = ""
    when: str | None = None
    """A condition checked at the inject's time: if it does not hold, the inject does not happen."""
    disrupts: bool = True
    """Whether it interrupts business at its branches (tellers stop serving, no customer comes in);
    false for an advance notice."""
    facts: dict[str, Any] = {}
    branches: tuple[str, ...] | None = None
    """Branches the inject happens at; all of them if left out."""


class IncidentSpec(Strict):
    type: str
    id: str = "INC-1"


class ChannelParams(Strict):
    latency: DistributionField | None = None
    failure: Probability | None = None
    answer_within: Duration | None = None
    talk: DistributionField | None = None


class AgencyParams(Strict):
    answer: DistributionField | None = None
    dispatch: DistributionField | None = None
    travel: DistributionField | None = None
    units: int | None = Field(None, ge=0)


class HumanParams(Strict):
    reaction: DistributionField | None = None
    """Time from noticing a trigger to starting on it."""
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
    start: datetime
    """Wall-clock time of scenario time 0."""
    horizon: Duration = 240.0
    branches: tuple[Branch, ...] = (Branch(),)
    incident: IncidentSpec
    injects: tuple[Inject, ...] = Field(min_length=1)
    parameters: Parameters = Parameters()

    @model_validator(mode="after")
    def _check(self) -> Scenario:
        ids = [i.id for i in self.injects]
        if len(set(ids)) != len(ids):
            raise ValueError("inject ids must be unique")
        branch_ids = [b.id for b in self.branches]
        if len(set(branch_ids)) != len(branch_ids):
            raise ValueError("branch ids must be unique")
        return self


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
        if inj.after is not None and inj.after not in inject_ids[:i]:
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
                fact_value(value)
            except ValueError as err:
                problems.append((floc, str(err)))
    p = sc.parameters
    for name in p.channels:
        need("channel", name, plan.channels, ("parameters", "channels", name))
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
    for table in ("omission", "botch"):
        for name in getattr(p.human, table):
            need("duty or report", name, task_ids | {"default"}, ("parameters", "human", table, name))
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


def fact_value(value: Any) -> Any:
    """A fact value as written: a constant, ``{chance: p}``, or a distribution."""
    if isinstance(value, dict):
        if set(value) == {"chance"}:
            return FactDraw.model_validate(value)
        return parse_distribution(value)
    if isinstance(value, bool | int | float | str):
        return value
    raise ValueError(f"a fact value is a constant, {{chance: p}} or a distribution, got {value!r}")


def parse_scenario(data: Any, plan: Plan | None = None, source: str = "<scenario>",
                   positions: dict[Path_, int] | None = None) -> Scenario:
    positions = positions or {}
    sc = check(Scenario, data, source, positions, "schema, id, plan, injects")
    if plan is not None:
        problems = _check_against_plan(sc, plan)
        if problems:
            raise_problems(source, data, positions, problems)
    return sc


def load_scenario(path: str | Path, plan: Plan | None = None) -> Scenario:
    """Read and check a scenario; with ``plan``, also check every name against that plan."""
    data, positions = load_yaml(path)
    return parse_scenario(data, plan, str(path), positions)
