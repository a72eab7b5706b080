import pytest

from drillsim.scoring.outcomes import Outcome, RequirementResult
from drillsim.scoring.rating import rate
from drillsim.spec.plan import ScoringRules

RULES = ScoringRules()
ONE = {"cap": "n"}


def res(credit, outcome=Outcome.MET, weight=1.0, critical=False, capability="cap"):
    return RequirementResult("R", "deadline", "t", "c", capability, weight, critical, outcome, credit)


def capability(results, rules=RULES):
    (rated,) = rate(results, ONE, rules).capabilities
    return rated


@pytest.mark.parametrize(("credits", "rating"), [
    ([1, 1, 1], "P"), ([1, 1, 0.5, 1], "S"), ([1, 0, 0.5, 1], "M"), ([0, 0, 1], "U"), ([0.9], "P"), ([0.7], "S"),
    ([0.4], "M"), ([0.39], "U"), ([0.69], "M"), ([0.89], "S"),
])
def test_bands(credits, rating):
    results = [res(c, Outcome.MET if c == 1 else Outcome.LATE) for c in credits]
    assert capability(results).rating == rating
    assert rate(results, ONE, RULES).rating == rating


def test_weights_count():
    results = [res(1, weight=9), res(0, Outcome.MISSED, weight=1)]
    assert capability(results).performance == pytest.approx(0.9)
    assert capability(results).applicable == 2
    assert rate(results, ONE, RULES).score == pytest.approx(90)


def test_critical_failure_limits_rating_to_m():
    results = [res(1, weight=20), res(0, Outcome.MISSED, critical=True)]
    c = capability(results)
    assert c.performance > 0.9 and c.rating == "M" and c.critical_failed


def test_a_critical_failure_does_not_raise_a_rating_below_m():
    c = capability([res(0.5, Outcome.LATE), res(0, Outcome.MISSED, critical=True)])
    assert (c.rating, c.critical_failed) == ("U", True)


def test_a_critical_requirement_late_is_not_a_failure():
    rated = rate([res(1, weight=20), res(0.5, Outcome.LATE, critical=True)], ONE, RULES)
    assert (rated.rating, rated.critical_failed, rated.capped, rated.capabilities[0].rating) == ("P", False, False, "P")


@pytest.mark.parametrize("outcome", [Outcome.NOT_APPLICABLE, Outcome.PENDING, Outcome.NOT_EVALUATED])
def test_unscored_results_are_left_out(outcome):
    assert capability([res(1), res(0, outcome)]).performance == 1
    assert capability([res(1), res(0, outcome)]).applicable == 1
    alone = capability([res(0, outcome, critical=True)])
    assert (alone.rating, alone.performance, alone.applicable, alone.critical_failed) == (None, None, 0, False)
    assert rate([res(0, outcome, critical=True)], ONE, RULES)[:4] == (None, None, False, False)


def test_overall_score_cap():
    capped = rate([res(1, weight=9), res(0, Outcome.MISSED, critical=True)], ONE, RULES)
    assert (capped.score, capped.capped, capped.critical_failed, capped.rating) == (59.0, True, True, "M")
    assert rate([res(1), res(0.5, Outcome.LATE, critical=True)], ONE, RULES)[:3] == (75.0, "S", False)
    below = rate([res(0.5, Outcome.LATE), res(0, Outcome.MISSED, critical=True)], ONE, RULES)
    assert (below.score, below.capped, below.critical_failed) == (25.0, False, True)


def test_the_overall_rating_is_no_better_than_m_after_a_critical_failure():
    lenient = ScoringRules(critical_cap=95)
    rated = rate([res(1, weight=99), res(0, Outcome.MISSED, critical=True)], ONE, lenient)
    assert (rated.score, rated.capped, rated.rating) == (95.0, True, "M")


def test_each_capability_is_rated_on_its_own_results_and_the_score_on_all():
    results = [res(1, capability="a"), res(0, Outcome.MISSED, capability="b"), res(1, capability="elsewhere")]
    rated = rate(results, {"b": "B", "a": "A", "none": "N"}, RULES)
    assert [(c.id, c.name, c.rating, c.performance) for c in rated.capabilities] == [
        ("b", "B", "U", 0.0), ("a", "A", "P", 1.0), ("none", "N", None, None)]
    assert rated.score == pytest.approx(200 / 3)
    assert rate(results, {}, RULES).score == rated.score and rate(results, {}, RULES).capabilities == []


def test_a_share_short_of_a_band_by_no_more_than_rounding_reaches_it():
    # 0.9 written as a sum of credits may come out a hair below 0.9: within 1e-12 it is P, beyond it S
    assert capability([res(0.9 - 1e-12, Outcome.INCOMPLETE)]).rating == "P"
    assert capability([res(0.9 - 3e-12, Outcome.INCOMPLETE)]).rating == "S"
