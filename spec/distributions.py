"""Named probability distributions for every stochastic parameter.

In a file a distribution is written as a duration (fixed) or a one-key mapping::

    2min                                  # fixed
    {fixed: 3}
    {uniform: [1, 3]}                     # low, high
    {triangular: [1, 2, 4]}               # low, mode, high
    {exponential: 5}                      # mean
    {lognormal: {median: 5, p90: 9}}      # by median and 90th percentile
    {empirical: [3.5, 4, 6, 12]}          # resample the observed values

Values are minutes (or carry a unit, as durations do), each a duration (finite, from 0 to 366
days); a lognormal's p90 is at most 1000 times its median. ``Distribution.sampler()`` returns a
function of a random source with ``random()`` (uniform on [0, 1)) and ``normal()`` (standard
normal): a ``numpy.random.Generator``, or the engine's block reader of one (``sim.seeds.Draws``).
Samples are made from those by inversion, so every random number comes from the generator.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

import numpy as np
from pydantic import BeforeValidator, PlainSerializer

from .durations import parse_duration

Sampler = Callable[[np.random.Generator], float]
Z90 = 1.2815515655446004  # standard normal 90th percentile
MAX_SPREAD = 1000.0
"""The most a lognormal's p90 may be as a multiple of its median (a wider one would draw times
that overflow a float)."""
KINDS = ("fixed", "uniform", "triangular", "exponential", "lognormal", "empirical")


@dataclass(frozen=True, slots=True)
class Distribution:
    kind: str
    params: tuple[float, ...]

    def sampler(self) -> Sampler:
        p = self.params
        match self.kind:
            case "fixed":
                value = p[0]
                return lambda rng: value
            case "uniform":
                lo, width = p[0], p[1] - p[0]
                return lambda rng: lo + width * rng.random()
            case "triangular":
                lo, mode, hi = p
                if lo == hi:
                    return lambda rng: lo
                cut, left, right = (mode - lo) / (hi - lo), (hi - lo) * (mode - lo), (hi - lo) * (hi - mode)
                sqrt = math.sqrt

                def triangular(rng: Any) -> float:
                    u = rng.random()
                    return lo + sqrt(u * left) if u < cut else hi - sqrt((1 - u) * right)

                return triangular
            case "exponential":
                mean = p[0]
                log1p = math.log1p
                return lambda rng: -mean * log1p(-rng.random())
            case "lognormal":
                median, p90 = p
                mu, sigma = math.log(median), (math.log(p90) - math.log(median)) / Z90
                exp = math.exp
                return lambda rng: exp(mu + sigma * rng.normal())
            case "empirical":
                values = list(p)
                n = len(values)
                return lambda rng: values[int(rng.random() * n)]
        raise AssertionError(self.kind)

    def block(self) -> Callable[[np.random.Generator, int], np.ndarray]:
        """A function drawing ``n`` values at once (for hot paths that draw many)."""
        p = self.params
        match self.kind:
            case "fixed":
                return lambda rng, n: np.full(n, p[0])
            case "uniform":
                return lambda rng, n: rng.uniform(p[0], p[1], n)
            case "triangular":
                if p[0] == p[2]:
                    return lambda rng, n: np.full(n, p[0])
                return lambda rng, n: rng.triangular(p[0], p[1], p[2], n)
            case "exponential":
                return lambda rng, n: rng.exponential(p[0], n)
            case "lognormal":
                mu, sigma = math.log(p[0]), (math.log(p[1]) - math.log(p[0])) / Z90
                return lambda rng, n: rng.lognormal(mu, sigma, n)
            case "empirical":
                values = np.asarray(p)
                return lambda rng, n: values[rng.integers(len(values), size=n)]
        raise AssertionError(self.kind)

    def mean(self) -> float:
        p = self.params
        match self.kind:
            case "fixed":
                return p[0]
            case "uniform":
                return (p[0] + p[1]) / 2
            case "triangular":
                return sum(p) / 3
            case "exponential":
                return p[0]
            case "lognormal":
                sigma = (math.log(p[1]) - math.log(p[0])) / Z90
                return p[0] * math.exp(sigma**2 / 2)
            case "empirical":
                return float(np.mean(p))
        raise AssertionError(self.kind)

    def to_data(self) -> Any:
        match self.kind:
            case "fixed":
                return self.params[0]
            case "exponential":
                return {"exponential": self.params[0]}
            case "lognormal":
                return {"lognormal": {"median": self.params[0], "p90": self.params[1]}}
        return {self.kind: list(self.params)}


_PARAM_NAMES = {
    "fixed": ("value",),
    "uniform": ("low", "high"),
    "triangular": ("low", "mode", "high"),
    "exponential": ("mean",),
    "lognormal": ("median", "p90"),
    "empirical": (),
}


def _values(kind: str, raw: Any, names: tuple[str, ...]) -> tuple[float, ...]:
    if isinstance(raw, dict):
        if set(raw) != set(names):
            raise ValueError(f"{kind} takes {', '.join(names)}; got {', '.join(map(str, raw))}")
        raw = [raw[n] for n in names]
    if not isinstance(raw, list | tuple):
        raw = [raw]
    if len(raw) != len(names):
        raise ValueError(f"{kind} takes {len(names)} value(s) ({', '.join(names)}), got {len(raw)}")
    return tuple(parse_duration(v) for v in raw)


def parse_distribution(value: Any) -> Distribution:
    """Check a distribution as written in a file; ValueError says what is impossible."""
    if isinstance(value, Distribution):
        return value
    if not isinstance(value, dict):
        return Distribution("fixed", (parse_duration(value),))
    if len(value) != 1:
        raise ValueError(f"a distribution is one of {', '.join(KINDS)} (one key); got {list(value)}")
    (kind, raw), = value.items()
    if kind not in KINDS:
        raise ValueError(f"unknown distribution {kind!r}; known: {', '.join(KINDS)}")
    if kind == "empirical":
        if not isinstance(raw, list) or not raw:
            raise ValueError("empirical takes a non-empty list of observed values")
        return Distribution(kind, tuple(parse_duration(v) for v in raw))
    params = _values(kind, raw, _PARAM_NAMES[kind])
    if kind == "uniform" and params[0] > params[1]:
        raise ValueError(f"uniform needs low <= high, got {params[0]:g} > {params[1]:g}")
    if kind == "triangular" and not params[0] <= params[1] <= params[2]:
        raise ValueError(f"triangular needs low <= mode <= high, got {list(params)}")
    if kind == "exponential" and params[0] <= 0:
        raise ValueError(f"exponential needs a mean > 0, got {params[0]:g}")
    if kind == "lognormal" and not 0 < params[0] < params[1]:
        raise ValueError(f"lognormal needs 0 < median < p90, got median {params[0]:g}, p90 {params[1]:g}")
    if kind == "lognormal" and params[1] > MAX_SPREAD * params[0]:
        raise ValueError(f"lognormal's p90 may be at most {MAX_SPREAD:g} times its median, got median "
                         f"{params[0]:g}, p90 {params[1]:g}")
    return Distribution(kind, params)


DistributionField = Annotated[
    Distribution, BeforeValidator(parse_distribution), PlainSerializer(lambda d: d.to_data())
]
