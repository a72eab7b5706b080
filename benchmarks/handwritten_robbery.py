"""The demo robbery's incident (no customers) written by hand in plain SimPy, against drillsim's.

    .venv/bin/python benchmarks/handwritten_robbery.py

The yardstick of issue #13: drillsim's incident engine should cost no more per log row than a
special-purpose model of the same drill, written for this plan and scenario alone by a SimPy
modeller who cares about speed. Each person works through a heap of jobs (a ringing phone first,
then a written message, then tasks by the plan's priority), a phone call waits for the receiver
to pick up or gives up, the outside agencies answer and send a unit, and who does what on which
event is written out in ``Robbery``'s handlers. There are no processes: every step is a timeout
whose callback takes the next. Times and chances are the plan's and the
scenario's; the rows are plain tuples ``(t, event, what, actor, target, channel, ref, value,
fields)`` of the kinds drillsim logs, about as many (``tests/test_handwritten_robbery.py`` checks
the two agree).

Written lean, in place of the plain first version (git history: a process and a
``simpy.PriorityStore`` per person, one scalar ``numpy`` draw at a time, a process per delivery
and journey, a condition event per ring): the draws come from Python's ``random`` (a Mersenne
Twister per replication, seeded cheaply), jobs are callbacks, and a call is one object stepping
through its rings. About a third of the plain version's instructions per replication.

``side_by_side`` runs the two in alternating rounds, set-up included (drillsim's
``few_collections``, as the batch runs it) and gives time per replication, per row and per SimPy
event, with the ratios drillsim / hand-written: medians over the rounds, with quartiles.
"""

from __future__ import annotations

import json
import math
import random
import statistics
import time
from collections.abc import Callable
from functools import partial
from heapq import heappop, heappush
from itertools import count
from math import exp
from typing import Any, NamedTuple

import simpy
from drills import demo, without_customers  # benchmarks/, beside this file

from drillsim.collector import few_collections
from drillsim.sim.model import build_model
from drillsim.sim.replication import Replication
from drillsim.sim.seeds import replication_seed, streams

SEED = 1
HORIZON = 600.0  # minutes: the scenario's 10h
S = 1 / 60  # a second, in minutes
Z90 = 1.2815515655446004  # standard normal 90th percentile


def lognormal(median: float, p90: float) -> tuple[float, float]:
    """numpy's (mean, sigma) of a lognormal given by median and 90th percentile, as the plan gives it."""
    return math.log(median), math.log(p90 / median) / Z90


# The incident: scenarios/armed-robbery-injured.yaml, injects
ENTER = (60.0, 150.0, 400.0)  # robbers-enter: triangular [60, 150, 400] from the start
INJURED_AFTER = (30 * S, 3.0)  # customer-injured: uniform [30s, 3min] after robbers-enter
FLEE_AFTER = lognormal(2.5, 9.5)  # robbers-flee: lognormal median 2.5, p90 9.5 after robbers-enter
# People: the scenario's parameters.human, and spec/defaults.py for what it leaves out
REACTION = lognormal(15 * S, 1.0)  # human.reaction, before a job taken up from idle
OMISSION = 0.02  # human.omission default: every duty and report but grading and going to the scene
BOTCH_OBSERVE = 0.05  # human.botch guard-observe: gives chase instead
FIELD_OMISSION = 0.05  # human.field_omission: each field a report carries
HANDLING = lognormal(2.0, 6.0)  # defaults.OFFICE_HANDLING: an office reads a written message
TRAVEL = lognormal(15.0, 30.0)  # defaults.PERSON_TRAVEL: an absent branch head to the branch
# plans/counter-robbery.yaml roles: (presence, reachable when absent)
HEAD, DUTY_LEADER, LEADERSHIP = (0.8, 0.95), (0.9, 0.95), (0.6, 0.9)
# Channels: spec/defaults.py CHANNELS (the scenario sets none)
PHONE_LATENCY, PHONE_FAILURE, ANSWER_WITHIN, TALK = (5 * S, 20 * S), 0.02, 1.0, lognormal(1.5, 4.0)
ALARM_LATENCY, ALARM_FAILURE = (5 * S, 50 * S), 0.01
ELECTRONIC_LATENCY, ELECTRONIC_FAILURE = (0.5, 3.0), 0.01
# Agencies: spec/defaults.py AGENCIES (police, ambulance; the regulator is "other": it sends nobody)
POLICE_ANSWER, POLICE_DISPATCH, POLICE_TRAVEL = 5 * S, (1.0, 2.1), lognormal(5.0, 9.0)
AMBULANCE_ANSWER, AMBULANCE_DISPATCH, AMBULANCE_TRAVEL = (2 * S, 10 * S), 1.0, lognormal(10.0, 16.0)
REGULATOR_ANSWER = lognormal(15 * S, 40 * S)

