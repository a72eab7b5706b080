"""Messages along the escalation graph: one attempt is a :class:`~drillsim.agents.base.Message`;
on a synchronous channel it is a :class:`Call` that rings until the receiver picks up or the caller
gives up. :func:`send` is the whole protocol of one report: preparation, retries, fallbacks.

Like a person's work (``agents.person``), a report under way is a chain of timeouts with callbacks,
not a SimPy process: :class:`Passage` goes through the report's rounds, targets and holders, and
:class:`Attempts` makes the attempts to reach one holder. What happens at once is done at once, with
no event in SimPy's queue between: the caller goes on when the phone is picked up or given up, the
receiver when the talk is over (after the caller), a report tried at several holders when the last
attempt is over.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import simpy

from drillsim.agents.base import Message

if TYPE_CHECKING:
    from drillsim.agents.base import Actor
    from drillsim.agents.person import Person

    from .model import TaskSpec
    from .replication import Replication


class Call:
    """A phone call: answered (``answer`` True) when the receiver picks up, or not (False) when the
    caller gives up (after the report's ``timeout``, else the channel's ``answer_within``); the
    caller's ``on_answer`` is told which, then and there. When a person picked up (:meth:`take`), what
    they go on with is called once the talk is over (an agency waits for nothing).

    The receiver's ``ring`` starts the caller's patience (:meth:`wait_for_answer`) before anything
    else, unless it picks up sooner for certain (an agency that answers in a drawn time): then no
    timer is needed."""

    __slots__ = ("answer", "env", "give_up_after", "msg", "on_answer", "on_over")

    def __init__(self, env: simpy.Environment, msg: Message, give_up_after: float, on_answer: Callable[[bool], None]):
        self.env = env
        self.msg = msg
        self.give_up_after = give_up_after
        self.answer: bool | None = None  # None while it rings
        self.on_answer = on_answer
        self.on_over: Callable[[], None] | None = None

    def wait_for_answer(self) -> None:
        self.env.timeout(self.give_up_after, self).callbacks.append(_give_up)

    @property
    def ringing(self) -> bool:
        return self.answer is None

    def _decide(self, answer: bool) -> None:
        self.answer = answer
        self.on_answer(answer)

    def pick_up(self) -> None:
        if self.answer is None:  # else the caller has hung up
            self._decide(True)

    def take(self, then: Callable[[], None]) -> None:
        """A person picks up the ringing phone, and goes on with ``then`` when the talk is over."""
        self.on_over = then
        self.pick_up()

    def hang_up(self) -> None:
        if self.on_over is not None:
            self.on_over()


def _give_up(timeout: simpy.Timeout) -> None:
    call = timeout._value
    if call.answer is None:
        call._decide(False)


def send(rep: Replication, sender: Person, spec: TaskSpec, site: str) -> None:
    """Pass a report along its edge: preparation, then for each round the target and its fallbacks
    in turn, each holder it goes to (its ``notify``) tried with its retries, until one has it. The
    sender's job ends (``Person._end``) when one has it, or when every attempt failed."""
    rng = rep.people_rng
    if spec.omission and rng.random() < spec.omission:
        rep.emit("omitted", spec.report_id, sender, site=site)
        sender._end()
        return
    lose = rep.model.field_omission
    fields = tuple([f for f in spec.carries if rng.random() >= lose]) if lose else spec.carries
    passage = Passage(rep, sender, spec, site, fields)
    prep = spec.takes(rng)
    if prep:
        sender.spend(prep, passage.next_target)
    else:
        passage.next_target()


class Passage:
    """A report on its way, once prepared: each round, the target and then its fallbacks."""

    __slots__ = ("fields", "index", "rep", "round", "sender", "site", "spec")

    def __init__(self, rep: Replication, sender: Person, spec: TaskSpec, site: str, fields: tuple[str, ...]):
        self.rep = rep
        self.sender = sender
        self.spec = spec
        self.site = site
        self.fields = fields
        self.round = 0
        self.index = 0  # of the next target in ``spec.targets``

    def next_target(self) -> None:
        """Try the next target that has holders: one holder, or every holder at once (reached if any
        of them was); the sender's job ends when the rounds are over."""
        rep, spec = self.rep, self.spec
        targets = spec.targets
        while self.round < spec.rounds:
            while self.index < len(targets):
                role = targets[self.index]
                self.index += 1
                holders = rep.addressees(role, self.site, spec.notify)
                if len(holders) == 1:
                    Attempts(self, holders[0], self.tried).next()
                    return
                if holders:
                    every = _AllOf(len(holders), self.tried)
                    for holder in holders:
                        Attempts(self, holder, every.one_over).next()
                    return
            self.round += 1
            self.index = 0
        self.sender._end()

    def tried(self, reached: bool) -> None:
        if reached:
            self.sender._end()
        else:
            self.next_target()


