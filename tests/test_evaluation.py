"""What an evaluator adds to a scorecard: overrides kept beside the proposal, honest coverage, the
Improvement Plan's first rows."""

import re

import pytest

from drillsim.scoring.evaluation import Evaluation, Exercise, RatingOverride
from drillsim.scoring.outcomes import Outcome
from drillsim.scoring.scorecard import Scorer
from tests.conftest import make_log


def _card(plan, *outcomes):
    card = Scorer(plan).score(make_log((0, "inject", "robbers-enter")))
    one = card.results[0]
    card.results = [one._replace(id=f"R{i}", outcome=o) for i, o in enumerate(outcomes)]
    return card


def test_a_requirement_nobody_observed_counts_in_the_coverage_as_not_evaluated(robbery_plan):
    card = _card(robbery_plan, Outcome.MET, Outcome.NOT_EVALUATED, Outcome.NOT_APPLICABLE, Outcome.NOT_EVALUATED,
                 Outcome.MISSED)
    cover = Evaluation(card, Exercise("drill")).coverage
    assert (cover.evaluated, cover.total, cover.not_evaluated) == (3, 5, ("R1", "R3"))
    assert cover.share == 0.6


def test_an_override_stands_beside_the_proposed_rating(robbery_plan):
    card = Scorer(robbery_plan).score(make_log((0, "inject", "robbers-enter")))
    first = card.capabilities[0]
    override = RatingOverride(first.id, "S", "the guard acted at once; the log sheet missed it", by="王评估")
    ev = Evaluation(card, Exercise("drill"), {first.id: override})
    rating = next(r for r in ev.ratings if r.capability == first.id)
    assert (rating.proposed, rating.rating, rating.override) == (first.rating, "S", override)
    assert all(r.rating == r.proposed for r in ev.ratings if r.capability != first.id)


@pytest.mark.parametrize("kw, message", [
    (dict(rating="X", justification="why"), "is not one of P, S, M, U"),
    (dict(rating="P", justification="  "), "needs a written justification"),
])
def test_an_override_needs_a_rating_and_a_justification(kw, message):
    with pytest.raises(ValueError, match=message):
        RatingOverride("cap", **kw)


def test_an_override_of_an_unknown_capability_is_refused(robbery_plan):
    card = Scorer(robbery_plan).score(make_log((0, "inject", "robbers-enter")))
    known = ", ".join(sorted(c.id for c in card.capabilities))
    with pytest.raises(ValueError, match=re.escape(f"override of 'nope': the plan has no such capability ({known})")):
        Evaluation(card, Exercise("drill"), {"nope": RatingOverride("nope", "P", "why")})


def test_the_improvement_plan_has_one_item_per_failed_or_late_requirement(robbery_plan):
    outcomes = list(Outcome)
    ev = Evaluation(_card(robbery_plan, *outcomes), Exercise("drill"))
    items = {i.requirement for i in ev.improvement_items()}
    assert items == {f"R{i}" for i, o in enumerate(outcomes)
                     if o in (Outcome.MISSED, Outcome.INCOMPLETE, Outcome.VIOLATED, Outcome.LATE)}
    item = ev.improvement_items()[0]
    assert item.issue.endswith(ev.card.results[0].clause) and not item.owner and item.due is None


def test_an_improvement_item_names_the_requirement_its_outcome_its_detail_and_its_clause(robbery_plan):
    card = _card(robbery_plan, Outcome.LATE, Outcome.MISSED)
    card.results[0] = card.results[0]._replace(detail="late by 2m00s")
    card.results[1] = card.results[1]._replace(detail="")
    late, missed = Evaluation(card, Exercise("drill")).improvement_items()
    r = card.results[0]
    assert late.issue == f"{r.title} (late: late by 2m00s) — {r.clause}"
    assert missed.issue == f"{r.title} (missed) — {r.clause}"
    assert (late.requirement, late.capability) == ("R0", r.capability)
