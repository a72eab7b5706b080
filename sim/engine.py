"""One replication: build the agents from a compiled model, play the injects, return the log.

:func:`run_replication` is a pure function of the model and the seed: all randomness is drawn
from the seed's four streams (``sim.seeds``), and agents are created and their presence drawn in
plan order, so the same seed always gives the same log.

The log is also the engine's bus: every event is appended as a row, and the duties and reports
whose trigger matches it are handed to the people who perceive it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import numpy as np
import simpy

from drillsim.agents.agency import Agency
from drillsim.agents.base import Agent, Message
from drillsim.agents.customers import CustomerFlow
from drillsim.agents.person import Person

from .eventlog import EventLog, Row
from .model import Model, TaskSpec
from .seeds import Seed, Streams, streams


class Replication:
    """The state of one run."""

    def __init__(self, model: Model, streams: Streams):
        self.model = model
        self.rng = streams.people  # people: presence, reactions, omissions, task times, travel
        self.comms = streams.comms  # channels and agencies
        self.incident_rng = streams.incident  # inject times and facts
        self.customer_rng = streams.customers
        self.env = simpy.Environment()
        self.rows: list[Row] = []
        self.incident = model.scenario.incident.id
        self.vars: dict[str, Any] = {**model.plan.initial_facts, "type": model.scenario.incident.type, "level": 0}
        self.level_names = {0: None, **{rank: name for name, rank in model.plan.level_rank.items()}}
        self.triggers = model.triggers
        self.done: set[tuple[str, str]] = set()
        self.ref = 0
        self.flows: dict[str, CustomerFlow] = {}
        self.staff: dict[tuple[str, str], list[Person]] = {}
        self.shared: dict[str, list[Person]] = {}
        self.agencies: dict[str, Agency] = {}
        self.started: set[str] = set()
        self.clock_started: dict[str, tuple[float, float]] = {}  # elapsed fact -> (started at, value then)
        self.fact_since: dict[str, float] = {}  # fact -> when it took its present value
        self.seen_first: set[tuple[str, str]] = set()  # (task, site) whose `first` trigger has passed
        self.clocks_run_by: dict[str, list[str]] = {}
        for clock, (driver, _, _) in model.plan.clocks.items():
            self.clocks_run_by.setdefault(driver, []).append(clock)
        self._populate()
        self.inject_events = {i.id: self.env.event() for i in model.injects}
        for inject in model.injects:
            self.env.process(self._play(inject))

    def _populate(self) -> None:
        plan, rng = self.model.plan, self.rng
        many = len(self.model.branches) > 1
        for b in self.model.branches:
            flow = self.flows[b.id] = CustomerFlow(self, b)
            for rid, role in plan.roles.items():
                if role.kind != "staff":
                    continue
                people = []
                for k in range(1, b.staffing[rid] + 1):
                    present = bool(rng.random() < b.presence[rid])
                    answers = present or bool(rng.random() < role.reachable)
                    name = f"{b.id}/{rid}-{k}" if many else f"{rid}-{k}"
                    people.append(Person(self, rid, name, b.id, present, answers, False,
                                         flow if role.serves_customers else None))
                self.staff[(b.id, rid)] = people
        for rid, role in plan.roles.items():
            if role.kind == "office":
                people = []
                presence = self.model.scenario.parameters.presence.get(rid, role.presence)
                for k in range(1, role.count + 1):
                    present = bool(rng.random() < presence)
                    answers = present or bool(rng.random() < role.reachable)
                    people.append(Person(self, rid, f"{rid}-{k}", "office", present, answers, True))
                self.shared[rid] = people
            elif role.kind == "agency":
                self.agencies[rid] = Agency(self, rid, self.model.agencies[rid])

    # The bus ----------------------------------------------------------------------------------

    def emit(self, event: str, what: str, actor: Agent | None, target: Agent | None = None,
             channel: str | None = None, ref: int | None = None, value: Any = None,
             fields: tuple[str, ...] | None = None, site: str | None = None) -> None:
        site = site or (actor.site if actor is not None else "")
        row = (self.env.now, site, self.incident, event, what,
               actor.role if actor is not None else None, actor.name if actor is not None else None,
               target.role if target is not None else None, target.name if target is not None else None,
               channel, ref, value, fields)
        self.rows.append(row)
        table = self.triggers.get(event)
        if table is not None:
            w = what if (what, None) in table else None  # a name no task asks for looks up None
            t = row[7] if (None, row[7]) in table else None
            specs = table[(w, t)]
            if specs:
                self._dispatch(specs, row, actor, target, site)

    def _dispatch(self, specs: list[TaskSpec], row: Row, actor: Agent | None, target: Agent | None,
                  site: str) -> None:
        event, what, actor_role, target_role, channel, value = row[3], row[4], row[5], row[7], row[9], row[11]
        for spec in specs:
            if not spec.matches(what, actor_role, target_role, channel, value):
                continue
            if spec.on.first:  # only the first such event at this site can start it
                if (spec.id, site) in self.seen_first:
                    continue
                self.seen_first.add((spec.id, site))
            if event in ("received", "acknowledged") and isinstance(target, Person) and target.role == spec.role:
                performers: list[Person] = [target]
            elif isinstance(actor, Person) and actor.role == spec.role:
                performers = [actor]
            else:
                performers = self._perceivers(spec.role, site)
                if spec.who == "one" and performers:
                    performers = [min(performers, key=_load)]
            if not performers or (not spec.delay and not spec.condition(self.vars)):
                continue
            for person in performers:
                if not spec.repeat:
                    scope = "office" if person.office else site
                    key = (spec.id, scope if spec.who == "one" else person.name)
                    if key in self.done:
                        continue
                    self.done.add(key)
                if spec.delay:
                    self.env.process(self._assign_later(spec, person, site, row[0] + spec.delay))
                else:
                    person.assign(spec, site)

    def _assign_later(self, spec: TaskSpec, person: Person, site: str, due: float):
        yield self.env.timeout(max(0.0, due - self.env.now))
        if spec.condition(self.vars):
            person.assign(spec, site)

    def brief(self, person: Person, site: str) -> None:
        """Someone arriving on the scene learns the facts that stand, as if they had just happened."""
        table = self.triggers.get("fact", {(None, None): []})
        for name in self.model.plan.facts:
            specs = [s for s in table.get((name, None), table[(None, None)]) if s.role == person.role]
            if specs and self.vars[name]:
                since = self.fact_since.get(name, self.env.now)  # delays count from when it became so
                row = (since, site, self.incident, "fact", name, None, None, None, None, None, None,
                       self.vars[name], None)
                self._dispatch(specs, row, None, None, site)

    def _perceivers(self, role: str, site: str) -> list[Person]:
        """Who notices an event at ``site``: staff on site there, or the members of an office on duty."""
        people = self.staff.get((site, role))
        if people is not None:
            return [p for p in people if p.present]
        return [p for p in self.shared.get(role, ()) if p.present]

    # Messages ---------------------------------------------------------------------------------

    def send(self, sender: Person, spec: TaskSpec, site: str):
        """Pass a report along its edge: retries, then the fallback targets in turn."""
        rng, comms, env = self.rng, self.comms, self.env
        report = spec.report
        channel = self.model.channels[report.channel]
        if spec.omission and rng.random() < spec.omission:
            self.emit("omitted", report.id, sender, site=site)
            return
        lose = self.model.field_omission
        fields = tuple(f for f in report.carries if not (lose and rng.random() < lose))
        prep = spec.takes(rng)
        if prep:
            yield env.timeout(prep)
        for role in spec.targets:
            target = self._target(role, site)
            if target is None:
                continue
            for attempt in range(1 + report.retry.attempts):
                if attempt:
                    yield env.timeout(report.retry.every)
                self.ref += 1
                msg = Message(report.id, sender, target, channel.id, self.ref, fields, site)
                self.emit("sent", report.id, sender, target, channel.id, msg.ref, attempt + 1, fields, site)
                lost = channel.failure and comms.random() < channel.failure
                latency = channel.latency(comms)
                if not channel.synchronous:
                    if lost:
                        env.process(self._later(latency, self._lost, msg))
                    else:
                        env.process(self._later(latency, target.deliver, msg))
                    return
                yield env.timeout(latency)
                # `answered` succeeds with True when the receiver picks up, or False when the caller gives up
                answered, done = env.event(), env.event()
                give_up = env.timeout(channel.answer_within)
                give_up.callbacks.append(lambda _, a=answered: a.triggered or a.succeed(False))
                if not lost and target.answers:
                    target.ring(msg, answered, done)
                if (yield answered):
                    self.receive(msg)
                    yield env.timeout(channel.talk(comms))
                    self.emit("acknowledged", msg.report, sender, target, msg.channel, msg.ref, site=site)
                    done.succeed()
                    return
                self.emit("unanswered", msg.report, sender, target, msg.channel, msg.ref, site=site)

    def _later(self, delay: float, then: Any, msg: Message):
        yield self.env.timeout(delay)
        then(msg)

    def _lost(self, msg: Message) -> None:
        self.emit("lost", msg.report, msg.sender, msg.target, msg.channel, msg.ref, site=msg.site)

    def receive(self, msg: Message) -> None:
        """The target has the message (picked up the phone, read the fax, saw the alarm)."""
        self.emit("received", msg.report, msg.sender, msg.target, msg.channel, msg.ref,
                  fields=msg.fields, site=msg.site)
        if isinstance(msg.target, Agency):
            for site in ([msg.site] if msg.site in self.flows else sorted(self.started) or [self.model.branches[0].id]):
                msg.target.alerted(site)

    def _target(self, role: str, site: str) -> Agent | None:
        if role in self.agencies:
            return self.agencies[role]
        people = self.staff.get((site, role)) or self.staff.get((self.model.branches[0].id, role)) \
            or self.shared.get(role)
        if not people:
            return None
        return min(people, key=_reach)

    # Grading and injects ----------------------------------------------------------------------

    def declare_level(self, by: Person) -> None:
        rank = self.model.plan.grade(self.vars, self.vars["type"])
        if rank and rank != self.vars["level"]:  # a graded incident keeps a level until it ends
            self.vars["level"] = rank
            self.emit("level", self.level_names[rank], by, value=self.level_names[rank])

    def _play(self, inject: Any):
        env = self.env
        if inject.after is not None:
            yield self.inject_events[inject.after]
        delay = inject.at(self.incident_rng)
        if delay:
            yield env.timeout(delay)
        if inject.condition is not None and not inject.condition(self.vars):
            return  # it does not happen, nor does anything that comes after it
        changed = []
        for name, draw in inject.facts:
            value = draw(self.incident_rng)
            if self.vars[name] != value:
                self.vars[name] = value
                self.fact_since[name] = env.now
                changed.append((name, value))
        for site in inject.branches:
            if inject.disrupts and site not in self.started:
                self.started.add(site)
                flow = self.flows[site]
                flow.close()
                in_hall = flow.in_hall(env.now)
                if "customers_in_hall" in self.vars and self.vars["customers_in_hall"] != in_hall:
                    self.vars["customers_in_hall"] = in_hall
                    self.fact_since["customers_in_hall"] = env.now
                    changed.append(("customers_in_hall", in_hall))
            self.emit("inject", inject.id, None, site=site)
        for name, value in changed:
            for site in inject.branches:  # everyone at every site the inject reaches learns it
                self.emit("fact", name, None, value=value, site=site)
            for clock in self.clocks_run_by.get(name, ()):
                self._clock(clock, bool(value), inject.branches[0])
        self.inject_events[inject.id].succeed()

    # Elapsed facts -----------------------------------------------------------------------------

    def _clock(self, name: str, running: bool, site: str) -> None:
        """The fact that runs an elapsed fact changed: start it, or stop it and log its value."""
        _, per_unit, _ = self.model.plan.clocks[name]
        if running and name not in self.clock_started:
            self.clock_started[name] = (self.env.now, self.vars[name])
            self.env.process(self._tick(name, self.env.now, site))
        elif not running and name in self.clock_started:
            started, base = self.clock_started.pop(name)
            self.vars[name] = base + (self.env.now - started) / per_unit
            self.emit("fact", name, None, value=round(self.vars[name], 6), site=site)

    def _tick(self, name: str, started: float, site: str):
        _, per_unit, marks = self.model.plan.clocks[name]
        base = self.clock_started[name][1]
        for mark in marks:
            if mark <= base:
                continue
            yield self.env.timeout(started + (mark - base) * per_unit - self.env.now)
            if self.clock_started.get(name, (None,))[0] != started:
                return  # stopped (and perhaps restarted) meanwhile
            self.vars[name] = mark
            self.emit("fact", name, None, value=mark, site=site)

    def finish(self) -> None:
        """Record what was still to do when the run stopped: an unanswered report is a result."""
        for people in (*self.staff.values(), *self.shared.values()):
            for person in people:
                for what in person.unfinished():
                    self.emit("unfinished", what, person, site=person.site)


def _load(p: Person) -> tuple[int, str]:
    return (p.load, p.name)


def _reach(p: Person) -> tuple[bool, int, str]:
    return (not p.answers, p.load, p.name)


def run_replication(model: Model, seed: Seed) -> EventLog:
    """Play one replication and return its event log."""
    rep = Replication(model, streams(seed))
    rep.env.run(until=model.scenario.horizon)
    rep.finish()
    start = model.scenario.start
    meta = {**model.meta, "seed": _seed_text(seed)}
    return EventLog(rep.rows, start if isinstance(start, datetime) else None, meta)


def _seed_text(seed: Seed) -> Any:
    if isinstance(seed, np.random.SeedSequence):
        return {"entropy": seed.entropy, "spawn_key": list(seed.spawn_key)}
    return seed if isinstance(seed, int) else None
