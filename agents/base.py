"""What every actor is and does, as the engine sees it.

An actor has a role, an instance name, a site, and the replication it lives in. The engine hands
it messages and asks three things of it, and tells kinds apart by nothing else:

* ``deliver(msg)``: a written message or an alarm arrives (read when the actor gets to it);
* ``ring(call)``: a phone rings (``sim.messaging.Call``: start the caller's patience, then pick
  up, or let the caller give up);
* ``received(msg)``: the actor has the message in hand (a person learns of the incident; an
  agency sends a unit);

and two attributes: ``answers`` (can be reached at all) and ``performs`` (does the plan's duties
and reports of its role itself, as people and an agency's unit on the scene do). ``load`` is how
busy it is, for choosing whom a report goes to.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, NamedTuple

if TYPE_CHECKING:
    from drillsim.sim.messaging import Call
    from drillsim.sim.replication import Replication


class Actor:
    __slots__ = ("name", "rep", "role", "site")
    performs: ClassVar[bool] = False

    def __init__(self, rep: Replication, role: str, name: str, site: str):
        self.rep = rep
        self.role = role
        self.name = name
        self.site = site

    @property
    def load(self) -> int:
        return 0

    def deliver(self, msg: Message) -> None:
        raise NotImplementedError

    def ring(self, call: Call) -> None:
        raise NotImplementedError

    def received(self, msg: Message) -> None:
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name}>"


class Message(NamedTuple):
    """One attempt to pass a report along one escalation edge (a tuple: made without a Python call,
    ``sim.messaging``)."""

    report: str
    sender: Actor
    target: Actor
    channel: str
    ref: int
    fields: tuple[str, ...]
    site: str
