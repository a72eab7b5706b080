"""Where an escalation design breaks, from the plan alone: best-case latency bounds of the reporting
requirements, single points of failure, independent routes, roles nobody reaches, fallbacks that lead
nowhere or loop, circular escalation (docs/graph-analysis.md).

The engine's causal chain is followed on *event templates*: an event kind with its name, actor role,
target role, channel and value (``ANY`` where the plan leaves it open: an inject, a fact the scenario
sets). A duty or report starts on a template its ``on`` selects, done by whom the engine would give
it to (the receiver of a message, the actor of the event, or whoever of the role perceives it — an
office only once told, an agency only once its unit is on the scene), and emits the templates of
what it does, each at the earliest time the plan's and the defaults' distributions allow: every
draw at its :data:`QUANTILE` (:func:`low`). The times form a monotone system solved by relaxation.
``when`` conditions are taken as satisfiable, except what their top-level ``and`` says of the
triggering fact's own value, of an elapsed fact's marks and of a declared level.
"""

from __future__ import annotations

import ast
import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from itertools import pairwise
from typing import Any

import networkx as nx

from . import defaults
from .distributions import Distribution, Empirical, Exponential, Fixed, Lognormal, Triangular, Uniform
from .durations import format_minutes
from .plan import DeadlineRequirement, Duty, Plan, Report, task_loops
from .schema import LEARNED, Selector

QUANTILE = 0.01
"""Every duration of the best case is its distribution's 1st percentile (a fixed value is itself)."""
BEST_CASE_RULE = "every duration at its 1st percentile, fixed values as they are"
Z01 = -2.3263478740408408  # standard normal 1st percentile
ANY = "*"
REPORT_RESPONSES = ("sent", "received", "acknowledged")
DELIVERED = ("received", "acknowledged")
"""The message events whose target has the message (not when it was only sent, went unanswered or was lost)."""
INF = math.inf

Tpl = tuple[str, Any, Any, Any, Any, Any]
"""An event template: (kind, what, actor role, target role, channel, value); ``ANY`` is any, None none."""


def low(d: Distribution, q: float = QUANTILE) -> float:
    """The ``q`` quantile of a distribution (minutes)."""
    p = d.params
    if isinstance(d, Fixed):
        return p[0]
    if isinstance(d, Uniform):
        return p[0] + q * (p[1] - p[0])
    if isinstance(d, Triangular):
        lo, mode, hi = p
        if hi == lo:
            return lo
        cut = (mode - lo) / (hi - lo)
        if q < cut:
            return lo + math.sqrt(q * (hi - lo) * (mode - lo))
        return hi - math.sqrt((1 - q) * (hi - lo) * (hi - mode))
    if isinstance(d, Exponential):
        return -p[0] * math.log1p(-q)
    if isinstance(d, Lognormal):
        mu, sigma = d._mu_sigma()
        z = Z01 if q == QUANTILE else _normal_quantile(q)
        return math.exp(mu + sigma * z)
    if isinstance(d, Empirical):
        values = sorted(p)
        return values[min(len(values) - 1, int(q * len(values)))]
    raise TypeError(f"no quantile for {type(d).__name__}")


def _normal_quantile(q: float) -> float:
    from statistics import NormalDist

    return NormalDist().inv_cdf(q)


# What a `when` condition says for certain ----------------------------------------------------------


@dataclass(frozen=True)
class Needs:
    """What a condition's top-level ``and`` requires: facts true or false, lower bounds on numbers, a level."""

    truthy: frozenset[str] = frozenset()
    falsy: frozenset[str] = frozenset()
    at_least: tuple[tuple[str, float], ...] = ()
    level: bool = False

    def admits(self, name: str, value: Any) -> bool:
        """Whether fact ``name`` taking ``value`` (``ANY``: unknown) can satisfy the condition."""
        if value == ANY:
            return True
        if name in self.truthy and not value:
            return False
        if name in self.falsy and value:
            return False
        return all(not isinstance(value, int | float) or isinstance(value, bool) or value >= k
                   for n, k in self.at_least if n == name)


def needs(text: str | None, levels: dict[str, int]) -> Needs:
    if not isinstance(text, str):
        return Needs()
    body = ast.parse(text.strip(), mode="eval").body
    parts = body.values if isinstance(body, ast.BoolOp) and isinstance(body.op, ast.And) else [body]
    truthy, falsy, at_least, level = set(), set(), [], False

    def number(node: ast.AST) -> float | None:
        if isinstance(node, ast.Constant) and isinstance(node.value, int | float) and not isinstance(node.value, bool):
            return float(node.value)
        if isinstance(node, ast.Name) and node.id in levels:
            return float(levels[node.id])
        return None

    for part in parts:
        match part:
            case ast.Name(id="level"):
                level = True
            case ast.Name(id=name):
                truthy.add(name)
            case ast.UnaryOp(op=ast.Not(), operand=ast.Name(id=name)):
                falsy.add(name)
            case ast.Compare(left=left, ops=[op], comparators=[right]):
                if isinstance(left, ast.Name) and isinstance(op, ast.Gt | ast.GtE) and number(right) is not None:
                    name, k = left.id, number(right)
                elif isinstance(right, ast.Name) and isinstance(op, ast.Lt | ast.LtE) and number(left) is not None:
                    name, k = right.id, number(left)
                else:
                    continue
                if name == "level":
                    level = level or k > 0 or isinstance(op, ast.Gt)
                else:
                    at_least.append((name, k))
    return Needs(frozenset(truthy), frozenset(falsy), tuple(at_least), level)


