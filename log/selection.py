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
    if len(tests) == 1:
        (column, allowed), = tests
        return lambda row: column(row) in allowed
    return lambda row: all(column(row) in allowed for column, allowed in tests)