CALL, READ = -2, -1  # job priorities: a ringing phone first, then a written message, then tasks (0 …)


class Draws(random.Random):
    """Python's Mersenne Twister with numpy's names for the two draws the plan's numbers use most."""

    def lognormal(self, mu: float, sigma: float) -> float:
        return exp(self.gauss(mu, sigma))


def seeded(seed: int, i: int) -> Draws:
    """The random source of replication ``i`` of seed ``seed``."""
    return Draws((seed << 32) + i)


Draw = Callable[[Draws], float]


class Duty(NamedTuple):
    """A duty of plans/counter-robbery.yaml: its action, how long it takes, and a botch."""

    action: str
    takes: Draw
    botch_as: str | None = None


class Report(NamedTuple):
    """An escalation edge of plans/counter-robbery.yaml."""

    id: str
    to: tuple[str, ...]  # the target, then the fallbacks
    channel: str
    carries: tuple[str, ...] = ()
    attempts: int = 1  # 1 + retry.attempts
    every: float = 0.0
    prep: Draw | None = None


PLACE = ("place", "time", "nature")
OFFICE = ("branch_name", "place", "time", "nature")
WRITTEN = ("branch_name", "place", "time", "cause", "nature", "amount", "people", "process", "harm",
           "customer_reaction", "measures", "trend")

LOCK_CASH = Duty("lock_cash", lambda rng: rng.uniform(10 * S, 40 * S))
AUDIBLE_ALARM = Duty("sound_audible_alarm", lambda rng: 5 * S)
PROTECT = Duty("protect_people_and_cash", lambda rng: rng.uniform(0.5, 2.0))
OBSERVE = Duty("note_suspect_description", lambda rng: rng.uniform(0.5, 2.0), "pursue_suspects")
NO_PURSUIT = Duty("stay_at_counter", lambda rng: 10 * S)
FIRST_AID = Duty("first_aid", lambda rng: rng.uniform(2.0, 6.0))
PRESERVE = Duty("preserve_scene_and_cctv", lambda rng: rng.uniform(2.0, 8.0))

ALARM_110 = Report("alarm-110", ("police",), "alarm_button", prep=lambda rng: rng.uniform(2 * S, 20 * S))
PHONE_110 = Report("phone-110", ("police",), "phone", PLACE, 3, 20 * S)
PHONE_120 = Report("phone-120", ("ambulance",), "phone", ("place", "people", "harm"), 3, 20 * S)
REPORT_HEAD = Report("report-head", ("branch_head", "duty_leader"), "phone", PLACE, 2, 0.5)
HEAD_PHONE = Report("head-phone-office", ("upper_office",), "phone", OFFICE, 3, 1.0)
LEADER_PHONE = Report("leader-phone-office", ("upper_office",), "phone", OFFICE, 3, 1.0)
WRITING = lognormal(15.0, 40.0)
HEAD_WRITTEN = Report("head-written-office", ("upper_office",), "electronic", WRITTEN,
                      prep=lambda rng: rng.lognormal(*WRITING))
