"""A person (or one handler of an office): does one thing at a time, from a queue of jobs.

Jobs come from the plan's duties and reports when their triggers fire, and from messages sent
to the person. Tellers who serve customers do so when they have nothing else to do; a new job
interrupts the customer being served. Serving is a chain of timeouts with callbacks, one customer
after another, while the person's process waits, as idle, for a job: a customer costs no resumption
of the process. A task that interrupts (``interrupts: true``) pauses the job
in hand while that job takes its time; the job resumes after it, with the time it still needed.
"""

from __future__ import annotations

from heapq import heapify, heappop, heappush
from typing import TYPE_CHECKING, Any

import simpy

from .base import Actor, Message

if TYPE_CHECKING:
    from drillsim.sim.messaging import Call
    from drillsim.sim.model import TaskSpec
    from drillsim.sim.replication import Replication

CALL, READ, TASK = 0, 1, 2  # job kinds; a ringing phone comes first
IDLE, SERVING, WORKING, INTERRUPTED = 0, 1, 2, 3


class Person(Actor):
    __slots__ = ("answers", "branch", "current", "customer", "interruptible", "jobs", "knows", "office", "pausable",
                 "paused", "present", "proc", "seq", "serves", "service", "state", "wake")
    performs = True

    def __init__(self, rep: Replication, role: str, name: str, site: str, present: bool, answers: bool,
                 office: bool, branch: Any = None):
        super().__init__(rep, role, name, site)
        self.present = present
        self.answers = answers  # can be reached at all (on site, on duty, or picks up the phone)
        self.office = office
        self.branch = branch  # the branch's customer queue, for tellers who serve customers
        self.serves = branch is not None
        self.jobs: list[tuple[int, int, int, Any]] = []
        self.seq = 0
        self.state = IDLE
        self.wake: simpy.Event | None = None
        self.customer: simpy.Timeout | None = None  # the wait for, or the service of, the customer at the counter
        self.service = 0.0  # how long serving the customer awaited takes
        self.current: tuple[int, Any] | None = None  # the job in hand
        self.knows: dict[str, float] = {}  # site -> when this person learned of its incident (``Replication.learn``)
        self.interruptible = role in rep.model.interrupting  # some task of the role interrupts the job in hand
        self.pausable = False  # the job in hand is taking its time and may be paused
        self.paused: tuple[int, Any] | None = None  # the job paused for an interrupting task
        # a person who can act starts when there is work: tellers at once (customers), others on their first job
        self.proc = rep.env.process(self.run()) if (self.serves and present) else None

    # Receiving work -----------------------------------------------------------------------------

    def assign(self, spec: TaskSpec, site: str) -> None:
        self._push(spec.priority, TASK, (spec, site))
        if spec.interrupts and self.pausable:
            self.pausable = False  # interrupt once
            self.proc.interrupt()

    def deliver(self, msg: Message) -> None:
        """A written message or an alarm arrives; it is read when the person gets to it."""
        self._push(-1, READ, msg)

    def ring(self, call: Call) -> None:
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
                        job.pick_up()
                        yield job.over
                else:
                    if fresh:
                        yield env.timeout(model.reaction(rng))
                    if kind == READ:
                        if self.office:
                            yield env.timeout(model.handling(rng))
                        rep.receive(job)
                    else:
                        spec, site = job
                        if spec.report is not None:
                            yield from rep.send(self, spec, site)
                        else:
                            yield from self._do(spec, site)
                self.current = None
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

    def _take_customer(self) -> None:
        env = self.rep.env
        customer = self.branch.next_customer(env._now)  # SimPy's clock: its `now` property is a Python call
        if customer is None:
            self.state = IDLE
            return
        wait, service = customer
        if wait:  # for the customer to come in
            self.service = service
            self.customer = timeout = env.timeout(wait)
            timeout.callbacks.append(self._customer_in)
        else:
            self.customer = timeout = env.timeout(service)
            timeout.callbacks.append(self._customer_served)

    def _customer_in(self, came: simpy.Timeout) -> None:
        if came is self.customer:  # else a job called the teller away meanwhile
            self.customer = timeout = self.rep.env.timeout(self.service)
            timeout.callbacks.append(self._customer_served)

    def _customer_served(self, service: simpy.Timeout) -> None:
        if service is self.customer:
            self.branch.served += 1
            self._take_customer()

    def _do(self, spec: TaskSpec, site: str):
        rep = self.rep
        rng = rep.people_rng
        action = spec.action
        if spec.omission and rng.random() < spec.omission:
            rep.emit("omitted", action, self, site=site)
            return
        if spec.botch and rng.random() < spec.botch:
            action = spec.botch_as
        duration = spec.takes(rng)
        if duration:
            yield from self.spend(duration)
        if action == "grade":
            rep.incident.declare_level(self)
        elif action == "go_to_scene":  # on the scene: at once if already there; from an office, always travel
            if self.office or not self.present:
                yield rep.env.timeout(rep.model.travel[self.role](rng))
                self.present = True
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
            return
        left = duration
        while True:
            yield from self._interrupting()
            started = env.now
            self.pausable = True
            try:
                yield env.timeout(left)
            except simpy.Interrupt:
                left -= env.now - started
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
            if spec.report is not None:
                yield from self.rep.send(self, spec, site)
            else:
                yield from self._do(spec, site)
            self.current, self.paused = self.paused, None
