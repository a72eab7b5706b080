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
  the same bands, no better than M after a critical failure.
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


class Rating(NamedTuple):
    """A drill's rating: its score out of 100 (None: no applicable requirement carries weight), the
    score's band, whether the critical cap lowered the score, whether a critical requirement failed,
    and each capability's rating."""

    score: float | None
    rating: str | None
    capped: bool
    critical_failed: bool
    capabilities: list[CapabilityRating]


def rate(results: Sequence[RequirementResult], capabilities: dict[str, str], rules: ScoringRules) -> Rating:
    """The rule above, in one pass over ``results``: the overall score and rating, and the rating of each
    capability of ``capabilities`` (id -> name, in that order; none: the score alone) on its own results."""
    sums = {cid: [0.0, 0.0, 0, False] for cid in capabilities}  # weight, earned, applicable, critical failed
    total = earned = 0.0
    failed = False
    for r in results:
        outcome = r.outcome  # (``applicable`` and ``failed_critical``, read without their calls)
        if outcome in UNSCORED:
            continue
        weight = r.weight
        credit = weight * r.credit
        total += weight
        earned += credit
        critical_failed = r.critical and outcome in FAILURES
        failed = failed or critical_failed
        s = sums.get(r.capability)
        if s is not None:
            s[0] += weight
            s[1] += credit
            s[2] += 1
            s[3] = s[3] or critical_failed
    rated = [_capability(cid, name, *sums[cid], rules) for cid, name in capabilities.items()]
    if total == 0:
        return Rating(None, None, False, failed, rated)
    score = 100 * (earned / total)
    capped = failed and score > rules.critical_cap
    if capped:
        score = rules.critical_cap
    return Rating(score, _no_better_than_m(band(score / 100, rules), failed), capped, failed, rated)


def _capability(cid: str, name: str, weight: float, earned: float, applicable: int, failed: bool,
                rules: ScoringRules) -> CapabilityRating:
    if weight == 0:
        return CapabilityRating(cid, name, None, None, 0, False)
    share = earned / weight
    return CapabilityRating(cid, name, _no_better_than_m(band(share, rules), failed), share, applicable, failed)


def _no_better_than_m(rating: str, critical_failed: bool) -> str:
    return "M" if critical_failed and rating in ("P", "S") else rating