LEADER_WRITTEN = Report("leader-written-office", ("upper_office",), "electronic", WRITTEN,
                        prep=lambda rng: rng.lognormal(*WRITING))
TO_GROUP = Report("office-to-group", ("leadership_group",), "phone", ("branch_name", "time", "nature", "harm", "trend"),
                  3, 2.0)
TO_SECURITY = Report("office-to-security", ("security_dept",), "phone", ("branch_name", "time", "nature"))
TO_REGULATOR = Report("group-to-regulator", ("regulator",), "phone",
                      ("branch_name", "place", "time", "nature", "harm", "measures"), 3, 1.0)
BRANCH = {"report-head", "head-phone-office", "leader-phone-office"}  # told of the branch's incident by these
TO_UPPER = {"head-phone-office", "leader-phone-office", "head-written-office", "leader-written-office"}


Job = Callable[["Person", Any], None]  # starts a job; the job calls the person's ``done`` when it is over


class Person:
    """Does one job at a time from a heap of jobs, with a reaction time before one taken up from idle.

    No process: a job is a chain of timeouts with callbacks, and calls ``done`` at its end, which
    takes up the next job."""

    __slots__ = ("answers", "busy", "drill", "jobs", "knows", "name", "present")

    def __init__(self, drill: Robbery, name: str, present: bool = True, answers: bool = True):
        self.drill = drill
        self.name = name
        self.present = present
        self.answers = answers  # present, or picks up the phone when away
        self.knows = False  # of the incident
        self.busy = False  # doing a job, or reacting to one
        self.jobs: list[tuple] = []  # (priority, seq, job, arg)

    @property
    def load(self) -> int:
        return len(self.jobs) + self.busy

    def give(self, priority: int, job: Job, arg: Any = None) -> None:
        if self.busy:
            heappush(self.jobs, (priority, next(self.drill.seq), job, arg))
        else:
            self.busy = True
            if priority == CALL:
                job(self, arg)
            else:
                drill = self.drill
                drill.env.timeout(drill.rng.lognormal(*REACTION), (job, arg)).callbacks.append(self.react)

    def react(self, event: simpy.Event) -> None:
        job, arg = event.value
        job(self, arg)

    def done(self) -> None:
        if self.jobs:
            _, _, job, arg = heappop(self.jobs)
            job(self, arg)
        else:
            self.busy = False


