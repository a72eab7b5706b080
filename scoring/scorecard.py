"""The scorecard of one drill and the scorer that makes it.

A :class:`Scorer` is built once per plan; ``scorer.score(log)`` checks every requirement on a log,
simulated or recorded by hand alike, and ``scorer.score(log, now=t)`` as of minute ``t`` of a
drill under way (docs/scoring.md). Nothing here imports SimPy.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from drillsim.log.eventlog import EventLog
from drillsim.spec.errors import InputWarning
from drillsim.spec.plan import Plan

from .checks import compile_check
from .flow import FlowRow, message_flow
from .logview import LogView
from .outcomes import Outcome, RequirementResult
from .rating import RATING_NAMES, CapabilityRating, rate

SCORECARD_SCHEMA = "drillsim.scorecard/1"


@dataclass
class Scorecard:
    plan: str
    plan_title: str
    incident_type: str
    results: list[RequirementResult]
    capabilities: list[CapabilityRating]
    score: float | None
    rating: str | None
    capped: bool
    meta: dict[str, Any] = field(default_factory=dict)
    flow: list[FlowRow] = field(default_factory=list)
    warnings: list[InputWarning] = field(default_factory=list)
    """What reading the drill log accepted that a reader of the scorecard must know of."""
    now: float | None = None
    """The minute the drill was scored as of, while under way; None: scored as finished."""
    observed: frozenset[str] | None = None
    """The roles a real drill's evaluators watched; None: everything was seen (a simulation)."""

    @property
    def not_evaluated(self) -> list[str]:
        """The requirements nobody observed (only when scored with ``observed``)."""
        return [r.id for r in self.results if r.outcome is Outcome.NOT_EVALUATED]

    @property
    def critical_failures(self) -> list[str]:
        return [r.id for r in self.results if r.failed_critical]

    @property
    def pending(self) -> list[str]:
        """The requirements still open at ``now``."""
        return [r.id for r in self.results if r.outcome is Outcome.PENDING]

    def to_dict(self) -> dict[str, Any]:
        as_of = {} if self.now is None else {"as_of_min": _round(self.now)}
        still_open = {} if self.now is None else {"pending": self.pending}
        return {
            "schema": SCORECARD_SCHEMA,
            "plan": {"id": self.plan, "title": self.plan_title},
            "drill": {**self.meta, "incident_type": self.incident_type, **as_of},
            "score": None if self.score is None else round(self.score, 2),
            "rating": self.rating,
            "rating_name": RATING_NAMES.get(self.rating or ""),
            "capped_by_critical_failure": self.capped,
            "critical_failures": self.critical_failures,
            **still_open,
            **({} if self.observed is None else {"coverage": self.coverage()}),
            "warnings": [{**w.to_dict(), "text": str(w)} for w in self.warnings],
            "capabilities": [
                {**c._asdict(), "performance": None if c.performance is None else round(c.performance, 4)}
                for c in self.capabilities
            ],
            "message_flow": [
                {**asdict(f), "mean_wait": _round(f.mean_wait), "max_wait": _round(f.max_wait)} for f in self.flow
            ],
            "requirements": [
                {
                    "id": r.id, "kind": r.kind, "title": r.title, "clause": r.clause,
                    "capability": r.capability, "weight": r.weight, "critical": r.critical,
                    "outcome": r.outcome.value, "credit": round(r.credit, 4),
                    "at_min": _round(r.at), "trigger_at_min": _round(r.since), "latency_min": _round(r.latency),
                    "deadline_min": _round(r.deadline), "late_by_min": _round(r.late_by), "detail": r.detail,
                }
                for r in self.results
            ],
        }

    def coverage(self) -> dict[str, Any]:
        """How many requirements the evaluators could judge: ``evaluated`` of ``total``, and which not."""
        missing = self.not_evaluated
        total = len(self.results)
        return {"evaluated": total - len(missing), "total": total, "not_evaluated": missing,
                "observed_roles": sorted(self.observed or ())}

    def write_json(self, path: str | Path) -> Path:
        path = Path(path)
        text = json.dumps(_finite(self.to_dict()), ensure_ascii=False, indent=2, allow_nan=False)
        path.write_text(text + "\n", encoding="utf-8")
        return path

    def to_frame(self):  # -> pandas.DataFrame, one row per requirement
        import pandas as pd

        return pd.DataFrame(self.to_dict()["requirements"])


def _round(x: float | None) -> float | None:
    return None if x is None else round(x, 4)


def _finite(value: Any) -> Any:
    """``value`` with every number that is not finite (an unbounded deadline) written as null: strict JSON."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value


class Scorer:
    def __init__(self, plan: Plan):
        self.plan = plan
        self.checks = [compile_check(req, plan) for req in plan.requirements]

    def results(self, log: EventLog, incident_type: str, now: float | None = None,
                observed: frozenset[str] | None = None) -> list[RequirementResult]:
        """Every requirement checked on ``log``; with ``now``, on a log that ends at ``now``; with
        ``observed``, a requirement whose roles nobody watched is not evaluated (see :meth:`score`);
        one that does not apply (its condition did not hold, its trigger did not occur) stays so."""
        view = LogView(log, self.plan, incident_type, now)
        if observed is None:
            return [check(view) for check in self.checks]
        results = [check(view) for check in self.checks]
        return [r if r.outcome is Outcome.NOT_APPLICABLE else check.unobserved(observed) or r
                for check, r in zip(self.checks, results, strict=True)]

    def overall(self, results: list[RequirementResult]) -> float | None:
        """The score out of 100 alone (None: nothing applicable carries weight)."""
        return rate(results, {}, self.plan.scoring).score

    def score(self, log: EventLog, incident_type: str | None = None, now: float | None = None,
              flow: bool = True, observed: frozenset[str] | None = None) -> Scorecard:
        """The scorecard of one drill; ``flow=False`` leaves out the message-flow table (faster).

        With ``now`` (a minute of the log's ``t``), the drill is scored as of that moment: only rows
        at or before it count, and a requirement that can still be met is pending, left out of the
        score and the ratings.

        With ``observed`` (the role ids a real drill's evaluators watched), a requirement that judges
        what roles do of which none was watched — a deadline's responder, a report's sender, an order's
        actors, a prohibition's actor, the grading role — is not evaluated (unless it does not apply):
        unscored, and counted in the scorecard's ``coverage``. Without it (a simulation) everything was seen.
        """
        plan = self.plan
        incident_type = incident_type or log.meta.get("type")
        if incident_type not in plan.incident_types:
            raise ValueError(f"incident type {incident_type!r} is not one of the plan's: "
                             f"{', '.join(plan.incident_types)}")
        if now is not None:
            log = replace(log, rows=[row for row in log.rows if row.t <= now])
        results = self.results(log, incident_type, now, observed)
        rated = rate(results, plan.capabilities, plan.scoring)
        return Scorecard(plan.id, plan.title, incident_type, results, rated.capabilities, rated.score,
                         rated.rating, rated.capped, dict(log.meta), message_flow(log, plan) if flow else [],
                         list(log.warnings), now, observed)
