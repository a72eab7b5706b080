"""An outside agency (110, 119, 120, the regulator, a vendor): answers calls and alarms, and
sends one unit to each site that calls it, after a dispatch delay and travel. A unit stays on the
scene for the rest of the run, so only the first ``units`` sites to call get one."""

from __future__ import annotations

from typing import TYPE_CHECKING

import simpy

from .base import Agent, Message

if TYPE_CHECKING:
    from drillsim.sim.engine import Replication
    from drillsim.sim.model import AgencyRuntime


class Agency(Agent):
    __slots__ = ("answers", "called", "params")

    def __init__(self, rep: Replication, role: str, params: AgencyRuntime):
        super().__init__(rep, role, role, "outside")
        self.params = params
        self.called: set[str] = set()  # sites that have called; the first ``units`` of them got a unit
        self.answers = True

    @property
    def load(self) -> int:
        return 0

    def deliver(self, msg: Message) -> None:
        self.rep.receive(msg)

    def ring(self, msg: Message, answered: simpy.Event, done: simpy.Event) -> None:
        self.rep.env.timeout(self.params.answer(self.rep.comms), answered).callbacks.append(_pick_up)

    def alerted(self, site: str) -> None:
        """Called when a message reaches the agency: the first call from a site sends a unit, if
        one is free."""
        if site in self.called:
            return
        self.called.add(site)
        if len(self.called) <= self.params.units:
            comms = self.rep.comms
            on_the_way = self.params.dispatch(comms) + self.params.travel(comms)
            self.rep.env.timeout(on_the_way, site).callbacks.append(self._arrive)

    def _arrive(self, journey: simpy.Timeout) -> None:
        self.rep.emit("arrived", self.role, self, site=journey.value)


def _pick_up(ring: simpy.Timeout) -> None:
    """The agency picks up, unless the caller has hung up: the timeout's value is ``answered``."""
    answered = ring.value
    if not answered.triggered:
        answered.succeed(True)
