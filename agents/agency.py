"""An outside agency (110, 119, 120, the regulator, a vendor): answers calls and alarms, and
for each site that calls it sends one unit, which needs a free unit, a dispatch delay and travel."""

from __future__ import annotations

from typing import TYPE_CHECKING

import simpy

from .base import Agent, Message

if TYPE_CHECKING:
    from drillsim.sim.engine import Replication
    from drillsim.sim.model import AgencyRuntime


class Agency(Agent):
    __slots__ = ("answers", "called", "params", "present", "units")

    def __init__(self, rep: Replication, role: str, params: AgencyRuntime):
        super().__init__(rep, role, role, "outside")
        self.params = params
        self.units: simpy.Resource | None = None  # made when first needed
        self.called: set[str] = set()
        self.answers = True
        self.present = True

    @property
    def load(self) -> int:
        return 0

    def deliver(self, msg: Message) -> None:
        self.rep.receive(msg)

    def ring(self, msg: Message, answered: simpy.Event, done: simpy.Event) -> None:
        self.rep.env.timeout(self.params.answer(self.rep.comms), answered).callbacks.append(_pick_up)

    def alerted(self, site: str) -> None:
        """Called when a message reaches the agency: the first call from a site sends a unit."""
        if self.params.units and site not in self.called:
            self.called.add(site)
            if self.units is None:
                self.units = simpy.Resource(self.rep.env, capacity=self.params.units)
            self.rep.env.process(self._respond(site))

    def _respond(self, site: str):
        rep = self.rep
        with self.units.request() as unit:
            yield unit
            yield rep.env.timeout(self.params.dispatch(rep.comms) + self.params.travel(rep.comms))
            rep.emit("arrived", self.role, self, site=site)
            yield rep.env.timeout(rep.model.scenario.horizon)  # the unit stays on the scene


def _pick_up(ring: simpy.Timeout) -> None:
    """The agency picks up, unless the caller has hung up: the timeout's value is ``answered``."""
    answered = ring.value
    if not answered.triggered:
        answered.succeed(True)
