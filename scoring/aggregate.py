"""Statistics over many replications, gathered as results stream in, in memory that does not grow
with the number of replications.

Per requirement: how often it applied and how often each outcome happened, the probability it is
met with a Wilson score interval, and the distribution of its latency (exact mean; percentiles from
a fixed log-spaced histogram whose bins are 0.5 % apart, so any percentile is within 0.5 % of the
exact one). The same for the overall score. The worst latencies are kept, with the replication
index, as examples to re-run and read as a timeline.
"""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass, field

import numpy as np

from .outcomes import UNSCORED, Outcome

OUTCOMES = tuple(Outcome)
CODES = {o: i for i, o in enumerate(OUTCOMES)}
MET, LATE, NA, OPEN = (CODES[o] for o in (Outcome.MET, Outcome.LATE, Outcome.NOT_APPLICABLE, Outcome.PENDING))
# latency histogram: 0.001 min .. 1e6 min, log-spaced, 0.5 % apart
LOG_LO, LOG_HI = -3.0, 6.0
BINS = math.ceil((LOG_HI - LOG_LO) / math.log10(1.005))
Z95 = 1.959963984540054


def wilson(successes: int, n: int, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval for a proportion."""
    if n == 0:
        return (math.nan, math.nan)
    p = successes / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return (max(0.0, centre - half), min(1.0, centre + half))


@dataclass
class LogHistogram:
    """A stream of values (latencies, scores) summed up: count, exact mean, and a log-spaced histogram
    for percentiles of positive values.

    A percentile is read inside its histogram bin, so it is kept within the smallest and largest
    value seen: a score of 100 in the top bin never reads as 100.3.
    """

    count: int = 0
    total: float = 0.0
    zeros: int = 0
    low: float = math.inf
    high: float = -math.inf
    hist: np.ndarray = field(default_factory=lambda: np.zeros(BINS, dtype=np.int64))

    def add(self, values: np.ndarray) -> None:
        values = values[~np.isnan(values)]
        if not len(values):
            return
        self.count += len(values)
        self.total += float(np.sum(values, dtype=np.float64))
        self.low = min(self.low, float(values.min()))
        self.high = max(self.high, float(values.max()))
        positive = values[values > 10**LOG_LO]
        self.zeros += len(values) - len(positive)
        idx = np.clip(((np.log10(positive) - LOG_LO) / (LOG_HI - LOG_LO) * BINS).astype(np.int64), 0, BINS - 1)
        self.hist += np.bincount(idx, minlength=BINS)

    def percentile(self, q: float) -> float:
        if self.count == 0:
            return math.nan
        rank = q / 100 * (self.count - 1)
        if rank < self.zeros:
            return 0.0
        cum = np.cumsum(self.hist)
        b = int(np.searchsorted(cum, rank - self.zeros, side="right"))
        before = cum[b - 1] if b else 0
        within = (rank - self.zeros - before + 0.5) / self.hist[b]
        value = 10 ** (LOG_LO + (b + min(max(within, 0.0), 1.0)) / BINS * (LOG_HI - LOG_LO))
        return min(max(value, self.low), self.high)

    def summary(self) -> dict[str, float | int | None]:
        def clean(x: float) -> float | None:
            return None if math.isnan(x) else round(float(x), 4)

        return {
            "n": self.count,
            "mean": clean(self.total / self.count if self.count else math.nan),
            "median": clean(self.percentile(50)),
            "p90": clean(self.percentile(90)),
            "p95": clean(self.percentile(95)),
            "p99": clean(self.percentile(99)),
        }


@dataclass
class RequirementStats:
    id: str
    outcomes: np.ndarray = field(default_factory=lambda: np.zeros(len(OUTCOMES), dtype=np.int64))
    latency: LogHistogram = field(default_factory=LogHistogram)
    worst: list[tuple[float, int]] = field(default_factory=list)  # min-heap of (latency, -rep)


class Aggregator:
    """Feed it chunks of results in replication order; ask it for the summary at any time."""

    def __init__(self, requirement_ids: list[str], keep_worst: int = 5):
        self.stats = [RequirementStats(rid) for rid in requirement_ids]
        self.score = LogHistogram()
        self.replications = 0
        self.keep_worst = keep_worst

    def add(self, reps: np.ndarray, outcome: np.ndarray, latency: np.ndarray, score: np.ndarray) -> None:
        """``outcome`` and ``latency`` are (replications × requirements) arrays."""
        self.replications += len(reps)
        self.score.add(score)
        for j, st in enumerate(self.stats):
            st.outcomes += np.bincount(outcome[:, j], minlength=len(OUTCOMES))
            lat = latency[:, j]
            st.latency.add(lat)
            late = np.flatnonzero(outcome[:, j] == LATE) if self.keep_worst else ()
            for k in late:
                item = (float(lat[k]), -int(reps[k]))
                if len(st.worst) < self.keep_worst:
                    heapq.heappush(st.worst, item)
                elif item > st.worst[0]:
                    heapq.heapreplace(st.worst, item)

    def summary(self) -> dict:
        out = []
        for st in self.stats:
            # runs are scored finished and fully observed: pending, not evaluated listed only if some run had them
            counts = {o.value: int(n) for o, n in zip(OUTCOMES, st.outcomes, strict=True)
                      if n or o not in (Outcome.PENDING, Outcome.NOT_EVALUATED)}
            applicable = self.replications - sum(counts.get(o.value, 0) for o in UNSCORED)
            met = counts[Outcome.MET.value]
            lo, hi = wilson(met, applicable)
            out.append({
                "id": st.id, "replications": self.replications, "applicable": applicable, "outcomes": counts,
                "p_met": round(met / applicable, 6) if applicable else None,
                "p_met_ci95": [round(lo, 6), round(hi, 6)] if applicable else None,
                "latency_min": st.latency.summary(),
                "worst_late": [{"replication": -r, "latency_min": round(lat, 4)}
                               for lat, r in sorted(st.worst, reverse=True)],
            })
        return {"replications": self.replications, "score": self.score.summary(), "requirements": out}
