"""A plan and a scenario compiled into the flat tables the engine runs on.

Everything that can be worked out once — conditions compiled, distributions turned into samplers,
triggers indexed by event kind, per-task probabilities looked up — is done here, so that a
replication does no parsing and no lookups by name on its hot path.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from drillsim.log.selection import Match, matcher
from drillsim.spec import defaults
from drillsim.spec.conditions import Condition, always
from drillsim.spec.distributions import Distribution, Fixed, Sampler
from drillsim.spec.plan import BUILTIN_ACTIONS, Duty, Plan, Report, Role
from drillsim.spec.scenario import FactDraw, Scenario, channel_parameters, typed_fact
from drillsim.spec.schema import LEARNED, Selector


@dataclass(slots=True)
class ChannelRuntime:
    id: str
    synchronous: bool
    on_the_road: bool
    latency: Sampler
    failure: float
    answer_within: float
    talk: Sampler
    down: bool = False  # out of order, with no fallback channel up: its user finds every attempt fails


@dataclass(slots=True)
class AgencyRuntime:
    answer: Sampler
    dispatch: Sampler
    travel: Sampler
    units: int
    works_on_scene: bool  # the role has duties or reports: its unit does them on the scene


@dataclass(slots=True, eq=False)
class TaskSpec:
    """A duty or a report, ready to run."""

    id: str
    roles: tuple[str, ...]  # who may do it, first-listed first (``Duty.roles``; a report's sender)
    on: Selector
    condition: Condition
    who: str
    priority: int
    takes: Sampler
    omission: float
    repeat: bool
    delay: float
    interrupts: bool  # done at once, pausing the performer's job in hand (``Task.interrupts``; a task that stops)
    stops: frozenset[str] = frozenset()  # the duties and reports it ends (``Task.stops``)
    action: str | None = None  # duties
    botch_as: str | None = None
    botch: float = 0.0
    report: Report | None = None  # reports
    channel: ChannelRuntime | None = None
    targets: tuple[str, ...] = ()
    sets: tuple[tuple[str, Any], ...] = ()  # duties: the facts its action makes so (``Duty.sets``)
    # read from ``on`` and ``report`` once: a pydantic model's attributes are slow to read (its
    # ``__getattr__`` keeps Python from specializing the lookup), and these are read on the hot path
    first: bool = field(init=False)  # ``on.first``: only the first such event at a site starts it
    on_actor: tuple[str, ...] | None = field(init=False)
    on_channel: tuple[str, ...] | None = field(init=False)
    on_value: Any = field(init=False)
    narrow: bool = field(init=False)  # the trigger names an actor, a channel or a value
    report_id: str | None = field(init=False)
    carries: tuple[str, ...] = field(init=False)  # reports: ``Report.carries``
    attempts: int = field(init=False)  # reports: ``Report.retry``
    retry_every: float = field(init=False)
    give_up: float = field(init=False)  # reports: how long each call rings (``Report.timeout``, else the channel's)
    notify: str = field(init=False)  # reports: ``Report.notify``
    rounds: int = field(init=False)  # reports: ``Report.rounds``
    role: str = field(init=False)  # the first-listed role: the only one, for most tasks
    several: bool = field(init=False)  # more than one role may do it
    one: bool = field(init=False)  # ``who: one``
    check_now: Condition | None = field(init=False)  # the condition checked when the trigger fires: None if
    # there is none (``always``) or it is checked when the delay is up (``Replication._give``)
    road: bool = field(init=False)  # a report its sender can make while travelling (``Channel.on_the_road``)

    def __post_init__(self) -> None:
        on, report = self.on, self.report
        self.first = on.first
        self.on_actor, self.on_channel, self.on_value = on.actor, on.channel, on.value
        self.narrow = on.actor is not None or on.channel is not None or on.value is not None
        self.report_id = report.id if report is not None else None
        self.carries = report.carries if report is not None else ()
        self.attempts = report.retry.attempts if report is not None else 0
        self.retry_every = report.retry.every if report is not None else 0.0
        self.notify = report.notify if report is not None else "one"
        self.rounds = report.rounds if report is not None else 0
        self.give_up = 0.0
        if report is not None:
            self.give_up = self.channel.answer_within if report.timeout is None else report.timeout
        self.role = self.roles[0]
        self.several = len(self.roles) > 1
        self.one = self.who == "one"
        self.check_now = None if self.delay or self.condition is always else self.condition
        self.road = self.channel is not None and self.channel.on_the_road

    def matches(self, actor_role: str | None, channel: str | None, value: Any) -> bool:
        """Whether an event the trigger index has already matched on kind, name and target role
        (``Model.triggers``) also has the actor, channel and value the trigger asks for."""
        return ((self.on_actor is None or actor_role in self.on_actor)
                and (self.on_channel is None or channel in self.on_channel)
                and (self.on_value is None or self.on_value == value))


@dataclass(slots=True)
class InjectRuntime:
    id: str
    at: Sampler
    after: str | None  # the inject it follows; None: from the start, or an event (``on``)
    condition: Condition | None
    facts: list[tuple[str, Callable[[Any], Any]]]  # (name, draws its value)
    branches: tuple[str, ...]
    disrupts: bool
    on: Selector | None = None  # the event of the drill it follows (``after: {event: …}``)
    selects: Match | None = field(init=False)  # whether a row of the kind ``on`` names is one it follows

    def __post_init__(self) -> None:
        self.selects = None if self.on is None else matcher(self.on)


@dataclass(slots=True)
class BranchRuntime:
    id: str
    staffing: dict[str, int]
    presence: dict[str, float]
    open_from: float
    open_until: float
    arrival_mean: float  # minutes between customers; 0 means none
    service: Callable[[np.random.Generator, int], np.ndarray]  # draws a block of service times


@dataclass(slots=True, frozen=True)
class PersonSlot:
    """One person a replication creates; ``Model.people`` lists them in the order their presence is drawn."""

    role: str
    name: str
    site: str  # a branch, or "office"
    presence: float  # chance of being on site (on duty, for an office)
    reachable: float  # chance of answering when absent
    office: bool
    serves: bool  # serves the branch's customers


@dataclass
class Model:
    plan: Plan
    scenario: Scenario
    channels: dict[str, ChannelRuntime]
    agencies: dict[str, AgencyRuntime]
    triggers: dict[str, dict[str | None, dict[str | None, list[TaskSpec]]]]
    """event kind -> what -> target role -> the tasks such an event may start, by priority; the key
    ``None`` stands for any name no task asks for (see ``Replication.emit``)."""
    learned: dict[str, list[TaskSpec]]
    """role -> the tasks its people start when they learn of the incident at a site, by priority
    (``on: {event: learned}``, ``Replication.learn``); no log event triggers them."""
    on_facts: dict[str, list[tuple[str, list[TaskSpec]]]]
    """role -> for each fact of the plan (in plan order) that starts tasks of the role when it changes,
    those tasks, by priority: what an office's member told of an incident, or anyone arriving on the scene,
    acts on (``Replication._standing_facts``)."""
    interrupting: set[str]  # roles with a task that interrupts the job in hand
    taking_over: set[str]
    """roles whose people may take a queued task from a colleague (``Person._take_over``): named by a
    task done once (``who: one``) that names another role too, or has more than one of them at a site."""
    monitors: tuple[str, ...]  # office roles that perceive every site untold (``Role.monitors``), in plan order
    followers: dict[str | None, list[InjectRuntime]]  # the injects that come after each; None: from the start
    follows: dict[str, list[InjectRuntime]]  # event kind -> the injects that follow an event of that kind
    branches: list[BranchRuntime]
    reaction: dict[str, Sampler]
    """role -> how long its people take to turn to a job (not a ringing phone) when they come to it from
    idle or serving; none between jobs (``Person._free``)."""
    handling: Sampler
    travel: dict[str, Sampler]
    field_omission: float
    people: list[PersonSlot]
    groups: list[tuple[str, str]]
    """(branch, staff role) for every staff role at every branch, even one staffed by nobody."""
    level_names: dict[int, str | None]  # level rank -> name; 0: none declared
    clocks_run_by: dict[str, list[str]]  # fact -> the elapsed facts it runs
    # what a replication reads of the plan and the scenario, read from them once (their pydantic
    # attributes are slow to read)
    horizon: float
    incident_id: str
    initial_facts: dict[str, Any]  # every fact before anything happens, with the incident's type and no level
    clocks: dict[str, tuple[str, float, tuple[float, ...]]]  # ``Plan.clocks``
    grade: Callable[[dict[str, Any], str], int]  # ``Plan.grade``
    meta: dict[str, Any] = field(default_factory=dict)


def _channel(cid: str, plan: Plan, sc: Scenario) -> ChannelRuntime:
    """A channel's parameters (complete: the scenario was checked against the plan)."""
    base = channel_parameters(cid, sc.parameters.channels.get(cid))
    sync = plan.channels[cid].synchronous
    zero = Fixed((0.0,)).sampler()
    return ChannelRuntime(cid, sync, plan.channels[cid].on_the_road, base["latency"].sampler(), float(base["failure"]),
                          float(base.get("answer_within", 0.0)),
                          base["talk"].sampler() if "talk" in base else zero)