# Matching ------------------------------------------------------------------------------------------


def _one(names: tuple[str, ...] | None, value: Any) -> bool:
    return names is None or value == ANY or (value is not None and value in names)


def matches(sel: Selector, t: Tpl) -> bool:
    """Whether an event of template ``t`` may be one ``sel`` selects."""
    kind, what, actor, target, channel, value = t
    return (sel.event == kind and _one(sel.what, what) and _one(sel.actor, actor) and _one(sel.target, target)
            and _one(sel.channel, channel) and (sel.value is None or value == ANY or value == sel.value))


class Templates:
    """Templates in the order given, found by event and name (``what``): the ones a selector selects,
    without trying :func:`matches` on every other, found once per selector."""

    def __init__(self, templates: Iterable[Tpl]):
        self.order = {t: i for i, t in enumerate(templates)}
        self._by_name: dict[str, dict[Any, list[Tpl]]] = {}
        for t in self.order:
            self._by_name.setdefault(t[0], {}).setdefault(t[1], []).append(t)
        self._selected: dict[Selector, list[Tpl]] = {}

    def selected(self, sel: Selector) -> list[Tpl]:
        """The templates ``sel`` selects, in the order given (found once: not to be changed)."""
        found = self._selected.get(sel)
        if found is None:
            by_name = self._by_name.get(sel.event, {})
            named = by_name.values() if sel.what is None else [by_name.get(name, ()) for name in (*sel.what, ANY)]
            found = self._selected[sel] = sorted((t for ts in named for t in ts if matches(sel, t)),
                                                 key=self.order.__getitem__)
        return found


def is_incident(sel: Selector) -> bool:
    return sel.event == "inject" and sel.what is None


