"""benchmarks/handwritten_robbery.py, the plain-SimPy yardstick of the incident engine's speed, is a
model of the same drill as drillsim's: its numbers are the plan's and the scenario's, and over a few
hundred replications it logs as many rows, of the same kinds, with the key moments at the same times
(within statistical error: the two draw different random numbers)."""

from __future__ import annotations

import math
import statistics
import sys
from collections import Counter
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))

import handwritten_robbery as hw
from drills import demo, without_customers

from drillsim.sim.engine import run_replication
from drillsim.sim.model import build_model
from drillsim.sim.seeds import replication_seed
from drillsim.spec import defaults

REPS = 400


@pytest.fixture(scope="module")
def drill():
    return demo()


@pytest.fixture(scope="module")
def both(drill) -> tuple[list[list[tuple]], list[list[tuple]]]:
    """(drillsim's, the hand-written model's) rows of REPS replications, as (t, event, what, actor, target)."""
    plan, scenario = drill
    model = build_model(plan, without_customers(scenario))
    ours = [[(r.t, r.event, r.what, r.actor, r.target) for r in run_replication(model, replication_seed(1, i)).rows]
            for i in range(REPS)]
    hand = [[row[:5] for row in hw.replicate(1, i)] for i in range(REPS)]
    return ours, hand


def test_as_many_rows(both):
    ours, hand = (statistics.fmean(len(rows) for rows in runs) for runs in both)
    assert 60 < ours < 70
    assert abs(hand - ours) <= 0.1 * ours


def test_the_same_kinds_of_row(both):
    ours, hand = ({row[1] for rows in runs for row in rows} for runs in both)
    assert ours == hand
    assert {"lost", "omitted", "unanswered", "learned", "level"} <= ours


def test_as_many_rows_of_each_common_kind_and_name(both):
    """Each (event, what) that comes at least once in two replications: as often per replication,
    within 4 standard errors (of a Poisson count)."""
    ours, hand = (Counter(row[1:3] for rows in runs for row in rows) for runs in both)
    common = {k for k, n in (ours + hand).items() if n >= REPS}
    assert len(common) > 40
    for key in common:
        a, b = ours[key] / REPS, hand[key] / REPS
        assert abs(a - b) <= 4 * math.sqrt((a + b) / REPS), key


def moment(rows: list[tuple], event: str, what: set[str], target: str | None = None) -> float | None:
    """Minutes from the robbers' entering to the first such row, or None."""
    start = next(t for t, ev, name, *_ in rows if ev == "inject")
    return next((t - start for t, ev, name, _, to in rows if ev == event and name in what
                 and (target is None or to == target)), None)


KEY_MOMENTS = {
    "alarm raised": ("sent", {"alarm-110"}, None),
    "police called": ("sent", {"phone-110"}, None),
    "ambulance called": ("sent", {"phone-120"}, None),
    "police arrive": ("arrived", {"police"}, None),
    "ambulance arrives": ("arrived", {"ambulance"}, None),
    "branch head on the scene": ("arrived", {"branch_head"}, None),
    "upper office told": ("received", {"head-phone-office", "leader-phone-office"}, "upper_office-1"),
    "level declared": ("level", {"II"}, None),
    "regulator told": ("received", {"group-to-regulator"}, None),
    "written report read": ("received", {"head-written-office", "leader-written-office"}, None),
}


@pytest.mark.parametrize("name", KEY_MOMENTS)
def test_key_moments_at_the_same_mean_time(both, name):
    event, what, target = KEY_MOMENTS[name]
    ours, hand = ([t for rows in runs if (t := moment(rows, event, what, target)) is not None] for runs in both)
    assert len(ours) > 0.9 * REPS and abs(len(hand) - len(ours)) < 0.05 * REPS
    se = math.sqrt(statistics.variance(ours) / len(ours) + statistics.variance(hand) / len(hand))
    assert abs(statistics.fmean(hand) - statistics.fmean(ours)) <= 4 * se


class Spy:
    """A random source that returns the draw asked of it, to read a hand-written distribution."""

    def uniform(self, low, high):
        return ("uniform", low, high)

    def lognormal(self, mu, sigma):
        return ("lognormal", mu, sigma)


def as_drawn(dist) -> object:
    """A plan's or scenario's distribution as the hand-written model draws it from numpy."""
    kind = type(dist).__name__.lower()
    if kind == "fixed":
        return dist.params[0]
    if kind == "lognormal":
        return ("lognormal", *hw.lognormal(*dist.params))
    return (kind, *dist.params)