def _agency(rid: str, role: Role, plan: Plan, sc: Scenario) -> AgencyRuntime:
    base: dict[str, Any] = dict(defaults.AGENCIES.get(role.service or "other", defaults.AGENCIES["other"]))
    if role.units is not None:
        base["units"] = role.units
    given = sc.parameters.agencies.get(rid)
    if given is not None:
        base.update({k: getattr(given, k) for k in ("answer", "dispatch", "travel", "units")
                     if getattr(given, k) is not None})
    works = any(rid in t.roles for t in plan.duties) or any(t.from_ == rid for t in plan.escalation)
    return AgencyRuntime(base["answer"].sampler(), base["dispatch"].sampler(), base["travel"].sampler(),
                         int(base["units"]), works)


def _task(task: Duty | Report, plan: Plan, sc: Scenario, channels: dict[str, ChannelRuntime]) -> TaskSpec:
    human = sc.parameters.human
    builtin = isinstance(task, Duty) and task.do in BUILTIN_ACTIONS
    omission = human.omission.get(task.id, 0.0 if builtin else human.omission.get("default", 0.0))
    takes = sc.parameters.durations.get(task.id, task.takes)
    common = dict(id=task.id, on=task.on, condition=plan.compile(task.when), who=task.who,
                  priority=task.priority, takes=takes.sampler(), omission=omission, repeat=task.repeat,
                  delay=task.delay, interrupts=task.interrupts or bool(task.stops), stops=frozenset(task.stops or ()))
    if isinstance(task, Duty):
        botch = human.botch.get(task.id, human.botch.get("default", 0.0)) if task.botch_as else 0.0
        return TaskSpec(roles=task.roles, action=task.do, botch_as=task.botch_as, botch=botch,
                        sets=tuple(task.sets.items()), **common)
    return TaskSpec(roles=(task.from_,), report=task, channel=_working_channel(task.channel, plan, sc, channels),
                    targets=(task.to, *task.fallback), **common)