class Call:
    """A report along its edge: a phone call with retries, then the fallback; an alarm or a written
    report is sent once. Each step is a timeout's callback."""

    __slots__ = ("attempt", "drill", "fields", "receiver", "ref", "report", "ringing", "roles", "sender", "target")

    def __init__(self, drill: Robbery, sender: Person, report: Report, fields: tuple[str, ...]):
        self.drill = drill
        self.sender = sender
        self.report = report
        self.fields = fields
        self.roles = iter(report.to)
        self.target: Any = None
        self.attempt = 0
        self.ref = 0  # of the last attempt
        self.ringing = False
        self.receiver: Person | None = None  # who picked up, busy till the talk is over

    @property
    def msg(self) -> tuple:
        return self.report.id, self.sender, self.target, self.report.channel, self.ref, self.fields

    def next_role(self, _: simpy.Event | None = None) -> None:
        role = next(self.roles, None)
        if role is None:
            self.sender.done()
            return
        drill = self.drill
        self.target = min(drill.group, key=reach) if role == "leadership_group" else drill.actors[role]
        self.attempt = 0
        self.ring()

    def ring(self, _: simpy.Event | None = None) -> None:
        drill, report, target = self.drill, self.report, self.target
        self.attempt += 1
        drill.ref += 1
        self.ref = drill.ref
        drill.log("sent", report.id, self.sender.name, target.name, report.channel, self.ref, self.attempt, self.fields)
        if report.channel != "phone":
            drill.carry(self.msg)
            self.sender.done()
            return
        rng = drill.rng
        lost = rng.random() < PHONE_FAILURE
        latency = rng.uniform(*PHONE_LATENCY)
        if isinstance(target, Agency):
            answer = target.answer(rng)
            if not lost and answer < ANSWER_WITHIN:
                drill.env.timeout(latency + answer).callbacks.append(self.answered)
                return
        elif not lost and target.answers:
            drill.env.timeout(latency).callbacks.append(self.rings)
            return
        drill.env.timeout(latency + ANSWER_WITHIN).callbacks.append(self.unanswered)

    def rings(self, _: simpy.Event) -> None:
        """At the target's: picked up when the target gets to it (at once if idle), or given up."""
        self.ringing = True
        self.target.give(CALL, self.drill.pick_up, (self, self.ref))
        if self.ringing:
            self.drill.env.timeout(ANSWER_WITHIN, self.ref).callbacks.append(self.give_up)

    def give_up(self, event: simpy.Event) -> None:
        if self.ringing and event.value == self.ref:
            self.ringing = False
            self.unanswered()

    def unanswered(self, _: simpy.Event | None = None) -> None:
        report = self.report
        self.drill.log("unanswered", report.id, self.sender.name, self.target.name, report.channel, self.ref)
        if self.attempt < report.attempts:
            self.drill.env.timeout(report.every).callbacks.append(self.ring)
        else:
            self.next_role()

    def answered(self, _: simpy.Event | None = None) -> None:
        drill = self.drill
        drill.received(*self.msg)
        drill.env.timeout(drill.rng.lognormal(*TALK)).callbacks.append(self.talked)

    def talked(self, _: simpy.Event) -> None:
        drill, report, sender = self.drill, self.report.id, self.sender
        drill.log("acknowledged", report, sender.name, self.target.name, self.report.channel, self.ref)
        if report == "head-phone-office":
            sender.give(6, drill.send, HEAD_WRITTEN)
        elif report == "leader-phone-office":
            sender.give(6, drill.send, LEADER_WRITTEN)
        sender.done()
        if self.receiver is not None:
            self.receiver.done()


def police_answer(rng: Draws) -> float:
    return POLICE_ANSWER


def ambulance_answer(rng: Draws) -> float:
    return rng.uniform(*AMBULANCE_ANSWER)


def regulator_answer(rng: Draws) -> float:
    return rng.lognormal(*REGULATOR_ANSWER)


def police_journey(rng: Draws) -> float:
    return rng.uniform(*POLICE_DISPATCH) + rng.lognormal(*POLICE_TRAVEL)


def ambulance_journey(rng: Draws) -> float:
    return AMBULANCE_DISPATCH + rng.lognormal(*AMBULANCE_TRAVEL)


class Agency:
    """110, 120, the regulator: answers in a drawn time; the first call or alarm sends a unit."""

    __slots__ = ("answer", "called", "journey", "name")

    def __init__(self, name: str, answer: Draw, journey: Draw | None):
        self.name = name
        self.answer = answer
        self.journey = journey  # dispatch and travel; None: sends nobody
        self.called = False


