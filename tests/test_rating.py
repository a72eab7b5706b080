import pytest

from drillsim.scoring.outcomes import Outcome, RequirementResult
from drillsim.scoring.rating import overall_score, rate_capability
from drillsim.spec.plan import ScoringRules

RULES = ScoringRules()


def res(credit, outcome=Outcome.MET, weight=1.0, critical=False):
    return RequirementResult("R", "deadline", "t", "c", "cap", weight, critical, outcome, credit)


@pytest.mark.parametrize(("credits", "rating"), [
    ([1, 1, 1], "P"), ([1, 1, 0.5, 1], "S"), ([1, 0, 0.5, 1], "M"), ([0, 0, 1], "U"), ([0.9], "P"), ([0.7], "S"),
])
def test_bands(credits, rating):
    results = [res(c, Outcome.MET if c == 1 else Outcome.LATE) for c in credits]
    assert rate_capability("cap", "n", results, RULES).rating == rating


def test_weights_count():
    results = [res(1, weight=9), res(0, Outcome.MISSED, weight=1)]
    assert rate_capability("cap", "n", results, RULES).performance == pytest.approx(0.9)


def test_critical_failure_limits_rating_to_m():
    results = [res(1, weight=20), res(0, Outcome.MISSED, critical=True)]
    c = rate_capability("cap", "n", results, RULES)
    assert c.performance > 0.9 and c.rating == "M" and c.critical_failed


def test_not_applicable_is_left_out():
    results = [res(1), res(0, Outcome.NOT_APPLICABLE)]
    assert rate_capability("cap", "n", results, RULES).performance == 1
    assert rate_capability("cap", "n", [res(0, Outcome.NOT_APPLICABLE)], RULES).rating is None


def test_overall_score_cap():
    assert overall_score([res(1, weight=9), res(0, Outcome.MISSED, critical=True)], RULES) == (59.0, True)
    assert overall_score([res(1), res(0.5, Outcome.LATE, critical=True)], RULES) == (75.0, False)
