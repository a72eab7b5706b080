"""A person (or one handler of an office): does one thing at a time, from a queue of jobs.

Jobs come from the plan's duties and reports when their triggers fire, and from messages sent
to the person. Tellers who serve customers do so when they have nothing else to do; a new job
interrupts the customer being served. Serving is a chain of timeouts with callbacks, one per
customer (the wait for them to come in and their service in one), while the person's process waits,
as idle, for a job: a customer costs one SimPy event and no resumption of the process. A task that
interrupts (``interrupts: true``) pauses the job in hand while that job takes its time; the job
resumes after it, with the time it still needed.
"""

from __future__ import annotations

from contextlib import suppress
from heapq import heapify, heappop, heappush
from typing import TYPE_CHECKING, Any

import simpy

from .base import Actor, Message

if TYPE_CHECKING:
    from drillsim.sim.messaging import Call
    from drillsim.sim.model import TaskSpec
    from drillsim.sim.replication import Replication

CALL, READ, TASK = 0, 1, 2  # job kinds; a ringing phone comes first
IDLE, SERVING, WORKING, INTERRUPTED, TRAVELLING = 0, 1, 2, 3, 4
FIRST = -3  # the queue priority of a task that stops others: before everything (calls are -2, messages -1)


class Stopped(Exception):
    """The job in hand was stopped by a task that ``stops`` it."""


