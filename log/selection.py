"""Which rows of a log a selector picks: one predicate, for the scorer's requirements and for the
injects that follow an event of the drill."""

from __future__ import annotations

from collections.abc import Callable
from operator import attrgetter

from drillsim.spec.schema import Selector

from .eventlog import Event

Match = Callable[[Event], bool]


def matcher(sel: Selector) -> Match:
    """A fast predicate for rows of the selector's event kind."""
    tests = [(attrgetter(column), frozenset(v)) for column, v in (
        ("what", sel.what), ("actor_role", sel.actor), ("target_role", sel.target), ("channel", sel.channel)) if v]
    if sel.value is not None:
        tests.append((attrgetter("value"), frozenset([sel.value])))
    if not tests:
        return lambda row: True
    return _each(tests)


def _each(tests: list[tuple[Callable[[Event], object], frozenset]]) -> Match:
    """Every test passes: a chain of closures, cheaper per row than ``all()`` over a generator."""
    (column, allowed), *rest = tests
    if not rest:
        return lambda row: column(row) in allowed
    others = _each(rest)
    return lambda row: column(row) in allowed and others(row)
