"""Scored drills for the history's tests: simulated robberies of plan counter-robbery, each given the
exercise (name, date, branch) an evaluator would record."""

from __future__ import annotations

from datetime import date
from functools import cache

import drillsim
from drillsim.scoring.evaluation import Evaluation, Exercise, RatingOverride

PLAN, SCENARIO = "counter-robbery", "armed-robbery-injured"
# what the seeds give (see test_the_seeds_give_the_outcomes_the_tests_rest_on)
MET_ROB_12, FAILS_ROB_12, FAILS_ROB_04 = 0, 1, 2


@cache
def plan():
    return drillsim.load_plan(PLAN)


@cache
def _model():
    return drillsim.build(plan(), drillsim.load_scenario(SCENARIO, plan()))


@cache
def log(seed: int):
    return drillsim.simulate(_model(), seed=seed)


def evaluation(seed: int, day: str = "2026-03-12", branch: str = "北京分行", name: str = "季度防抢劫演练",
               overrides: dict[str, tuple[str, str]] | None = None) -> Evaluation:
    card = drillsim.score(plan(), log(seed))
    given = {cid: RatingOverride(cid, rating, why, by="王评估") for cid, (rating, why) in (overrides or {}).items()}
    return Evaluation(card, Exercise(name, date.fromisoformat(day), branch), given)


def record(history, seed: int, **exercise) -> str:
    return history.record(plan(), log(seed), evaluation(seed, **exercise)).key