def _working_channel(cid: str, plan: Plan, sc: Scenario, channels: dict[str, ChannelRuntime]) -> ChannelRuntime:
    """The channel a report goes by: its own, or while that is down (``parameters.channels.<id>.down``)
    the first of its fallbacks that is up; with none up, its own, on which every attempt fails."""
    for candidate in (cid, *plan.channels[cid].chain(plan)):
        given = sc.parameters.channels.get(candidate)
        if given is None or not given.down:
            return channels[candidate]
    return replace(channels[cid], failure=1.0, down=True)


def _minutes_of_day(sc: Scenario, t: Any) -> float:
    start = sc.start
    return (t.hour * 60 + t.minute) - (start.hour * 60 + start.minute + start.second / 60)


def build_model(plan: Plan, scenario: Scenario) -> Model:
    """Compile a checked plan and scenario (the scenario checked against this plan)."""
    sc = scenario
    channels = {cid: _channel(cid, plan, sc) for cid in plan.channels}
    agencies = {rid: _agency(rid, r, plan, sc) for rid, r in plan.roles.items() if r.kind == "agency"}
    by_event: dict[str, list[TaskSpec]] = defaultdict(list)
    learned: dict[str, list[TaskSpec]] = defaultdict(list)
    for task in (*plan.duties, *plan.escalation):
        spec = _task(task, plan, sc, channels)
        if spec.on.event != LEARNED:
            by_event[spec.on.event].append(spec)
        for role in spec.roles if spec.on.event == LEARNED else ():
            learned[role].append(spec)
    for specs in learned.values():
        specs.sort(key=lambda s: s.priority)  # stable: plan order within a priority
    triggers: dict[str, dict[str | None, dict[str | None, list[TaskSpec]]]] = {}
    for event, specs in by_event.items():
        whats = {None} | {name for s in specs for name in s.on.what or ()}
        targets = {None} | {name for s in specs for name in s.on.target or ()}
        cells: dict[str | None, dict[str | None, list[TaskSpec]]] = {w: {t: [] for t in targets} for w in whats}
        for spec in sorted(specs, key=lambda s: s.priority):  # stable: plan order within a priority
            for w in whats if spec.on.what is None else set(spec.on.what):
                for t in targets if spec.on.target is None else set(spec.on.target):
                    cells[w][t].append(spec)
        triggers[event] = cells
    on_facts = _on_facts(plan, triggers.get("fact"))
    all_branches = tuple(b.id for b in sc.branches)
    injects = [
        InjectRuntime(i.id, i.at.sampler(), i.after if isinstance(i.after, str) else None,
                      plan.compile(i.when) if i.when else None,
                      [(k, fact_draw(typed_fact(plan.facts[k].type, v), plan.facts[k].type))
                       for k, v in i.facts.items()],
                      i.branches or all_branches, i.disrupts, i.after if isinstance(i.after, Selector) else None)
        for i in sc.injects
    ]
    followers: dict[str | None, list[InjectRuntime]] = {}
    follows: dict[str, list[InjectRuntime]] = {}
    for inject in injects:
        if inject.on is None:
            followers.setdefault(inject.after, []).append(inject)
        else:
            follows.setdefault(inject.on.event, []).append(inject)
    branches = []
    for b in sc.branches:
        staffing = {rid: b.staffing.get(rid, r.count) for rid, r in plan.roles.items() if r.kind == "staff"}
        presence = {rid: b.presence.get(rid, r.presence) for rid, r in plan.roles.items()}
        rate = b.customers.arrivals_per_hour
        branches.append(BranchRuntime(
            b.id, staffing, presence, _minutes_of_day(sc, b.opens), _minutes_of_day(sc, b.closes),
            60.0 / rate if rate > 0 else 0.0, b.customers.service.block()))
    people, groups = _people(plan, sc, branches)
    clocks_run_by: dict[str, list[str]] = {}
    for clock, (driver, _, _) in plan.clocks.items():
        clocks_run_by.setdefault(driver, []).append(clock)
    human = sc.parameters.human
    travel = {rid: sc.parameters.travel.get(rid, defaults.PERSON_TRAVEL).sampler() for rid in plan.roles}
    everyone = (human.reaction or defaults.HUMAN_REACTION).sampler()
    reaction = {rid: human.reaction_by_role[rid].sampler() if rid in human.reaction_by_role else everyone
                for rid in plan.roles}
    tasks = [s for specs in (*by_event.values(), *learned.values()) for s in specs]  # every duty and report
    return Model(
        plan=plan, scenario=sc, channels=channels, agencies=agencies, triggers=triggers, learned=dict(learned),
        on_facts=on_facts,
        interrupting={r for s in tasks if s.interrupts for r in s.roles},
        taking_over=_taking_over(tasks, people),
        monitors=tuple(rid for rid, r in plan.roles.items() if r.monitors),
        followers=followers, follows=follows, branches=branches,
        reaction=reaction,
        handling=(human.handling or defaults.OFFICE_HANDLING).sampler(),
        travel=travel, field_omission=human.field_omission, people=people, groups=groups,
        level_names={0: None, **{rank: name for name, rank in plan.level_rank.items()}},
        clocks_run_by=clocks_run_by, horizon=sc.horizon, incident_id=sc.incident.id,
        initial_facts={**plan.initial_facts, "type": sc.incident.type, "level": 0}, clocks=plan.clocks,
        grade=plan.grade,
        meta={"plan": plan.id, "scenario": sc.id, "incident": sc.incident.id, "type": sc.incident.type,
              "start": sc.start.isoformat()},
    )