class Person(Actor):
    __slots__ = ("answers", "branch", "current", "customer", "interruptible", "jobs", "knows", "mates", "office",
                 "pausable", "paused", "present", "proc", "seq", "serves", "state", "stopping", "wake")
    performs = True

    def __init__(self, rep: Replication, role: str, name: str, site: str, present: bool, answers: bool,
                 office: bool, branch: Any = None):
        self.rep = rep  # Actor's four, set here: no call to its __init__ for each of a replication's people
        self.role = role
        self.name = name
        self.site = site
        self.present = present
        self.answers = answers  # can be reached at all (on site, on duty, or picks up the phone)
        self.office = office
        self.branch = branch  # the branch's customer queue, for tellers who serve customers
        self.serves = branch is not None
        self.jobs: list[tuple[int, int, int, Any]] = []
        self.seq = 0
        self.state = IDLE
        self.wake: simpy.Event | None = None
        self.customer: simpy.Timeout | None = None  # until the customer at the counter is served
        self.current: tuple[int, Any] | None = None  # the job in hand
        self.knows: dict[str, float] = {}  # site -> when this person learned of its incident (``Replication.learn``)
        self.interruptible = role in rep.model.interrupting  # some task of the role interrupts the job in hand
        self.pausable = False  # the job in hand is taking its time and may be paused
        self.paused: tuple[int, Any] | None = None  # the job paused for an interrupting task, or a journey
        self.stopping: list[tuple[int, Any]] = []  # jobs held that a task has stopped, to end at their next step
        self.mates: list[Person] | None = None  # colleagues whose queued tasks this person may take (``_take_over``)
        # a person who can act starts when there is work: tellers at once (customers), others on their first job
        self.proc = rep.env.process(self.run()) if (self.serves and present and not branch.closed) else None

    # Receiving work -----------------------------------------------------------------------------

    def assign(self, spec: TaskSpec, site: str) -> None:
        if spec.stops:
            self._stop(spec.stops)
            self._push(FIRST, TASK, (spec, site))
        else:
            self._push(spec.priority, TASK, (spec, site))
        if spec.interrupts and self.pausable:
            self.pausable = False  # interrupt once
            self.proc.interrupt()

    def deliver(self, msg: Message) -> None:
        """A written message or an alarm arrives; it is read when the person gets to it."""
        self._push(-1, READ, msg)

    def ring(self, call: Call) -> None:
        call.wait_for_answer()
        self._push(-2, CALL, call)

    def received(self, msg: Message) -> None:
        """Told of the incident: the person knows of it."""
        self.rep.learn(self, msg.site, "told", msg.channel, msg.ref)

    def _push(self, priority: int, kind: int, job: Any) -> None:
        self.seq += 1
        heappush(self.jobs, (priority, self.seq, kind, job))
        if self.proc is None:
            if self.present or self.answers:
                self.proc = self.rep.env.process(self.run())
            return
        if self.state == IDLE:
            if self.wake is not None and not self.wake.triggered:
                self.wake.succeed()
        elif self.state == SERVING:
            self.state = INTERRUPTED  # interrupt once
            self.customer = None  # the customer is left at the counter
            self.proc.interrupt()
        elif self.state == TRAVELLING and self._on_road(kind, job):
            self.state = WORKING  # interrupt the journey's wait once
            self.proc.interrupt()

    def _stop(self, stops: frozenset[str]) -> None:
        """Drop the queued tasks named in ``stops`` (logged as stopped) and mark those in hand, which end
        at their next step (``_halt``): at once when taking their time."""
        dropped = [entry for entry in self.jobs if entry[2] == TASK and entry[3][0].id in stops]
        for entry in dropped:
            self.jobs.remove(entry)
            self.rep.emit("stopped", entry[3][0].id, self, site=entry[3][1])
        if dropped:
            heapify(self.jobs)
        for held in (self.current, self.paused):
            if held is not None and held[0] == TASK and held[1][0].id in stops and held not in self.stopping:
                self.stopping.append(held)

    def _halt(self) -> None:
        """End the job in hand, if a task has stopped it: logged as stopped, and unwound to ``run``."""
        held = self.current
        if held in self.stopping:
            self.stopping.remove(held)
            self.rep.emit("stopped", held[1][0].id, self, site=held[1][1])
            raise Stopped

    @property
    def load(self) -> int:
        return len(self.jobs) + (self.current is not None)

    def unfinished(self) -> list[str]:
        """What the person had in hand or queued when the run stopped, by duty, report or message id."""
        held = [j for j in (self.current, self.paused) if j is not None]
        pending = held + [(kind, job) for _, _, kind, job in sorted(self.jobs)]
        return [job.msg.report if kind == CALL else job.report if kind == READ else job[0].id for kind, job in pending]

    # Working ------------------------------------------------------------------------------------

    def run(self):
        rep = self.rep
        env, rng, model = rep.env, rep.people_rng, rep.model
        while True:
            if self.jobs:
                _, _, kind, job = heappop(self.jobs)
                fresh = self.state != WORKING
                self.state = WORKING
                self.current = (kind, job)
                if kind == CALL:
                    if job.ringing:  # else the caller gave up before we got to the phone
                        yield job.take()
                else:
                    if fresh:
                        yield env.timeout(model.reaction[self.role](rng))
                    if kind == READ:
                        if self.office:
                            yield env.timeout(model.handling(rng))
                        rep.receive(job)
                    else:
                        spec, site = job
                        try:
                            if self.stopping:
                                self._halt()
                            if spec.report is not None:
                                yield from rep.send(self, spec, site)
                            else:
                                yield from self._do(spec, site)
                        except Stopped:
                            pass
                        if self.stopping:  # what was stopped but finished all the same (a call under way)
                            self.stopping.clear()
                self.current = None
            elif self.present and self._take_over():
                continue
            else:
                if self.serves and self.present and not self.branch.closed:
                    self.state = SERVING
                    self._take_customer()  # back to IDLE when nobody else will come
                else:
                    self.state = IDLE
                self.wake = env.event()
                try:  # noqa: SIM105 (contextlib.suppress costs 1 % of a replication here)
                    yield self.wake
                except simpy.Interrupt:
                    pass  # a job came in while serving

    # Serving customers: callbacks of the timeouts of one customer after another ------------------

    def _take_customer(self, served: simpy.Timeout | None = None) -> None:
        """Take the next customer: when the teller turns to customers (``served`` None), and as the
        callback of the timeout that serves each one (unless a job called the teller away meanwhile)."""
        if served is not None:
            if served is not self.customer:
                return
            self.branch.served += 1
        env = self.rep.env
        until_served = self.branch.next_customer(env._now)  # SimPy's clock: its `now` property is a Python call
        if until_served is None:
            self.state = IDLE
            return
        self.customer = timeout = env.timeout(until_served)
        timeout.callbacks.append(self._take_customer)

    def _do(self, spec: TaskSpec, site: str):
        rep = self.rep
        rng = rep.people_rng
        action = spec.action
        if spec.omission and rng.random() < spec.omission:
            rep.emit("omitted", action, self, site=site)
            if len(spec.roles) > 1 and spec.who == "one":
                self._hand_on(spec, site)
            return
        if spec.botch and rng.random() < spec.botch:
            action = spec.botch_as
        duration = spec.takes(rng)
        if duration:
            paused = self.paused  # the same action begun again while it is paused goes on, not starts
            if paused is None or paused[0] != TASK or paused[1][0].action != action:
                rep.emit("started", action, self, site=site)
            yield from self.spend(duration)
        if action == "grade":
            rep.incident.declare_level(self)
        elif action == "go_to_scene":  # on the scene: at once if already there; from an office, always travel
            if self.office or not self.present:
                yield from self._journey(rep.model.travel[self.role](rng), site)
            else:
                rep.emit("arrived", self.role, self, site=site)
                rep.brief(self, site)
        else:
            rep.emit("action", action, self, site=site)
            if spec.sets and action == spec.action:  # a botched action changes nothing
                rep.incident.set_by(spec.sets, site)

    def spend(self, duration: float):
        """Spend ``duration`` on the job in hand. If the role has tasks that interrupt, they are done
        first when queued, or at once when they come, and the job then goes on for the time it still
        needs (one level deep: a task done in a pause is not itself paused)."""
        env = self.rep.env
        if not self.interruptible or self.paused is not None:
            yield env.timeout(duration)
            if self.stopping:
                self._halt()
            return
        left = duration
        while True:
            yield from self._interrupting()
            if self.stopping:
                self._halt()
            started = env.now
            self.pausable = True
            try:
                yield env.timeout(left)
            except simpy.Interrupt:
                left -= env.now - started
                if self.stopping:
                    self._halt()
            else:
                self.pausable = False
                return

    def _interrupting(self):
        """Do the queued tasks that interrupt, by priority, with the job in hand paused."""
        while urgent := [j for j in self.jobs if j[2] == TASK and j[3][0].interrupts]:
            entry = min(urgent)
            self.jobs.remove(entry)
            heapify(self.jobs)
            self.paused, self.current = self.current, (TASK, entry[3])
            spec, site = entry[3]
            try:
                if spec.report is not None:
                    yield from self.rep.send(self, spec, site)
                else:
                    yield from self._do(spec, site)
            except Stopped:
                pass
            if self.current in self.stopping:
                self.stopping.remove(self.current)
            self.current, self.paused = self.paused, None

    # Shared work --------------------------------------------------------------------------------

    def _hand_on(self, spec: TaskSpec, site: str) -> None:
        """A duty of several roles this person omitted goes to someone of a role that has not omitted it."""
        rep = self.rep
        rep.done.add(("omitted", spec.id, site, self.role))
        tried = {r for r in spec.roles if ("omitted", spec.id, site, r) in rep.done}
        other = rep.stand_in(spec, tried, site)
        if other is not None:
            if site not in other.knows:
                rep.learn(other, site)
            other.assign(spec, site)

    def _take_over(self) -> bool:
        """Free, take a queued task from a colleague busy with something else: the first, by priority,
        that names this person's role and is done once (``who: one``), for this person's site (any
        site, for an office). Calls and messages stay with the one they are for."""
        mates = self.mates
        if mates is None:
            rep = self.rep
            group = rep.shared.get(self.role, ()) if self.office else rep.on_site.get(self.site, ())
            mates = self.mates = [p for p in group if p is not self]
        for mate in mates:
            if mate.jobs and mate.current is not None:
                for entry in sorted(mate.jobs):
                    if entry[2] != TASK:
                        continue
                    spec, site = entry[3]
                    if spec.who == "one" and self.role in spec.roles and (self.office or site == self.site):
                        mate.jobs.remove(entry)
                        heapify(mate.jobs)
                        if site not in self.knows:
                            self.rep.learn(self, site)
                        self._push(entry[0], TASK, entry[3])
                        return True
        return False

    # On the road --------------------------------------------------------------------------------

    def _on_road(self, kind: int, job: Any) -> bool:
        """Whether a job can be done while travelling: a call ringing, or a report to make, over a
        channel that works on the road (``Channel.on_the_road``)."""
        if kind == CALL:
            return self.rep.model.channels[job.msg.channel].on_the_road
        return kind == TASK and job[0].road

    def _journey(self, duration: float, site: str):
        """Travel to ``site`` for ``duration``, taking calls and making reports that work on the road
        meanwhile; everything else waits. Arrived (logged, briefed) when the journey ends, even mid-call."""
        env = self.rep.env
        arrival = env.timeout(duration)
        arrival.callbacks.append(lambda _: self._arrive(site))
        while not arrival.processed:
            road = [entry for entry in self.jobs if self._on_road(entry[2], entry[3])]
            if road:
                entry = min(road)
                self.jobs.remove(entry)
                heapify(self.jobs)
                yield from self._on_the_way(entry[2], entry[3])
                continue
            self.state = TRAVELLING
            with suppress(simpy.Interrupt):  # a call rang, or a report came, that can be done on the way
                yield arrival

    def _arrive(self, site: str) -> None:
        if self.state == TRAVELLING:
            self.state = WORKING
        self.present = True
        self.rep.emit("arrived", self.role, self, site=site)
        self.rep.brief(self, site)

    def _on_the_way(self, kind: int, job: Any):
        self.paused, self.current = self.current, (kind, job)
        if kind == CALL:
            if job.ringing:
                yield job.take()
        else:
            with suppress(Stopped):
                yield from self.rep.send(self, job[0], job[1])
            if self.current in self.stopping:
                self.stopping.remove(self.current)
        self.current, self.paused = self.paused, None
