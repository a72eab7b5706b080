"""From requirement results to capability ratings (HSEEP P/S/M/U) and an overall score.

The rule, also in docs/scoring.md:

* a capability's *performance* is the weighted share of credit over its applicable requirements;
* its rating is P (performed without challenges) at or above the plan's P band (default 0.9),
  S (some challenges) at or above the S band (0.7), M (major challenges) at or above the M band
  (0.4), and U (unable to be performed) below that;
* a capability in which a critical requirement failed (missed, incomplete or violated) is rated
  no better than M;
* the overall score is 100 × the weighted share of credit over all applicable requirements, capped
  at the plan's ``critical_cap`` (default 59) when any critical requirement failed, and rated on
  the same bands.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from drillsim.spec.plan import ScoringRules

from .outcomes import FAILURES, UNSCORED, RequirementResult

RATINGS = ("P", "S", "M", "U")
RATING_NAMES = {
    "P": "Performed without challenges",
    "S": "Performed with some challenges",
    "M": "Performed with major challenges",
    "U": "Unable to be performed",
}


class CapabilityRating(NamedTuple):
    id: str
    name: str
    rating: str | None
    performance: float | None
    applicable: int
    critical_failed: bool


def band(share: float, rules: ScoringRules) -> str:
    for rating in ("P", "S", "M"):
        if share >= rules.bands[rating] - 1e-12:
            return rating
    return "U"


def tally(results: Sequence[RequirementResult]) -> tuple[float | None, int, bool]:
    """In one pass: the weighted share of credit over the applicable results (None: no weight), how
    many are applicable, and whether a critical one failed."""
    total = earned = applicable = 0
    failed = False
    for r in results:
        outcome = r.outcome  # (``applicable`` and ``failed_critical``, read without their calls)
        if outcome not in UNSCORED:
            total += r.weight
            earned += r.weight * r.credit
            applicable += 1
            if r.critical and outcome in FAILURES:
                failed = True
    return (None if total == 0 else earned / total), applicable, failed


def rate_capability(cid: str, name: str, results: Sequence[RequirementResult], rules: ScoringRules) -> CapabilityRating:
    share, applicable, failed = tally(results)
    if share is None:
        return CapabilityRating(cid, name, None, None, 0, False)
    rating = band(share, rules)
    if failed and RATINGS.index(rating) < RATINGS.index("M"):
        rating = "M"
    return CapabilityRating(cid, name, rating, share, applicable, failed)


def rate_capabilities(results: Sequence[RequirementResult], capabilities: dict[str, str],
                      rules: ScoringRules) -> list[CapabilityRating]:
    """Every capability's rating, in the order of ``capabilities`` (id -> name), each on its own results."""
    by_capability: dict[str, list[RequirementResult]] = {cid: [] for cid in capabilities}
    for r in results:
        by_capability[r.capability].append(r)
    return [rate_capability(cid, name, by_capability[cid], rules) for cid, name in capabilities.items()]


def overall_score(results: Sequence[RequirementResult], rules: ScoringRules) -> tuple[float | None, bool]:
    """Score out of 100, and whether the critical cap applied."""
    share, _, failed = tally(results)
    if share is None:
        return None, False
    score = 100 * share
    capped = failed and score > rules.critical_cap
    return (rules.critical_cap if capped else score), capped
