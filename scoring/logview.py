"""A log arranged for checking: rows by event kind, and the facts as they stood at any moment."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import Any

from drillsim.sim.eventlog import ACTOR_ROLE, CHANNEL, EVENT, SITE, TARGET_ROLE, VALUE, WHAT, EventLog, Row
from drillsim.sim.plan import Plan
from drillsim.sim.schema import Selector

Match = Callable[[Row], bool]


def matcher(sel: Selector) -> Match:
    """A fast predicate for rows of the selector's event kind."""
    tests = [(i, frozenset(v)) for i, v in ((WHAT, sel.what), (ACTOR_ROLE, sel.actor),
                                            (TARGET_ROLE, sel.target), (CHANNEL, sel.channel)) if v]
    if sel.value is not None:
        tests.append((VALUE, frozenset([sel.value])))
    if not tests:
        return lambda row: True
    if len(tests) == 1:
        (i, allowed), = tests
        return lambda row: row[i] in allowed
    return lambda row: all(row[i] in allowed for i, allowed in tests)


class LogView:
    __slots__ = ("branches", "by_event", "changes", "declared", "facts", "final", "incident_type", "origin", "plan")

    def __init__(self, log: EventLog, plan: Plan, incident_type: str):
        self.plan = plan
        self.origin = log.origin
        self.incident_type = incident_type
        self.by_event: dict[str, list[Row]] = defaultdict(list)
        for row in log.rows:
            self.by_event[row[EVENT]].append(row)
        self.facts = plan.initial_facts
        self.changes: list[tuple[float, str, Any]] = [(r[0], r[WHAT], r[VALUE]) for r in self.by_event["fact"]]
        self.declared = [(r[0], plan.level_rank.get(r[VALUE] if r[VALUE] is not None else r[WHAT], 0))
                         for r in self.by_event["level"]]
        self.final = self.vars_at(float("inf"))
        self.branches = {r[SITE] for r in self.by_event["inject"]}
        """The sites the incident reached."""

    def first(self, event: str, match: Match, after: float = float("-inf")) -> Row | None:
        for row in self.by_event.get(event, ()):
            if row[0] >= after and match(row):
                return row
        return None

    def all(self, event: str, match: Match) -> list[Row]:
        return [row for row in self.by_event.get(event, ()) if match(row)]

    def vars_at(self, t: float) -> dict[str, Any]:
        """Type, facts and level as they stood at minute ``t`` (events at ``t`` included).

        ``level`` is the higher of the level declared so far and the level the plan's grading rules
        give on the facts so far, so that failing to declare a level cannot make a level-dependent
        requirement inapplicable.
        """
        facts = dict(self.facts)
        graded = 0
        for when, name, value in self.changes:
            if when > t:
                break
            facts[name] = value
            graded = max(graded, self.plan.grade(facts, self.incident_type))
        declared = max((rank for when, rank in self.declared if when <= t), default=0)
        return {**facts, "type": self.incident_type, "level": max(declared, graded)}
