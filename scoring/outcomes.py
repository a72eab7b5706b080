"""What a requirement's check can say about one drill."""

from __future__ import annotations

from enum import StrEnum
from typing import NamedTuple


class Outcome(StrEnum):
    MET = "met"
    LATE = "late"
    MISSED = "missed"
    INCOMPLETE = "incomplete"
    VIOLATED = "violated"
    NOT_APPLICABLE = "not_applicable"
    PENDING = "pending"
    """Still open: scored as of a moment of a drill under way, the requirement can still be met."""
    NOT_EVALUATED = "not_evaluated"
    """Nobody observed it: a real drill's evaluators did not watch the roles whose actions it judges."""


FAILURES = frozenset({Outcome.MISSED, Outcome.INCOMPLETE, Outcome.VIOLATED})
"""Outcomes that count as a failed critical requirement (a late one earns partial credit instead)."""
UNSCORED = frozenset({Outcome.NOT_APPLICABLE, Outcome.PENDING, Outcome.NOT_EVALUATED})
"""Outcomes left out of the score and the ratings (a not-evaluated one still counts in the coverage)."""


class RequirementResult(NamedTuple):
    """One requirement's verdict on one drill: immutable, and made as a tuple is (a scorecard makes one per
    requirement, a batch one per requirement and replication); ``_replace`` makes a changed copy."""

    id: str
    kind: str
    title: str
    clause: str
    capability: str
    weight: float
    critical: bool
    outcome: Outcome
    credit: float
    """Share of the weight earned: 1 met, the plan's late credit when late, the share of fields present."""
    at: float | None = None
    """Minute of the event the verdict rests on (the response, the violation)."""
    since: float | None = None
    """Minute of the trigger a deadline counts from."""
    latency: float | None = None
    """Minutes from trigger to response (deadlines and order)."""
    deadline: float | None = None
    detail: str = ""

    @property
    def late_by(self) -> float | None:
        if self.latency is None or self.deadline is None:
            return None
        return max(0.0, self.latency - self.deadline)

    @property
    def applicable(self) -> bool:
        """Whether it counts in the score and the ratings (not when not applicable, pending or not evaluated)."""
        return self.outcome not in UNSCORED

    @property
    def failed_critical(self) -> bool:
        return self.critical and self.outcome in FAILURES
