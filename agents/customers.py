"""Customers of a branch: Poisson arrivals during opening hours, served first come, first served,
until the incident reaches the branch.

There is no process per customer. Arrival and service times are drawn in blocks, and a teller who
becomes free claims the next customer: served at once if already waiting, otherwise when they
come in. The earliest-free teller takes the earliest customer, which is the multi-server FIFO queue
(a test checks it against Erlang C). One SimPy event per customer: the teller's wait for them
and their service are one timeout.
"""

from __future__ import annotations

from bisect import bisect_right
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from drillsim.sim.model import BranchRuntime
    from drillsim.sim.replication import Replication

BLOCK = 128


class CustomerFlow:
    __slots__ = ("arrivals", "claimed", "closed", "draw_service", "gap", "next_start", "open_until", "rng", "served",
                 "services", "waited")

    def __init__(self, rep: Replication, spec: BranchRuntime):
        self.gap = spec.arrival_mean  # mean minutes between arrivals; 0: no customers
        self.rng = rep.streams.customers if self.gap > 0 else None  # a branch without customers draws none
        self.open_until = min(spec.open_until, rep.model.horizon)
        self.draw_service = spec.service
        self.next_start = max(0.0, spec.open_from)
        self.arrivals: list[float] = []
        self.services: list[float] = []
        self.claimed = 0  # customers a teller has taken
        self.served = 0
        self.waited = 0.0  # total minutes customers waited for a teller
        self.closed = self.gap <= 0

    def _more_arrivals(self) -> None:
        times = (self.next_start + self.rng.exponential(self.gap, BLOCK).cumsum()).tolist()
        self.next_start = times[-1]
        self.arrivals.extend(times)

    def next_customer(self, now: float) -> float | None:
        """For a teller free at ``now``: how long until the next customer is served — the wait for
        them to come in (none if they are waiting) and their service; None if nobody else will come
        (then the flow is closed for good)."""
        if self.closed:
            return None
        if self.claimed >= len(self.arrivals):
            self._more_arrivals()
        arrival = self.arrivals[self.claimed]
        if arrival >= self.open_until:
            self.closed = True
            return None
        self.claimed += 1
        if not self.services:
            self.services = self.draw_service(self.rng, BLOCK).tolist()
        if arrival > now:
            return arrival - now + self.services.pop()
        self.waited += now - arrival
        return self.services.pop()

    def in_hall(self, now: float) -> int:
        """Customers who have come in and are not yet done."""
        if self.gap <= 0:
            return 0
        while not len(self.arrivals) or self.arrivals[-1] <= now:
            self._more_arrivals()
        arrived = bisect_right(self.arrivals, min(now, self.open_until))
        return max(0, arrived - self.served)

    def close(self) -> None:
        """The incident starts: no more customers come in, no teller takes another."""
        self.closed = True
