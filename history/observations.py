"""What the scored drills in the history say about how long things take, as censored data for
calibration (``drillsim calibrate``, docs/calibration.md).

Each drill gives, per deadline requirement whose trigger happened, one :class:`Observation`: the
latency from trigger to response as the interval the typed times allow, or, where nobody responded
by the end of the drill, "longer than the drill lasted after the trigger" (right-censored).

* **Resolution.** A drill whose every stamp falls on a whole minute was typed to the minute
  (:data:`MINUTE`): each stamp is its minute's start, so a latency read as ``ℓ`` lies in
  ``[ℓ − 1, ℓ + 1]`` min (the trigger's width earlier, the response's later, as
  ``docs/log-sheets.md`` says). Any other drill was typed to the second: ``[ℓ − 1 s, ℓ + 1 s]``.
* **The end of a drill** is its last stamp: a response not logged had not come by then. As the
  stamps are read at their minute's (or second's) start, the latency of a requirement not met is
  known to be at least ``end − trigger − width`` (the trigger may have come late in its minute).
* Outcomes other than met, late and missed (not applicable, not evaluated, pending) say nothing of a
  latency and give no observation.
"""

from __future__ import annotations

import io
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from .store import History

MINUTE, SECOND = 1.0, 1.0 / 60.0
TIMED = ("met", "late")
"""Outcomes with a response in the log: the latency is observed."""


@dataclass(frozen=True)
class Observation:
    drill: str
    """The drill's key in the history."""
    exercise: str
    date: str
    scenario: str | None
    requirement: str
    low: float
    """Minutes: the latency is at least this ..."""
    high: float
    """... and at most this; ``inf`` when there was no response by the end of the drill."""

    @property
    def censored(self) -> bool:
        return math.isinf(self.high)


def resolution(times: Sequence[float]) -> float:
    """The width of the drill's stamps: a minute if every one is a whole minute, else a second."""
    return MINUTE if times and all(abs(t - round(t)) < 1e-6 for t in times) else SECOND


def drill_observations(drill: dict, times: Sequence[float]) -> list[Observation]:
    """The observations of one drill: ``drill`` a row of the history's ``drills`` table, ``times`` its
    log's minutes."""
    width = resolution(times)
    end = max(times, default=0.0)
    out = []
    for req in json.loads(drill["scorecard_json"])["requirements"]:
        if req["kind"] != "deadline" or req["trigger_at_min"] is None:
            continue
        if req["outcome"] in TIMED:
            latency = req["latency_min"]
            low, high = max(0.0, latency - width), latency + width
        elif req["outcome"] == "missed":
            low, high = max(0.0, end - req["trigger_at_min"] - width), math.inf
        else:
            continue
        out.append(Observation(drill["key"], drill["exercise"], drill["drill_date"], drill["scenario"],
                               req["id"], low, high))
    return out


def observations(history: History, plan: str) -> list[Observation]:
    """Every observation of the plan's drills, in the order the drills were held."""
    with history.errors("read the history"):
        rows = history.db.execute(
            "SELECT key, exercise, drill_date, scenario, scorecard_json, log_csv FROM drills WHERE plan = ? "
            "ORDER BY drill_date, first_recorded_at, key", (plan,)).fetchall()
    out = []
    for key, exercise, day, scenario, card, log_csv in rows:
        times = pd.read_csv(io.StringIO(log_csv), usecols=["t"])["t"].tolist()
        out += drill_observations({"key": key, "exercise": exercise, "drill_date": day, "scenario": scenario,
                                   "scorecard_json": card}, times)
    return out
