"""Running a replication, as a pure function of the model and the seed.

:func:`run_replication` is a pure function of the model and the seed: all randomness is drawn
from the seed's four streams (``sim.seeds``), and agents are created and their presence drawn in
plan order, so the same seed always gives the same log.
"""

from __future__ import annotations

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


def _seed_text(seed: Seed) -> Any:
    if isinstance(seed, np.random.SeedSequence):
        return {"entropy": seed.entropy, "spawn_key": list(seed.spawn_key)}
    return seed if isinstance(seed, int) else None
