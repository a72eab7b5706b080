"""What the robbery and security plans (counter-robbery, P3, P4, P5, P10, P11) ask of a drill, as a scorecard
shows it: hand-made logs scored by drillsim.score, and scenarios that play to an end."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import pytest

import drillsim
from drillsim.scoring.outcomes import Outcome
from drillsim.spec.catalog import builtin_plans
from drillsim.spec.plan import Plan, load_plan
from tests.conftest import make_log


def plan(pid: str) -> Plan:
    return load_plan(builtin_plans()[pid])


def outcome(p: Plan, rid: str, *events: tuple, incident_type: str) -> Outcome:
    """The outcome of requirement ``rid`` on a hand-made log."""
    card = drillsim.score(p, make_log(*events, incident_type=incident_type))
    return next(r for r in card.results if r.id == rid).outcome


# counter-robbery ---------------------------------------------------------------------------------

ROBBERY = ((0, "inject", "robbers-enter"), (0, "fact", "armed", None, None, None, True),
           (2, "fact", "suspects_fled", None, None, None, True))


@pytest.mark.parametrize("who, expected", [("guard", Outcome.MET), ("lobby_manager", Outcome.MET),
                                           ("teller", Outcome.VIOLATED), ("cash_teller", Outcome.VIOLATED)])
def test_rob06_forbids_pursuit_to_the_counter_staff_only(who, expected):
    """001 § 一(五) 临柜人员不要追击; the guard helps to catch the robbers (§ 一(四))."""
    p = plan("counter-robbery")
    assert outcome(p, "ROB-06", *ROBBERY, (3, "action", "pursue_suspects", who),
                   incident_type="armed_robbery") is expected


def test_a_teller_who_gives_chase_caps_the_demo_plan_score():
    p = plan("counter-robbery")
    card = drillsim.score(p, make_log(*ROBBERY, (3, "action", "pursue_suspects", "teller")))
    assert "ROB-06" in card.critical_failures


def test_robbers_flee_scenario_can_show_a_teller_giving_chase():
    """The scenario's botch of the teller's duty is what ROB-06 catches."""
    p = plan("counter-robbery")
    scenario = drillsim.load_scenario("robbers-flee", p)
    scenario = scenario.model_copy(update={"parameters": scenario.parameters.model_copy(update={
        "human": scenario.parameters.human.model_copy(update={"botch": {"teller-no-pursuit": 1.0}})})})
    card = drillsim.score(p, drillsim.simulate(drillsim.build(p, scenario), seed=3))
    assert next(r for r in card.results if r.id == "ROB-06").outcome is Outcome.VIOLATED


def test_rob14_and_rob15_name_what_they_borrow():
    p = plan("counter-robbery")
    req = {r.id: r for r in p.requirements}
    assert "plan's choice" in req["ROB-14"].clause and "第八条" in req["ROB-14"].borrows
    assert "000 § ① 五.2" in req["ROB-15"].borrows and "第七条" not in req["ROB-15"].clause


# robbery-variants (P5) ---------------------------------------------------------------------------

HOSTAGE = ((0, "inject", "gunman-seizes-hostage"), (0, "fact", "hostages", None, None, None, True),
           (1, "fact", "cash_demanded", None, None, None, True))


def test_handing_over_cash_at_once_breaks_no_requirement_of_p5():
    """(一)5 必要时可少量多次…给予一定的现金 is a permission: paying out in one go is not scored as a breach."""
    p = plan("robbery-variants")
    card = drillsim.score(p, make_log(*HOSTAGE, (2, "action", "hand_over_cash_in_bulk", "teller"),
                                      incident_type="hostage_robbery"))
    assert [r.id for r in card.results if r.outcome is Outcome.VIOLATED] == []


@pytest.mark.parametrize("scenario", ["robbery-variants-hostage", "robbery-variants-customer-hostage",
                                      "branch-security-hostage"])
def test_the_hostage_scenarios_end_with_the_hostage_freed(scenario):
    pid = "branch-security" if scenario.startswith("branch") else "robbery-variants"
    p = plan(pid)
    model = drillsim.build(p, drillsim.load_scenario(scenario, p))
    for seed in range(5):
        frame = drillsim.simulate(model, seed=seed).to_frame()
        assert "hostage-freed" in set(frame[frame.event == "inject"].what), (scenario, seed)


@pytest.mark.parametrize("freed_at, expected", [(5, Outcome.MET), (20, Outcome.VIOLATED)])
def test_rv08_holds_until_the_hostage_is_freed(freed_at, expected):
    p = plan("robbery-variants")
    log = (*HOSTAGE, (freed_at, "fact", "hostage_freed", None, None, None, True),
           (10, "action", "rush_robber", "guard"))
    assert outcome(p, "RV-08", *log, incident_type="hostage_robbery") is expected


# branch-security (P4) ----------------------------------------------------------------------------

SNATCH = ((0, "inject", "bag-snatched"), (0.5, "action", "lock_cash", "cash_teller"))


@pytest.mark.parametrize("step, expected", [("hold_counter", Outcome.MET), ("leave_counter_short", Outcome.VIOLATED)])
def test_cus07_two_stay_behind_the_counter(step, expected):
    p = plan("branch-security")
    log = (*SNATCH, (1, "action", "support_hall", "teller"), (1, "action", step, "teller"))
    assert outcome(p, "CUS-07", *log, incident_type="customer_robbery") is expected


@pytest.mark.parametrize("at, expected", [(40, Outcome.MET), (None, Outcome.MISSED)])
def test_hos08_the_hostage_takers_family_is_reached(at, expected):
    p = plan("branch-security")
    log = [(0, "inject", "teller-seized"), (10, "action", "assign_negotiator", "bank_leader")]
    if at is not None:
        log.append((at, "action", "contact_suspect_family", "security_dept"))
    assert outcome(p, "HOS-08", *log, incident_type="hostage") is expected


@pytest.mark.parametrize("freed_at, expected", [(5, Outcome.MET), (20, Outcome.VIOLATED)])
def test_hos04_holds_until_the_hostage_is_freed(freed_at, expected):
    p = plan("branch-security")
    log = ((0, "inject", "teller-seized"), (freed_at, "fact", "hostage_freed", None, None, None, True),
           (10, "action", "provoke_suspect", "teller"))
    assert outcome(p, "HOS-04", *log, incident_type="hostage") is expected


# counter-security (P3) ---------------------------------------------------------------------------

def test_counter_security_robbery_ends_with_the_robbers_fled_and_no_glass_smashed_after():
    p = plan("counter-security")
    model = drillsim.build(p, drillsim.load_scenario("counter-security-robbery", p))
    for seed in range(8):
        frame = drillsim.simulate(model, seed=seed).to_frame()
        fled = frame[(frame.event == "fact") & (frame.what == "robbers_fled")]
        assert len(fled) == 1, seed
        smashed = frame[(frame.event == "inject") & (frame.what == "glass-smashed")]
        assert (smashed.t < fled.t.iloc[0]).all(), seed


# cash-in-transit (P10) ---------------------------------------------------------------------------

@pytest.mark.parametrize("step, expected", [("keep_arms_on_person", Outcome.MET), ("lay_down_arms", Outcome.VIOLATED)])
def test_cit05_gun_and_ammunition_stay_with_the_guard(step, expected):
    """第三条(二) 做到枪弹不离身."""
    p = plan("cash-in-transit")
    log = ((0, "inject", "crowd-gathers"), (0, "fact", "crowd", None, None, None, True), (2, "action", step, "guard"))
    assert outcome(p, "CIT-05", *log, incident_type="crowd_siege") is expected


# atm (P11) ---------------------------------------------------------------------------------------

DIAGNOSED = ((0, "inject", "atms-offline"), (30, "received", "tech-diagnosis-report", "tech_team", "leadership_group",
                                              "phone"))


@pytest.mark.parametrize("at, expected", [(50, Outcome.MET), (None, Outcome.MISSED)])
def test_atm32_a_restoration_plan_after_the_diagnosis(at, expected):
    p = plan("atm")
    log = list(DIAGNOSED) + ([(at, "action", "draw_up_restoration_plan", "leadership_group")] if at else [])
    assert outcome(p, "ATM-32", *log, incident_type="system_fault") is expected


@pytest.mark.parametrize("steps, investigated, accountable", [
    ((), Outcome.MISSED, Outcome.NOT_APPLICABLE),
    (("investigate_cause_and_responsibility",), Outcome.MET, Outcome.MISSED),
    (("investigate_cause_and_responsibility", "hold_accountable"), Outcome.MET, Outcome.MET)])
def test_atm33_atm34_investigation_then_accountability(steps, investigated, accountable):
    p = plan("atm")
    events = [*DIAGNOSED, (300, "action", "declare_end", "leadership_group")]
    events += [(600 + 60 * i, "action", step, "leadership_group") for i, step in enumerate(steps)]
    log = replace(make_log(*events, incident_type="system_fault"), origin=datetime(2026, 9, 8, 11, 0))
    got = {r.id: r.outcome for r in drillsim.score(p, log).results}
    assert (got["ATM-33"], got["ATM-34"]) == (investigated, accountable)


@pytest.mark.parametrize(("call_at", "expected"), [(2, Outcome.MET), (6, Outcome.MET), (9, Outcome.LATE)])
def test_119_called_before_the_fire_grows_too_large_counts(call_at, expected):
    # CS-FIR-04 (000 § ⑦(四)2 如火势太大, 要立即拨打119): the fire is large at minute 5; a call already
    # made (minute 2) has done it, one within `immediately` after is met, one later is late
    p = plan("counter-security")
    fire = ((0, "inject", "fire-breaks-out"), (0, "fact", "fire", None, None, None, True),
            (5, "fact", "large_fire", None, None, None, True),
            (call_at, "sent", None, "guard", "fire", "phone"))
    assert outcome(p, "CS-FIR-04", *fire, incident_type="fire") == expected