class _AllOf:
    """Waits for the attempts at several holders, made at once: when the last is over, ``then`` is
    told whether any of them reached its holder."""

    __slots__ = ("left", "reached", "then")

    def __init__(self, n: int, then: Callable[[bool], None]):
        self.left = n
        self.reached = False
        self.then = then

    def one_over(self, reached: bool) -> None:
        self.reached = self.reached or reached
        self.left -= 1
        if not self.left:
            self.then(self.reached)


class Attempts:
    """The report of a :class:`Passage` sent to one holder, tried again on its retries: reached once
    it has it (an asynchronous message is sent for good), not when every call went unanswered;
    ``then`` is told which."""

    __slots__ = ("attempt", "call", "passage", "target", "then")

    def __init__(self, passage: Passage, target: Actor, then: Callable[[bool], None]):
        self.passage = passage
        self.target = target
        self.then = then
        self.attempt = 0
        self.call: Call | None = None

    def next(self, _event: simpy.Event | None = None) -> None:
        passage = self.passage
        rep, spec, sender, site = passage.rep, passage.spec, passage.sender, passage.site
        env, channel = rep.env, spec.channel
        self.attempt += 1
        rep.ref += 1
        msg = _new_message(Message, (spec.report_id, sender, self.target, channel.id, rep.ref, passage.fields, site))
        rep.emit("sent", msg.report, sender, self.target, channel.id, msg.ref, self.attempt, passage.fields, site)
        comms = rep.comms_rng
        lost = channel.failure and comms.random() < channel.failure
        latency = channel.latency(comms)
        if not channel.synchronous:
            if channel.down:  # it will not go: lost, then tried again or the next holder
                env.timeout(latency, msg).callbacks.append(self._not_sent)
                return
            env.timeout(latency, msg).callbacks.append(_lost if lost else _delivered)
            self.then(True)
            return
        self.call = Call(env, msg, spec.give_up, self._answered)
        env.timeout(latency, lost).callbacks.append(self._rings)

    def _rings(self, arrival: simpy.Timeout) -> None:
        call = self.call
        if not arrival._value and self.target.answers:
            self.target.ring(call)
        else:
            call.wait_for_answer()

    def _answered(self, answer: bool) -> None:
        rep, spec, msg = self.passage.rep, self.passage.spec, self.call.msg
        if answer:
            receive(rep, msg)
            rep.env.timeout(spec.channel.talk(rep.comms_rng)).callbacks.append(self._talked)
            return
        rep.emit("unanswered", msg.report, msg.sender, msg.target, msg.channel, msg.ref, site=msg.site)
        self._failed()

    def _not_sent(self, attempt: simpy.Timeout) -> None:
        """An asynchronous message over a channel that is down: its sender finds it lost."""
        _lost(attempt)
        self._failed()

    def _failed(self) -> None:
        spec = self.passage.spec
        if self.attempt <= spec.attempts:
            self.passage.rep.env.timeout(spec.retry_every).callbacks.append(self.next)
        else:
            self.then(False)

    def _talked(self, _event: simpy.Event) -> None:
        msg = self.call.msg
        self.passage.rep.emit("acknowledged", msg.report, msg.sender, msg.target, msg.channel, msg.ref, site=msg.site)
        self.then(True)  # the caller goes on first, then the receiver
        self.call.hang_up()


_new_message = tuple.__new__  # a Message without the Python-level call of its constructor


def receive(rep: Replication, msg: Message) -> None:
    """The target has the message (picked up the phone, read the fax, saw the alarm)."""
    rep.emit("received", msg.report, msg.sender, msg.target, msg.channel, msg.ref, fields=msg.fields, site=msg.site)
    msg.target.received(msg)


def _delivered(arrival: simpy.Timeout) -> None:
    """An asynchronous message arrives: the timeout's value is the message."""
    msg = arrival._value
    msg.target.deliver(msg)


def _lost(arrival: simpy.Timeout) -> None:
    msg = arrival._value
    msg.sender.rep.emit("lost", msg.report, msg.sender, msg.target, msg.channel, msg.ref, site=msg.site)

