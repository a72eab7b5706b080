"""Running replications: one, as a pure function of the model and the seed; many, back to back.

:func:`run_replication` is a pure function of the model and the seed: all randomness is drawn
from the seed's four streams (``sim.seeds``), and agents are created and their presence drawn in
plan order, so the same seed always gives the same log.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

import numpy as np

from drillsim.log.eventlog import EventLog

from .model import Model
from .replication import Replication
from .seeds import Seed, streams


def run_replication(model: Model, seed: Seed) -> EventLog:
    """Play one replication and return its event log."""
    rep = Replication(model, streams(seed))
    rep.env.run(until=model.horizon)
    rep.finish()
    start = model.scenario.start
    meta = {**model.meta, "seed": _seed_text(seed)}
    return EventLog(rep.rows, start if isinstance(start, datetime) else None, meta)


@contextmanager
def back_to_back(threshold: int = 20_000) -> Iterator[None]:
    """Tune Python's cyclic garbage collector for many replications run one after another.

    A finished replication is a reference cycle (a SimPy environment, its processes and its events
    refer to one another), so the collector frees it, not reference counting. At Python's default
    threshold of 700 allocations the collector runs every few replications (on the demo drill),
    and each time scans the running replication's live objects and moves them to an older
    generation, where they are scanned again; at 20,000 it runs about once every hundred
    replications, over what is nearly all garbage. ``docs/performance.md`` has the measured gain."""
    old = gc.get_threshold()
    gc.set_threshold(threshold, *old[1:])
    try:
        yield
    finally:
        gc.set_threshold(*old)


def _seed_text(seed: Seed) -> Any:
    if isinstance(seed, np.random.SeedSequence):
        return {"entropy": seed.entropy, "spawn_key": list(seed.spawn_key)}
    return seed if isinstance(seed, int) else None
