"""Statistics over many replications, gathered as results stream in, in memory that does not grow
with the number of replications.

Per requirement: how often it applied and how often each outcome happened, the probability it is
met with a Wilson score interval, and the distribution of its latency (exact mean; percentiles from
a fixed log-spaced histogram whose bins are 0.5 % apart, so any percentile is within 0.5 % of the
exact one). The same for the overall score. The worst latencies of late runs are kept, with the
replication index, as examples to re-run and read as a timeline. Given the plan's rule of ratings
(:class:`RatingRule`) and each run's credits, also how many runs rated each capability P, S, M or U,
and how many had their score capped by a failed critical requirement (scoring/rating.py).
"""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass, field

import numpy as np

from drillsim.spec.plan import Plan

from .outcomes import FAILURES, UNSCORED, Outcome
from .rating import RATINGS

OUTCOMES = tuple(Outcome)
CODES = {o: i for i, o in enumerate(OUTCOMES)}
MET, LATE, NA, OPEN = (CODES[o] for o in (Outcome.MET, Outcome.LATE, Outcome.NOT_APPLICABLE, Outcome.PENDING))
# latency histogram: 0.001 min .. 1e6 min, log-spaced, 0.5 % apart
LOG_LO, LOG_HI = -3.0, 6.0
BINS = math.ceil((LOG_HI - LOG_LO) / math.log10(1.005))
Z95 = 1.959963984540054
CREDIT_TOLERANCE = 1e-6
"""How far below a band a run's share of credit may fall and still be rated at it: the batch keeps
credits as float32 (a credit of 0.9 is 0.89999998), and a share the rule computes in float64 is a
ratio of small whole numbers, never this close to a band without being on it."""


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

    A percentile lies between two values read inside their histogram bins, each kept within the
    smallest and largest value seen: a score of 100 in the top bin never reads as 100.3.
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
        """The ``q``-th percentile as numpy's default reads it: between the two values whose ranks are
        next to ``q`` of the way from the smallest to the largest, each read inside its bin."""
        if self.count == 0:
            return math.nan
        rank = q / 100 * (self.count - 1)
        k = math.floor(rank)
        cum = np.cumsum(self.hist)
        below = self._ranked(k, cum)
        return below + (rank - k) * (self._ranked(k + 1, cum) - below)

    def _ranked(self, k: int, cum: np.ndarray) -> float:
        """The ``k``-th smallest value (from 0): the largest and the smallest as seen, 0 for a value of
        none, else read inside its bin (``cum``: the histogram's running counts), evenly between its
        ends, and kept within the values seen."""
        if k >= self.count - 1:
            return self.high
        if k < self.zeros:
            return 0.0
        if k == 0:
            return self.low
        b = int(np.searchsorted(cum, k - self.zeros, side="right"))
        before = cum[b - 1] if b else 0
        within = (k - self.zeros - before + 0.5) / self.hist[b]
        value = 10 ** (LOG_LO + (b + within) / BINS * (LOG_HI - LOG_LO))
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


def shares(counts: dict[str, int], runs: int) -> dict[str, dict]:
    """Each count as runs, their share of ``runs`` and its 95 % Wilson interval (none without runs)."""
    out = {}
    for key, n in counts.items():
        lo, hi = wilson(n, runs)
        out[key] = {"runs": n, "share": round(n / runs, 6) if runs else None,
                    "ci95": [round(lo, 6), round(hi, 6)] if runs else None}
    return out