# The earliest times --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """How a template was reached at its best: task ``task`` (a duty or report id), done by ``role``,
    started by template ``on`` at ``start``, held up until then by template ``waited`` if any (the
    performer learning of the incident, a condition's level or mark); ``target``/``rank``: the
    report's target and its place among the targets (0 the primary, 1 … the fallbacks)."""

    task: str
    role: str
    on: Tpl | None
    start: float
    target: str | None = None
    rank: int = 0
    waited: Tpl | None = None


@dataclass
class Times:
    at: dict[Tpl, float]
    via: dict[Tpl, Step]
    cause: dict[Tpl, Tpl] = field(default_factory=dict)
    """What gave a template no task emits: a role's learning of the incident, an elapsed fact's mark."""
    _templates: Templates = field(default_factory=lambda: Templates(()), repr=False, compare=False)
    """The templates of ``at``, as many as it had when last read: ``at`` only grows, and a time read
    (:meth:`first`) does not change (the relaxation, :meth:`Design.earliest`, reads none)."""
    _first: dict[Selector, tuple[float, Tpl | None]] = field(default_factory=dict, repr=False, compare=False)
    """What :meth:`first` found for each selector, with those templates."""

    def selected(self, sel: Selector) -> list[Tpl]:
        """The templates of ``at`` that ``sel`` selects, in the order of ``at`` (not to be changed)."""
        if len(self._templates.order) != len(self.at):
            self._templates = Templates(self.at)
            self._first = {}
        return self._templates.selected(sel)

    def first(self, sel: Selector) -> tuple[float, Tpl | None]:
        """The earliest template ``sel`` selects and its time; ``(INF, None)`` if it reaches none."""
        selected = self.selected(sel)
        found = self._first.get(sel)
        if found is None:
            found = self._first[sel] = min(((self.at[t], t) for t in selected), key=lambda x: (x[0], str(x[1])),
                                           default=(INF, None))
        return found


@dataclass
class Design:
    """A plan's escalation design with its best-case parameters (plan defaults and ``spec.defaults``)."""

    plan: Plan
    absent: frozenset[str] = frozenset()
    """Roles taken away: nobody holds them."""
    down: frozenset[str] = frozenset()
    """Channels down: every message over them is lost (unanswered, on a synchronous one)."""

    def without(self, roles: Iterable[str] = (), channels: Iterable[str] = ()) -> Design:
        d = Design(self.plan, self.absent | frozenset(roles), self.down | frozenset(channels))
        d.__dict__.update({k: v for k, v in self.__dict__.items() if k in _SHARED})
        return d

    # parameters ------------------------------------------------------------------------------

    @cached_property
    def reaction(self) -> float:
        return low(defaults.HUMAN_REACTION)

    @cached_property
    def handling(self) -> float:
        return low(defaults.OFFICE_HANDLING)

    @cached_property
    def travel(self) -> float:
        return low(defaults.PERSON_TRAVEL)

    @cached_property
    def channels(self) -> dict[str, dict[str, float]]:
        """Channel id -> latency, failure, answer_within, talk (best case); ``known`` 0 without defaults."""
        out = {}
        for cid in self.plan.channels:
            base = defaults.CHANNELS.get(cid)
            if base is None:
                out[cid] = {"latency": 0.0, "failure": 0.0, "answer_within": 0.0, "talk": 0.0, "known": 0.0}
                continue
            out[cid] = {"latency": low(base["latency"]), "failure": float(base["failure"]),
                        "answer_within": float(base.get("answer_within", 0.0)),
                        "talk": low(base["talk"]) if "talk" in base else 0.0, "known": 1.0}
        return out

    @cached_property
    def agencies(self) -> dict[str, dict[str, float]]:
        out = {}
        for rid, role in self.plan.roles.items():
            if role.kind == "agency":
                base = defaults.AGENCIES.get(role.service or "other", defaults.AGENCIES["other"])
                out[rid] = {"answer": low(base["answer"]), "on_the_way": low(base["dispatch"]) + low(base["travel"]),
                            "units": float(role.units if role.units is not None else base["units"])}
        return out

    # who can do what ---------------------------------------------------------------------------

    def holds(self, role: str) -> bool:
        """Someone holds the role (an agency: it exists)."""
        r = self.plan.roles[role]
        return role not in self.absent and (r.kind == "agency" or r.count > 0)

    def answers(self, role: str) -> bool:
        """Someone of the role can be reached (on site, on duty, or picks up when away)."""
        r = self.plan.roles[role]
        return self.holds(role) and (r.kind == "agency" or r.presence > 0 or r.reachable > 0)

    def perceives(self, role: str) -> bool:
        """Someone of the role can be present to perceive what happens (an agency: its unit on the scene)."""
        r = self.plan.roles[role]
        if r.kind == "agency":
            return self.holds(role) and self.agencies[role]["units"] > 0
        return self.holds(role) and r.presence > 0

    # the templates ------------------------------------------------------------------------------

    @cached_property
    def tasks(self) -> tuple[Duty | Report, ...]:
        return (*self.plan.duties, *self.plan.escalation)

    @cached_property
    def needs(self) -> dict[str, Needs]:
        return {t.id: needs(t.when, self.plan.level_rank) for t in self.tasks}

    @cached_property
    def exogenous(self) -> list[Tpl]:
        """What the scenario brings: the incident and its injects, and any fact's change (not an elapsed
        fact's: its clock sets it, :meth:`_clocks`)."""
        out: list[Tpl] = [("inject", ANY, None, None, None, None)]
        for name, fact in self.plan.facts.items():
            if fact.type == "bool":
                out += [("fact", name, None, None, None, True), ("fact", name, None, None, None, False)]
            elif fact.type != "elapsed":
                out.append(("fact", name, None, None, None, ANY))
        return out

    def _emits(self, task: Duty | Report, role: str, start: float) -> Iterator[tuple[Tpl, float, str | None, int]]:
        """(template, time, target, rank) of what ``task`` done by ``role`` from ``start`` puts in the log."""
        if isinstance(task, Duty):
            done = start + low(task.takes)
            if task.takes.params != (0.0,):
                yield ("started", task.do, role, None, None, None), start, None, 0
            kind = self.plan.roles[role].kind
            if task.do == "grade":
                yield ("level", ANY, role, None, None, ANY), done, None, 0
            elif task.do == "go_to_scene":
                away = kind != "staff" or self.plan.roles[role].presence == 0
                yield ("arrived", role, role, None, None, None), done + (self.travel if away else 0.0), None, 0
            else:
                yield ("action", task.do, role, None, None, None), done, None, 0
                for name, value in task.sets.items():
                    yield ("fact", name, None, None, None, value), done, None, 0
            if task.botch_as:
                yield ("action", task.botch_as, role, None, None, None), done, None, 0
            return
        ch = self.channels[task.channel]
        sync = self.plan.channels[task.channel].synchronous
        dead = task.channel in self.down or ch["failure"] >= 1
        cursor = start + low(task.takes)
        for rank, target in enumerate((task.to, *task.fallback)):
            if not self.holds(target):
                continue  # no addressee: the next target, at once
            yield ("sent", task.id, role, target, task.channel, None), cursor, target, rank
            arrives = cursor + ch["latency"]
            reached = not dead and self.answers(target)
            if reached:
                agency = self.agencies.get(target)
                if agency is not None:
                    received = arrives + (agency["answer"] if sync else 0.0)
                elif sync:
                    received = arrives  # an idle person picks up at once
                else:
                    office = self.plan.roles[target].kind == "office"
                    received = arrives + self.reaction + (self.handling if office else 0.0)
                yield ("received", task.id, role, target, task.channel, None), received, target, rank
                if sync:
                    acknowledged = received + ch["talk"]
                    yield ("acknowledged", task.id, role, target, task.channel, None), acknowledged, target, rank
                if agency is not None and agency["units"] > 0:
                    yield ("arrived", target, target, None, None, None), received + agency["on_the_way"], target, rank
            if not sync:
                if dead or ch["failure"] > 0:
                    yield ("lost", task.id, role, target, task.channel, None), arrives, target, rank
                return  # a written message or alarm goes to the first addressee only
            rings = ch["answer_within"] if task.timeout is None else task.timeout
            yield ("unanswered", task.id, role, target, task.channel, None), arrives + rings, target, rank
            tries = 1 + task.retry.attempts
            cursor += tries * (ch["latency"] + rings) + task.retry.attempts * task.retry.every

    @cached_property
    def universe(self) -> list[Tpl]:
        """Every template the plan and a scenario can produce (a report's to every target it names,
        whichever roles or channels are taken away)."""
        seen: dict[Tpl, None] = dict.fromkeys(self.exogenous)
        for task in self.tasks:
            if isinstance(task, Duty):
                for role in task.roles:
                    seen.update(dict.fromkeys(t for t, *_ in self._emits(task, role, 0.0)))
                continue
            sync = self.plan.channels[task.channel].synchronous
            kinds = ("sent", "received", "lost", *(("acknowledged", "unanswered") if sync else ()))
            for target in (task.to, *task.fallback):
                seen.update(dict.fromkeys((k, task.id, task.from_, target, task.channel, None) for k in kinds))
                if self.plan.roles[target].kind == "agency":
                    seen.setdefault(("arrived", target, target, None, None, None))
        for rid in self.plan.roles:
            seen.setdefault((LEARNED, "incident", rid, None, None, None))
        for name, (_, _, marks) in self.plan.clocks.items():
            for m in marks:
                seen.setdefault(("fact", name, None, None, None, m))
        return list(seen)

    @staticmethod
    def _performers(task: Duty | Report) -> tuple[str, ...]:
        return task.roles if isinstance(task, Duty) else (task.from_,)

    @cached_property
    def candidates(self) -> list[list[Tpl]]:
        """For each task, the templates its trigger selects (the `when` admitting the trigger's own fact value)."""
        out, universe = [], Templates(self.universe)
        for task in self.tasks:
            need = self.needs[task.id]
            out.append([t for t in universe.selected(task.on) if t[0] != "fact" or need.admits(t[1], t[5])])
        return out

    # the relaxation ------------------------------------------------------------------------------

    @cached_property
    def _knowers(self) -> dict[str, list[Tpl]]:
        """For each role, the templates of its learning of the incident: perceiving it (staff on site, an
        office that monitors), told (a message received), arriving."""
        out = {}
        for rid, r in self.plan.roles.items():
            perceives = (r.kind == "staff" and r.presence > 0) or r.monitors
            told = r.kind != "agency"  # an agency's unit learns by arriving
            out[rid] = [k for k in self.universe
                        if (k[0] == "inject" and perceives) or (k[0] == "received" and k[3] == rid and told)
                        or (k[0] == "arrived" and k[1] == rid)]
        return out

    @cached_property
    def _gates(self) -> dict[str, list[list[Tpl]]]:
        """For each task, the parts of its condition that hold only once something has happened, each as
        the templates of which the first does it: a level declared, a fact that starts false made true, a
        number that starts below its bound raised to it (an elapsed fact: its mark)."""
        start = self.plan.initial_facts
        facts = [t for t in self.universe if t[0] == "fact"]
        levels = [t for t in self.universe if t[0] == "level"]

        def raised(v: Any, k: float) -> bool:
            return v == ANY or (isinstance(v, int | float) and not isinstance(v, bool) and v >= k)

        out = {}
        for task in self.tasks:
            need = self.needs[task.id]
            parts = [levels] if need.level else []
            parts += [[t for t in facts if t[1] == name and (t[5] is True or t[5] == ANY)]
                      for name in sorted(need.truthy) if name in start and not start[name]]
            parts += [[t for t in facts if t[1] == name and raised(t[5], k)]
                      for name, k in need.at_least if name in start and not raised(start[name], k)]
            out[task.id] = parts
        return out

    @staticmethod
    def _first_of(at: dict[Tpl, float], tpls: list[Tpl]) -> tuple[float, Tpl | None]:
        return min(((at[t], t) for t in tpls if t in at), key=lambda x: x[0], default=(INF, None))

    def _start(self, at: dict[Tpl, float], task: Duty | Report, cands: list[Tpl], role: str
               ) -> tuple[float, Tpl | None, Tpl | None]:
        """The earliest time ``role`` can start ``task``, the template that starts it then, and the
        one that held it up (:class:`Step`).

        The receiver of a message and the actor of an event go on at once (they are at work); anyone
        else notices the event, once they know of the incident, and reacts; a delayed task is reacted to
        when it comes due. The `when`'s certain parts (:meth:`_gate`) must hold by then."""
        r = self.plan.roles[role]
        learned = (LEARNED, "incident", role, None, None, None)
        best: tuple[float, bool, Tpl | None] = (INF, False, None)
        if task.on.event == LEARNED:
            if learned in at:
                best = (at[learned], True, learned)
        else:
            for t in cands:
                when = at.get(t)
                if when is None:
                    continue
                if t[0] in DELIVERED and t[3] == role and r.kind != "agency" and self.answers(role):
                    start = (when, False)  # the receiver
                elif t[2] == role and (r.kind != "agency" or self.perceives(role)):
                    start = (when, False)  # the actor goes on with it
                elif self.perceives(role):
                    start = (max(when, at.get(learned, INF)), True)  # noticed by someone who knows
                else:
                    continue
                if start[0] + (self.reaction if start[1] else 0.0) < best[0] + (self.reaction if best[1] else 0.0):
                    best = (*start, t)
        fired, reacts, on = best
        if on is None or fired == INF:
            return INF, None, None
        waited = learned if reacts and on != learned and at.get(learned, INF) > at[on] else None
        gate, held = self._gate(at, task)
        if gate > fired + task.delay:
            waited = held
        due = max(fired + task.delay, gate)
        return due + (self.reaction if reacts or task.delay else 0.0), on, waited

    def _gate(self, at: dict[Tpl, float], task: Duty | Report) -> tuple[float, Tpl | None]:
        """The earliest time the parts of ``task``'s condition that wait for something can hold
        (:attr:`_gates`), and the template that comes last of them."""
        return max([(0.0, None), *(self._first_of(at, part) for part in self._gates[task.id])], key=lambda x: x[0])

    def _clocks(self, at: dict[Tpl, float]) -> Iterator[tuple[Tpl, float, Tpl | None]]:
        """Each elapsed fact's marks, counted from when the fact that runs it first turns true."""
        for name, (driver, per_unit, marks) in self.plan.clocks.items():
            since, start = self._first_of(at, [("fact", driver, None, None, None, v) for v in (True, ANY)])
            for m in marks:
                yield ("fact", name, None, None, None, m), since + m * per_unit, start

    def earliest(self, sources: dict[Tpl, float], blocked: frozenset[Tpl] = frozenset()) -> Times:
        """The earliest time of every template reachable from ``sources`` (never through ``blocked``)."""
        times = Times(dict(sources), {})
        at = times.at

        def offer(t: Tpl, when: float, step: Step | Tpl | None) -> bool:
            if when >= at.get(t, INF) or t in blocked or when == INF:
                return False
            at[t] = when
            if isinstance(step, Step):
                times.via[t] = step
            elif step is not None:
                times.cause[t] = step
            return True

        changed = True
        while changed:
            changed = False
            for rid, knowers in self._knowers.items():
                if self.holds(rid):
                    when, how = self._first_of(at, knowers)
                    changed |= offer((LEARNED, "incident", rid, None, None, None), when, how)
            for t, when, start in list(self._clocks(at)):
                changed |= offer(t, when, start)
            for task, cands in zip(self.tasks, self.candidates, strict=True):
                for role in self._performers(task):
                    if role in self.absent:
                        continue
                    start, on, waited = self._start(at, task, cands, role)
                    if on is None or start == INF:
                        continue
                    for t, when, target, rank in self._emits(task, role, start):
                        changed |= offer(t, when, Step(task.id, role, on, start, target, rank, waited))
        return times

    @cached_property
    def from_incident(self) -> Times:
        """Everything that can happen, timed from the incident."""
        return self.earliest(dict.fromkeys(self.exogenous, 0.0))

    @cached_property
    def messages(self) -> Templates:
        """The reports' events between two roles that can happen (``from_incident``), in its order."""
        roles = self.plan.roles
        return Templates(t for t in self.from_incident.at if t[0] in REPORT_RESPONSES and t[2] in roles
                         and t[3] in roles)

    @cached_property
    def labels(self) -> dict[Tpl, str]:
        """Each message's label in a route: its report, and which fallback target it went to if one."""
        reports = self.plan.report_by_id
        out = {}
        for t in self.messages.order:
            rank = (reports[t[1]].to, *reports[t[1]].fallback).index(t[3])
            out[t] = t[1] + (f" (fallback {rank})" if rank else "")
        return out

    @cached_property
    def report_links(self) -> dict[tuple[str, str], tuple[int, list[str]]]:
        """The role graph of the reports that can be received, once for every deadline's routes: for each
        pair of roles, the place among :attr:`messages` of the first that links them, and its reports'
        labels in order of first place (shared by every route graph: not to be changed)."""
        return _links(self, (t for t in self.messages.order if t[0] == "received"), None)


_SHARED = ("reaction", "handling", "travel", "channels", "agencies", "tasks", "needs", "exogenous", "universe",
           "candidates", "_knowers", "_gates")


# Findings ------------------------------------------------------------------------------------------


@dataclass
class RequirementAnalysis:
    id: str
    title: str
    deadline: float | None  # minutes; None: a calendar deadline
    deadline_text: str
    status: str
    """``ok``, ``impossible`` (the best case misses the deadline), ``unreachable`` (no chain gives the
    response), ``independent`` (the response can come without the trigger: no bound), ``untriggered``."""
    best_case: float | None
    chain: list[dict[str, Any]] = field(default_factory=list)
    routes: int = 0
    paths: list[dict[str, list]] = field(default_factory=list)
    spof_roles: list[str] = field(default_factory=list)
    spof_channels: list[str] = field(default_factory=list)
    named_roles: list[str] = field(default_factory=list)
    p_met: float | None = None


def reporting_requirements(plan: Plan) -> list[DeadlineRequirement]:
    return [r for r in plan.requirements if isinstance(r, DeadlineRequirement) and r.response.event in REPORT_RESPONSES]


def _trigger_times(design: Design, req: DeadlineRequirement) -> Times | None:
    """The templates' earliest times counted from the requirement's trigger, which can happen
    (``analyse_requirement``); None if the response can come without the trigger (before it, or from
    another cause), so no bound holds."""
    trig = req.trigger
    if is_incident(trig):
        return design.from_incident
    if trig.event == "inject":
        return None  # a named inject: the scenario times it, and what the incident set going before may answer
    triggers = frozenset(design.from_incident.selected(trig))
    alone = design.earliest({t: 0.0 for t in design.exogenous if t not in triggers}, blocked=triggers)
    if alone.first(req.response)[1] is not None:
        return None
    return design.earliest({**dict.fromkeys(alone.at, 0.0), **dict.fromkeys(triggers, 0.0)})


def _chain(plan: Plan, times: Times, end: Tpl) -> list[dict[str, Any]]:
    """The best chain of tasks that gives ``end``, first task first."""
    steps = []
    t: Tpl | None = end
    seen: set[Tpl] = set()
    while t is not None and t not in seen:
        seen.add(t)
        if t in times.cause:
            t = times.cause[t]
            continue
        s = times.via.get(t)
        if s is None:
            break
        steps.append({"task": s.task, "role": s.role, "role_name": plan.roles[s.role].name,
                      "started_on": _describe(s.on) if s.on else None,
                      **({"waited_for": _describe(s.waited)} if s.waited else {}), "start_min": round(s.start, 3),
                      "event": _describe(t), "at_min": round(times.at[t], 3),
                      **({"target": s.target, "target_name": plan.roles[s.target].name, "fallback": s.rank}
                         if s.target else {})})
        t = s.waited or s.on
    return steps[::-1]


def _describe(t: Tpl) -> str:
    kind, what, actor, target, channel, value = t
    if kind == "inject":
        return "the incident (or an inject)"
    if kind == LEARNED:
        return f"{actor} learning of the incident"
    parts = [kind] + [str(x) for x in (what,) if x not in (None, ANY)]
    if actor not in (None, ANY):
        parts.append(f"by {actor}")
    if target not in (None, ANY):
        parts.append(f"to {target}")
    if channel not in (None, ANY):
        parts.append(f"via {channel}")
    if value not in (None, ANY):
        parts.append(f"= {value}")
    return " ".join(parts)


def _links(design: Design, messages: Iterable[Tpl], to: str | None) -> dict[tuple[str, str], tuple[int, list[str]]]:
    """The edges ``messages`` make (in order) from their sender to their receiver, or to ``to``: for each,
    the place of the first message that makes it, and the labels of its messages, each once, in order."""
    place, labels = design.messages.order, design.labels
    edges: dict[tuple[str, str], tuple[int, dict[str, None]]] = {}
    for t in messages:
        pair = (t[2], t[3] if to is None else to)
        if pair not in edges:
            edges[pair] = (place[t], {})
        edges[pair][1][labels[t]] = None
    return {pair: (first, list(names)) for pair, (first, names) in edges.items()}


def _route_graph(design: Design, req: DeadlineRequirement, times: Times) -> nx.DiGraph:
    """The roles linked by the report edges that can deliver (from the incident), a source
    ``<trigger>`` joined to the roles that know of the incident when the trigger comes (``times``
    counted from it), to its actor and, when it delivers a message, its target, and the senders of the
    edges that give the response joined to ``<response>``. Edges are added in the order of the messages
    that first make them (the shortest routes listed on ties follow it), the role graph's once per
    design (``report_links``)."""
    plan = design.plan
    g = nx.DiGraph()
    g.add_nodes_from(plan.roles)
    responses = _links(design, design.messages.selected(req.response), "<response>")
    edges = [(first, 0, pair, labels) for pair, (first, labels) in design.report_links.items()]
    edges += [(first, 1, pair, labels) for pair, (first, labels) in responses.items()]
    for _, _, (u, v), labels in sorted(edges, key=lambda e: e[:2]):  # on one message, its receipt first
        g.add_edge(u, v, reports=labels)
    for r in plan.roles:
        if times.at.get((LEARNED, "incident", r, None, None, None)) == 0.0:
            g.add_edge("<trigger>", r)
    for t in times.selected(req.trigger):
        for x in (t[2], t[3]) if t[0] in DELIVERED else (t[2],):
            if x in plan.roles:
                g.add_edge("<trigger>", x)
    return g


def _routes(design: Design, req: DeadlineRequirement, times: Times) -> tuple[int, list[dict[str, list]]]:
    """The number of routes with no role in common from the trigger to the response, and the shortest
    five: each its ``roles`` in order and, for each step from one to the next (the last to the
    response), the ``reports`` that make it (a fallback target named so)."""
    g = _route_graph(design, req, times)
    if not (g.has_node("<trigger>") and g.has_node("<response>")) or not nx.has_path(g, "<trigger>", "<response>"):
        return 0, []
    n = len(list(nx.node_disjoint_paths(g, "<trigger>", "<response>")))
    paths = []
    for p in nx.shortest_simple_paths(g, "<trigger>", "<response>"):
        paths.append({"roles": p[1:-1], "reports": [g[u][v]["reports"] for u, v in pairwise(p[1:])]})
        if len(paths) == 5:
            break
    return n, paths


def _named(req: DeadlineRequirement) -> set[str]:
    return {*(req.response.actor or ()), *(req.response.target or ()), *(req.trigger.actor or ()),
            *(req.trigger.target or ())}


def analyse_requirement(design: Design, req: DeadlineRequirement) -> RequirementAnalysis:
    plan = design.plan
    rule = plan.deadline(req.within)
    out = RequirementAnalysis(req.id, req.title, rule.minutes, rule.describe(), "ok", None,
                              named_roles=sorted(_named(req)))
    reach = design.from_incident
    if reach.first(req.trigger)[1] is None:
        out.status = "untriggered"
        return out
    if reach.first(req.response)[1] is None:
        out.status = "unreachable"
        return out
    times = _trigger_times(design, req)
    if times is None:
        out.status = "independent"
    else:
        bound, end = times.first(req.response)
        if end is None:
            out.status = "unreachable"
            return out
        out.best_case = round(bound, 3)
        out.chain = _chain(plan, times, end)
        if rule.minutes is not None and bound > rule.minutes:
            out.status = "impossible"
    out.routes, out.paths = _routes(design, req, times or reach)
    return out


@dataclass
class Analysis:
    plan: Plan
    requirements: list[RequirementAnalysis]
    findings: list[dict[str, Any]]
    unreached: list[str]
    simulation: dict[str, Any] | None = None
    """With a quick simulation (:meth:`add_simulation`): its scenario, runs and P(met) per requirement."""

    def add_simulation(self, scenario: str, reps: int, p_met: dict[str, float | None]) -> None:
        """Add what a quick simulation found: ``p_met`` (requirement id -> share of the runs where it
        applied that met it; None: it never applied); a finding for each met in under half."""
        self.simulation = {"scenario": scenario, "reps": reps, "p_met": p_met}
        for r in self.requirements:
            r.p_met = p_met.get(r.id)
        titles = {r.id: r.title for r in self.plan.requirements}
        for rid, p in p_met.items():
            if p is not None and p < 0.5:
                self.findings.append({"kind": "often_missed", "requirement": rid, "title": titles[rid], "p_met": p,
                                      "message": f"{rid}: met in {p:.0%} of the {reps} simulated runs of {scenario} "
                                                 "where it applied"})

    def to_data(self) -> dict[str, Any]:
        return {"plan": self.plan.id, "title": self.plan.title,
                "best_case_rule": BEST_CASE_RULE,
                "findings": self.findings,
                "requirements": [vars(r) for r in self.requirements],
                "unreached_roles": self.unreached,
                **({"simulation": self.simulation} if self.simulation else {})}


def _spofs(design: Design, reqs: list[DeadlineRequirement], analysed: dict[str, RequirementAnalysis]) -> None:
    """Fill each requirement's roles and channels without which its response cannot come (its trigger still can)."""
    live = [r for r in reqs if analysed[r.id].status not in ("unreachable", "untriggered")]
    plan = design.plan
    for kind, names in (("role", list(plan.roles)), ("channel", list(plan.channels))):
        for name in names:
            less = design.without(roles=[name]) if kind == "role" else design.without(channels=[name])
            times = less.from_incident
            for req in live:
                if times.first(req.trigger)[1] is not None and times.first(req.response)[1] is None:
                    (analysed[req.id].spof_roles if kind == "role" else analysed[req.id].spof_channels).append(name)


def _fallback_findings(design: Design) -> list[dict[str, Any]]:
    plan = design.plan
    found = []
    for rep in plan.escalation:
        targets = (rep.to, *rep.fallback)
        sync = plan.channels[rep.channel].synchronous
        for rank, fb in enumerate(rep.fallback, start=1):
            role = plan.roles[fb]
            where = {"report": rep.id, "fallback": rank, "role": fb, "role_name": role.name}
            if fb == rep.from_ or fb in targets[:rank]:
                back = "the sender itself" if fb == rep.from_ else "a target tried before it"
                found.append({"kind": "fallback_loop", **where,
                              "message": f"report {rep.id}: fallback {rank} ({role.name}) is {back}"})
                continue
            why = None
            if not design.holds(fb):
                why = "nobody holds the role (count 0)"
            elif not design.answers(fb):
                why = "nobody of the role can be reached (presence 0, reachable 0)"
            elif not sync and all(design.holds(t) for t in targets[:rank]):
                why = (f"{plan.channels[rep.channel].name} is not synchronous: a written message or alarm goes to the "
                       "first target anyone holds, so a fallback is never tried")
            if why:
                found.append({"kind": "fallback_nowhere", **where,
                              "message": f"report {rep.id}: fallback {rank} ({role.name}) leads nowhere: {why}"})
    return found


def _loop_findings(design: Design) -> list[dict[str, Any]]:
    plan = design.plan
    tasks = design.tasks
    found = []
    for loop, _ in task_loops(plan):
        ids = [tasks[i].id for i in loop]
        if not any(isinstance(tasks[i], Report) for i in loop):
            continue
        roles = [r for i in loop for r in design._performers(tasks[i])]
        found.append({"kind": "circular_escalation", "tasks": ids, "roles": roles,
                      "message": "circular escalation: " + " -> ".join([*ids, ids[0]])
                      + " (each is started by the one before; done once per incident, so it stops after one round)"})
    return found


def _unreached(design: Design) -> dict[str, str]:
    """The roles no duty or report can ever involve — none of theirs can start and no report to them
    can arrive — each with why."""
    times = design.from_incident
    involved = {s.role for s in times.via.values()} | {t[3] for t in times.at if t[0] == "received"}
    named = {r for task in design.tasks for r in design._performers(task)} | {
        r for rep in design.plan.escalation for r in (rep.to, *rep.fallback)}
    why = {}
    for r in design.plan.roles:
        if r in involved:
            continue
        if not design.holds(r):
            why[r] = "nobody holds the role (count 0)"
        elif r not in named:
            why[r] = "no duty or report of the plan names this role"
        else:
            why[r] = "no trigger reaches this role: none of its duties and reports can start, no report to it arrive"
    return why


def analyse(plan: Plan) -> Analysis:
    """Every finding of the plan's escalation design (docs/graph-analysis.md)."""
    design = Design(plan)
    reqs = reporting_requirements(plan)
    analysed = {r.id: analyse_requirement(design, r) for r in reqs}
    _spofs(design, reqs, analysed)
    findings: list[dict[str, Any]] = []
    for req in reqs:
        a = analysed[req.id]
        base = {"requirement": a.id, "title": a.title}
        if a.status == "impossible":
            findings.append({"kind": "impossible_deadline", **base, "deadline_min": a.deadline,
                             "best_case_min": a.best_case,
                             "message": f"{a.id}: even the best case takes {format_minutes(a.best_case)}, the "
                                        f"deadline is {a.deadline_text}"})
        elif a.status == "unreachable":
            findings.append({"kind": "unreachable_requirement", **base,
                             "message": f"{a.id}: no chain of duties and reports can give its response"})
        for role in a.spof_roles:
            if role in a.named_roles:
                continue
            findings.append({"kind": "single_point_of_failure", **base, "role": role,
                             "role_name": plan.roles[role].name,
                             "message": f"{a.id}: without {plan.roles[role].name} ({role}) it cannot be met"})
        for ch in a.spof_channels:
            findings.append({"kind": "single_point_of_failure", **base, "channel": ch,
                             "channel_name": plan.channels[ch].name,
                             "message": f"{a.id}: with {plan.channels[ch].name} ({ch}) down it cannot be met"})
    unreached = _unreached(design)
    findings += [{"kind": "unreached_role", "role": r, "role_name": plan.roles[r].name,
                  "message": f"{plan.roles[r].name} ({r}): {why}"} for r, why in unreached.items()]
    findings += _fallback_findings(design)
    findings += _loop_findings(design)
    unknown = [c for c, p in design.channels.items() if not p["known"]]
    findings += [{"kind": "channel_without_defaults", "channel": c, "channel_name": plan.channels[c].name,
                  "message": f"channel {plan.channels[c].name} ({c}) has no default parameters: its latency is "
                             "counted as 0 in the best case (a scenario gives it)"} for c in unknown]
    return Analysis(plan, [analysed[r.id] for r in reqs], findings, list(unreached))
