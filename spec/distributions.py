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
days); a lognormal's p90 is at most 1000 times its median. Each kind is one subclass of
``Distribution``, registered under its name in ``KINDS``: its parameter names, its checks, and how
it draws. ``Distribution.sampler()`` returns a function of a random source with ``random()``
(uniform on [0, 1)) and ``normal()`` (standard normal): a ``numpy.random.Generator``, or the
engine's block reader of one (``sim.seeds.Draws``). Samples are made from those by inversion, so
every random number comes from the generator.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, ClassVar

import numpy as np
from pydantic import BeforeValidator, PlainSerializer

from .durations import parse_duration

Sampler = Callable[[np.random.Generator], float]
Block = Callable[[np.random.Generator, int], np.ndarray]
Z90 = 1.2815515655446004  # standard normal 90th percentile
MAX_SPREAD = 1000.0
"""The most a lognormal's p90 may be as a multiple of its median (a wider one would draw times
that overflow a float)."""


@dataclass(frozen=True, slots=True)
class Distribution:
    """A distribution of one kind (a subclass) with its parameters, in minutes."""

    params: tuple[float, ...]
    kind: ClassVar[str]
    names: ClassVar[tuple[str, ...]]
    """The parameters' names, in order, as a file may give them in a mapping."""

    @classmethod
    def read(cls, raw: Any) -> Distribution:
        """This kind's parameters as written in a file (a value, a list, or a mapping of ``names``)."""
        if isinstance(raw, dict):
            if set(raw) != set(cls.names):
                raise ValueError(f"{cls.kind} takes {', '.join(cls.names)}; got {', '.join(map(str, raw))}")
            raw = [raw[n] for n in cls.names]
        if not isinstance(raw, list | tuple):
            raw = [raw]
        if len(raw) != len(cls.names):
            raise ValueError(f"{cls.kind} takes {len(cls.names)} value(s) ({', '.join(cls.names)}), got {len(raw)}")
        params = tuple(parse_duration(v) for v in raw)
        cls.check(params)
        return cls(params)

    @staticmethod
    def check(params: tuple[float, ...]) -> None:
        """Raise ValueError if these parameters are impossible for the kind."""

    def sampler(self) -> Sampler:
        raise NotImplementedError

    def block(self) -> Block:
        """A function drawing ``n`` values at once (for hot paths that draw many)."""
        raise NotImplementedError

    def mean(self) -> float:
        raise NotImplementedError

    def to_data(self) -> Any:
        """The distribution as a file writes it."""
        return {self.kind: list(self.params)}

    def scaled(self, factor: float) -> Distribution:
        """The same distribution of ``factor`` times the value (every parameter is a time, so each scales)."""
        return type(self)(tuple(p * factor for p in self.params))


KINDS: dict[str, type[Distribution]] = {}
"""Every kind of distribution by its name in a file."""


def register(cls: type[Distribution]) -> type[Distribution]:
    """Register a kind of distribution under its ``kind`` name."""
    KINDS[cls.kind] = cls
    return cls


@register
class Fixed(Distribution):
    __slots__ = ()
    kind = "fixed"
    names = ("value",)

    def sampler(self) -> Sampler:
        value = self.params[0]
        return lambda rng: value

    def block(self) -> Block:
        return lambda rng, n: np.full(n, self.params[0])

    def mean(self) -> float:
        return self.params[0]

    def to_data(self) -> Any:
        return self.params[0]


@register
class Uniform(Distribution):
    __slots__ = ()
    kind = "uniform"
    names = ("low", "high")

    @staticmethod
    def check(params: tuple[float, ...]) -> None:
        if params[0] > params[1]:
            raise ValueError(f"uniform needs low <= high, got {params[0]:g} > {params[1]:g}")

    def sampler(self) -> Sampler:
        lo, width = self.params[0], self.params[1] - self.params[0]
        return lambda rng: lo + width * rng.random()

    def block(self) -> Block:
        lo, hi = self.params
        return lambda rng, n: rng.uniform(lo, hi, n)

    def mean(self) -> float:
        return (self.params[0] + self.params[1]) / 2


