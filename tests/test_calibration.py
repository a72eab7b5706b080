"""Calibration from the drill history (docs/calibration.md): a history made from known parameters is
recovered within the intervals; dropping the drills not done by their end biases the fit; the overlay
it writes is what --params reads; the data are read from the history as the docs say."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
import yaml

import drillsim
from drillsim.calibration import (
    EPS,
    SANDWICH_DRILLS,
    Options,
    Simulated,
    _cdf,
    calibrate,
    design_points,
    drill_log_likelihoods,
    fit_quadratic,
    pit,
    posterior_step,
)
from drillsim.history.observations import MINUTE, SECOND, Observation, drill_observations, observations, resolution
from drillsim.history.store import History
from drillsim.spec.errors import InputError
from drillsim.synthetic_drills import synthetic_history
from tests.clirun import drillsim as cli

PLAN, SCENARIO = "counter-robbery", "armed-robbery-injured"
TRUTH = {"reaction": 2.0, "latency:phone": 1.0}
"""People react twice as slowly as the default says (lognormal median 15 s, p90 1 min); the phone is as
the default says."""
DRILLS, REPS = 60, 200


def _overlay(tmp_path, values: dict, plan: str = PLAN):
    path = tmp_path / "params.yaml"
    path.write_text(yaml.safe_dump({"schema": "drillsim.overlay/1", "plan": plan, "set": values}), "utf-8")
    return path


@pytest.fixture(scope="module")
def history(tmp_path_factory):
    """60 drills of the demo with people reacting twice as slowly, each stopped 0.3 to 2 min in: the first
    history of benchmarks/calibration_recovery.py, which measures how often the intervals hold the
    truth over many (docs/calibration.md)."""
    folder = tmp_path_factory.mktemp("calibration")
    true = _overlay(folder, {"scenario.parameters.human.reaction": {"lognormal": {"median": 0.5, "p90": 2.0}}})
    plan = drillsim.load_plan(PLAN)
    db = folder / "history.sqlite"
    synthetic_history(plan, drillsim.load_scenario(SCENARIO, plan, true), db, DRILLS, seed=1000)
    return db


@pytest.fixture(scope="module")
def fitted(history):
    return calibrate(PLAN, history, Options(reps=REPS, workers=1))


@pytest.fixture(scope="module")
def naive(history):
    return calibrate(PLAN, history, Options(reps=REPS, workers=1, censoring=False))


def test_calibration_recovers_the_known_parameters_within_their_intervals(fitted):
    got = {p.factor.id: p for p in fitted.parameters}
    assert set(got) == set(TRUTH)  # what the drills' requirements exercise: reaction and the phone
    for fid, truth in TRUTH.items():
        lo, hi = got[fid].interval
        assert lo <= truth <= hi, (fid, got[fid].multiplier, lo, hi)
    assert got["reaction"].interval[0] > 1.3  # the drills moved it well away from the default
    assert {f.id for f in fitted.unexercised} >= {"handling", "travel:police"}
    censored = [o for o in fitted.observations if o.censored]
    assert 0.25 < len(censored) / len(fitted.observations) < 0.6


def test_dropping_the_drills_not_done_by_their_end_fits_too_fast(fitted, naive):
    fast = {p.factor.id: p for p in naive.parameters}["reaction"]
    right = {p.factor.id: p for p in fitted.parameters}["reaction"]
    assert fast.interval[1] < TRUTH["reaction"]  # the truth is outside the naive interval
    assert fast.multiplier < 0.8 * right.multiplier  # more than 20 % too fast
    assert not any(o.censored for o in naive.observations)


def test_the_calibrated_model_explains_the_drills_and_the_default_does_not(fitted):
    assert fitted.ks(fitted.pit_before) < 0.01
    assert fitted.ks(fitted.pit_after) > 0.05
    assert len(fitted.pit_after) == len(fitted.observations)
    assert np.all((fitted.pit_after >= 0) & (fitted.pit_after <= 1))


@pytest.mark.parametrize("drills, at_most, at_least", [(2, 0.3, 0.0), (20, 1.0, 0.6)])
def test_the_prior_yields_to_the_data_as_drills_accumulate(drills, at_most, at_least):
    """The likelihood of ``drills`` drills, each of unit curvature and all saying θ = ln 2, against the
    prior (the default right within a factor 2): two drills move θ a little, twenty a lot."""
    tau = Options().tau
    best = math.log(2)
    step, cov = posterior_step(np.zeros(1), np.array([drills * best]), np.array([[-float(drills)]]), tau, 10.0)
    share = step[0] / best
    assert at_least <= share <= at_most
    assert share == pytest.approx(drills / (drills + 1 / tau**2))
    assert cov[0, 0] == pytest.approx(1 / (drills + 1 / tau**2))


def test_observations_that_say_the_same_thing_twice_are_not_twice_the_evidence():
    """Forty drills, each with one observation, against the same drills with every observation there
    twice (two requirements timing one person's reaction): taken as independent, the doubled data
    look twice as sure; the drills' scores show they are not."""
    rng = np.random.default_rng(1)
    scores = rng.normal(size=(1, 40))
    once = posterior_step(np.zeros(1), scores.sum(axis=1), np.array([[-40.0]]), 10.0, 10.0, scores)
    twice = posterior_step(np.zeros(1), 2 * scores.sum(axis=1), np.array([[-80.0]]), 10.0, 10.0, 2 * scores)
    assert twice[1][0, 0] == pytest.approx(once[1][0, 0])
    assert twice[0][0] == pytest.approx(once[0][0])
    naive = posterior_step(np.zeros(1), 2 * scores.sum(axis=1), np.array([[-80.0]]), 10.0, 10.0)
    assert naive[1][0, 0] < 0.6 * twice[1][0, 0]
    assert SANDWICH_DRILLS == 10
    few = posterior_step(np.zeros(1), scores[:, :9].sum(axis=1), np.array([[-9.0]]), 10.0, 10.0, scores[:, :9])
    assert few[1][0, 0] == pytest.approx(1 / (9 + 1 / 100))  # under SANDWICH_DRILLS drills: not adjusted


def test_the_sandwich_is_the_curvature_squared_over_the_spread_of_the_drills_scores_about_their_mean():
    scores = np.array([[3.0, 1.0, 2.0, 4.0, 0.0, 2.0, 3.0, 1.0, 2.0, 2.0]])  # 10 drills, mean 2
    spread = ((scores - 2.0) ** 2).sum() * 10 / 9
    step, cov = posterior_step(np.array([0.3]), scores.sum(axis=1), np.array([[-6.0]]), 0.5, 10.0, scores)
    information = 36.0 / spread
    assert cov[0, 0] == pytest.approx(1 / (information + 4.0))
    # the likelihood's maximum stays where it was (0.3 + 20 / 6), the prior pulls towards 0
    assert step[0] == pytest.approx((information * (0.3 + 20 / 6)) / (information + 4.0) - 0.3)


def test_the_sandwich_centres_each_parameters_scores_on_its_own_mean():
    rng = np.random.default_rng(4)
    scores = rng.normal(size=(2, 12)) + np.array([[3.0], [-1.0]])
    hess = np.array([[-12.0, 2.0], [2.0, -8.0]])
    _, cov = posterior_step(np.zeros(2), scores.sum(axis=1), hess, 0.4, 10.0, scores)
    spread = np.cov(scores, ddof=1) * 12
    information = -hess @ np.linalg.inv(spread) @ -hess
    assert np.allclose(cov, np.linalg.inv(information + np.eye(2) / 0.4**2))


def test_a_step_is_bounded_by_the_trust_region_both_ways():
    up, _ = posterior_step(np.zeros(1), np.array([100.0]), np.array([[-1.0]]), 10.0, 0.8)
    down, _ = posterior_step(np.zeros(1), np.array([-100.0]), np.array([[-1.0]]), 10.0, 0.8)
    assert up[0] == 0.8 and down[0] == -0.8


def test_the_prior_pulls_an_estimate_away_from_the_default_back_towards_it():
    step, cov = posterior_step(np.array([0.5]), np.array([0.0]), np.array([[-4.0]]), 0.4, 10.0)
    prior = 1 / 0.4**2
    assert step[0] == pytest.approx(-0.5 * prior / (4.0 + prior)) and cov[0, 0] == pytest.approx(1 / (4.0 + prior))


def test_a_curvature_that_rises_is_taken_as_flat_and_its_slope_still_counts():
    step, cov = posterior_step(np.zeros(1), np.array([0.0]), np.array([[5.0]]), 0.5, 10.0)
    assert cov[0, 0] == pytest.approx(0.25) and step[0] == 0.0
    step, cov = posterior_step(np.zeros(1), np.array([2.0]), np.array([[5.0]]), 0.5, 10.0)
    assert cov[0, 0] == pytest.approx(0.25) and step[0] == pytest.approx(0.5)  # τ² × the slope
    scores = np.random.default_rng(2).normal(size=(1, 20)) + 0.1
    step, _ = posterior_step(np.zeros(1), scores.sum(axis=1), np.array([[5.0]]), 0.5, 10.0, scores)
    assert step[0] == pytest.approx(0.25 * scores.sum())  # so also with the drills' scores


def test_the_command_writes_an_overlay_that_run_reads(history, tmp_path):
    out = tmp_path / "cal"
    ran = cli("calibrate", PLAN, "--db", str(history), "--out", str(out), "--reps", "50", "--workers", "1",
              "--lang", "zh")
    assert ran.code == 0, ran.err
    for name in ("params.yaml", "calibration.json", "summary.md", "pit.png", "pit.svg"):
        assert (out / name).exists(), name
    assert "人员反应时间" in (out / "summary.md").read_text("utf-8")
    overlay = yaml.safe_load((out / "params.yaml").read_text("utf-8"))
    reaction = overlay["set"]["scenario.parameters.human.reaction"]["lognormal"]
    multiplier = next(p["multiplier"] for p in overlay["provenance"]["parameters"] if p["id"] == "reaction")
    # the default (median 15 s, p90 1 min) scaled by the multiplier: its shape is kept
    assert reaction == pytest.approx({"median": 0.25 * multiplier, "p90": 1.0 * multiplier}, rel=1e-3)
    used = {o["drill"] for o in json.loads((out / "calibration.json").read_text("utf-8"))["observations"]}
    assert {d["key"] for d in overlay["provenance"]["drills"]} == used
    assert len(overlay["provenance"]["drills"]) == DRILLS
    run = cli("run", PLAN, SCENARIO, "--params", str(out / "params.yaml"), "--out", str(tmp_path / "run"))
    assert run.code == 0, run.err
    again = cli("calibrate", PLAN, "--db", str(history), "--out", str(out), "--reps", "100")
    assert again.code == 2 and "--force" in again.err


def test_by_role_each_staff_roles_reaction_is_fitted_and_the_overlay_sets_it_for_that_role(history, tmp_path):
    result = calibrate(PLAN, history, Options(reps=50, iterations=1, workers=1, by_role=True))
    fitted = {p.factor.id for p in result.parameters}
    assert "reaction" not in fitted and {"reaction:teller", "reaction:cash_teller"} <= fitted
    overlay = result.overlay()["set"]
    assert "scenario.parameters.human.reaction_by_role.teller" in overlay
    path = tmp_path / "params.yaml"
    path.write_text(yaml.safe_dump(result.overlay(), allow_unicode=True), "utf-8")
    plan = drillsim.load_plan(PLAN)
    teller = drillsim.load_scenario(SCENARIO, plan, path).parameters.human.reaction_by_role["teller"]
    assert teller.to_data() == overlay["scenario.parameters.human.reaction_by_role.teller"]


def test_the_same_seed_gives_the_same_files_on_any_number_of_workers(history, tmp_path):
    files = []
    for workers in (1, 2):
        out = tmp_path / f"w{workers}"
        result = calibrate(PLAN, history, Options(reps=60, iterations=1, workers=workers))
        result.write(out)
        files.append([(out / n).read_bytes() for n in ("params.yaml", "calibration.json", "summary.md")])
    assert files[0] == files[1]


def test_a_dask_cluster_gives_the_same_calibration(history, tmp_path):
    from distributed import Client, LocalCluster

    options = Options(reps=50, iterations=1)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
            Client(cluster) as client:
        on_dask = calibrate(PLAN, history, Options(reps=50, iterations=1, scheduler=client)).overlay()
    assert on_dask == calibrate(PLAN, history, options).overlay()


def test_a_history_without_drills_of_the_plan_is_refused(history, tmp_path):
    with pytest.raises(InputError, match=r"no drill of plan .it-incident-grading. in the history"):
        calibrate("it-incident-grading", history, Options(reps=60))
    ran = cli("calibrate", PLAN, "--db", str(tmp_path / "none.sqlite"), "--out", str(tmp_path / "o"))
    assert ran.code == 2 and "none.sqlite" in ran.err and "Traceback" not in ran.err


def test_drills_of_another_scenario_are_named_as_not_used(history):
    with pytest.raises(InputError) as err:
        calibrate(PLAN, history, Options(reps=60, scenario="robbers-flee"))
    assert "synthetic drill 1 (2026-01-05): a drill of scenario 'armed-robbery-injured', not of " \
           "'robbers-flee' (--scenario)" in str(err.value)


# The pieces of the fit ----------------------------------------------------------------------------

def test_the_design_has_the_centre_two_steps_each_way_on_every_axis_and_the_diagonals_of_every_pair():
    for k in (1, 2, 3):
        u = design_points(k, 0.4)
        assert len(u) == 1 + 4 * k + 2 * k * (k - 1) and not u[0].any()
        assert np.abs(u).max() == pytest.approx(0.4) and np.allclose(u.sum(axis=0), 0)
        assert sorted({round(abs(x), 6) for x in u[1:1 + 4 * k].ravel()} - {0}) == [0.2, 0.4]
        assert np.allclose(np.linalg.norm(u[1 + 4 * k:], axis=1), 0.4)  # the diagonals as far out as the axes


def test_a_quadratic_through_the_design_is_recovered_exactly_per_drill_and_summed():
    u = design_points(2, 0.3)
    grads = np.array([[1.0, -2.0], [0.5, 3.0]])  # two drills, two parameters
    hess = [np.array([[-2.0, 0.5], [0.5, -1.0]]), np.array([[-1.0, -0.2], [-0.2, -3.0]])]
    y = np.column_stack([5 + u @ g + 0.5 * np.einsum("ni,ij,nj->n", u, h, u) for g, h in zip(grads, hess, strict=True)])
    got_grads, got_hess = fit_quadratic(u, y)
    assert np.allclose(got_grads, grads.T) and np.allclose(got_hess, hess[0] + hess[1])
    one_grad, one_hess = fit_quadratic(u, y[:, 0])
    assert np.allclose(one_grad, grads[0]) and np.allclose(one_hess, hess[0])


def test_the_smoothed_distribution_is_0_at_0_1_at_infinity_and_counts_what_was_never_done():
    sim = np.array([0.5, 1.0, 2.0, 4.0, math.inf, math.inf])
    at = np.array([-1.0, 0.0, 1e-9, 1.0, 100.0, math.inf])
    f = _cdf(sim, at)
    assert f[0] == 0.0 and f[1] == 0.0 and f[-1] == 1.0
    assert np.all(np.diff(f) >= 0) and f[4] == pytest.approx(4 / 6, abs=1e-6)  # never done: beyond any time
    assert np.all(_cdf(np.array([math.inf, math.inf]), np.array([1.0, math.inf])) == [0.0, 1.0])


def test_the_kernel_is_gaussian_on_log_latency_with_half_silvermans_bandwidth():
    from scipy.stats import norm

    sim = np.array([0.0, 0.2, 0.5, 0.7, 1.0, 1.5, 2.0, 3.0, 5.0, 8.0, math.inf])
    x = np.log(sim[:-1] + EPS)
    iqr = np.percentile(x, 75) - np.percentile(x, 25)
    h = 0.5 * 0.9 * min(np.std(x), iqr / 1.349) * len(x) ** -0.2
    at = np.array([0.3, 1.0, 4.0])
    want = [norm.cdf((np.log(a + EPS) - x) / h).sum() / len(sim) for a in at]
    assert np.allclose(_cdf(sim, at), want)
    # a single run, or runs all alike but one: no spread to read, so the bandwidth falls back to the
    # standard deviation, else to 0.05 (log scale)
    a_width_up = math.exp(math.log(2.0 + EPS) + 0.5 * 0.9 * 0.05) - EPS
    assert _cdf(np.array([2.0]), np.array([a_width_up]))[0] == pytest.approx(norm.cdf(1.0))
    alike = np.array([1.0] * 10 + [3.0])
    x = np.log(alike + EPS)
    h = 0.5 * 0.9 * np.std(x) * 11 ** -0.2
    assert _cdf(alike, np.array([1.5]))[0] == pytest.approx(norm.cdf((np.log(1.5 + EPS) - x) / h).sum() / 11)
    two = np.array([1.0, 3.0])
    x = np.log(two + EPS)
    h = 0.5 * 0.9 * min(np.std(x), (np.percentile(x, 75) - np.percentile(x, 25)) / 1.349) * 2 ** -0.2
    assert _cdf(two, np.array([2.0]))[0] == pytest.approx(norm.cdf((np.log(2.0 + EPS) - x) / h).sum() / 2)
    assert np.isnan(_cdf(np.array([]), np.array([1.0]))).all()


def test_each_drills_likelihood_sums_its_observations_and_an_impossible_one_costs_half_a_replication():
    sim = Simulated({("s", "R"): np.array([1.0] * 50 + [math.inf] * 50 + [math.nan] * 10)})
    obs = [Observation("d1", "e", "", "s", "R", 0.5, 1.5), Observation("d1", "e", "", "s", "R", 2.0, math.inf),
           Observation("d2", "e", "", "s", "R", 30.0, 31.0)]
    ll = drill_log_likelihoods(sim, obs, ["d2", "d1"], 100)
    assert ll[1] == pytest.approx(2 * math.log(0.5), abs=1e-3)  # half done near 1 min, half never
    assert ll[0] == pytest.approx(math.log(0.5 / 100))


def test_the_pit_is_uniform_when_the_drills_come_from_the_simulated_distribution():
    rng = np.random.default_rng(3)
    sim = Simulated({("s", "R"): rng.lognormal(0, 0.5, 2000)})
    drawn = rng.lognormal(0, 0.5, 400)
    obs = [Observation(f"d{i}", "e", "", "s", "R", x - 0.01, x + 0.01) for i, x in enumerate(drawn[:300])]
    obs += [Observation(f"c{i}", "e", "", "s", "R", 0.8, math.inf) for i, x in enumerate(drawn[300:]) if x > 0.8]
    u = pit(sim, obs, seed=0)
    from scipy import stats

    assert stats.kstest(u[:300], "uniform").pvalue > 0.05
    assert np.all(u[300:] >= _cdf(sim.of(("s", "R")), np.array([0.8]))[0] - 1e-12)
    slow = Simulated({("s", "R"): rng.lognormal(1, 0.5, 2000)})
    assert stats.kstest(pit(slow, obs[:300], seed=0), "uniform").pvalue < 1e-6
    # each observation its own draw, the same for the same seed; every requirement's observations
    twins = [Observation("a", "e", "", "s", "R", 0.5, 2.0), Observation("b", "e", "", "s", "R", 0.5, 2.0)]
    other = Simulated({("s", "R"): sim.latencies[("s", "R")], ("s", "Q"): sim.latencies[("s", "R")]})
    both = [*twins, Observation("c", "e", "", "s", "Q", 1.0, 1.1)]
    u = pit(other, both, seed=7)
    assert len(u) == 3 and u[0] != u[1] and np.array_equal(u, pit(other, both, seed=7))
    assert not np.array_equal(u, pit(other, both, seed=8))


def test_moves_is_the_median_change_in_log_latency_over_the_replications_done_in_both():
    a = Simulated({("s", "R"): np.array([1.0, 2.0, 3.0, math.inf, math.nan])})
    b = Simulated({("s", "R"): np.array([2.0, 4.0, 6.0, 1.0, 1.0])})
    assert a.moves(b, ("s", "R")) == pytest.approx(np.median(np.log(np.array([2.0, 4, 6]) + EPS)
                                                             - np.log(np.array([1.0, 2, 3]) + EPS)))
    assert a.moves(b, ("s", "other")) == 0.0
    assert a.moves(Simulated({}), ("s", "R")) == 0.0 and Simulated({}).moves(b, ("s", "R")) == 0.0
    never = Simulated({("s", "R"): np.array([math.inf] * 5)})
    assert a.moves(never, ("s", "R")) == 0.0  # no replication done in both
    assert a.median("s", "R") == pytest.approx(2.5) and math.isnan(a.median("s", "other"))


# What a drill in the history says ---------------------------------------------------------------

def _card(*requirements):
    return json.dumps({"requirements": [
        {"id": rid, "kind": kind, "outcome": outcome, "trigger_at_min": since, "latency_min": latency}
        for rid, kind, outcome, since, latency in requirements]})


DRILL = {"key": "k", "exercise": "e", "drill_date": "2026-03-12", "scenario": "s"}


def test_a_drill_typed_to_the_minute_gives_intervals_a_minute_wide_each_way():
    card = _card(("E", "order", "met", 3.0, 1.0), ("F", "deadline", "not_evaluated", 3.0, None),
                 ("D", "deadline", "not_applicable", None, None), ("A", "deadline", "met", 3.0, 2.0),
                 ("B", "deadline", "late", 3.0, 0.0), ("C", "deadline", "missed", 4.0, None),
                 ("G", "deadline", "missed", 8.5, None))
    obs = {o.requirement: o for o in drill_observations({**DRILL, "scorecard_json": card}, [3.0, 5.0, 9.0])}
    assert set(obs) == {"A", "B", "C", "G"}
    assert (obs["A"].low, obs["A"].high) == (1.0, 3.0)
    assert (obs["B"].low, obs["B"].high) == (0.0, 1.0)
    assert obs["C"].censored and obs["C"].low == 9.0 - 4.0 - MINUTE  # the trigger may be late in its minute
    assert obs["G"].censored and obs["G"].low == 0.0  # never below 0
    assert (obs["A"].drill, obs["A"].exercise, obs["A"].date, obs["A"].scenario) == ("k", "e", "2026-03-12", "s")


def test_a_drill_with_no_stamps_gives_a_censored_latency_of_at_least_nothing():
    card = _card(("C", "deadline", "missed", 0.0, None))
    (obs,) = drill_observations({**DRILL, "scorecard_json": card}, [])
    assert obs.censored and obs.low == 0.0


def test_a_drill_typed_to_the_second_gives_intervals_a_second_wide():
    card = _card(("A", "deadline", "met", 3.0, 2.5), ("C", "deadline", "missed", 3.0, None))
    obs = {o.requirement: o for o in drill_observations({**DRILL, "scorecard_json": card}, [3.0, 5.5, 7.25])}
    assert obs["A"].low == pytest.approx(2.5 - SECOND) and obs["A"].high == pytest.approx(2.5 + SECOND)
    assert obs["C"].low == pytest.approx(7.25 - 3.0 - SECOND) and math.isinf(obs["C"].high)


def test_the_history_gives_each_drills_observations_in_the_order_the_drills_were_held(tmp_path):
    plan = drillsim.load_plan(PLAN)
    keys = synthetic_history(plan, drillsim.load_scenario(SCENARIO, plan), tmp_path / "h.sqlite", 3, seed=5)
    with History(tmp_path / "h.sqlite", create=False) as h:
        obs = observations(h, PLAN)
        assert observations(h, "atm-incident") == []
    assert list(dict.fromkeys(o.drill for o in obs)) == keys
    assert {o.scenario for o in obs} == {SCENARIO} and {o.exercise for o in obs} == {
        f"synthetic drill {i}" for i in (1, 2, 3)}
    rob01 = [o for o in obs if o.requirement == "ROB-01"]
    assert len(rob01) == 3 and all(o.high - o.low == pytest.approx(2 * SECOND) or o.censored for o in rob01)


def test_resolution_is_a_minute_only_when_every_stamp_is_on_a_minute():
    assert resolution([0.0, 3.0, 12.0]) == MINUTE
    assert resolution([0.0, 3.0, 12.5]) == SECOND