class Robbery:
    """One replication: the staff of the branch, the offices, the agencies, and the incident."""

    def __init__(self, rng: Draws):
        self.env = env = simpy.Environment()
        self.rng = rng
        self.rows: list[tuple] = []
        self.seq = count()
        self.ref = 0  # the last message number
        self.fled = False
        self.level: str | None = None
        self.done: set[str] = set()  # tasks done once per incident, given already
        self.tellers = [Person(self, "teller-1"), Person(self, "teller-2")]
        self.cash_teller = Person(self, "cash_teller-1")
        self.lobby = Person(self, "lobby_manager-1")
        self.guard = Person(self, "guard-1")
        self.head = self._person("branch_head-1", *HEAD)
        self.staff = [*self.tellers, self.cash_teller, self.lobby, self.guard, self.head]
        self.duty_leader = self._person("duty_leader-1", *DUTY_LEADER)
        self.upper = Person(self, "upper_office-1")
        self.group = [self._person("leadership_group-1", *LEADERSHIP), self._person("leadership_group-2", *LEADERSHIP)]
        self.actors: dict[str, Any] = {
            "branch_head": self.head, "duty_leader": self.duty_leader, "upper_office": self.upper,
            "security_dept": Person(self, "security_dept-1"),
            "police": Agency("police", police_answer, police_journey),
            "ambulance": Agency("ambulance", ambulance_answer, ambulance_journey),
            "regulator": Agency("regulator", regulator_answer, None),
        }
        low, mode, high = ENTER
        env.timeout(rng.triangular(low, high, mode)).callbacks.append(self.incident)

    def _person(self, name: str, presence: float, reachable: float) -> Person:
        present = self.rng.random() < presence
        return Person(self, name, present, present or self.rng.random() < reachable)

    def log(self, event: str, what: str, actor: str | None = None, target: str | None = None,
            channel: str | None = None, ref: int | None = None, value: Any = None,
            fields: tuple[str, ...] | None = None) -> None:
        self.rows.append((self.env.now, event, what, actor, target, channel, ref, value, fields))

    def once(self, task: str) -> bool:
        if task in self.done:
            return False
        self.done.add(task)
        return True

    def least_busy_teller(self) -> Person:
        a, b = self.tellers
        return a if a.load <= b.load else b

    # The incident ----------------------------------------------------------------------------

    def incident(self, _: simpy.Event) -> None:
        env, rng = self.env, self.rng
        self.log("inject", "robbers-enter")
        for person in self.staff:  # everyone on site perceives it
            if person.present:
                self.learn(person, "perceived")
        self.cash_teller.give(1, self.duty, LOCK_CASH)
        self.guard.give(1, self.duty, PROTECT)
        self.least_busy_teller().give(1, self.send, ALARM_110)
        self.lobby.give(1, self.send, PHONE_110)
        self.least_busy_teller().give(2, self.duty, AUDIBLE_ALARM)
        self.lobby.give(2, self.send, REPORT_HEAD)
        self.fact("armed", True)
        env.timeout(rng.uniform(*INJURED_AFTER), ("customer-injured", "injured", 1)).callbacks.append(self.inject)
        env.timeout(rng.lognormal(*FLEE_AFTER), ("robbers-flee", "suspects_fled", True)).callbacks.append(self.inject)

    def inject(self, event: simpy.Event) -> None:
        inject, fact, value = event.value
        self.log("inject", inject)
        self.fact(fact, value)

    def fact(self, name: str, value: Any) -> None:
        self.log("fact", name, value=value)
        if name == "injured":
            self.lobby.give(0, self.send, PHONE_120)
            self.lobby.give(3, self.duty, FIRST_AID)
        elif name == "suspects_fled":
            self.fled = True
            self.guard.give(1, self.duty, OBSERVE)
            self.least_busy_teller().give(1, self.duty, NO_PURSUIT)
            if self.head.present and self.once("preserve"):
                self.head.give(5, self.duty, PRESERVE)
        if self.level is not None and self.upper.knows:  # re-graded as the facts change
            self.upper.give(1, self.grade)

    def learn(self, person: Person, how: str, channel: str | None = None, ref: int | None = None) -> None:
        if person.knows:
            return
        person.knows = True
        self.log("learned", "incident", person.name, channel=channel, ref=ref, value=how)
        if person is self.head:
            self.head.give(1, self.send, HEAD_PHONE)
            if self.head.present:
                self.log("arrived", "branch_head", self.head.name)
            else:
                self.head.give(4, self.go_to_scene)

    def arrived(self, event: simpy.Event) -> None:
        self.log("arrived", event.value, event.value)

    # Jobs: each ends with the person's done() ---------------------------------------------

    def duty(self, person: Person, duty: Duty) -> None:
        rng = self.rng
        if rng.random() < OMISSION:
            self.log("omitted", duty.action, person.name)
            person.done()
            return
        action = duty.botch_as if duty.botch_as and rng.random() < BOTCH_OBSERVE else duty.action
        self.log("started", action, person.name)
        self.env.timeout(duty.takes(rng), (person, action)).callbacks.append(self.duty_done)

    def duty_done(self, event: simpy.Event) -> None:
        person, action = event.value
        self.log("action", action, person.name)
        person.done()

    def grade(self, person: Person, _: None) -> None:
        """The plan's grading: weapons or injuries are level II (no explosives, no hostages here)."""
        self.log("started", "grade", person.name)
        self.env.timeout(self.rng.uniform(1.0, 5.0), person).callbacks.append(self.graded)

    def graded(self, event: simpy.Event) -> None:
        person = event.value
        if self.level is None:
            self.level = "II"
            self.log("level", "II", person.name, value="II")
            self.upper.give(2, self.send, TO_GROUP)
            self.upper.give(3, self.send, TO_SECURITY)
        person.done()

    def go_to_scene(self, person: Person, _: None) -> None:
        self.env.timeout(self.rng.lognormal(*TRAVEL), person).callbacks.append(self.on_scene)

    def on_scene(self, event: simpy.Event) -> None:
        person = event.value
        person.present = True
        self.log("arrived", "branch_head", person.name)
        if self.fled and self.once("preserve"):
            person.give(5, self.duty, PRESERVE)
        person.done()

    def pick_up(self, person: Person, ring: tuple[Call, int]) -> None:
        call, ref = ring
        if call.ringing and call.ref == ref:  # else the caller gave up before the phone was got to
            call.ringing = False
            call.receiver = person
            call.answered()
        else:
            person.done()

    def read(self, person: Person, msg: tuple) -> None:
        # only offices are sent written reports
        self.env.timeout(self.rng.lognormal(*HANDLING), msg).callbacks.append(self.read_done)

    def read_done(self, event: simpy.Event) -> None:
        msg = event.value
        self.received(*msg)
        msg[2].done()

    def send(self, sender: Person, report: Report) -> None:
        rng = self.rng
        if rng.random() < OMISSION:
            self.log("omitted", report.id, sender.name)
            sender.done()
            return
        random = rng.random
        call = Call(self, sender, report, tuple([f for f in report.carries if random() >= FIELD_OMISSION]))
        if report.prep is not None:
            self.env.timeout(report.prep(rng)).callbacks.append(call.next_role)
        else:
            call.next_role()

    # Messages --------------------------------------------------------------------------------

    def carry(self, msg: tuple) -> None:
        """An alarm or a written report on its way: delivered or lost after the channel's latency."""
        random, uniform = self.rng.random, self.rng.uniform
        if msg[3] == "alarm_button":
            lost, latency = random() < ALARM_FAILURE, uniform(*ALARM_LATENCY)
        else:
            lost, latency = random() < ELECTRONIC_FAILURE, uniform(*ELECTRONIC_LATENCY)
        self.env.timeout(latency, msg).callbacks.append(self.lost if lost else self.delivered)

    def lost(self, event: simpy.Event) -> None:
        report, sender, target, channel, ref, _ = event.value
        self.log("lost", report, sender.name, target.name, channel, ref)

    def delivered(self, event: simpy.Event) -> None:
        msg = event.value
        if isinstance(msg[2], Agency):
            self.received(*msg)
        else:
            msg[2].give(READ, self.read, msg)

    def received(self, report: str, sender: Person, target: Any, channel: str, ref: int,
                 fields: tuple[str, ...]) -> None:
        self.log("received", report, sender.name, target.name, channel, ref, fields=fields)
        if isinstance(target, Agency):
            if target.journey is not None and not target.called:  # sends a unit
                target.called = True
                self.env.timeout(target.journey(self.rng), target.name).callbacks.append(self.arrived)
            return
        if report in BRANCH:
            self.learn(target, "told", channel, ref)
        if report in TO_UPPER:
            self.upper.give(1, self.grade)
        elif report == "report-head" and target is self.duty_leader and self.once("leader-phone"):
            target.give(1, self.send, LEADER_PHONE)
        elif report == "office-to-group" and self.once("to-regulator"):
            target.give(2, self.send, TO_REGULATOR)  # level II: the group tells the regulator


