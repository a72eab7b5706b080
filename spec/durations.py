"""Durations in plan and scenario files: a bare number is minutes; strings carry a unit."""

from __future__ import annotations

import math
import re

MAX_MINUTES = 366 * 1440.0
"""The longest duration a file may give (366 days): a drill, its deadlines and its delays are far
shorter, and a bound keeps a typo such as ``1e308`` from being taken as a time."""

_UNITS = {
    "s": 1 / 60, "sec": 1 / 60, "secs": 1 / 60, "second": 1 / 60, "seconds": 1 / 60, "秒": 1 / 60,
    "m": 1.0, "min": 1.0, "mins": 1.0, "minute": 1.0, "minutes": 1.0, "分钟": 1.0, "分": 1.0,
    "h": 60.0, "hr": 60.0, "hrs": 60.0, "hour": 60.0, "hours": 60.0, "小时": 60.0,
    "d": 1440.0, "day": 1440.0, "days": 1440.0, "天": 1440.0,
}
_PATTERN = re.compile(r"^\s*([0-9]+(?:\.[0-9]+)?)\s*([a-zA-Z\u4e00-\u9fff]*)\s*$")
_PART = re.compile(r"\s*([0-9]+(?:\.[0-9]+)?)\s*([a-zA-Z\u4e00-\u9fff]+)")


def parse_duration(value: object) -> float:
    """Minutes from ``5``, ``2.5``, ``"30s"``, ``"2 min"``, ``"1.5h"``, ``"2h5min"``, ``"2小时"``.

    A duration is finite, not negative and at most :data:`MAX_MINUTES`. Raises ValueError with a
    message fit for a user.
    """
    return _bounded(_minutes(value), value)


def _bounded(minutes: float, value: object) -> float:
    if not math.isfinite(minutes):
        raise ValueError(f"a duration must be a finite number, got {value!r}")
    if minutes < 0:
        raise ValueError(f"a duration cannot be negative ({value})")
    if minutes > MAX_MINUTES:
        raise ValueError(f"{value!r} is longer than the longest duration allowed (366 days)")
    return minutes


def _minutes(value: object) -> float:
    if isinstance(value, bool):
        raise ValueError(f"expected a duration, got {value!r}")
    if isinstance(value, float):
        return value
    if isinstance(value, int):
        if abs(value) > MAX_MINUTES:
            raise ValueError(f"{value!r} is longer than the longest duration allowed (366 days)"
                             if value > 0 else f"a duration cannot be negative ({value})")
        return float(value)
    if isinstance(value, str):
        m = _PATTERN.match(value)
        if m:
            number, unit = m.groups()
            factor = _UNITS.get(unit.lower() if unit else "min")
            if factor is not None:
                return float(number) * factor
        parts = _PART.findall(value)
        if parts and "".join(n + u for n, u in parts) == re.sub(r"\s+", "", value) and all(
                u.lower() in _UNITS for _, u in parts):
            return sum(float(n) * _UNITS[u.lower()] for n, u in parts)
        raise ValueError(
            f"{value!r} is not a duration: write minutes as a number, or a number with a unit "
            "(30s, 2min, 1.5h, 1d)"
        )
    raise ValueError(f"expected a duration, got {type(value).__name__} {value!r}")


def format_minutes(minutes: float) -> str:
    """``1.5`` -> ``"1m30s"``; for tables and timelines."""
    sign = "-" if minutes < 0 else ""
    total = round(abs(minutes) * 60)
    h, rest = divmod(total, 3600)
    m, s = divmod(rest, 60)
    if h:
        return f"{sign}{h}h{m:02d}m{s:02d}s"
    return f"{sign}{m}m{s:02d}s"
