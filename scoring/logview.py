"""A log arranged for checking: rows by event kind, and the facts as they stood at any moment."""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from operator import attrgetter
from typing import Any

from drillsim.log.eventlog import Event, EventLog
from drillsim.log.selection import Match, matcher
from drillsim.spec.conditions import Condition
from drillsim.spec.plan import Plan
from drillsim.spec.schema import Selector

INDEXED = (("what", "what"), ("target", "target_role"), ("actor", "actor_role"))
"""A selector's field, and the column of the rows it names: the first naming one value narrows the rows."""
_UNSET = object()  # a fact no row has set, nor the plan declared


@dataclass(frozen=True, slots=True, eq=False)
class Selection:
    """A selector compiled once, to read many logs with: its event kind, the column and the one value of
    it that narrow its rows (column None: none does), and the predicate its rows meet.

    Equal selectors are compiled to one selection (:meth:`of`), so that a log view selects their rows
    once for all the requirements that name them (a plan's deadlines mostly count from the incident)."""

    event: str
    column: str | None
    value: object
    match: Match

    @classmethod
    @cache
    def of(cls, sel: Selector) -> Selection:
        for field, column in INDEXED:
            names = getattr(sel, field)
            if names is not None and len(names) == 1:
                return cls(sel.event, column, names[0], matcher(sel))
        return cls(sel.event, None, None, matcher(sel))

    def __call__(self, row: Event) -> bool:
        """Whether ``row``, of the event kind, is selected."""
        return self.match(row)


class LogView:
    """Rows by event kind (and, for a selector naming one action, fact, report or role, by that), and
    an index of the moments the facts or the level changed.

    ``states[k]`` is what the conditions see from ``times[k - 1]`` on (``states[0]``, before any
    change), so the facts at any moment are one binary search away: building the index is linear
    in the log, and each look-up is logarithmic.
    """

    __slots__ = ("branches", "by_event", "final", "incident_type", "index", "levels", "now", "origin", "selected",
                 "states", "times")

    def __init__(self, log: EventLog, plan: Plan, incident_type: str, now: float | None = None):
        self.origin = log.origin
        self.incident_type = incident_type
        self.now = now
        """The moment the log is read as of, in a drill under way (its rows end there); None: the
        drill is over."""
        self.by_event: dict[str, list[Event]] = defaultdict(list)
        self.index: dict[tuple[str, str], dict[object, list[Event]]] = {}
        """Rows of an event kind by the value of a column: see :meth:`candidates`."""
        self.selected: dict[Selection, list[Event]] = {}
        facts = dict(plan.initial_facts)
        graded = declared = 0
        grading_reads = plan.grading_reads
        standing = plan.grade(facts, incident_type)
        """The grade of the facts as they stand, which only a fact the grading rules read changes."""
        self.times: list[float] = []
        self.levels: list[tuple[float, str, int]] = []
        """Each level declared: minute, the name as logged, its rank (0: not a level of the plan)."""
        self.states: list[dict[str, Any]] = [{**facts, "type": incident_type, "level": 0}]
        by_event = self.by_event
        by_fact = self.index["fact", "what"] = defaultdict(list)  # the most rows, read here anyway
        for row in log.rows:
            event = row.event
            by_event[event].append(row)
            if event == "fact":
                what, value = row.what, row.value
                by_fact[what].append(row)
                was = facts.get(what, _UNSET)
                if value is was or (type(value) is type(was) and value == was):
                    continue  # the same value again: the facts, and so the grade, stay as they were
                facts[what] = value
                if what in grading_reads:
                    standing = plan.grade(facts, incident_type)
                graded = max(graded, standing)
            elif event == "level":
                name = row.value if row.value is not None else row.what
                self.levels.append((row.t, name, plan.level_rank.get(name, 0)))
                declared = max(declared, self.levels[-1][2])
            else:
                continue
            state = {**facts, "type": incident_type, "level": max(declared, graded)}
            if self.times and self.times[-1] == row.t:
                self.states[-1] = state
            else:
                self.times.append(row.t)
                self.states.append(state)
        self.final = self.states[-1]
        self.branches = {r.site for r in self.by_event["inject"]}
        """The sites the incident reached."""

    def candidates(self, sel: Selection) -> Sequence[Event]:
        """The rows ``sel`` may select, in order: of its event kind and, when it names one action, fact,
        report (``what``), receiving or acting role, of that one (by an index built on first use)."""
        rows = self.by_event.get(sel.event, ())
        if sel.column is None:
            return rows
        index = self.index.get((sel.event, sel.column))
        if index is None:
            index = self.index[sel.event, sel.column] = defaultdict(list)
            value = attrgetter(sel.column)
            for row in rows:
                index[value(row)].append(row)
        return index.get(sel.value, ())

    def first(self, sel: Selection) -> Event | None:
        match = sel.match
        for row in self.candidates(sel):
            if match(row):
                return row
        return None

    def all(self, sel: Selection) -> list[Event]:
        """The rows ``sel`` selects, in order (selected once per view: not to be changed)."""
        rows = self.selected.get(sel)
        if rows is None:
            match = sel.match
            rows = self.selected[sel] = [row for row in self.candidates(sel) if match(row)]
        return rows

    def vars_at(self, t: float) -> dict[str, Any]:
        """Type, facts and level as they stood at minute ``t`` (events at ``t`` included).

        ``level`` is the higher of the level declared so far and the level the plan's grading rules
        give on the facts so far, so that failing to declare a level cannot make a level-dependent
        requirement inapplicable.
        """
        return self.states[bisect_right(self.times, t)]

    def ever(self, condition: Condition) -> bool:
        """Whether ``condition`` held at some moment of the log (before the first change included)."""
        return any(condition(state) for state in self.states)