def reach(p: Person) -> tuple[bool, int]:
    return not p.answers, p.load


# Running ------------------------------------------------------------------------------------------

def _replication(seed: int, i: int) -> Robbery:
    drill = Robbery(seeded(seed, i))
    drill.env.run(until=HORIZON)
    return drill


def replicate(seed: int, i: int) -> list[tuple]:
    """The rows of replication ``i`` of seed ``seed``."""
    return _replication(seed, i).rows


def run(reps: int, first: int) -> tuple[int, int]:
    """Replications ``first`` … of seed 1: total rows, total SimPy events (scheduled, less those pending)."""
    rows = events = 0
    for i in range(first, first + reps):
        drill = _replication(SEED, i)
        rows += len(drill.rows)
        events += next(drill.env._eid) - len(drill.env._queue)
    return rows, events


def drillsim_run(model, reps: int, first: int) -> tuple[int, int]:
    """drillsim's incident-only replications, as ``benchmarks/run.py`` counts them: rows, SimPy events."""
    rows = events = 0
    for i in range(first, first + reps):
        rep = Replication(model, streams(replication_seed(SEED, i)))
        rep.env.run(until=model.scenario.horizon)
        rep.finish()
        rows += len(rep.rows)
        events += next(rep.env._eid) - len(rep.env._queue)
    return rows, events


