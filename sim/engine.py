"""One replication: build the agents from a compiled model, play the injects, return the log.

:func:`run_replication` is a pure function of the model and the seed: all randomness is drawn
from the seed's four streams (``sim.seeds``), and agents are created and their presence drawn in
plan order, so the same seed always gives the same log.

The log is also the engine's bus: every event is appended as a row, and the duties and reports
whose trigger matches it are handed to the people who perceive it.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any

import numpy as np
import simpy

from drillsim.agents.agency import Agency
from drillsim.agents.base import Agent, Message
from drillsim.agents.customers import CustomerFlow
from drillsim.agents.person import Person
from drillsim.log.eventlog import Event, EventLog
from drillsim.spec.conditions import always

from .model import InjectRuntime, Model, TaskSpec
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
        self.rows: list[Event] = []
        self.incident = model.scenario.incident.id
        self.vars: dict[str, Any] = {**model.plan.initial_facts, "type": model.scenario.incident.type, "level": 0}
        self.level_names = model.level_names
        self.triggers = model.triggers
        self.done: set[tuple[str, str]] = set()
        self.ref = 0
        self.started: set[str] = set()
        self.clock_started: dict[str, tuple[float, float]] = {}  # elapsed fact -> (started at, value then)
        self.fact_since: dict[str, float] = {}  # fact -> when it took its present value
        self.seen_first: set[tuple[str, str]] = set()  # (task, site) whose `first` trigger has passed
        self.perceived: set[str] = set()  # sites where something of the incident has happened
        self.clocks_run_by = model.clocks_run_by
        self._populate()
        for inject in model.followers.get(None, ()):
            self._schedule(inject)

    def _populate(self) -> None:
        model, rng = self.model, self.rng
        self.flows = {b.id: CustomerFlow(self, b) for b in model.branches}
        self.staff: dict[tuple[str, str], list[Person]] = {group: [] for group in model.groups}
        self.shared: dict[str, list[Person]] = {}
        self.on_site: dict[str, list[Person]] = {}  # a branch's staff, in plan order
        for slot in model.people:
            present = rng.random() < slot.presence
            answers = present or rng.random() < slot.reachable
            person = Person(self, slot.role, slot.name, slot.site, present, answers, slot.office,
                            self.flows[slot.site] if slot.serves else None)
            if slot.office:
                self.shared.setdefault(slot.role, []).append(person)
            else:
                self.staff[(slot.site, slot.role)].append(person)
                self.on_site.setdefault(slot.site, []).append(person)
        self.agencies = {rid: Agency(self, rid, params) for rid, params in model.agencies.items()}

    # The bus ----------------------------------------------------------------------------------

    def emit(self, event: str, what: str, actor: Agent | None, target: Agent | None = None,
             channel: str | None = None, ref: int | None = None, value: Any = None,
             fields: tuple[str, ...] | None = None, site: str | None = None) -> None:
        if actor is None:
            actor_role = actor_name = None
            site = site or ""
        else:
            actor_role, actor_name = actor.role, actor.name
            site = site or actor.site
        target_role = target.role if target is not None else None
        row = Event(self.env.now, site, self.incident, event, what, actor_role, actor_name, target_role,
                    target.name if target is not None else None, channel, ref, value, fields)
        self.rows.append(row)
        if site not in self.perceived:  # the first event at a site: everyone on site perceives the incident
            self.perceived.add(site)
            for person in self.on_site.get(site, ()):
                if person.present:
                    self.learn(person, site)
        by_what = self.triggers.get(event)
        if by_what is not None:
            by_target = by_what.get(what) or by_what[None]  # a name no task asks for looks up None
            specs = by_target.get(target_role) or by_target[None]
            if specs:
                self._dispatch(specs, row, actor, target, site)

    def _dispatch(self, specs: list[TaskSpec], row: Event, actor: Agent | None, target: Agent | None,
                  site: str) -> None:
        handed = row.event in ("received", "acknowledged")
        for spec in specs:
            if spec.narrow and not spec.matches(row.actor_role, row.channel, row.value):
                continue
            if spec.on.first:  # only the first such event at this site can start it
                if (spec.id, site) in self.seen_first:
                    continue
                self.seen_first.add((spec.id, site))
            role = spec.role
            if handed and isinstance(target, Person) and target.role == role:
                performers: Sequence[Person] = (target,)
            elif isinstance(actor, Person) and actor.role == role:
                performers = (actor,)
            else:
                performers = self._perceivers(role, site, spec.who == "one")
                if not performers:
                    continue
            if not spec.delay and spec.condition is not always and not spec.condition(self.vars):
                continue
            for person in performers:
                if site not in person.knows:  # handed a task by something of the incident: perceives it
                    self.learn(person, site)
                if self._claim(spec, person, site):
                    self._give(spec, person, site, row.t)

    def _claim(self, spec: TaskSpec, person: Person, site: str) -> bool:
        """Whether ``person`` is to do the task: once per incident and site (by one of the role, or by
        each for ``who: all``) unless it repeats; True claims it."""
        if spec.repeat:
            return True
        key = (spec.id, ("office" if person.office else site) if spec.who == "one" else person.name)
        if key in self.done:
            return False
        self.done.add(key)
        return True

    def _give(self, spec: TaskSpec, person: Person, site: str, since: float) -> None:
        """Queue a task whose trigger fired at ``since``; a delayed one later, if its condition holds then."""
        if spec.delay:
            self.env.process(self._assign_later(spec, person, site, since + spec.delay))
        else:
            person.assign(spec, site)

    def _assign_later(self, spec: TaskSpec, person: Person, site: str, due: float):
        yield self.env.timeout(max(0.0, due - self.env.now))
        if spec.condition(self.vars):
            person.assign(spec, site)

    # Knowledge --------------------------------------------------------------------------------

    def learn(self, person: Person, site: str) -> None:
        """``person`` learns of the incident at ``site``: the one place a person's knowledge is set.

        A person learns by perceiving the incident (on site when something of it happens there; an
        office member when an event of it hands them a task), by being told (a message about it
        received: a call picked up, a fax or alarm read), or by arriving on the scene. The first time,
        the tasks their role starts on learning (``on: {event: learned}``) are handed to them; someone
        already on the scene is there, so a ``go_to_scene`` among them is logged as arrived at once."""
        if site in person.knows:
            return
        now = self.env.now
        person.knows[site] = now
        for spec in self.model.learned.get(person.role, ()):
            if (not spec.delay and not spec.condition(self.vars)) or not self._claim(spec, person, site):
                continue
            if spec.action == "go_to_scene" and not spec.delay and person.present and person.site == site:
                self.emit("arrived", person.role, person, site=site)
            else:
                self._give(spec, person, site, now)

    def brief(self, person: Person, site: str) -> None:
        """Someone arriving on the scene knows of the incident, and learns the facts that stand, as if
        they had just happened."""
        self.learn(person, site)
        by_what = self.triggers.get("fact")
        if by_what is None:
            return
        for name in self.model.plan.facts:
            specs = [s for s in (by_what.get(name) or by_what[None])[None] if s.role == person.role]
            if specs and self.vars[name]:
                since = self.fact_since.get(name, self.env.now)  # delays count from when it became so
                row = Event(since, site, self.incident, "fact", name, value=self.vars[name])
                self._dispatch(specs, row, None, None, site)

    def _perceivers(self, role: str, site: str, one: bool) -> Sequence[Person]:
        """Who notices an event at ``site``: staff on site there, or the members of an office on duty;
        ``one``: only the least busy of them."""
        people = self.staff.get((site, role))
        if people is None:
            people = self.shared.get(role, ())
        if len(people) == 1:  # the common case, without building a list
            return people if people[0].present else ()
        present = [p for p in people if p.present]
        if one and len(present) > 1:
            return [min(present, key=_load)]
        return present

    # Messages ---------------------------------------------------------------------------------

    def send(self, sender: Person, spec: TaskSpec, site: str):
        """Pass a report along its edge: retries, then the fallback targets in turn."""
        rng, comms, env = self.rng, self.comms, self.env
        report, channel = spec.report, spec.channel
        if spec.omission and rng.random() < spec.omission:
            self.emit("omitted", report.id, sender, site=site)
            return
        lose = self.model.field_omission
        fields = tuple([f for f in report.carries if rng.random() >= lose]) if lose else report.carries
        prep = spec.takes(rng)
        if prep:
            yield from sender.spend(prep)
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
                    env.timeout(latency, msg).callbacks.append(self._lost if lost else _delivered)
                    return
                yield env.timeout(latency)
                # `answered` succeeds with True when the receiver picks up, or False when the caller gives up
                answered, done = env.event(), env.event()
                env.timeout(channel.answer_within, answered).callbacks.append(_hang_up)
                if not lost and target.answers:
                    target.ring(msg, answered, done)
                if (yield answered):
                    self.receive(msg)
                    yield env.timeout(channel.talk(comms))
                    self.emit("acknowledged", msg.report, sender, target, msg.channel, msg.ref, site=site)
                    done.succeed()
                    return
                self.emit("unanswered", msg.report, sender, target, msg.channel, msg.ref, site=site)

    def _lost(self, arrival: simpy.Timeout) -> None:
        msg = arrival.value
        self.emit("lost", msg.report, msg.sender, msg.target, msg.channel, msg.ref, site=msg.site)

    def receive(self, msg: Message) -> None:
        """The target has the message (picked up the phone, read the fax, saw the alarm)."""
        self.emit("received", msg.report, msg.sender, msg.target, msg.channel, msg.ref,
                  fields=msg.fields, site=msg.site)
        if isinstance(msg.target, Person):
            self.learn(msg.target, msg.site)
        elif isinstance(msg.target, Agency):
            for site in ([msg.site] if msg.site in self.flows else sorted(self.started) or [self.model.branches[0].id]):
                msg.target.alerted(site)

    def _target(self, role: str, site: str) -> Agent | None:
        if role in self.agencies:
            return self.agencies[role]
        people = self.staff.get((site, role)) or self.staff.get((self.model.branches[0].id, role)) \
            or self.shared.get(role)
        if not people:
            return None
        return people[0] if len(people) == 1 else min(people, key=_reach)

    # Grading and injects ----------------------------------------------------------------------

    def declare_level(self, by: Person) -> None:
        rank = self.model.plan.grade(self.vars, self.vars["type"])
        if rank and rank != self.vars["level"]:  # a graded incident keeps a level until it ends
            self.vars["level"] = rank
            self.emit("level", self.level_names[rank], by, value=self.level_names[rank])

    def _schedule(self, inject: InjectRuntime) -> None:
        """Draw when an inject comes: counted from the start, or from the inject it follows."""
        delay = inject.at(self.incident_rng)
        if delay:
            self.env.timeout(delay, inject).callbacks.append(self._happen)
        else:
            self._play(inject)

    def _happen(self, timeout: simpy.Timeout) -> None:
        self._play(timeout.value)

    def _play(self, inject: InjectRuntime) -> None:
        env = self.env
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
        for follower in self.model.followers.get(inject.id, ()):
            self._schedule(follower)

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
                if person.current is not None or person.jobs:
                    for what in person.unfinished():
                        self.emit("unfinished", what, person, site=person.site)


def _delivered(arrival: simpy.Timeout) -> None:
    """An asynchronous message arrives: the timeout's value is the message."""
    msg = arrival.value
    msg.target.deliver(msg)


def _hang_up(give_up: simpy.Timeout) -> None:
    """The caller gives up: the timeout's value is the call's ``answered`` event."""
    answered = give_up.value
    if not answered.triggered:
        answered.succeed(False)


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


@contextmanager
def back_to_back(threshold: int = 20_000) -> Iterator[None]:
    """Tune Python's cyclic garbage collector for many replications run one after another.

    A finished replication is a reference cycle (a SimPy environment, its processes and its events
    refer to one another), so the collector frees it, not reference counting. At Python's default
    threshold of 700 allocations the collector runs every few replications (on the demo drill),
    and each time scans the running replication's live objects and moves them to an older
    generation, where they are scanned again; at 20,000 it runs about once every hundred
    replications, over what is nearly all garbage. ``docs/performance.md`` has the measured gain."""
    old = gc.get_threshold()
    gc.set_threshold(threshold, *old[1:])
    try:
        yield
    finally:
        gc.set_threshold(*old)


def _seed_text(seed: Seed) -> Any:
    if isinstance(seed, np.random.SeedSequence):
        return {"entropy": seed.entropy, "spawn_key": list(seed.spawn_key)}
    return seed if isinstance(seed, int) else None
