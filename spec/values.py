"""Fact values: one rule, in every file kind, for what a value of each fact type may be written as.

A boolean is written ``true``/``false``, ``yes``/``no`` or ``是``/``否`` (any case); nothing else is
a boolean — not ``1``, not ``有``, not an empty cell — so a typo is an error, not a guess.
"""

from __future__ import annotations

import math
import re
from typing import Any

TRUE_WORDS = ("true", "yes", "是")
FALSE_WORDS = ("false", "no", "否")
FACT_TYPES = ("bool", "int", "float", "text", "elapsed")
LARGEST_WHOLE = 2**53
"""The largest whole-number fact: the largest a floating-point number holds exactly, so that a
condition's arithmetic on it cannot overflow."""
NEGATIVE = "is negative: a number fact (a count, an amount, hours) is never below 0"


def parse_bool(value: Any) -> bool:
    """``True``/``False``, or one of :data:`TRUE_WORDS` / :data:`FALSE_WORDS`; ValueError otherwise."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        word = value.strip().lower()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
    raise ValueError(f"{value!r} is not a boolean: write {' / '.join(TRUE_WORDS)} or {' / '.join(FALSE_WORDS)}")


def fact_value(kind: str, value: Any) -> bool | int | float | str:
    """``value`` as a value of a fact of type ``kind``; ValueError naming what is wrong.

    Text (from a drill log's cell) and native values (from YAML) follow the same rule.
    """
    if kind == "bool":
        return parse_bool(value)
    if kind == "int":
        whole = _whole(value)
        if whole < 0:
            raise ValueError(f"{value!r} {NEGATIVE}")
        if whole > LARGEST_WHOLE:
            raise ValueError(f"{value!r} is too large: a whole-number fact is at most {LARGEST_WHOLE:,}")
        return whole
    if kind in ("float", "elapsed"):
        if isinstance(value, bool):
            raise ValueError(f"{value!r} is not a number")
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise ValueError(f"{value!r} is not a number") from None
        except OverflowError:
            raise ValueError(f"{value!r} is too large a number") from None
        if not math.isfinite(number):
            raise ValueError(f"{value!r} is not a finite number")
        if number < 0:
            raise ValueError(f"{value!r} {NEGATIVE}")
        return number
    if kind == "text":
        if isinstance(value, str):
            return value
        raise ValueError(f"{value!r} is not text (quote it)")
    raise ValueError(f"unknown fact type {kind!r}; known: {', '.join(FACT_TYPES)}")


def _whole(value: Any) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)  # 2.0 is the whole number 2
    if isinstance(value, str) and re.fullmatch(r"\s*-?\d+(?:\.0*)?\s*", value):
        return int(value.strip().split(".")[0])
    raise ValueError(f"{value!r} is not a whole number")