@register
class Triangular(Distribution):
    __slots__ = ()
    kind = "triangular"
    names = ("low", "mode", "high")

    @staticmethod
    def check(params: tuple[float, ...]) -> None:
        if not params[0] <= params[1] <= params[2]:
            raise ValueError(f"triangular needs low <= mode <= high, got {list(params)}")

    def sampler(self) -> Sampler:
        lo, mode, hi = self.params
        if lo == hi:
            return lambda rng: lo
        cut, left, right = (mode - lo) / (hi - lo), (hi - lo) * (mode - lo), (hi - lo) * (hi - mode)
        sqrt = math.sqrt

        def triangular(rng: Any) -> float:
            u = rng.random()
            return lo + sqrt(u * left) if u < cut else hi - sqrt((1 - u) * right)

        return triangular

    def block(self) -> Block:
        lo, mode, hi = self.params
        if lo == hi:
            return lambda rng, n: np.full(n, lo)
        return lambda rng, n: rng.triangular(lo, mode, hi, n)

    def mean(self) -> float:
        return sum(self.params) / 3


@register
class Exponential(Distribution):
    __slots__ = ()
    kind = "exponential"
    names = ("mean",)

    @staticmethod
    def check(params: tuple[float, ...]) -> None:
        if params[0] <= 0:
            raise ValueError(f"exponential needs a mean > 0, got {params[0]:g}")

    def sampler(self) -> Sampler:
        mean = self.params[0]
        log1p = math.log1p
        return lambda rng: -mean * log1p(-rng.random())

    def block(self) -> Block:
        mean = self.params[0]
        return lambda rng, n: rng.exponential(mean, n)

    def mean(self) -> float:
        return self.params[0]

    def to_data(self) -> Any:
        return {"exponential": self.params[0]}


@register
class Lognormal(Distribution):
    __slots__ = ()
    kind = "lognormal"
    names = ("median", "p90")

    @staticmethod
    def check(params: tuple[float, ...]) -> None:
        median, p90 = params
        if not 0 < median < p90:
            raise ValueError(f"lognormal needs 0 < median < p90, got median {median:g}, p90 {p90:g}")
        if p90 > MAX_SPREAD * median:
            raise ValueError(f"lognormal's p90 may be at most {MAX_SPREAD:g} times its median, got median "
                             f"{median:g}, p90 {p90:g}")

    def _mu_sigma(self) -> tuple[float, float]:
        median, p90 = self.params
        return math.log(median), (math.log(p90) - math.log(median)) / Z90

    def sampler(self) -> Sampler:
        mu, sigma = self._mu_sigma()
        exp = math.exp
        return lambda rng: exp(mu + sigma * rng.normal())

    def block(self) -> Block:
        mu, sigma = self._mu_sigma()
        return lambda rng, n: rng.lognormal(mu, sigma, n)

    def mean(self) -> float:
        sigma = self._mu_sigma()[1]
        return self.params[0] * math.exp(sigma**2 / 2)

    def to_data(self) -> Any:
        return {"lognormal": {"median": self.params[0], "p90": self.params[1]}}


@register
class Empirical(Distribution):
    """Resample the observed values, each equally likely."""

    __slots__ = ()
    kind = "empirical"
    names = ()

    @classmethod
    def read(cls, raw: Any) -> Distribution:
        if not isinstance(raw, list) or not raw:
            raise ValueError("empirical takes a non-empty list of observed values")
        return cls(tuple(parse_duration(v) for v in raw))

    def sampler(self) -> Sampler:
        values = list(self.params)
        n = len(values)
        return lambda rng: values[int(rng.random() * n)]

    def block(self) -> Block:
        values = np.asarray(self.params)
        return lambda rng, n: values[rng.integers(len(values), size=n)]

    def mean(self) -> float:
        return float(np.mean(self.params))


def parse_distribution(value: Any) -> Distribution:
    """Check a distribution as written in a file; ValueError says what is impossible."""
    if isinstance(value, Distribution):
        return value
    if not isinstance(value, dict):
        return Fixed((parse_duration(value),))
    if len(value) != 1:
        raise ValueError(f"a distribution is one of {', '.join(KINDS)} (one key); got {list(value)}")
    (name, raw), = value.items()
    if name not in KINDS:
        raise ValueError(f"unknown distribution {name!r}; known: {', '.join(KINDS)}")
    return KINDS[name].read(raw)


DistributionField = Annotated[
    Distribution, BeforeValidator(parse_distribution), PlainSerializer(lambda d: d.to_data())
]