def side_by_side(reps: int = 40, rounds: int = 20) -> dict:
    plan, scenario = demo()
    model = build_model(plan, without_customers(scenario))
    samples: dict[str, dict[str, list[float]]] = {k: {"rep": [], "row": [], "event": [], "rows": [], "events": []}
                                                  for k in ("hand", "drillsim")}

    def timed(name: str, go: Callable[[int, int], tuple[int, int]], first: int) -> None:
        t0 = time.perf_counter()
        rows, events = go(reps, first)
        us = 1e6 * (time.perf_counter() - t0)
        s = samples[name]
        s["rep"].append(us / reps)
        s["row"].append(us / rows)
        s["event"].append(us / events)
        s["rows"].append(rows / reps)
        s["events"].append(events / reps)

    run(reps, 10**6)  # warm up
    with few_collections():
        drillsim_run(model, reps, 10**6)
    for r in range(rounds):
        timed("hand", run, r * reps)
        with few_collections():
            timed("drillsim", partial(drillsim_run, model), r * reps)
    out: dict = {"drill": f"{plan.id} / {scenario.id}, without customers", "replications_per_round": reps,
                 "rounds": rounds}
    for name, s in samples.items():
        out[name] = {f"us_per_{k}": _quartiles(s[k], 2) for k in ("rep", "row", "event")}
        out[name]["rows_per_rep"] = round(statistics.fmean(s["rows"]), 2)
        out[name]["events_per_rep"] = round(statistics.fmean(s["events"]), 2)
    d, h = samples["drillsim"], samples["hand"]
    out["ratio_drillsim_to_hand"] = {f"per_{k}": _quartiles([a / b for a, b in zip(d[k], h[k], strict=True)], 3)
                                     for k in ("rep", "row", "event")}
    return out


def _quartiles(values: list[float], digits: int) -> dict:
    q1, median, q3 = statistics.quantiles(values, n=4) if len(values) > 1 else values * 3
    return {"median": round(median, digits), "quartiles": [round(q1, digits), round(q3, digits)]}


if __name__ == "__main__":
    print(json.dumps(side_by_side(), indent=1))
