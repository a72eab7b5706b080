"""The plan file: organisation, escalation graph, grading rules and requirements.

``load_plan(path)`` reads and checks a plan and returns a frozen :class:`Plan`. Structure is
checked by pydantic; cross references (a duty naming an unknown role, a requirement naming an
unknown channel, a condition naming an undeclared fact) are checked after, and every problem is
reported with its line in the file.
"""

from __future__ import annotations

import difflib
from collections.abc import Collection, Mapping
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any, ClassVar, Literal

from pydantic import Field, model_validator

from . import values
from .calendar import ChoiceValue, Deadline, DeadlineField
from .checking import check, raise_problems
from .conditions import Condition, compile_condition, names_read, thresholds
from .distributions import DistributionField, Fixed
from .schema import (
    FIELDS_APART,
    INCIDENT,
    INSTANCE,
    LEARNED,
    LEARNED_HOW,
    Bool,
    Document,
    Duration,
    Names,
    Number,
    Probability,
    RoleNames,
    Selector,
    SelectorField,
    Strict,
    Whole,
)
from .yamlio import Path_, load_yaml

BUILTIN_ACTIONS = ("grade", "go_to_scene")
BUILTIN_ACTION_NAMES = {"grade": "定级", "go_to_scene": "赶赴现场"}
"""Chinese names of the actions every plan has; a plan's ``actions:`` may rename them."""
MAX_COUNT = 100
"""The most instances of a role (people of a staff or office role) and the most units of an agency."""
MAX_RETRIES = 100
SERVICES = ("police", "fire", "ambulance", "regulator", "central_bank", "government", "vendor", "other")


class Role(Strict):
    """A kind of person or body. Staff and office roles are people; agencies dispatch units."""

    name: str
    aliases: tuple[str, ...] = ()
    kind: Literal["staff", "office", "agency"]
    count: Whole = Field(1, ge=0, le=MAX_COUNT)
    presence: Probability = 1.0
    """Probability that each instance is on site (staff) or on duty (office) when the incident starts."""
    reachable: Probability = 1.0
    """Probability that an instance who is not on site still answers the phone."""
    serves_customers: Bool = False
    service: Literal[SERVICES] | None = None  # type: ignore[valid-type]
    """For agencies: which public service, to take its default response times."""
    units: Whole | None = Field(None, ge=0, le=MAX_COUNT)
    """For agencies: units it can send (police cars, ambulances); left out, the service's default."""
    monitors: Bool = False
    """For offices: it perceives what happens at every site as it happens, before anyone tells it (a
    monitoring centre, a product department watching its products); otherwise an office knows of an
    incident only once told (docs/decisions.md, "What people know")."""

    @model_validator(mode="after")
    def _monitors_an_office(self) -> Role:
        if self.monitors and self.kind != "office":
            raise ValueError(f"`monitors` is for offices (staff perceive their own site); this role is {self.kind}")
        return self

    @property
    def site(self) -> str:
        return {"staff": "branch", "office": "office", "agency": "outside"}[self.kind]


class Channel(Strict):
    name: str
    synchronous: Bool
    """A synchronous channel (phone, radio, in person) needs the receiver to answer."""
    on_the_road: Bool = False
    """Its reports can be made, and its calls answered, while travelling to the scene (a mobile
    phone, a radio; not ``in_person``); else they wait until the traveller arrives."""
    fallback: str | None = None
    """The channel reports go by while this one is down (a scenario's ``parameters.channels.<id>.down``)."""

    def chain(self, plan: Plan) -> list[str]:
        """The channels this one falls back to, in order (a loop is refused when the plan is read)."""
        out: list[str] = []
        nxt = self.fallback
        while nxt is not None and nxt in plan.channels and nxt not in out:
            out.append(nxt)
            nxt = plan.channels[nxt].fallback
        return out


