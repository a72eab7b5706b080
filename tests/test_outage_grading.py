"""P2: the grade of a running outage rises with its duration and scope; the highest level applies."""

import pytest

import drillsim
from drillsim.scoring.outcomes import Outcome
from drillsim.sim.engine import run_replication
from drillsim.sim.model import build_model
from drillsim.spec.scenario import parse_scenario

PLAN = drillsim.load_plan("it-incident-grading")


def outage(provinces: int, hours: float) -> dict:
    return {
        "schema": "drillsim.scenario/1", "id": "t", "title": "t", "plan": "it-incident-grading",
        "start": "2026-06-15T10:00:00+08:00", "horizon": "20h", "branches": [{"id": "datacentre"}],
        "incident": {"type": "system_outage"},
        "injects": [
            {"id": "down", "at": 5, "facts": {"outage": True, "provinces": provinces}},
            {"id": "up", "after": "down", "at": f"{hours}h", "facts": {"outage": False}},
        ],
        "parameters": {"human": {"omission": {"default": 0.0}}},
    }


CASES = [  # provinces, hours of outage, the level the rules give at the end
    (1, 0.49, None), (1, 0.51, "III"), (1, 2.9, "III"), (1, 3.1, "II"), (1, 5.9, "II"), (1, 6.1, "I"),
    (2, 0.49, None), (2, 0.51, "II"), (2, 2.9, "II"), (2, 3.1, "I"),
]


@pytest.mark.parametrize(("provinces", "hours", "expected"), CASES)
def test_rules_at_the_thresholds(provinces, hours, expected):
    facts = {"outage": False, "outage_hours": hours, "provinces": provinces, "in_service_hours": True,
             "harm": 0, "potential": 0}
    rank = PLAN.grade(facts, "system_outage")
    assert rank == (PLAN.level_rank[expected] if expected else 0)


@pytest.mark.parametrize(("provinces", "hours", "expected"), CASES)
def test_a_running_outage_is_regraded_as_it_grows(provinces, hours, expected):
    model = build_model(PLAN, parse_scenario(outage(provinces, hours), PLAN))
    log = run_replication(model, 1)
    levels = [r.what for r in log.rows if r.event == "level"]
    assert (levels[-1] if levels else None) == expected
    # the grade only rises while the outage runs, and each step is a level of the rules
    ranks = [PLAN.level_rank[x] for x in levels]
    assert ranks == sorted(ranks)
    card = drillsim.score(PLAN, log)
    classification = next(r for r in card.results if r.id == "IT-02")
    assert classification.outcome in ((Outcome.MET,) if expected else (Outcome.NOT_APPLICABLE,))


def test_the_clock_is_logged_at_each_mark_and_at_the_end():
    log = run_replication(build_model(PLAN, parse_scenario(outage(1, 4.0), PLAN)), 1)
    clock = [(round(r.t, 6), r.value) for r in log.rows if r.event == "fact" and r.what == "outage_hours"]
    start = 5.0
    assert clock == [(start + 30, 0.5), (start + 180, 3), (round(start + 240, 6), 4.0)]


def test_highest_level_applies_when_several_match():
    facts = {"outage": True, "outage_hours": 1.0, "provinces": 1, "in_service_hours": True, "harm": 3,
             "potential": 0}
    assert PLAN.grade(facts, "system_outage") == PLAN.level_rank["I"]  # harm says I, duration says III
