"""SimPy's environment with the calls a replication makes most done with less Python: making it, the
run loop to a horizon, a timeout, and an urgent event (what SimPy schedules to start a process or
interrupt one). The same events are scheduled in the same order, with the same ids, so a run is the one
SimPy's own loop would make (``scripts/golden.py`` checks it byte for byte). The engine's callbacks
read a timeout's value as ``_value``: SimPy's ``value`` is a property, a Python call.
"""

from __future__ import annotations

from heapq import heappop, heappush
from itertools import count
from typing import Any

import simpy
from simpy.events import NORMAL, URGENT

_new = object.__new__


class Environment(simpy.Environment):
    def __init__(self) -> None:
        """SimPy's, at time 0, without binding its event classes to the environment (``env.process``
        and the like are bound when read: a replication reads them seldom or never)."""
        self._now = 0
        self._queue: list[tuple[float, int, int, simpy.Event]] = []
        self._eid = count()
        self._active_proc: simpy.Process | None = None

    def timeout(self, delay: float, value: Any = None) -> simpy.Timeout:
        """``simpy.Timeout(self, delay, value)``, scheduled without its constructor's two calls."""
        if delay < 0:
            raise ValueError(f"Negative delay {delay}")
        timeout = _new(simpy.Timeout)
        timeout.env = self
        timeout.callbacks = []
        timeout._value = value
        timeout._delay = delay
        timeout._ok = True
        heappush(self._queue, (self._now + delay, NORMAL, next(self._eid), timeout))
        return timeout

    def urgent(self) -> simpy.Timeout:
        """An event now, before the events of this moment that are not urgent: where SimPy starts a
        new process (its ``Initialize``) or interrupts one. Its callbacks are the process's next step."""
        event = _new(simpy.Timeout)
        event.env = self
        event.callbacks = []
        event._value = None
        event._delay = 0.0
        event._ok = True
        heappush(self._queue, (self._now, URGENT, next(self._eid), event))
        return event

    def run(self, until: Any = None) -> Any:
        """As SimPy's ``run``; to a time, without a call per event: the events before the stop event
        SimPy would schedule at ``until`` are processed, each as ``Environment.step`` does."""
        if until is None or isinstance(until, simpy.Event):
            return super().run(until)
        at = float(until)
        if at <= self._now:
            raise ValueError(f"until ({at}) must be greater than the current simulation time")
        stop = simpy.Event(self)
        stop._ok = True
        stop._value = None
        self.schedule(stop, URGENT, at - self._now)
        queue = self._queue
        while True:
            self._now, _, _, event = heappop(queue)
            if event is stop:
                stop.callbacks = None
                return None
            callbacks, event.callbacks = event.callbacks, None
            for callback in callbacks:
                callback(event)
            if not event._ok and not hasattr(event, "_defused"):
                exc = type(event._value)(*event._value.args)
                exc.__cause__ = event._value
                raise exc
