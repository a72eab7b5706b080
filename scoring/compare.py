"""Comparing configurations run on common random numbers: paired differences with confidence
intervals, and a ranking.

Replication ``i`` of every configuration saw the same incident, so the difference between two
configurations is measured replication by replication; the variance of a paired difference is
usually far smaller than that of two independent estimates.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .aggregate import MET, NA, OPEN, Z95


@dataclass(frozen=True, slots=True)
class Difference:
    configuration: str
    baseline: str
    measure: str
    """``score`` or a requirement id (then the difference is in the probability it is met)."""
    n: int
    mean: float | None
    ci95: tuple[float, float] | None


def paired(a: np.ndarray, b: np.ndarray) -> tuple[int, float | None, tuple[float, float] | None]:
    """Mean of ``a - b`` over pairs where both are known, with a normal 95 % interval."""
    keep = ~(np.isnan(a) | np.isnan(b))
    d = (a - b)[keep]
    n = len(d)
    if n == 0:
        return 0, None, None
    mean = float(d.mean())
    if n < 2:
        return n, mean, None
    half = Z95 * float(d.std(ddof=1)) / math.sqrt(n)
    return n, mean, (mean - half, mean + half)


def met_indicator(outcome: np.ndarray) -> np.ndarray:
    """1 met, 0 applicable but not met, NaN not applicable or pending — per replication and requirement."""
    out = (outcome == MET).astype(np.float64)
    out[(outcome == NA) | (outcome == OPEN)] = np.nan
    return out


def compare(names: list[str], baseline: str, requirement_ids: list[str], scores: dict[str, np.ndarray],
            outcomes: dict[str, np.ndarray]) -> list[Difference]:
    """Every configuration against the baseline: the score, and each requirement's P(met)."""
    out = []
    base_met = met_indicator(outcomes[baseline])
    for name in names:
        if name == baseline:
            continue
        out.append(Difference(name, baseline, "score", *paired(scores[name], scores[baseline])))
        met = met_indicator(outcomes[name])
        for j, rid in enumerate(requirement_ids):
            out.append(Difference(name, baseline, rid, *paired(met[:, j], base_met[:, j])))
    return out


def rank(names: list[str], scores: dict[str, np.ndarray]) -> list[dict]:
    """Configurations from the best mean score down, each with its 95 % interval."""
    rows = []
    for name in names:
        s = scores[name][~np.isnan(scores[name])]
        mean = float(s.mean()) if len(s) else math.nan
        half = Z95 * float(s.std(ddof=1)) / math.sqrt(len(s)) if len(s) > 1 else math.nan
        rows.append({"configuration": name, "mean_score": round(mean, 4),
                     "ci95": [round(mean - half, 4), round(mean + half, 4)]})
    rows.sort(key=lambda r: -r["mean_score"])
    for i, r in enumerate(rows, 1):
        r["rank"] = i
    return rows
