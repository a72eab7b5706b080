"""Messages along the escalation graph: one attempt is a :class:`~drillsim.agents.base.Message`;
on a synchronous channel it is a :class:`Call` that rings until the receiver picks up or the caller
gives up. :func:`send` is the whole protocol of one report: preparation, retries, fallbacks."""

from __future__ import annotations

from typing import TYPE_CHECKING

import simpy

from drillsim.agents.base import Message

if TYPE_CHECKING:
    from drillsim.agents.base import Actor
    from drillsim.agents.person import Person

    from .model import TaskSpec
    from .replication import Replication


class Call:
    """A phone call: ``answered`` succeeds with True when the receiver picks up, or with False when
    the caller gives up (after the report's ``timeout``, else the channel's ``answer_within``);
    ``over``, when a person picked up (:meth:`take`), when the talk is done (an agency waits for nothing).

    The receiver's ``ring`` starts the caller's patience (:meth:`wait_for_answer`) before anything
    else, unless it picks up sooner for certain (an agency that answers in a drawn time): then no
    timer is needed."""

    __slots__ = ("answered", "env", "give_up_after", "msg", "over")

    def __init__(self, env: simpy.Environment, msg: Message, give_up_after: float):
        self.env = env
        self.msg = msg
        self.give_up_after = give_up_after
        self.answered = env.event()
        self.over: simpy.Event | None = None

    def wait_for_answer(self) -> None:
        self.env.timeout(self.give_up_after, self).callbacks.append(_give_up)

    @property
    def ringing(self) -> bool:
        return not self.answered.triggered

    def pick_up(self) -> None:
        if not self.answered.triggered:  # else the caller has hung up
            self.answered.succeed(True)

    def take(self) -> simpy.Event:
        """A person picks up the ringing phone: the event of the talk being over, to wait for."""
        self.over = self.env.event()
        self.pick_up()
        return self.over

    def hang_up(self) -> None:
        if self.over is not None:
            self.over.succeed()


def _give_up(timeout: simpy.Timeout) -> None:
    call = timeout.value
    if not call.answered.triggered:
        call.answered.succeed(False)


def send(rep: Replication, sender: Person, spec: TaskSpec, site: str):
    """Pass a report along its edge: preparation, then for each round the target and its fallbacks
    in turn, each holder it goes to (its ``notify``) tried with its retries, until one has it."""
    rng, env = rep.people_rng, rep.env
    report = spec.report_id
    if spec.omission and rng.random() < spec.omission:
        rep.emit("omitted", report, sender, site=site)
        return
    lose = rep.model.field_omission
    fields = tuple([f for f in spec.carries if rng.random() >= lose]) if lose else spec.carries
    prep = spec.takes(rng)
    if prep:
        yield from sender.spend(prep)
    give_up, notify = spec.give_up, spec.notify
    for _ in range(spec.rounds):
        for role in spec.targets:
            holders = rep.addressees(role, site, notify)
            if len(holders) == 1:
                reached = yield from _attempts(rep, sender, spec, holders[0], fields, site, give_up)
            elif holders:  # every holder at once: reached if any of them was
                calls = [env.process(_attempts(rep, sender, spec, t, fields, site, give_up)) for t in holders]
                reached = any((yield env.all_of(calls)).values())
            else:
                continue
            if reached:
                return


def _attempts(rep: Replication, sender: Person, spec: TaskSpec, target: Actor, fields: tuple[str, ...], site: str,
              give_up: float):
    """Send the report to one holder, trying again on its retries: True once it has it (an
    asynchronous message is sent for good), False when every call went unanswered."""
    comms, env, report, channel = rep.comms_rng, rep.env, spec.report_id, spec.channel
    for attempt in range(1 + spec.attempts):
        if attempt:
            yield env.timeout(spec.retry_every)
        rep.ref += 1
        msg = Message(report, sender, target, channel.id, rep.ref, fields, site)
        rep.emit("sent", report, sender, target, channel.id, msg.ref, attempt + 1, fields, site)
        lost = channel.failure and comms.random() < channel.failure
        latency = channel.latency(comms)
        if not channel.synchronous:
            env.timeout(latency, msg).callbacks.append(_lost if lost else _delivered)
            return True
        yield env.timeout(latency)
        call = Call(env, msg, give_up)
        if not lost and target.answers:
            target.ring(call)
        else:
            call.wait_for_answer()
        if (yield call.answered):
            receive(rep, msg)
            yield env.timeout(channel.talk(comms))
            rep.emit("acknowledged", msg.report, sender, target, msg.channel, msg.ref, site=site)
            call.hang_up()
            return True
        rep.emit("unanswered", msg.report, sender, target, msg.channel, msg.ref, site=site)
    return False


def receive(rep: Replication, msg: Message) -> None:
    """The target has the message (picked up the phone, read the fax, saw the alarm)."""
    rep.emit("received", msg.report, msg.sender, msg.target, msg.channel, msg.ref, fields=msg.fields, site=msg.site)
    msg.target.received(msg)


def _delivered(arrival: simpy.Timeout) -> None:
    """An asynchronous message arrives: the timeout's value is the message."""
    msg = arrival.value
    msg.target.deliver(msg)


def _lost(arrival: simpy.Timeout) -> None:
    msg = arrival.value
    msg.sender.rep.emit("lost", msg.report, msg.sender, msg.target, msg.channel, msg.ref, site=msg.site)
