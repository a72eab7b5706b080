"""Drills made by simulation and kept in a history as scored real drills are, to check a calibration
against a known truth (``tests/test_calibration.py``, ``benchmarks/calibration_recovery.py``).

Each drill is one replication of the scenario (with the true parameters), kept as its evaluators
would have logged it: stopped at the first event after a random time from the incident's start
(uniform in ``stop`` minutes), so that its last stamp is its end, as docs/calibration.md asks of a
real drill; every stamp read to the second (``typed`` 60 a minute) or to the minute (1); and scored.
"""

from __future__ import annotations

import math
from datetime import date, timedelta
from pathlib import Path

import numpy as np

from drillsim.history.store import History
from drillsim.log.eventlog import EventLog
from drillsim.scoring.evaluation import Evaluation, Exercise
from drillsim.scoring.scorecard import Scorer
from drillsim.sim.engine import run_replication
from drillsim.sim.model import build_model
from drillsim.sim.seeds import replication_seed
from drillsim.spec.plan import Plan
from drillsim.spec.scenario import Scenario

FIRST_DAY = date(2026, 1, 5)


def synthetic_history(plan: Plan, scenario: Scenario, db: str | Path, drills: int, seed: int = 0,
                      stop: tuple[float, float] = (0.3, 2.0), typed: int = 60) -> list[str]:
    """Keep ``drills`` simulated drills in the history at ``db``; their keys, in order."""
    model, scorer = build_model(plan, scenario), Scorer(plan)
    ends = np.random.default_rng(seed).uniform(*stop, drills)
    keys = []
    with History(db) as history:
        for d in range(drills):
            log = run_replication(model, replication_seed(seed, d))
            stop_at = log.rows[0].t + ends[d]
            end = next((row.t for row in log.rows if row.t >= stop_at), math.inf)
            rows = [row._replace(t=math.floor(row.t * typed) / typed) for row in log.rows if row.t <= end]
            kept = EventLog(rows, log.origin, dict(log.meta))
            card = scorer.score(kept, scenario.incident.type)
            exercise = Exercise(f"synthetic drill {d + 1}", FIRST_DAY + timedelta(days=7 * d), scenario=scenario.id)
            keys.append(history.record(plan, kept, Evaluation(card, exercise)).key)
    return keys
