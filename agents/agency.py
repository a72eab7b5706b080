"""An outside agency (110, 119, 120, the regulator, a vendor): answers calls and alarms, and
sends one unit to each site that calls it, after a dispatch delay and travel. A unit stays on the
scene for the rest of the run, so only the first ``units`` sites to call get one. If the plan gives
the agency's role duties or reports, its unit does them on the scene (``agents.unit``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import simpy

from .base import Actor, Message
from .unit import Unit

if TYPE_CHECKING:
    from drillsim.sim.messaging import Call
    from drillsim.sim.model import AgencyRuntime
    from drillsim.sim.replication import Replication


class Agency(Actor):
    __slots__ = ("answers", "called", "params")

    def __init__(self, rep: Replication, role: str, params: AgencyRuntime):
        super().__init__(rep, role, role, "outside")
        self.params = params
        self.called: set[str] = set()  # sites that have called; the first ``units`` of them got a unit
        self.answers = True

    def deliver(self, msg: Message) -> None:
        self.rep.receive(msg)

    def ring(self, call: Call) -> None:
        answer = self.params.answer(self.rep.comms_rng)
        if answer >= call.give_up_after:  # the caller may give up first (first, at the same moment)
            call.wait_for_answer()
        self.rep.env.timeout(answer, call).callbacks.append(_pick_up)

    def received(self, msg: Message) -> None:
        """A message from a branch alerts the agency for that branch; one from an office, for every
        branch the incident has disrupted (else the first)."""
        rep = self.rep
        for site in ([msg.site] if msg.site in rep.flows else sorted(rep.incident.started)
                     or [rep.model.branches[0].id]):
            self.alerted(site)

    def alerted(self, site: str) -> None:
        """The first call from a site sends a unit, if one is free."""
        if site in self.called:
            return
        self.called.add(site)
        if len(self.called) <= self.params.units:
            comms = self.rep.comms_rng
            on_the_way = self.params.dispatch(comms) + self.params.travel(comms)
            self.rep.env.timeout(on_the_way, site).callbacks.append(self._arrive)

    def _arrive(self, journey: simpy.Timeout) -> None:
        site = journey._value
        if self.params.works_on_scene:
            unit = Unit(self.rep, self.role, site)
            self.rep.on_scene(unit, site)
            self.rep.emit("arrived", self.role, unit, site=site)
            self.rep.learn(unit, site, "arrived")
        else:
            self.rep.emit("arrived", self.role, self, site=site)


def _pick_up(ring: simpy.Timeout) -> None:
    """The agency picks up, unless the caller has hung up: the timeout's value is the call."""
    ring._value.pick_up()
