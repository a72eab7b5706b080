"""One replication's state: its actors, its random streams, and the log, which is also its bus.

Every event is appended to the log as a row, and the duties and reports whose trigger matches it
are handed to the people who perceive it (``sim.perception``). The incident (``sim.incident``) and
the messages (``sim.messaging``) are parts of it; knowledge of the incident is set here alone
(:meth:`Replication.learn`).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from drillsim.agents.agency import Agency
from drillsim.agents.base import Actor, Message
from drillsim.agents.customers import CustomerFlow
from drillsim.agents.person import Person
from drillsim.log.eventlog import Event

from . import messaging
from .incident import Incident
from .kernel import Environment
from .model import Model, TaskSpec
from .perception import HANDED, performers, stand_in
from .seeds import Streams


class Replication:
    def __init__(self, model: Model, streams: Streams):
        self.model = model
        self.people_rng = streams.people  # presence, reactions, omissions, task times, travel
        self.comms_rng = streams.comms  # channels and agencies
        self.streams = streams
        self.env = Environment()
        self.rows: list[Event] = []
        self.incident_id = model.incident_id
        self.triggers = model.triggers
        self.follows = model.follows  # event kind -> the injects that follow such an event
        self.done: set[tuple[str, str]] = set()
        self.ref = 0  # the last message number
        self.turns: dict[str, int] = {}  # role -> reports to it made in turn (notify: round_robin)
        self.seen_first: set[tuple[str, str]] = set()  # (task, site) whose `first` trigger has passed
        self.perceived: set[str] = set()  # sites where something of the incident has happened
        self.incident = Incident(self, streams.incident)
        # messaging's two entry points and perception's stand-in, for the actors, bound here (a partial
        # adds no Python call)
        self.send: Callable[[Person, TaskSpec, str], None] = partial(messaging.send, self)
        self.receive: Callable[[Message], None] = partial(messaging.receive, self)
        self.stand_in: Callable[[TaskSpec, set[str], str], Person | None] = partial(stand_in, self)
        self._populate()
        self.incident.begin()

    def _populate(self) -> None:
        model, rng = self.model, self.people_rng
        self.flows = {b.id: CustomerFlow(self, b) for b in model.branches}
        self.staff: dict[tuple[str, str], list[Person]] = {group: [] for group in model.groups}
        self.shared: dict[str, list[Person]] = {}
        self.on_site: dict[str, list[Person]] = {}  # a branch's staff, in plan order
        self.units: dict[tuple[str, str], list[Person]] = {}  # (site, agency) -> its unit on the scene
        self.visitors: dict[str, list[Person]] = {}  # site -> staff of other branches come to its scene
        draw = rng.random
        for slot in model.people:
            present = draw() < slot.presence
            answers = present or draw() < slot.reachable
            person = Person(self, slot.role, slot.name, slot.site, present, answers, slot.office,
                            self.flows[slot.site] if slot.serves else None)
            if slot.office:
                self.shared.setdefault(slot.role, []).append(person)
            else:
                self.staff[(slot.site, slot.role)].append(person)
                self.on_site.setdefault(slot.site, []).append(person)
        self.agencies = {rid: Agency(self, rid, params) for rid, params in model.agencies.items()}
        self.monitoring = [p for role in model.monitors for p in self.shared.get(role, ()) if p.present]

    # The bus ----------------------------------------------------------------------------------

    def emit(self, event: str, what: str, actor: Actor | None, target: Actor | None = None,
             channel: str | None = None, ref: int | None = None, value: Any = None,
             fields: tuple[str, ...] | None = None, site: str | None = None) -> None:
        if actor is None:
            actor_role = actor_name = None
            site = site or ""
        else:
            actor_role, actor_name = actor.role, actor.name
            site = site or actor.site
        target_role = target.role if target is not None else None
        row = _new_row(Event, (self.env._now, site, self.incident_id, event, what, actor_role, actor_name, target_role,
                               target.name if target is not None else None, channel, ref, value, fields))
        self.rows.append(row)  # (``_now``: SimPy's clock, without the Python call of its ``now`` property)
        if site not in self.perceived:  # the first event at a site: everyone there perceives the incident
            self.perceived.add(site)
            for person in self.on_site.get(site, ()):
                if person.present:
                    self.learn(person, site)
            for person in self.monitoring:
                self.learn(person, site)
        by_what = self.triggers.get(event)
        if by_what is not None:
            by_target = by_what.get(what) or by_what[None]  # a name no task asks for looks up None
            specs = by_target.get(target_role) or by_target[None]
            if specs:
                self._dispatch(specs, row, actor, target, site)
        if event in self.follows:  # feedback: injects that follow what was done (``Incident.follow``)
            self.incident.follow(row)

    def _dispatch(self, specs: list[TaskSpec], row: Event, actor: Actor | None, target: Actor | None,
                  site: str) -> None:
        facts = self.incident.facts
        # the performers the event itself names (``sim.perception``): its receiver, its actor
        given = target if target is not None and target.performs and row.event in HANDED else None
        doer = actor if actor is not None and actor.performs else None
        for spec in specs:
            if spec.narrow and not spec.matches(row.actor_role, row.channel, row.value):
                continue
            if spec.first:  # only the first such event at this site can start it
                if (spec.id, site) in self.seen_first:
                    continue
                self.seen_first.add((spec.id, site))
            chosen = performers(self, spec, given, doer, site)
            if not chosen or (spec.check_now is not None and not spec.check_now(facts)):
                continue
            for person in chosen:
                if site not in person.knows:  # handed a task by something of the incident: told, or perceives it
                    if person is given:
                        self.learn(person, site, "told", row.channel, row.ref)
                    else:
                        self.learn(person, site)
                if self._claim(spec, person, site):
                    self._give(spec, person, site, row.t)

    def _claim(self, spec: TaskSpec, person: Person, site: str) -> bool:
        """Whether ``person`` is to do the task, unless it repeats (True claims it): a task for one of the
        role (``who: one``) once per site, or once for every site when an office's member takes it; one
        for each of the role (``who: all``) once by each person, whatever the site."""
        if spec.repeat:
            return True
        key = (spec.id, ("office" if person.office else site) if spec.one else person.name)
        if key in self.done:
            return False
        self.done.add(key)
        return True

    def _give(self, spec: TaskSpec, person: Person, site: str, since: float) -> None:
        """Queue a task whose trigger fired at ``since``; a delayed one later, if its condition holds then."""
        if spec.delay:
            self.env.timeout(max(0.0, since + spec.delay - self.env._now)).callbacks.append(
                partial(self._assign_if, spec, person, site))
        else:
            person.assign(spec, site)

    def _assign_if(self, spec: TaskSpec, person: Person, site: str, _event: Any) -> None:
        if spec.condition(self.incident.facts):
            person.assign(spec, site)

    # Knowledge --------------------------------------------------------------------------------

    def learn(self, person: Person, site: str, how: str = "perceived", channel: str | None = None,
              ref: int | None = None) -> None:
        """``person`` learns of the incident at ``site``: the one place a person's knowledge is set.

        A person learns by perceiving the incident (staff and units on site when something of it
        happens there; an office that ``monitors`` when something of it happens anywhere), by being
        told (``how="told"``, with the message's channel and number: a message about it received — a
        call picked up, a fax or alarm read) or by arriving on the scene (``"arrived"``). The first
        time is logged as a ``learned`` row; only a branch has an incident to learn of (an office's
        own events are logged at the office, ``"office"``). An office told of an incident knows the
        facts that stand, as someone arriving does, and follows the incident from then on. The tasks
        the person's role starts on learning (``on: {event: learned}``) are handed to them; someone
        already on the scene is there, so a ``go_to_scene`` among them is logged as arrived at once."""
        if site in person.knows or site not in self.flows:
            return
        now = self.env.now
        person.knows[site] = now
        # logged, not emitted: no trigger selects it (tasks on learning are handed out below)
        self.rows.append(_new_row(Event, (now, site, self.incident_id, "learned", "incident", person.role, person.name,
                                          None, None, channel, ref, how, None)))
        facts = self.incident.facts
        for spec in self.model.learned.get(person.role, ()):
            if (spec.check_now is not None and not spec.check_now(facts)) or not self._claim(spec, person, site):
                continue
            if spec.action == "go_to_scene" and not spec.delay and person.is_at(site):
                self.emit("arrived", person.role, person, site=site)
            else:
                self._give(spec, person, site, now)
        if person.office and how == "told":
            self._standing_facts(person, site)

    def brief(self, person: Person, site: str) -> None:
        """Someone arriving on the scene knows of the incident, and learns the facts that stand, as if
        they had just happened."""
        self.learn(person, site, "arrived")
        self._standing_facts(person, site)

    def _standing_facts(self, person: Person, site: str) -> None:
        """Hand ``person`` the tasks of their role that the facts standing now call for, each as if
        its fact had just changed (delays count from when it did)."""
        facts, since = self.incident.facts, self.incident.since
        for name, specs in self.model.on_facts.get(person.role, ()):
            if facts[name]:
                at = since.get(name, self.env.now)
                self._dispatch(specs, Event(at, site, self.incident_id, "fact", name, value=facts[name]), None, None,
                               site)

    def addressees(self, role: str, site: str, notify: str) -> list[Actor]:
        """Who a report to ``role`` about ``site`` goes to: the agency; or of the role's people at the
        site (else at the first branch, else in the office) the most reachable, least busy one
        (``notify: one``), every one (``all``), or the next in turn (``round_robin``, in order of name)."""
        if role in self.agencies:
            return [self.agencies[role]]
        people = self.staff.get((site, role)) or self.staff.get((self.model.branches[0].id, role)) \
            or self.shared.get(role)
        if not people:
            return []
        if len(people) == 1 or notify == "all":
            return list(people)
        if notify == "round_robin":
            turn = self.turns.get(role, 0)
            self.turns[role] = turn + 1
            return [sorted(people, key=_name)[turn % len(people)]]
        return [min(people, key=_reach)]

    def on_scene(self, unit: Person, site: str) -> None:
        """An agency's unit has arrived at ``site`` and performs its role's tasks there."""
        self.units.setdefault((site, unit.role), []).append(unit)

    def finish(self) -> None:
        """Record what was still to do when the run stopped (each thing once for each person, however
        often it was queued): an unanswered report is a result."""
        for people in (*self.staff.values(), *self.shared.values(), *self.units.values()):
            for person in people:
                if person.current is not None or person.jobs:
                    for what in dict.fromkeys(person.unfinished()):
                        self.emit("unfinished", what, person, site=person.site)


_new_row = tuple.__new__  # an Event without the Python-level call of its constructor (the hot path)


def _reach(p: Person) -> tuple[bool, int, str]:
    return (not p.answers, p.load, p.name)


def _name(p: Person) -> str:
    return p.name
