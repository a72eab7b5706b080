"""A drill against the model: placements, the unlikely rule and its thresholds, runs read back from a folder."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import drillsim
from drillsim.model_check import (
    HIGH,
    LOW,
    MIN_RUNS,
    RARE_MISS,
    Placement,
    against_model,
    is_unlikely,
    place,
    place_miss,
    runs_from_folder,
    unlikely,
)
from drillsim.spec.errors import InputError

ROOT = Path(__file__).resolve().parent.parent
REPS = 12


@pytest.fixture(scope="module")
def drill():
    plan = drillsim.load_plan("counter-robbery")
    scenario = drillsim.load_scenario("robbers-flee", plan)
    runs = drillsim.replicate(plan, scenario, reps=REPS, seed=3)
    return plan, scenario, runs


@pytest.fixture(scope="module")
def real_card(drill, tmp_path_factory):
    plan = drill[0]
    return drillsim.score_drill(plan, ROOT / "examples" / "drill-log-robbery.csv", tmp_path_factory.mktemp("d"),
                                "armed_robbery").scorecard


def test_the_thresholds_of_the_rule():
    assert (LOW, HIGH, RARE_MISS, MIN_RUNS) == (0.025, 0.975, 0.05, 40)


@pytest.mark.parametrize(("percentile", "runs", "expected"), [
    (0.024, 40, True), (0.025, 40, False), (0.5, 40, False), (0.975, 40, False), (0.976, 40, True),
    (0.0, 39, False), (1.0, 39, False), (0.0, 40, True), (1.0, 1000, True),
])
def test_a_latency_is_unlikely_outside_the_simulated_range_with_enough_runs(percentile, runs, expected):
    assert is_unlikely(percentile, runs) is expected


@pytest.mark.parametrize(("misses", "runs", "expected"), [
    (1, 40, True),     # 2.5 % of runs miss it
    (2, 40, False),    # 5 %: not under 5 %
    (0, 40, True), (0, 39, False), (4, 100, True), (5, 100, False),
])
def test_a_miss_is_unlikely_when_the_model_misses_in_under_five_percent(misses, runs, expected):
    outcomes = pd.Series(["missed"] * misses + ["met"] * (runs - misses) + ["not_applicable"] * 7)
    p = place_miss("R", outcomes, np.full(len(outcomes), np.nan))
    assert p.runs == runs and math.isinf(p.observed) and p.missed
    assert p.miss_share == pytest.approx(misses / runs)
    assert p.unlikely is expected


def test_a_latency_is_placed_among_the_runs_that_had_one_ties_counting_half():
    p = place("ROB-03", 2.0, np.array([1.0, 2.0, 3.0, 4.0, np.nan]))
    assert p == Placement("ROB-03", 2.0, 0.375, 4, 2.5, pytest.approx(1.15), pytest.approx(3.85), False)
    assert place("R", 0.0, np.zeros(50)).percentile == 0.5
    assert place("R", 5.0, np.arange(40.0)).percentile == pytest.approx(5.5 / 40)
    slow = place("R", 99.0, np.arange(40.0))
    assert slow.percentile == 1.0 and slow.unlikely


def test_the_sentences():
    assert (Placement("ROB-03", 14.0, 0.88, 200, 9.0, 4.0, 16.0, False).text
            == "ROB-03 took 14 min: slower than 88 % of 200 simulated runs (median 9 min, 90 % within 4 min–16 min)")
    fast = Placement("ROB-03", 0.5, 0.01, 200, 9.0, 4.0, 16.0, True)
    assert fast.sentence("报告上级机构") == (
        "报告上级机构 took 30 s: faster than 99 % of 200 simulated runs (median 9 min, 90 % within 4 min–16 min) "
        "— unlikely under the model")
    few = Placement("ROB-03", 14.0, 1.0, 12, 9.0, 4.0, 10.0, False)
    assert few.text.endswith("slower than 100 % of 12 simulated runs (median 9 min, 90 % within 4 min–10 min); "
                             "too few runs to say whether that is unlikely")
    miss = Placement("ROB-05", math.inf, 0.99, 100, 3.0, 1.0, 6.0, True)
    assert miss.text == "ROB-05 was missed: the model misses it in 2 % of 100 runs — unlikely under the model"
    assert Placement("R", 3.0, math.nan, 0, math.nan, math.nan, math.nan, False).text == (
        "R took 3 min: no simulated run to compare with")


def test_every_observed_latency_and_every_miss_of_a_real_drill_is_placed(drill, real_card):
    plan, scenario, runs = drill
    placements = against_model(plan, scenario, real_card, runs=runs.results)
    expected = [r.id for r in real_card.results if r.latency is not None or r.outcome.value == "missed"]
    assert [p.requirement for p in placements] == expected and expected
    by_id = {r.id: r for r in real_card.results}
    for p in placements:
        sim = runs.results[runs.results["requirement"] == p.requirement]["latency_min"].dropna().to_numpy()
        if p.missed:
            assert by_id[p.requirement].latency is None
            continue
        assert p.observed == by_id[p.requirement].latency
        assert p.runs == len(sim) <= REPS
        if not p.runs:
            assert math.isnan(p.percentile) and p.text.endswith("no simulated run to compare with")
            continue
        assert p.percentile == pytest.approx((np.sum(sim < p.observed) + 0.5 * np.sum(sim == p.observed)) / len(sim))
        assert not p.unlikely  # too few runs to say
    assert unlikely(placements) == []


def test_simulated_on_request_and_reproducible(drill, real_card):
    plan, scenario, runs = drill
    simulated = against_model(plan, scenario, real_card, reps=REPS, seed=3)
    assert simulated == against_model(plan, scenario, real_card, runs=runs.results)
    assert simulated == against_model(plan, scenario, real_card, reps=REPS, seed=3)
    assert simulated != against_model(plan, scenario, real_card, reps=REPS, seed=4)


def test_a_scorecard_of_another_plan_or_runs_without_the_columns_are_refused(drill, real_card):
    plan, scenario, runs = drill
    other = drillsim.load_plan("power-outage")
    with pytest.raises(ValueError, match="the scorecard is of plan 'counter-robbery', not 'power-outage'"):
        against_model(other, scenario, real_card, runs=runs.results)
    with pytest.raises(ValueError, match="lack the column"):
        against_model(plan, scenario, real_card, runs=runs.results.drop(columns=["latency_min"]))


def test_runs_read_back_from_a_many_run_folder(drill, real_card, tmp_path):
    plan, scenario, runs = drill
    runs.write(tmp_path, examples=0)
    frame = runs_from_folder(tmp_path, plan, scenario)
    pd.testing.assert_frame_equal(frame.astype({"requirement": str, "outcome": str}),
                                  runs.results.astype({"requirement": str, "outcome": str}))
    assert against_model(plan, scenario, real_card, runs=frame) == against_model(plan, scenario, real_card,
                                                                                  runs=runs.results)


def test_a_folder_that_is_not_this_drills_many_runs_is_named(drill, tmp_path):
    plan, scenario, runs = drill
    with pytest.raises(InputError, match=re.escape(f"{tmp_path}: is not the output of a many-run drill")):
        runs_from_folder(tmp_path, plan, scenario)
    runs.write(tmp_path, examples=0)
    other = drillsim.load_scenario("armed-robbery-injured", plan)
    with pytest.raises(InputError, match=re.escape(f"{tmp_path}: holds runs of scenario 'robbers-flee', not "
                                                   "'armed-robbery-injured'")):
        runs_from_folder(tmp_path, plan, other)
    with pytest.raises(InputError, match="holds runs of plan 'counter-robbery', not 'power-outage'"):
        runs_from_folder(tmp_path, drillsim.load_plan("power-outage"), scenario)
    changed = scenario.model_copy(update={"horizon": scenario.horizon + 1})
    with pytest.raises(InputError, match="was run with another version of scenario 'robbers-flee'"):
        runs_from_folder(tmp_path, plan, changed)
    (tmp_path / "summary.json").unlink()
    with pytest.raises(InputError, match="holds an unfinished run"):
        runs_from_folder(tmp_path, plan, scenario)
    batch = json.loads((tmp_path / "batch.json").read_text("utf-8"))
    batch["configurations"] *= 2
    (tmp_path / "batch.json").write_text(json.dumps(batch), "utf-8")
    with pytest.raises(InputError, match=r"batch\.json: is not the record of one drill's many runs"):
        runs_from_folder(tmp_path, plan, scenario)
