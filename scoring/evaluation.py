"""A real drill as an evaluator records it: the scorecard and what only a person can add.

The scorer proposes a P / S / M / U rating per capability; the evaluator may override it with a
written justification, and both are kept (HSEEP's evaluation guides). Coverage is honest: a
requirement nobody observed is *not evaluated*, counted in the coverage and never silently dropped
from it. The Improvement Plan starts as one item per failed or late requirement, for the evaluator
to complete (docs/evaluation.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from .outcomes import FAILURES, Outcome
from .rating import RATINGS
from .scorecard import Scorecard


@dataclass(frozen=True)
class Exercise:
    """The exercise overview of an After-Action Report."""

    name: str
    date: date | None = None
    branch: str | None = None
    scope: str | None = None
    scenario: str | None = None
    participants: tuple[str, ...] = ()
    evaluators: tuple[str, ...] = ()


@dataclass(frozen=True)
class RatingOverride:
    """An evaluator's rating of a capability in place of the proposed one, and why."""

    capability: str
    rating: str
    justification: str
    by: str | None = None

    def __post_init__(self) -> None:
        if self.rating not in RATINGS:
            raise ValueError(f"rating {self.rating!r} is not one of {', '.join(RATINGS)}")
        if not self.justification.strip():
            raise ValueError(f"the override of {self.capability} to {self.rating} needs a written justification")


@dataclass(frozen=True)
class Note:
    text: str
    by: str | None = None


@dataclass(frozen=True)
class FinalRating:
    """A capability's proposed rating, the evaluator's override if any, and the rating that stands."""

    capability: str
    name: str
    proposed: str | None
    override: RatingOverride | None

    @property
    def rating(self) -> str | None:
        return self.override.rating if self.override else self.proposed


@dataclass(frozen=True)
class Coverage:
    """How many of the plan's requirements the drill's evaluators could judge."""

    evaluated: int
    total: int
    not_evaluated: tuple[str, ...]

    @property
    def share(self) -> float | None:
        return self.evaluated / self.total if self.total else None


@dataclass
class ImprovementItem:
    """One row of the Improvement Plan: an area for improvement and the corrective action for it."""

    requirement: str
    capability: str
    issue: str
    corrective_action: str = ""
    capability_element: str = ""
    """Planning, organising, equipment, training or exercises (HSEEP's capability elements)."""
    organisation: str = ""
    owner: str = ""
    start: date | None = None
    due: date | None = None


@dataclass
class Evaluation:
    card: Scorecard
    exercise: Exercise
    overrides: dict[str, RatingOverride] = field(default_factory=dict)
    notes: list[Note] = field(default_factory=list)

    def __post_init__(self) -> None:
        known = {c.id for c in self.card.capabilities}
        for cid in self.overrides:
            if cid not in known:
                raise ValueError(f"override of {cid!r}: the plan has no such capability ({', '.join(sorted(known))})")

    @property
    def ratings(self) -> list[FinalRating]:
        return [FinalRating(c.id, c.name, c.rating, self.overrides.get(c.id)) for c in self.card.capabilities]

    @property
    def coverage(self) -> Coverage:
        missing = tuple(self.card.not_evaluated)
        total = len(self.card.results)
        return Coverage(total - len(missing), total, missing)

    def improvement_items(self) -> list[ImprovementItem]:
        """One item per requirement that failed or was late, with its clause, for the evaluator to complete."""
        items = []
        for r in self.card.results:
            if r.outcome in FAILURES or r.outcome is Outcome.LATE:
                issue = f"{r.title} ({r.outcome.value}{': ' + r.detail if r.detail else ''}) — {r.clause}"
                items.append(ImprovementItem(r.id, r.capability, issue))
        return items