def _on_facts(plan: Plan, by_what: dict[str | None, dict[str | None, list[TaskSpec]]] | None
              ) -> dict[str, list[tuple[str, list[TaskSpec]]]]:
    """role -> [(fact, the tasks of the role any change of it starts)], facts in plan order."""
    out: dict[str, list[tuple[str, list[TaskSpec]]]] = {}
    if by_what is None:
        return out
    for role in plan.roles:
        for name in plan.facts:
            specs = [s for s in (by_what.get(name) or by_what[None])[None] if role in s.roles]
            if specs:
                out.setdefault(role, []).append((name, specs))
    return out


def _people(plan: Plan, sc: Scenario, branches: list[BranchRuntime]) -> tuple[list[PersonSlot], list[tuple[str, str]]]:
    """Everyone a replication may have: the staff of each branch, then the members of each office."""
    many = len(branches) > 1
    people, groups = [], []
    for b in branches:
        for rid, role in plan.roles.items():
            if role.kind == "staff":
                groups.append((b.id, rid))
                people.extend(PersonSlot(rid, f"{b.id}/{rid}-{k}" if many else f"{rid}-{k}", b.id, b.presence[rid],
                                         role.reachable, False, role.serves_customers)
                              for k in range(1, b.staffing[rid] + 1))
    for rid, role in plan.roles.items():
        if role.kind == "office":
            presence = sc.parameters.presence.get(rid, role.presence)
            people.extend(PersonSlot(rid, f"{rid}-{k}", "office", presence, role.reachable, True, False)
                          for k in range(1, role.count + 1))
    return people, groups


def _taking_over(specs: list[TaskSpec], people: list[PersonSlot]) -> set[str]:
    """``Model.taking_over``: a queued task can pass only between people of the roles it names, and
    between two people of one role only where a branch (or the office) has two of them."""
    many = {role for (_, role), n in Counter((p.site, p.role) for p in people).items() if n > 1}
    return {r for s in specs if s.who == "one" and (len(s.roles) > 1 or s.roles[0] in many) for r in s.roles}


def fact_draw(value: Any, kind: str) -> Callable[[Any], Any]:
    """How an inject sets a fact from its typed value (``typed_fact``): a constant, ``{chance: p}``
    (a boolean fact), or a distribution (rounded for an int fact)."""
    if isinstance(value, FactDraw):
        chance = value.chance
        return lambda rng: bool(rng.random() < chance)
    if isinstance(value, Distribution):
        sample = value.sampler()
        return (lambda rng: round(sample(rng))) if kind == "int" else sample
    return lambda rng: value
