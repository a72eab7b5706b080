"""Customers of a branch: Poisson arrivals during opening hours until the incident starts."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from drillsim.sim.engine import Replication
    from drillsim.sim.model import BranchRuntime

    from .person import Person


class CustomerFlow:
    __slots__ = ("closed", "in_service", "rep", "served", "service", "spec", "tellers", "waiting")

    def __init__(self, rep: Replication, spec: BranchRuntime):
        self.rep = rep
        self.spec = spec
        self.service = spec.service
        self.waiting = 0
        self.in_service = 0
        self.served = 0
        self.closed = False
        self.tellers: list[Person] = []
        if spec.arrival_mean > 0:
            rep.env.process(self.arrivals())

    @property
    def in_hall(self) -> int:
        return self.waiting + self.in_service

    def close(self) -> None:
        """The incident starts: no more customers come in."""
        self.closed = True

    def arrivals(self):
        env, rng, spec = self.rep.env, self.rep.customer_rng, self.spec
        if spec.open_from > 0:
            yield env.timeout(spec.open_from)
        mean = spec.arrival_mean
        while True:
            yield env.timeout(rng.exponential(mean))
            if self.closed or env.now >= spec.open_until:
                return
            self.waiting += 1
            for teller in self.tellers:
                wake = teller.wake
                if teller.state == 0 and wake is not None and not wake.triggered:  # an idle teller
                    wake.succeed()
                    break
