"""A person (or one handler of an office): does one thing at a time, from a queue of jobs.

Jobs come from the plan's duties and reports when their triggers fire, and from messages sent
to the person. Tellers who serve customers do so when they have nothing else to do; a new job
interrupts the customer being served. A task that interrupts (``interrupts: true``) pauses the job
in hand while that job takes its time; the job resumes after it, with the time it still needed.

There is no SimPy process per person: a job is a chain of timeouts whose callbacks take its next
step, and a job that ends calls :meth:`Person._end`, which hands control to whatever was waiting for
it (the next job, the job it interrupted, the journey it was done on). A person given work while idle
turns to it after what gave it is done (an urgent event, or a timeout of no time once waiting), so
that of the jobs given at one moment the most urgent is taken first, not the first given. Serving
is one timeout per customer (the wait for them to come in and their service in one).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
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


class Person(Actor):
    __slots__ = ("answers", "arrival", "branch", "current", "customer", "ended", "ends", "idle", "in_loop",
                 "interruptible", "jobs", "knows", "left", "office", "pausable", "paused", "present",
                 "resume", "seq", "serves", "since", "started", "state", "stopping", "visiting", "waiting")
    performs = True

    def __init__(self, rep: Replication, role: str, name: str, site: str, present: bool, answers: bool,
                 office: bool, branch: Any = None):
        self.rep = rep  # Actor's four, set here: no call to its __init__ for each of a replication's people
        self.role = role
        self.name = name
        self.site = site
        self.present = present  # at their own site (staff), on duty (an office's member)
        self.visiting: str | None = None  # staff: the other branch whose scene they have come to
        self.answers = answers  # can be reached at all (on site, on duty, or picks up the phone)
        self.office = office
        self.branch = branch  # the branch's customer queue, for tellers who serve customers
        self.serves = branch is not None
        self.jobs: list[tuple[int, int, int, Any]] = []
        self.seq = 0
        self.state = IDLE
        self.idle = False  # free and waiting for a job: the next one wakes the person
        self.in_loop = False  # in :meth:`_free`, which goes on to the next job itself when one ends at once
        self.ended = False  # the job begun in :meth:`_free` has ended at once
        self.customer: simpy.Timeout | None = None  # until the customer at the counter is served
        self.current: tuple[int, Any] | None = None  # the job in hand
        self.ends: list[Callable[[], None]] = []  # what each job under way goes on with when it ends, innermost last
        self.knows: dict[str, float] = {}  # site -> when this person learned of its incident (``Replication.learn``)
        self.interruptible = role in rep.model.interrupting  # some task of the role interrupts the job in hand
        self.pausable = False  # the job in hand is taking its time and may be paused
        self.paused: tuple[int, Any] | None = None  # the job paused for an interrupting task, or a journey
        self.stopping: list[tuple[int, Any]] = []  # jobs held that a task has stopped, to end at their next step
        # the time a pausable job still needs, what it goes on with then, and its wait (``spend``)
        self.left = 0.0
        self.since = 0.0
        self.resume: Callable[[], None] | None = None
        self.waiting: simpy.Timeout | None = None
        self.arrival: simpy.Timeout | None = None  # the end of the journey under way
        # a person who can act starts when there is work: tellers at once (customers), others on their first job
        self.started = self.serves and present and not branch.closed
        if self.started:
            rep.env.urgent().callbacks.append(self._free)

    # Receiving work -----------------------------------------------------------------------------

    def assign(self, spec: TaskSpec, site: str) -> None:
        if spec.stops:
            self._stop(spec.stops)
            self._push(FIRST, TASK, (spec, site))
        else:
            self._push(spec.priority, TASK, (spec, site))
        if spec.interrupts and self.pausable:
            self.pausable = False  # interrupt once
            self.rep.env.urgent().callbacks.append(self._interrupted)

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
        if not self.started:
            if self.present or self.answers:
                self.started = True
                self.rep.env.urgent().callbacks.append(self._free)
            return
        state = self.state
        if state == IDLE:
            if self.idle:
                self.idle = False
                self.rep.env.timeout(0).callbacks.append(self._free)
        elif state == SERVING:
            self.state = INTERRUPTED  # interrupt once
            self.idle = False
            self.customer = None  # the customer is left at the counter
            self.rep.env.urgent().callbacks.append(self._free)
        elif state == TRAVELLING and self._on_road(kind, job):
            self.state = WORKING  # interrupt the journey's wait once
            self.rep.env.urgent().callbacks.append(self._road_call)

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

    def _halt(self) -> bool:
        """End the job in hand if a task has stopped it: logged as stopped, and what waits for it goes on.
        True if it was."""
        held = self.current
        if held not in self.stopping:
            return False
        self.stopping.remove(held)
        self.rep.emit("stopped", held[1][0].id, self, site=held[1][1])
        self._end()
        return True

    def _end(self) -> None:
        """The job under way has ended: go on with what was waiting for it."""
        self.ends.pop()()

    @property
    def load(self) -> int:
        return len(self.jobs) + (self.current is not None)

    def unfinished(self) -> list[str]:
        """What the person had in hand or queued when the run stopped, by duty, report or message id."""
        held = [j for j in (self.current, self.paused) if j is not None]
        pending = held + [(kind, job) for _, _, kind, job in sorted(self.jobs)]
        return [job.msg.report if kind == CALL else job.report if kind == READ else job[0].id for kind, job in pending]

    # Working ------------------------------------------------------------------------------------

    def _free(self, _event: simpy.Event | None = None) -> None:
        """Free: take the next job (after a reaction when coming to it from idle or serving, a ringing
        phone excepted), else a colleague's, else the customers, else wait for one. A job that ends at
        once is followed by the next here, not by a call from its end."""
        self.in_loop = True
        while True:
            if self.jobs:
                _, _, kind, job = heappop(self.jobs)
                fresh = self.state != WORKING
                self.state = WORKING
                self.current = (kind, job)
                if kind == CALL:
                    if job.ringing:  # else the caller gave up before we got to the phone
                        job.take(self._job_done)
                        break
                    self.current = None
                    continue
                if fresh:
                    rep = self.rep
                    rep.env.timeout(rep.model.reaction[self.role](rep.people_rng)).callbacks.append(self._react)
                    break
                self.ended = False
                self._begin(kind, job)
                if not self.ended:
                    break
            elif self.present and self.role in self.rep.model.taking_over and self._take_over():
                continue
            else:
                if self.serves and self.present and not self.branch.closed:
                    self.state = SERVING
                    self._take_customer()  # back to IDLE when nobody else will come
                else:
                    self.state = IDLE
                self.idle = True
                break
        self.in_loop = False

    def _react(self, _event: simpy.Event) -> None:
        kind, job = self.current
        self._begin(kind, job)

    def _begin(self, kind: int, job: Any) -> None:
        """Begin the job in hand (a message to read, or a task), once the person has turned to it."""
        rep = self.rep
        if kind == READ:
            if self.office:
                rep.env.timeout(rep.model.handling(rep.people_rng), job).callbacks.append(self._read)
            else:
                rep.receive(job)
                self._job_done()
            return
        spec, site = job
        self.ends.append(self._task_done)
        if self.stopping and self._halt():
            return
        if spec.report is not None:
            rep.send(self, spec, site)
        else:
            self._do(spec, site)

    def _read(self, handled: simpy.Timeout) -> None:
        self.rep.receive(handled._value)
        self._job_done()

    def _task_done(self) -> None:
        if self.stopping:  # what was stopped but finished all the same (a call under way)
            self.stopping.clear()
        self._job_done()

    def _job_done(self) -> None:
        self.current = None
        if self.in_loop:
            self.ended = True
        else:
            self._free()

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

    def _do(self, spec: TaskSpec, site: str) -> None:
        rep = self.rep
        rng = rep.people_rng
        action = spec.action
        if spec.omission and rng.random() < spec.omission:
            rep.emit("omitted", action, self, site=site)
            if len(spec.roles) > 1 and spec.who == "one":
                self._hand_on(spec, site)
            self._end()
            return
        if spec.botch and rng.random() < spec.botch:
            action = spec.botch_as
        duration = spec.takes(rng)
        if duration:
            paused = self.paused  # the same action begun again while it is paused goes on, not starts
            if paused is None or paused[0] != TASK or paused[1][0].action != action:
                rep.emit("started", action, self, site=site)
            self.spend(duration, partial(self._act, spec, site, action))
        else:
            self._act(spec, site, action)

    def _act(self, spec: TaskSpec, site: str, action: str) -> None:
        """The duty's action is done (its time spent): its effect, logged."""
        rep = self.rep
        if action == "grade":
            rep.incident.declare_level(self)
        elif action == "go_to_scene":  # there already: on the scene at once; else (an office's member,
            # staff away or at another branch): travel
            if self.office or not self.is_at(site):
                self._leave()
                self._journey(rep.model.travel[self.role](rep.people_rng), site)
                return
            rep.emit("arrived", self.role, self, site=site)
            rep.brief(self, site)
        else:
            rep.emit("action", action, self, site=site)
            if spec.sets and action == spec.action:  # a botched action changes nothing
                rep.incident.set_by(spec.sets, site)
        self._end()

    def spend(self, duration: float, then: Callable[[], None]) -> None:
        """Spend ``duration`` on the job in hand, then go on with ``then`` (unless a task stopped the
        job meanwhile). If the role has tasks that interrupt, they are done first when queued, or at
        once when they come, and the job then goes on for the time it still needs (one level deep: a
        task done in a pause is not itself paused)."""
        if not self.interruptible or self.paused is not None:
            self.rep.env.timeout(duration).callbacks.append(partial(self._spent, then))
            return
        self.left = duration
        self.resume = then
        self._interrupting(self._pause)

    def _spent(self, then: Callable[[], None], _event: simpy.Event) -> None:
        if self.stopping and self._halt():
            return
        then()

    def _pause(self) -> None:
        """The urgent tasks done, the job in hand takes the time it still needs, and may be paused."""
        if self.stopping and self._halt():
            return
        env = self.rep.env
        self.since = env._now
        self.pausable = True
        self.waiting = timeout = env.timeout(self.left)
        timeout.callbacks.append(self._unpaused)

    def _unpaused(self, timeout: simpy.Timeout) -> None:
        if timeout is not self.waiting:  # the wait was interrupted: the job went on another way
            return
        self.waiting = None
        self.pausable = False
        self.resume()

    def _interrupted(self, _event: simpy.Event) -> None:
        """An interrupting task came while the job in hand took its time: it is done first."""
        self.waiting = None
        self.left -= self.rep.env._now - self.since
        if self.stopping and self._halt():
            return
        self._interrupting(self._pause)

    def _interrupting(self, then: Callable[[], None]) -> None:
        """Do the queued tasks that interrupt, by priority, with the job in hand paused; then ``then``."""
        urgent = [j for j in self.jobs if j[2] == TASK and j[3][0].interrupts]
        if not urgent:
            then()
            return
        entry = min(urgent)
        self.jobs.remove(entry)
        heapify(self.jobs)
        self.paused, self.current = self.current, (TASK, entry[3])
        spec, site = entry[3]
        self.ends.append(partial(self._urgent_done, then))
        if spec.report is not None:
            self.rep.send(self, spec, site)
        else:
            self._do(spec, site)

    def _urgent_done(self, then: Callable[[], None]) -> None:
        if self.current in self.stopping:
            self.stopping.remove(self.current)
        self.current, self.paused = self.paused, None
        self._interrupting(then)

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
        rep = self.rep
        for mate in rep.shared.get(self.role, ()) if self.office else rep.on_site.get(self.site, ()):
            if mate.jobs and mate.current is not None and mate is not self:
                for entry in sorted(mate.jobs):
                    if entry[2] != TASK:
                        continue
                    spec, site = entry[3]
                    if spec.who == "one" and self.role in spec.roles and (self.office or site == self.site):
                        mate.jobs.remove(entry)
                        heapify(mate.jobs)
                        if site not in self.knows:
                            rep.learn(self, site)
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

    def _journey(self, duration: float, site: str) -> None:
        """Travel to ``site`` for ``duration``, taking calls and making reports that work on the road
        meanwhile; everything else waits. Arrived (logged, briefed) when the journey ends, even mid-call."""
        self.arrival = arrival = self.rep.env.timeout(duration, site)
        arrival.callbacks.append(self._arrive)
        self._travel()

    def _travel(self, _event: simpy.Event | None = None) -> None:
        """On the way: the next job that can be done on the road, else wait to arrive (or for such a job);
        the journey's job ends once arrived."""
        if self.arrival.callbacks is None:  # arrived
            self._end()
            return
        road = [entry for entry in self.jobs if self._on_road(entry[2], entry[3])]
        if road:
            entry = min(road)
            self.jobs.remove(entry)
            heapify(self.jobs)
            self._on_the_way(entry[2], entry[3])
            return
        self.state = TRAVELLING
        self.arrival.callbacks.append(self._travel)

    def _road_call(self, _event: simpy.Event) -> None:
        """A call rang, or a report came, that can be done on the way: the wait to arrive is left."""
        self.arrival.callbacks.remove(self._travel)
        self._travel()

    def is_at(self, site: str) -> bool:
        """Whether this person is at ``site`` now: their own, present; or the branch they have come to."""
        return (self.site == site and self.present) or self.visiting == site

    def _leave(self) -> None:
        """Staff setting off from where they are: no longer there (an office's member stays on duty)."""
        if self.office:
            return
        if self.visiting is not None:
            self.rep.visitors[self.visiting].remove(self)
        self.present, self.visiting = False, None

    def _arrive(self, journey: simpy.Timeout) -> None:
        if self.state == TRAVELLING:
            self.state = WORKING
        site = journey._value
        if self.office or site == self.site:
            self.present = True
        else:  # at another branch: perceives what happens there, and nothing of their own
            self.visiting = site
            self.rep.visitors.setdefault(site, []).append(self)
        self.rep.emit("arrived", self.role, self, site=site)
        self.rep.brief(self, site)

    def _on_the_way(self, kind: int, job: Any) -> None:
        self.paused, self.current = self.current, (kind, job)
        if kind == CALL:
            if job.ringing:
                job.take(self._road_done)
            else:
                self._road_done()
        else:
            self.ends.append(self._road_task_done)
            self.rep.send(self, job[0], job[1])

    def _road_task_done(self) -> None:
        if self.current in self.stopping:
            self.stopping.remove(self.current)
        self._road_done()

    def _road_done(self) -> None:
        self.current, self.paused = self.paused, None
        self._travel()