class Fact(Strict):
    """Something that can be true of an incident.

    ``type: elapsed`` is a clock: how long (in ``unit``) the boolean fact named by ``while`` has
    been true. The engine updates it each time it crosses a number the plan's conditions compare it
    with, so grades that rise with duration (an outage of 0.5 h, 3 h, 6 h) rise on time.
    """

    name: str = ""
    type: Literal["bool", "int", "float", "text", "elapsed"] = "bool"
    default: bool | int | float | str = False
    """Converted to the fact's type (``spec.values.fact_value``); left out: false, 0, 0.0 or ""."""
    while_: str | None = Field(None, alias="while")
    unit: Literal["min", "h", "d"] = "h"

    @model_validator(mode="before")
    @classmethod
    def _typed_default(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        kind = data.get("type", "bool")
        if kind not in values.FACT_TYPES:
            return data  # the type's own check names it
        if "default" not in data:
            return {**data, "default": _ZERO[kind]}
        try:
            return {**data, "default": values.fact_value(kind, data["default"])}
        except ValueError as err:
            raise ValueError(f"default: {err} (the fact is of type {kind})") from None

    @model_validator(mode="after")
    def _clock(self) -> Fact:
        if (self.type == "elapsed") != (self.while_ is not None):
            raise ValueError("an elapsed fact needs `while: <boolean fact>`, and only an elapsed fact takes it")
        return self


_ZERO: dict[str, bool | int | float | str] = {"bool": False, "int": 0, "float": 0.0, "text": "", "elapsed": 0.0}


class IncidentType(Strict):
    name: str


class Choice(Strict):
    """A number the seed leaves open ("立即", "第一时间"), set by the plan and named as its choice."""

    value: ChoiceValue
    note: str
    quote: str = ""
    """The seed's words this choice rests on, verbatim (``…`` between fragments); checked against the seed."""


class Retry(Strict):
    attempts: Whole = Field(1, ge=0, le=MAX_RETRIES)
    every: Duration = 1.0


class Task(Strict):
    """Something a role does when a trigger fires (fields shared by duties and reports)."""

    id: str
    on: SelectorField
    when: str | None = None
    who: Literal["one", "all"] = "one"
    priority: Whole = 5
    takes: DistributionField = Fixed((0.0,))
    delay: Duration = 0.0
    """Start this long after the trigger; ``when`` is checked then ("if power is not back in 2 h")."""
    repeat: Bool = False
    """Do it again each time the trigger fires (by default a task is done once per incident)."""
    interrupts: Bool = False
    """Interrupt the performer's job in hand while it takes its time (``takes``): this task is done
    at once, and the job then resumes with the time it still needed (an office grades while it writes)."""
    stops: Names = None
    """Duties and reports (ids) this task ends when it is given to a person: the ones they have in
    hand are abandoned (their action is not done) and the queued ones dropped, each logged as
    ``stopped``; the task is then done first, as one that interrupts ("stop and evacuate")."""
    clause: str = ""
    quote: str = ""
    """The clause's words, verbatim (``…`` between fragments); tests find them in the seed text."""
    borrows: str = ""
    """What a number or step is taken from when the cited clause does not give it (another clause or rule)."""


class Duty(Task):
    roles: RoleNames = Field(alias="role")
    """``role: guard`` or ``role: [guard, lobby_manager]``: the duty goes to whoever of these roles
    perceives its trigger and is free first (ties: the first-listed role), once across them all."""
    do: str
    botch_as: str | None = None
    """The wrong action a botched attempt produces (e.g. the audible alarm instead of the silent one)."""
    sets: dict[str, Any] = {}
    """Facts the action makes so when it is done (``atm_in_service: true`` once repaired); logged as
    fact events at the site it was done for, as an inject's are."""


class Report(Task):
    """One edge of the escalation graph."""

    from_: str = Field(alias="from")
    to: str
    channel: str
    carries: tuple[str, ...] = ()
    retry: Retry = Retry(attempts=0)
    fallback: tuple[str, ...] = ()
    notify: Literal["one", "all", "round_robin"] = "one"
    """Which holders of a target role it goes to: the most reachable, least busy one (``one``), every
    one at once (``all``), or each in turn, report after report (``round_robin``)."""
    timeout: Duration | None = None
    """How long each call of it rings before the caller gives up on that level (a synchronous
    channel; default: the channel's ``answer_within``)."""
    rounds: Whole = Field(1, ge=1, le=MAX_RETRIES)
    """How many times the whole chain (the target with its retries, then each fallback) is gone
    through while nobody answers."""


class GradingRule(Strict):
    level: str
    when: str


class Grading(Strict):
    by: str
    """The role that declares the level."""
    rules: tuple[GradingRule, ...]


class ScoringRules(Strict):
    late_credit: Probability = 0.5
    critical_cap: Number = Field(59.0, ge=0, le=100)
    bands: dict[Literal["P", "S", "M"], Probability] = {"P": 0.9, "S": 0.7, "M": 0.4}


class RequirementBase(Strict):
    id: str
    title: str
    clause: str
    quote: str = ""
    """The clause's words, verbatim (``…`` between fragments); tests find them in the seed text."""
    borrows: str = ""
    """What a number or step is taken from when the cited clause does not give it (another clause or rule)."""
    capability: str
    weight: Number = Field(1.0, gt=0, le=10_000)
    critical: Bool = False
    applies_if: str | None = None
    applies_when: Literal["trigger", "ever", "end"] = "trigger"
    """When ``applies_if`` is read: at the moment the requirement arises (a deadline's trigger, a
    content requirement's report, an order's second step, a forbidden event), at any moment of the
    log, or on the facts at its end (docs/scoring.md)."""
    selectors: ClassVar[tuple[str, ...]] = ()
    """The fields that select rows of the log (checked against the plan, their values typed like
    the facts they name)."""

    @model_validator(mode="after")
    def _when_needs_if(self) -> RequirementBase:
        if "applies_when" in self.model_fields_set and self.applies_if is None:
            raise ValueError("`applies_when` says when to read `applies_if`, and this requirement has none")
        return self


class DeadlineRequirement(RequirementBase):
    kind: Literal["deadline"]
    selectors = ("trigger", "response")
    trigger: SelectorField = INCIDENT
    response: SelectorField
    within: DeadlineField
    earlier_counts: Bool = False
    """A response before the trigger counts as met ("no later than 1 min after; earlier is fine")."""


class ContentRequirement(RequirementBase):
    kind: Literal["content"]
    selectors = ("report",)
    report: SelectorField
    fields: tuple[str, ...] = Field(min_length=1)


class OrderRequirement(RequirementBase):
    kind: Literal["order"]
    selectors = ("first", "then")
    first: SelectorField
    then: SelectorField


class ProhibitionRequirement(RequirementBase):
    kind: Literal["prohibition"]
    selectors = ("forbidden",)
    forbidden: SelectorField
    while_: str | None = Field(None, alias="while")


class ClassificationRequirement(RequirementBase):
    kind: Literal["classification"]


Requirement = Annotated[
    DeadlineRequirement | ContentRequirement | OrderRequirement | ProhibitionRequirement
    | ClassificationRequirement,
    Field(discriminator="kind"),
]


class Plan(Document):
    schema_: Literal["drillsim.plan/1"] = Field(alias="schema")
    choices: dict[str, Choice] = {}
    levels: tuple[str, ...] = ("III", "II", "I")
    """Level names from least to most severe."""
    facts: dict[str, Fact] = {}
    action_names: dict[str, str] = Field({}, alias="actions")
    """Chinese names of the plan's actions (``lock_cash: 现金入柜上锁``), so a drill log may use either."""
    report_fields: dict[str, str] = {}
    incident_types: dict[str, IncidentType]
    capabilities: dict[str, str]
    roles: dict[str, Role]
    channels: dict[str, Channel]
    grading: Grading | None = None
    duties: tuple[Duty, ...] = ()
    escalation: tuple[Report, ...] = ()
    requirements: tuple[Requirement, ...]
    scoring: ScoringRules = ScoringRules()

    def __getstate__(self) -> dict[str, Any]:
        """Pickle the fields only: derived lookups hold compiled conditions and are rebuilt on use."""
        state = super().__getstate__()
        state["__dict__"] = {k: v for k, v in state["__dict__"].items() if k in type(self).model_fields}
        return state

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Plan:
        """Pydantic's copy without the derived lookups, which ``update`` may have made wrong: rebuilt on use."""
        copied = super().model_copy(update=update, deep=deep)
        for name in [k for k in copied.__dict__ if k not in type(self).model_fields]:
            del copied.__dict__[name]
        return copied

    # Derived lookups -------------------------------------------------------------------------

    @cached_property
    def initial_facts(self) -> dict[str, Any]:
        """Every fact's value before anything happens (an elapsed fact starts at 0)."""
        return {name: 0.0 if f.type == "elapsed" else f.default for name, f in self.facts.items()}

    @cached_property
    def level_rank(self) -> dict[str, int]:
        """Severity rank of each level name (1 = least severe); 0 means no level declared."""
        return {name: i + 1 for i, name in enumerate(self.levels)}

    @cached_property
    def condition_names(self) -> dict[str, str]:
        """The names a condition may read, each with the kind of its value (``spec.conditions``)."""
        kinds = {"bool": "bool", "int": "number", "float": "number", "elapsed": "number", "text": "text"}
        return {**{name: kinds[f.type] for name, f in self.facts.items()}, "type": "text", "level": "level"}

    def compile(self, text: str | None) -> Condition:
        return compile_condition(text, self.condition_names, self.level_rank, {"type": tuple(self.incident_types)})

    @cached_property
    def conditions(self) -> list[str]:
        """Every condition written in the plan."""
        texts = [r.when for r in self.grading.rules] if self.grading else []
        texts += [t.when for t in (*self.duties, *self.escalation) if t.when]
        texts += [r.applies_if for r in self.requirements if r.applies_if]
        texts += [r.while_ for r in self.requirements if getattr(r, "while_", None)]
        return texts

    @cached_property
    def clocks(self) -> dict[str, tuple[str, float, tuple[float, ...]]]:
        """Elapsed facts: name -> (the fact that runs it, minutes per unit, the marks to update at)."""
        per_unit = {"min": 1.0, "h": 60.0, "d": 1440.0}
        return {
            name: (f.while_, per_unit[f.unit],
                   tuple(sorted({m for text in self.conditions for m in thresholds(text, name) if m > 0})))
            for name, f in self.facts.items() if f.type == "elapsed"
        }

    @cached_property
    def actions(self) -> set[str]:
        names = {d.do for d in self.duties} | {d.botch_as for d in self.duties if d.botch_as}
        return names | set(BUILTIN_ACTIONS)

    @cached_property
    def names_selected(self) -> dict[str, set[str]]:
        """For the events whose ``what`` names something of the plan, the names it can take."""
        reports = {r.id for r in self.escalation}
        return {"action": self.actions, "omitted": self.actions, "started": self.actions, "fact": set(self.facts),
                "level": set(self.levels), "arrived": set(self.roles), "sent": reports, "received": reports,
                "stopped": {t.id for t in (*self.duties, *self.escalation)}, LEARNED: {"incident"}}

    @cached_property
    def duties_doing(self) -> dict[str, list[Duty]]:
        """Each action -> the duties that do it (or do it when botched)."""
        out: dict[str, list[Duty]] = {}
        for duty in self.duties:
            for action in {duty.do, duty.botch_as} - {None}:
                out.setdefault(action, []).append(duty)
        return out

    @cached_property
    def report_by_id(self) -> dict[str, Report]:
        return {r.id: r for r in self.escalation}

    @cached_property
    def emitted(self) -> dict[str, dict[str, list[Emitted]]]:
        """The events the plan's duties and reports can put in the log (:func:`emits`), by event and name."""
        out: dict[str, dict[str, list[Emitted]]] = {}
        for task in (*self.duties, *self.escalation):
            for event in emits(task, self):
                out.setdefault(event[0], {}).setdefault(event[1], []).append(event)
        return out

    @cached_property
    def action_labels(self) -> dict[str, str]:
        """Every action id -> its Chinese name (the id itself where the plan gives none)."""
        return {a: self.action_names.get(a) or BUILTIN_ACTION_NAMES.get(a, a) for a in sorted(self.actions)}

    @cached_property
    def role_names(self) -> dict[str, str]:
        """Every way a log may name a role (id, Chinese name, aliases) -> role id."""
        names: dict[str, str] = {}
        for rid, role in self.roles.items():
            for n in (rid, role.name, *role.aliases):
                names[n] = rid
        return names

    def deadline(self, value: Deadline | str) -> Deadline:
        """A requirement's ``within``, with a choice's name looked up."""
        return self.choices[value].value if isinstance(value, str) else value

    def grade(self, facts: dict[str, Any], incident_type: str) -> int:
        """Severity rank the grading rules give on these facts: the highest matching level."""
        if self.grading is None:
            return 0
        vars_ = {**facts, "type": incident_type, "level": 0}
        return max((self.level_rank[r.level] for r, c in self._grading_conditions if c(vars_)), default=0)

    @cached_property
    def grading_reads(self) -> frozenset[str]:
        """The facts the grading rules read: a change of another fact cannot change the grade."""
        return frozenset().union(*(names_read(r.when) for r in self.grading.rules)) if self.grading else frozenset()

    @cached_property
    def _grading_conditions(self) -> list[tuple[GradingRule, Condition]]:
        return [(r, self.compile(r.when)) for r in self.grading.rules] if self.grading else []


# The trigger graph ------------------------------------------------------------------------------

REPORT_EVENTS = ("sent", "received", "acknowledged", "unanswered", "lost", "omitted", "stopped")


Emitted = tuple[str, str, str, tuple[str, ...], str | None]
_SENDER_ONLY = ("omitted", "stopped")  # a report's events that have no target or channel


def emits(task: Duty | Report, plan: Plan) -> list[Emitted]:
    """The events a task can put in the log: (event, what, actor role, target roles, channel)."""
    if isinstance(task, Report):
        targets = (task.to, *task.fallback)
        channels = [task.channel]
        if task.channel in plan.channels:
            channels += plan.channels[task.channel].chain(plan)
        return [(event, task.id, task.from_, (), None) for event in _SENDER_ONLY] + [
            (event, task.id, task.from_, targets, channel)
            for event in REPORT_EVENTS if event not in _SENDER_ONLY for channel in channels]
    out: list[Emitted] = []
    for role in task.roles:
        out += [("action", task.do, role, (), None), ("omitted", task.do, role, (), None),
                ("started", task.do, role, (), None), ("stopped", task.id, role, (), None)]
        if task.botch_as:
            out += [("action", task.botch_as, role, (), None), ("started", task.botch_as, role, (), None)]
        if task.do == "go_to_scene":
            out.append(("arrived", role, role, (), None))
    return out


def can_start(event: Emitted, on: Selector) -> bool:
    kind, what, actor, targets, channel = event
    return (on.event == kind and (on.what is None or what in on.what)
            and (on.actor is None or actor in on.actor)
            and (on.target is None or any(t in on.target for t in targets))
            and (on.channel is None or channel in on.channel))


def producers(plan: Plan, sel: Selector) -> set[str]:
    """The roles whose duties and reports can put an event ``sel`` selects in the log."""
    by_what = plan.emitted.get(sel.event, {})
    candidates = by_what.values() if sel.what is None else [by_what.get(name, ()) for name in sel.what]
    return {event[2] for events in candidates for event in events if can_start(event, sel)}


def task_loops(plan: Plan) -> list[tuple[tuple[int, ...], bool]]:
    """Loops of duties and reports that start each other (a report sent on receipt of another
    that is sent on receipt of the first …), as indexes into ``(*plan.duties, *plan.escalation)``.

    Each comes with whether every task in it repeats: such a loop never stops (each round starts
    the next), while a loop with a task done once per incident stops after that task's first round.
    One loop is given for each set of tasks that reach each other.
    """
    import networkx as nx

    tasks = (*plan.duties, *plan.escalation)
    started_by: dict[tuple[str, str | None], list[int]] = {}  # (event, a name it selects or None): tasks
    for j, task in enumerate(tasks):
        for what in task.on.what or (None,):
            started_by.setdefault((task.on.event, what), []).append(j)
    graph = nx.DiGraph()
    graph.add_nodes_from(range(len(tasks)))
    for i, task in enumerate(tasks):
        starts = {j for e in emits(task, plan) for key in ((e[0], e[1]), (e[0], None))
                  for j in started_by.get(key, ()) if can_start(e, tasks[j].on)}
        graph.add_edges_from((i, j) for j in sorted(starts))  # in task order, as the loops are found
    loops = []
    for part in nx.strongly_connected_components(graph):
        if len(part) == 1 and not graph.has_edge(next(iter(part)), next(iter(part))):
            continue
        repeating = graph.subgraph([i for i in part if tasks[i].repeat])
        try:
            cycle = nx.find_cycle(repeating)
            loops.append((tuple(edge[0] for edge in cycle), True))
        except nx.NetworkXNoCycle:
            cycle = nx.find_cycle(graph.subgraph(part))
            loops.append((tuple(edge[0] for edge in cycle), False))
    return sorted(loops)


def task_place(plan: Plan, index: int) -> Path_:
    """Where task ``index`` of ``(*plan.duties, *plan.escalation)`` is in the file."""
    n = len(plan.duties)
    return ("duties", index) if index < n else ("escalation", index - n)


# Cross-reference checks ------------------------------------------------------------------------


def _check_references(plan: Plan) -> list[tuple[Path_, str]]:
    """Everything pydantic cannot see: names that must refer to something declared."""
    problems: list[tuple[Path_, str]] = []
    roles, channels = set(plan.roles), set(plan.channels)
    task_ids = {t.id for t in (*plan.duties, *plan.escalation)}

    def need(kind: str, value: str | None, known: set[str], loc: Path_) -> None:
        problems.extend(_unknown(kind, value, known, loc))

    def unique(kind: str, ids: list[str], key: str) -> None:
        seen: set[str] = set()
        for i, name in enumerate(ids):
            if name in seen:
                problems.append(((key, i, "id"), f"{kind} id {name!r} is used twice"))
            seen.add(name)

    def condition(text: str | None, loc: Path_) -> None:
        try:
            plan.compile(text)
        except ValueError as err:
            problems.append((loc, str(err)))

    def trigger(task: Duty | Report, loc: Path_) -> None:
        for j, name in enumerate(task.stops or ()):
            need("duty or report", name, task_ids - {task.id}, (*loc, "stops", j))
        on = task.on
        if on.event != LEARNED:
            selector(on, (*loc, "on"))
            return
        extra = [k for k in ("what", "actor", "target", "channel", "value", "first")
                 if getattr(on, k) not in (None, False)]
        if extra:
            problems.append(((*loc, "on", extra[0]), f"a `learned` trigger takes no `{extra[0]}`: it fires when the "
                             "person first learns of the incident at a site, however they learn it"))
        if task.repeat:
            problems.append(((*loc, "repeat"), "a `learned` trigger fires once for each person and site (a person "
                             "learns of an incident once): `repeat` has no meaning on it"))

    def selector(sel: Selector, loc: Path_) -> None:
        problems.extend(selector_problems(plan, sel, loc))

    if len(set(plan.levels)) != len(plan.levels):
        problems.append((("levels",), f"each level is named once, got {list(plan.levels)}"))
    unique("duty", [d.id for d in plan.duties], "duties")
    unique("report", [r.id for r in plan.escalation], "escalation")
    unique("requirement", [r.id for r in plan.requirements], "requirements")

    for name, fact in plan.facts.items():
        if fact.while_ is not None and (fact.while_ not in plan.facts or plan.facts[fact.while_].type != "bool"):
            problems.append((("facts", name, "while"), f"{fact.while_!r} is not a boolean fact of this plan"))
    problems += _names_apart(plan)
    named = {BUILTIN_ACTION_NAMES[a]: a for a in BUILTIN_ACTIONS if a not in plan.action_names}
    for action, label in plan.action_names.items():
        need("action", action, plan.actions, ("actions", action))
        if label in named or (label in plan.actions and label != action):
            other = named.get(label, label)
            problems.append((("actions", action), f"the name {label!r} is also {other!r}'s: a drill log could not "
                             "tell them apart"))
        named[label] = action
    for i, duty in enumerate(plan.duties):
        loc: Path_ = ("duties", i)
        for j, role in enumerate(duty.roles):
            need("role", role, roles, (*loc, "role", j) if len(duty.roles) > 1 else (*loc, "role"))
        if len(set(duty.roles)) != len(duty.roles):
            problems.append(((*loc, "role"), f"each role is named once, got {list(duty.roles)}"))
        trigger(duty, loc)
        condition(duty.when, (*loc, "when"))
        if duty.sets and duty.do in BUILTIN_ACTIONS:
            problems.append(((*loc, "sets"), f"the built-in action {duty.do!r} sets no facts; name an action of "
                             "the plan's"))
        for name, value in duty.sets.items():
            if name not in plan.facts:
                need("fact", name, set(plan.facts), (*loc, "sets", name))
            elif plan.facts[name].type == "elapsed":
                problems.append(((*loc, "sets", name), f"{name!r} is an elapsed fact: its clock sets it"))
            else:
                try:
                    values.fact_value(plan.facts[name].type, value)
                except ValueError as err:
                    problems.append(((*loc, "sets", name), f"{err}: the fact {name!r} is of type "
                                     f"{plan.facts[name].type}"))
    for cid, channel in plan.channels.items():
        if channel.fallback is None:
            continue
        need("channel", channel.fallback, channels, ("channels", cid, "fallback"))
        path, nxt = [cid], channel.fallback
        while nxt in plan.channels and nxt not in path:
            path.append(nxt)
            nxt = plan.channels[nxt].fallback
        if nxt == cid:
            problems.append((("channels", cid, "fallback"), "the channels fall back in a loop: "
                             + " -> ".join([*path, cid]) + "; one of them must have no fallback"))
    for i, rep in enumerate(plan.escalation):
        loc = ("escalation", i)
        need("role", rep.from_, roles, (*loc, "from"))
        need("role", rep.to, roles, (*loc, "to"))
        need("channel", rep.channel, channels, (*loc, "channel"))
        if rep.timeout is not None and rep.channel in channels and not plan.channels[rep.channel].synchronous:
            problems.append(((*loc, "timeout"), f"a timeout is how long a call rings; {rep.channel!r} is not "
                             "synchronous (nobody answers it), so its reports have none"))
        for j, fb in enumerate(rep.fallback):
            need("role", fb, roles, (*loc, "fallback", j))
        for j, field in enumerate(rep.carries):
            need("report field", field, set(plan.report_fields), (*loc, "carries", j))
        trigger(rep, loc)
        condition(rep.when, (*loc, "when"))
    if plan.grading:
        need("role", plan.grading.by, roles, ("grading", "by"))
        for i, rule in enumerate(plan.grading.rules):
            need("level", rule.level, set(plan.levels), ("grading", "rules", i, "level"))
            condition(rule.when, ("grading", "rules", i, "when"))
    for i, req in enumerate(plan.requirements):
        loc = ("requirements", i)
        need("capability", req.capability, set(plan.capabilities), (*loc, "capability"))
        condition(req.applies_if, (*loc, "applies_if"))
        for part in req.selectors:
            selector(getattr(req, part), (*loc, part))
        if req.kind == "deadline" and isinstance(req.within, str):
            need("choice", req.within, set(plan.choices), (*loc, "within"))
        if req.kind == "content":
            for j, field in enumerate(req.fields):
                need("report field", field, set(plan.report_fields), (*loc, "fields", j))
        if req.kind == "prohibition":
            condition(req.while_, (*loc, "while"))
        if req.kind == "classification" and plan.grading is None:
            problems.append((loc, "a classification requirement needs the plan's grading rules"))
    if not problems:
        tasks = (*plan.duties, *plan.escalation)
        for loop, endless in task_loops(plan):
            if endless:
                ids = " -> ".join(tasks[i].id for i in (*loop, loop[0]))
                problems.append(((*task_place(plan, loop[0]), "repeat"),
                                 f"these tasks start each other and all repeat, so they never stop: {ids}; "
                                 "let one of them be done once (repeat: false)"))
    return problems


def _names_apart(plan: Plan) -> list[tuple[Path_, str]]:
    """Roles, channels, report fields and incident types that a drill log would name alike (by the
    id of one and the name or an alias of another, compared as the reader compares a cell: without
    the spaces around it), and role names it would read as something else (a branch, a person)."""
    problems: list[tuple[Path_, str]] = []
    spaces = {
        "role": {rid: [rid, role.name, *role.aliases] for rid, role in plan.roles.items()},
        "channel": {cid: [cid, ch.name] for cid, ch in plan.channels.items()},
        "report field": {f: [f, name] for f, name in plan.report_fields.items()},
        "incident type": {t: [t, it.name] for t, it in plan.incident_types.items()},
    }
    keys = {"role": "roles", "channel": "channels", "report field": "report_fields", "incident type": "incident_types"}
    for kind, spellings in spaces.items():
        seen: dict[str, str] = {}
        for ident, names in spellings.items():
            for j, name in enumerate(names):
                loc = (keys[kind], ident) if kind == "report field" else _spelling_place(keys[kind], ident, j)
                other = seen.setdefault(name.strip(), ident)
                if other != ident:
                    problems.append((loc, f"the name {name!r} of {kind} {ident!r} also names {kind} {other!r}: "
                                     "a drill log could not tell them apart"))
    roles = {name.strip(): rid for rid, names in spaces["role"].items() for name in names}
    for rid, names in spaces["role"].items():
        for j, name in enumerate(names):
            loc = _spelling_place("roles", rid, j)
            m = INSTANCE.match(name.strip())
            if "/" in name:
                problems.append((loc, f"a drill log reads {name!r} as a branch and a role (east/guard): name the "
                                 "role without '/'"))
            elif m and roles.get(m[1], rid) != rid:
                problems.append((loc, f"a drill log reads {name!r} as {m[1]} number {m[2]}, of role "
                                 f"{roles[m[1]]!r}: name role {rid!r} otherwise"))
    problems += [(("report_fields", f), f"the report field id {f!r} holds a space or a separator (; ； 、 , ，), "
                  "on which a drill log's fields cell is split: name it without") for f in plan.report_fields
                 if FIELDS_APART.search(f)]
    tasks = {d.id for d in plan.duties}
    problems += [(("escalation", i, "id"), f"report id {r.id!r} is also a duty's: a drill log's `stopped` row "
                  "could not tell them apart") for i, r in enumerate(plan.escalation) if r.id in tasks]
    return problems


def _spelling_place(key: str, ident: str, j: int) -> Path_:
    """Where the ``j``-th spelling of ``ident`` is written: its id, then its name, then its aliases."""
    return (key, ident) if j == 0 else (key, ident, "name") if j == 1 else (key, ident, "aliases", j - 2)


def _value_type(fact: Fact) -> str:
    """The type a fact's values have in the log (an elapsed fact's are numbers)."""
    return "float" if fact.type == "elapsed" else fact.type


def _unknown(kind: str, value: str | None, known: Collection[str], loc: Path_) -> list[tuple[Path_, str]]:
    """The problem of a name that is not among ``known``, with the nearest as a hint; none if it is."""
    if value is None or value in known:
        return []
    near = difflib.get_close_matches(value, sorted(known), n=1, cutoff=0.6)
    hint = f" (did you mean {near[0]!r}?)" if near else ""
    return [(loc, f"unknown {kind} {value!r}{hint}; known: {', '.join(sorted(known)) or '(none)'}")]


def selector_problems(plan: Plan, sel: Selector, loc: Path_) -> list[tuple[Path_, str]]:
    """What is wrong with a selector of log events, checked against the plan: the plan's own
    selectors, and those written outside it (a scenario inject's ``after``)."""
    problems: list[tuple[Path_, str]] = []
    roles, channels = plan.roles.keys(), plan.channels.keys()
    if sel.event == LEARNED and sel.value is not None and sel.value not in LEARNED_HOW:
        problems.append(((*loc, "value"), f"a `learned` row's value is how the person learned: one of "
                         f"{', '.join(LEARNED_HOW)}; got {sel.value!r}"))
    for name in sel.actor or ():
        problems += _unknown("role", name, roles, (*loc, "actor"))
    for name in sel.target or ():
        problems += _unknown("role", name, roles, (*loc, "target"))
    for name in sel.channel or ():
        problems += _unknown("channel", name, channels, (*loc, "channel"))
    known_what = plan.names_selected.get(sel.event)
    if known_what is not None:
        for name in sel.what or ():
            problems += _unknown(f"{sel.event} name", name, known_what, (*loc, "what"))
    if sel.event == "fact" and sel.value is not None:
        for name in sel.what or ():
            if name in plan.facts:
                try:
                    values.fact_value(_value_type(plan.facts[name]), sel.value)
                except ValueError as err:
                    problems.append(((*loc, "value"), f"{err}: the fact {name!r} is of type "
                                     f"{plan.facts[name].type}"))
    return problems


def typed_selector(plan: Plan, sel: Selector) -> Selector:
    """The selector with its ``value`` converted to the type of the fact it names (``value: 否`` is false)."""
    if sel.event != "fact" or sel.value is None or not sel.what:
        return sel
    value = values.fact_value(_value_type(plan.facts[sel.what[0]]), sel.value)
    return sel.model_copy(update={"value": value})


def _typed(plan: Plan) -> Plan:
    """The plan with every selector's ``value`` and every duty's ``sets`` converted to the type of
    the fact it names, so the engine and the scorer compare like with like (``value: 否`` is false)."""
    def retyped(item: Any, parts: tuple[str, ...]) -> Any:
        return item.model_copy(update={p: typed_selector(plan, getattr(item, p)) for p in parts})

    return plan.model_copy(update={
        "duties": tuple(retyped(d, ("on",)).model_copy(update={"sets": {
            name: values.fact_value(plan.facts[name].type, value) for name, value in d.sets.items()}})
            for d in plan.duties),
        "escalation": tuple(retyped(r, ("on",)) for r in plan.escalation),
        "requirements": tuple(retyped(r, r.selectors) for r in plan.requirements),
    })


def parse_plan(data: Any, source: str = "<plan>", positions: dict[Path_, int] | None = None) -> Plan:
    """Check plan data (already parsed from YAML) and return the plan."""
    positions = positions or {}
    plan = check(Plan, data, source, positions, "schema, id, roles, requirements")
    problems = _check_references(plan)
    if problems:
        raise_problems(source, data, positions, problems)
    return _typed(plan)


def load_plan(path: str | Path) -> Plan:
    data, positions = load_yaml(path)
    return parse_plan(data, str(path), positions)
