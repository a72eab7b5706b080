"""A drill placed against the model: each latency observed in a drill (real or simulated) among the
latencies of many simulated runs of the same scenario, and which deviations the model finds unlikely.

"Report to the upper office took 14 min: slower than 88 % of simulated runs." The rule that makes a
deviation unlikely is in :func:`is_unlikely` and docs/scoring.md ("Against the model").
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from drillsim.scoring.outcomes import UNSCORED, Outcome
from drillsim.scoring.scorecard import Scorecard
from drillsim.spec.errors import InputError
from drillsim.spec.plan import Plan
from drillsim.spec.scenario import Scenario

LOW, HIGH = 0.025, 0.975
"""A latency is unlikely when fewer than 2.5 % of the simulated runs were faster (``percentile`` below
LOW) or fewer than 2.5 % slower (above HIGH): outside the simulated 2.5–97.5 % range."""
RARE_MISS = 0.05
"""A requirement missed in the drill is unlikely when the model misses it in under 5 % of its runs."""
MIN_RUNS = 40
"""Fewer simulated runs than this (with a latency, or in which the requirement applied) are too few to
call anything unlikely: with 40, one run in the 2.5 % tail is one run."""
COLUMNS = ("replication", "requirement", "outcome", "latency_min")


@dataclass(frozen=True)
class Placement:
    """One requirement of a drill placed among the simulated runs.

    A latency: ``observed`` is the drill's latency (minutes), ``percentile`` the share of the ``runs``
    simulated runs with a latency that had a smaller one (ties count half). A requirement the drill
    missed: ``observed`` is ``inf`` (no response is slower than any), ``runs`` the simulated runs in
    which the requirement applied and ``percentile`` the share of them that did not miss it (a run that
    missed too is a tie, counted half). ``median``, ``p05``, ``p95`` are the simulated latencies'
    (NaN if no run had one).
    """

    requirement: str
    observed: float
    percentile: float
    runs: int
    median: float
    p05: float
    p95: float
    unlikely: bool

    @property
    def missed(self) -> bool:
        return math.isinf(self.observed)

    @property
    def miss_share(self) -> float:
        """For a requirement the drill missed: the share of simulated runs that missed it too (``percentile``
        counts them half)."""
        return 2 * (1 - self.percentile)

    @property
    def text(self) -> str:
        """The sentence, naming the requirement by its id (``ROB-03 took 14 min: slower than 88 % of …``)."""
        return self.sentence(self.requirement)

    def sentence(self, name: str) -> str:
        """The sentence with the requirement called ``name`` (its title, say)."""
        if self.runs == 0:
            return f"{name} {self._what()}: no simulated run to compare with"
        if self.missed:
            text = f"{name} was missed: the model misses it in {_percent(self.miss_share)} of {self.runs} runs"
        else:
            faster = self.percentile >= 0.5
            share = self.percentile if faster else 1 - self.percentile
            text = (f"{name} took {_minutes(self.observed)}: {'slower' if faster else 'faster'} than "
                    f"{_percent(share)} of {self.runs} simulated runs (median {_minutes(self.median)}, "
                    f"90 % within {_minutes(self.p05)}–{_minutes(self.p95)})")
        if self.runs < MIN_RUNS:
            return f"{text}; too few runs to say whether that is unlikely"
        return f"{text} — unlikely under the model" if self.unlikely else text

    def _what(self) -> str:
        return "was missed" if self.missed else f"took {_minutes(self.observed)}"


def _percent(share: float) -> str:
    pct = 100 * share
    return f"{pct:.1f} %" if 0 < pct < 1 or 99 < pct < 100 else f"{pct:.0f} %"


def _minutes(m: float) -> str:
    if math.isnan(m):
        return "–"
    if m < 1:
        return f"{m * 60:.0f} s"
    if m >= 120:
        return f"{m / 60:.1f} h"
    return f"{m:.1f}".removesuffix(".0") + " min"


def is_unlikely(percentile: float, runs: int, missed: bool = False) -> bool:
    """The rule: with at least MIN_RUNS runs, a latency outside the simulated LOW–HIGH range, or a
    miss the model makes in fewer than RARE_MISS of its runs (``percentile`` then is the share it meets)."""
    if runs < MIN_RUNS:
        return False
    if missed:
        return 2 * (1 - percentile) < RARE_MISS
    return percentile < LOW or percentile > HIGH


def place(requirement: str, observed: float, simulated: np.ndarray) -> Placement:
    """An observed latency among simulated ones (NaN entries: runs without a latency, left out)."""
    lat = simulated[~np.isnan(simulated)]
    n = len(lat)
    share = (np.sum(lat < observed) + 0.5 * np.sum(lat == observed)) / n if n else math.nan
    return Placement(requirement, float(observed), float(share), n, *_spread(lat), is_unlikely(share, n))


def place_miss(requirement: str, outcomes: pd.Series, simulated: np.ndarray) -> Placement:
    """A requirement the drill missed among the simulated runs in which it applied."""
    applied = ~outcomes.isin([o.value for o in UNSCORED]).to_numpy()
    n = int(applied.sum())
    misses = int((outcomes.to_numpy()[applied] == Outcome.MISSED.value).sum())
    share = (n - misses + 0.5 * misses) / n if n else math.nan
    lat = simulated[~np.isnan(simulated)]
    return Placement(requirement, math.inf, float(share), n, *_spread(lat), is_unlikely(share, n, missed=True))


def _spread(lat: np.ndarray) -> tuple[float, float, float]:
    if not len(lat):
        return (math.nan, math.nan, math.nan)
    median, p05, p95 = np.percentile(lat, [50, 5, 95])
    return (float(median), float(p05), float(p95))


def against_model(plan: Plan, scenario: Scenario, card: Scorecard, reps: int = 200, seed: int = 0,
                  workers: int = 1, runs: pd.DataFrame | None = None) -> list[Placement]:
    """Every requirement of ``card`` with an observed latency, and every one it missed, placed among
    simulated runs of ``scenario``: ``runs`` (per-replication results, as ``drillsim.replicate(...).results``
    or :func:`runs_from_folder` give them) or, without it, ``reps`` runs simulated with ``seed``.
    In the order of the scorecard; the same seed gives the same placements."""
    if card.plan != plan.id:
        raise ValueError(f"the scorecard is of plan {card.plan!r}, not {plan.id!r}")
    if runs is None:
        from drillsim.api import replicate

        runs = replicate(plan, scenario, reps, seed, workers).results
    missing = [c for c in COLUMNS if c not in runs.columns]
    if missing:
        raise ValueError(f"the simulated runs lack the column(s) {', '.join(missing)}; expected the per-replication "
                         "results of drillsim.replicate or drillsim run --reps")
    groups = {str(k): g for k, g in runs.groupby(runs["requirement"].astype(str), observed=True)}
    placements = []
    for r in card.results:
        if r.latency is None and r.outcome is not Outcome.MISSED:
            continue
        if r.id not in groups:
            raise ValueError(f"the simulated runs have no results for requirement {r.id!r}: not of plan {plan.id}?")
        g = groups[r.id]
        simulated = g["latency_min"].to_numpy(dtype=float)
        if r.latency is not None:
            placements.append(place(r.id, r.latency, simulated))
        else:
            placements.append(place_miss(r.id, g["outcome"].astype(str), simulated))
    return placements


def unlikely(placements: list[Placement]) -> list[Placement]:
    """The deviations the model finds unlikely."""
    return [p for p in placements if p.unlikely]


def runs_from_folder(path: str | Path, plan: Plan, scenario: Scenario) -> pd.DataFrame:
    """The per-replication results a ``drillsim run PLAN SCENARIO --reps N`` output folder holds
    (``results/``, Parquet), checked to be a finished run of this plan and scenario, as written now."""
    import pyarrow.parquet as pq

    from drillsim.many_runs import drill_job

    folder = Path(path)
    manifest = folder / "batch.json"
    if not manifest.is_file():
        raise InputError(str(folder), "is not the output of a many-run drill (drillsim run … --reps N): it has no "
                         "batch.json")
    try:
        batch = json.loads(manifest.read_text("utf-8"))
        (config,) = batch["configurations"]
        ran = {k: config[k] for k in ("plan", "scenario", "plan_digest", "scenario_digest")}
    except (ValueError, KeyError, TypeError):
        raise InputError(str(manifest), "is not the record of one drill's many runs (an experiment's output, or "
                         "damaged)") from None
    for kind, ref in (("plan", plan.id), ("scenario", scenario.id)):
        if ran[kind] != ref:
            raise InputError(str(folder), f"holds runs of {kind} {ran[kind]!r}, not {ref!r}")
    now = drill_job(plan, scenario, 1, 0, 1).fingerprint()["configurations"][0]
    for kind in ("plan", "scenario"):
        if ran[f"{kind}_digest"] != now[f"{kind}_digest"]:
            raise InputError(str(folder), f"was run with another version of {kind} {ran[kind]!r}: the file has changed "
                             "since; run the replications again")
    if not (folder / "summary.json").is_file():
        raise InputError(str(folder), "holds an unfinished run: finish it with drillsim run … --resume")
    parts = folder / "results" / f"config={config['name']}"
    if not parts.is_dir():
        raise InputError(str(folder), "has no results/ folder: finish the run with drillsim run … --resume")
    frame = pq.read_table(parts).to_pandas()
    expected = batch["reps"] * len(plan.requirements)
    if len(frame) != expected:
        raise InputError(str(folder), f"holds {len(frame)} results, not {expected} ({batch['reps']} replications × "
                         f"{len(plan.requirements)} requirements): finish the run with --resume")
    return frame.sort_values(["replication"], kind="stable").reset_index(drop=True)