@dataclass(frozen=True)
class RatingRule:
    """The plan's rule of ratings (scoring/rating.py) as arrays over its requirements, in its order."""

    capabilities: tuple[tuple[str, str], ...]
    """(id, name) of each capability, in the plan's order."""
    member: np.ndarray  # (R, C) bool: requirement j counts in capability c
    weight: np.ndarray  # (R,)
    critical: np.ndarray  # (R,) bool
    bands: tuple[float, float, float]  # P, S, M
    critical_cap: float

    @classmethod
    def of(cls, plan: Plan) -> RatingRule:
        caps = list(plan.capabilities)
        member = np.array([[r.capability == c for c in caps] for r in plan.requirements], dtype=bool)
        return cls(tuple(plan.capabilities.items()), member.reshape(len(plan.requirements), len(caps)),
                   np.array([r.weight for r in plan.requirements], dtype=np.float64),
                   np.array([r.critical for r in plan.requirements], dtype=bool),
                   tuple(plan.scoring.bands[k] for k in ("P", "S", "M")), plan.scoring.critical_cap)

    def rate(self, outcome: np.ndarray, credit: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Per run, each capability's rating (index into P, S, M, U; 4 when it is not rated) and
        whether the score was capped by a failed critical requirement, as ``scoring.rating.rate``
        decides them for one run."""
        weight = np.where(np.isin(outcome, _UNSCORED), 0.0, self.weight)
        earned = np.where(weight > 0, weight * credit.astype(np.float64), 0.0)
        failed = self.critical & np.isin(outcome, _FAILURES)
        total, share = weight @ self.member, earned @ self.member
        with np.errstate(invalid="ignore", divide="ignore"):
            share = share / total
        rating = np.full(share.shape, len(RATINGS) - 1, dtype=np.int64)  # U
        for k in reversed(range(3)):  # M, then S, then P: the best band reached
            rating[share >= self.bands[k] - CREDIT_TOLERANCE] = k
        worst_allowed = RATINGS.index("M")
        rating = np.where((failed.astype(np.int64) @ self.member > 0) & (rating < worst_allowed), worst_allowed, rating)
        rating[total == 0] = len(RATINGS)
        overall = weight.sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            score = 100 * earned.sum(axis=1) / overall
        capped = (overall > 0) & failed.any(axis=1) & (score > self.critical_cap + 100 * CREDIT_TOLERANCE)
        return rating, capped


_UNSCORED = [CODES[o] for o in UNSCORED]
_FAILURES = [CODES[o] for o in FAILURES]


class Aggregator:
    """Feed it chunks of results in replication order; ask it for the summary at any time. With the
    plan's ``ratings`` rule, :meth:`add` needs each run's credits, and the summary counts ratings too."""

    def __init__(self, requirement_ids: list[str], keep_worst: int = 5, ratings: RatingRule | None = None):
        self.stats = [RequirementStats(rid) for rid in requirement_ids]
        self.score = LogHistogram()
        self.replications = 0
        self.keep_worst = keep_worst
        self.ratings = ratings
        if ratings is not None:
            self.rated = np.zeros((len(ratings.capabilities), len(RATINGS) + 1), dtype=np.int64)
            self.capped = 0

    def add(self, reps: np.ndarray, outcome: np.ndarray, latency: np.ndarray, score: np.ndarray,
            credit: np.ndarray | None = None) -> None:
        """``outcome``, ``latency`` and ``credit`` are (replications × requirements) arrays."""
        self.replications += len(reps)
        self.score.add(score)
        if self.ratings is not None:
            if credit is None:
                raise ValueError("an aggregator that counts ratings needs each run's credits")
            rating, capped = self.ratings.rate(outcome, credit)
            for c in range(len(self.rated)):
                self.rated[c] += np.bincount(rating[:, c], minlength=len(RATINGS) + 1)
            self.capped += int(capped.sum())
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
        summary = {"replications": self.replications, "score": self.score.summary(), "requirements": out}
        if self.ratings is not None:
            summary["capped_by_critical_failure"] = shares({"capped": self.capped}, self.replications)["capped"]
            summary["capabilities"] = [
                {"id": cid, "name": name,
                 "ratings": shares(dict(zip(RATINGS, map(int, counts[:-1]), strict=True)), self.replications),
                 "not_rated": int(counts[-1])}
                for (cid, name), counts in zip(self.ratings.capabilities, self.rated, strict=True)]
        return summary