def test_its_numbers_are_the_plans_and_the_scenarios(drill):
    plan, scenario = drill
    injects = {i.id: i.at for i in scenario.injects}
    assert ("triangular", *hw.ENTER) == as_drawn(injects["robbers-enter"])
    assert ("uniform", *hw.INJURED_AFTER) == as_drawn(injects["customer-injured"])
    assert ("lognormal", *hw.FLEE_AFTER) == as_drawn(injects["robbers-flee"])
    human = scenario.parameters.human
    assert ("lognormal", *hw.REACTION) == as_drawn(human.reaction)
    assert human.omission == {"default": hw.OMISSION} and human.botch == {"guard-observe": hw.BOTCH_OBSERVE}
    assert human.field_omission == hw.FIELD_OMISSION
    assert human.handling is None and ("lognormal", *hw.HANDLING) == as_drawn(defaults.OFFICE_HANDLING)
    assert ("lognormal", *hw.TRAVEL) == as_drawn(defaults.PERSON_TRAVEL)
    assert scenario.horizon == hw.HORIZON
    roles = plan.roles
    for role, (presence, reachable) in {"branch_head": hw.HEAD, "duty_leader": hw.DUTY_LEADER,
                                        "leadership_group": hw.LEADERSHIP}.items():
        assert (roles[role].presence, roles[role].reachable) == (presence, reachable)

    duties = {d.id: d for d in plan.duties}
    for did, duty in {"cash-lock": hw.LOCK_CASH, "teller-audible-alarm": hw.AUDIBLE_ALARM,
                      "guard-protect": hw.PROTECT, "guard-observe": hw.OBSERVE, "teller-no-pursuit": hw.NO_PURSUIT,
                      "lobby-first-aid": hw.FIRST_AID, "head-preserve-scene": hw.PRESERVE}.items():
        botched = duties[did].botch_as if did in human.botch else None  # botched by chance: guard-observe alone
        assert (duties[did].do, botched) == (duty.action, duty.botch_as), did
        assert duty.takes(Spy()) == as_drawn(duties[did].takes), did
    for grade in ("office-grade", "office-regrade"):
        assert as_drawn(duties[grade].takes) == ("uniform", 1.0, 5.0)

    hand = {r.id: r for r in (hw.ALARM_110, hw.PHONE_110, hw.PHONE_120, hw.REPORT_HEAD, hw.HEAD_PHONE, hw.LEADER_PHONE,
                              hw.HEAD_WRITTEN, hw.LEADER_WRITTEN, hw.TO_GROUP, hw.TO_SECURITY, hw.TO_REGULATOR)}
    reports = {r.id: r for r in plan.escalation}
    assert set(reports) - set(hand) == {"report-duty-leader"}  # explosive robberies only
    for rid, report in hand.items():
        ours = reports[rid]
        assert report.to == (ours.to, *ours.fallback) and report.channel == ours.channel, rid
        assert report.carries == ours.carries and report.attempts == 1 + ours.retry.attempts, rid
        assert report.attempts == 1 or report.every == ours.retry.every, rid
        assert (report.prep(Spy()) if report.prep else 0.0) == as_drawn(ours.takes), rid

    channels = {c: defaults.CHANNELS[c] for c in ("phone", "alarm_button", "electronic")}
    assert not scenario.parameters.channels
    assert ("uniform", *hw.PHONE_LATENCY) == as_drawn(channels["phone"]["latency"])
    assert (channels["phone"]["failure"], channels["phone"]["answer_within"]) == (hw.PHONE_FAILURE, hw.ANSWER_WITHIN)
    assert ("lognormal", *hw.TALK) == as_drawn(channels["phone"]["talk"])
    assert ("uniform", *hw.ALARM_LATENCY) == as_drawn(channels["alarm_button"]["latency"])
    assert channels["alarm_button"]["failure"] == hw.ALARM_FAILURE
    assert ("uniform", *hw.ELECTRONIC_LATENCY) == as_drawn(channels["electronic"]["latency"])
    assert channels["electronic"]["failure"] == hw.ELECTRONIC_FAILURE

    assert not scenario.parameters.agencies
    police, ambulance, other = (defaults.AGENCIES[k] for k in ("police", "ambulance", "other"))
    assert as_drawn(police["answer"]) == hw.POLICE_ANSWER
    assert ("uniform", *hw.POLICE_DISPATCH) == as_drawn(police["dispatch"])
    assert ("lognormal", *hw.POLICE_TRAVEL) == as_drawn(police["travel"])
    assert ("uniform", *hw.AMBULANCE_ANSWER) == as_drawn(ambulance["answer"])
    assert as_drawn(ambulance["dispatch"]) == hw.AMBULANCE_DISPATCH
    assert ("lognormal", *hw.AMBULANCE_TRAVEL) == as_drawn(ambulance["travel"])
    assert ("lognormal", *hw.REGULATOR_ANSWER) == as_drawn(other["answer"]) and other["units"] == 0
    assert roles["regulator"].service not in defaults.AGENCIES  # so "other"


def test_run_counts_rows_and_events():
    """``run``'s events are the SimPy events processed before the horizon, and the one that stops each run there."""
    rows, events = hw.run(3, 0)
    assert rows == sum(len(hw.replicate(hw.SEED, i)) for i in range(3))
    steps = 0
    for i in range(3):
        env = hw.Robbery(hw.seeded(hw.SEED, i)).env
        while env.peek() < hw.HORIZON:
            env.step()
            steps += 1
    assert events == steps + 3
    assert rows / 2 < events < 4 * rows


def test_the_robbers_enter_at_the_same_mean_time(both):
    ours, hand = ([next(t for t, ev, *_ in rows if ev == "inject") for rows in runs] for runs in both)
    se = math.sqrt(statistics.variance(ours) / len(ours) + statistics.variance(hand) / len(hand))
    assert abs(statistics.fmean(hand) - statistics.fmean(ours)) <= 4 * se


def test_draws_lognormal_by_mu_and_sigma_as_numpy_does():
    rng = hw.seeded(hw.SEED, 0)
    draws = sorted(rng.lognormal(*hw.FLEE_AFTER) for _ in range(20000))
    assert draws[10000] == pytest.approx(2.5, rel=0.03) and draws[18000] == pytest.approx(9.5, rel=0.05)
