"""What a review of the office, IT and service plans (P1, P2, P6, P7, P8, P9, P12) found, pinned.

Each test scores a hand-made log (``make_log``) or a built-in scenario with fixed seeds and looks at
the scorecard: the rule a fix introduced is what decides the outcome.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest

import drillsim
from drillsim.scoring.outcomes import Outcome
from drillsim.spec.catalog import builtin_plans
from drillsim.spec.plan import Plan, parse_plan
from drillsim.spec.yamlio import load_yaml
from tests.conftest import make_log


def outcome(plan, log, req_id: str) -> Outcome:
    return next(r for r in drillsim.score(plan, log).results if r.id == req_id).outcome


# --- P9 power outage ---------------------------------------------------------------------------------

POWER = drillsim.load_plan("power-outage")


def _outage_log(*more: tuple) -> object:
    return make_log((0, "inject", "power-cut"), (0, "fact", "power_out", None, None, None, True), *more,
                    incident_type="sudden_outage")


def test_generator_is_due_once_power_is_known_not_to_return_within_2_hours():
    known_at_20 = (20, "fact", "known_long", None, None, None, True)
    asked_at_30 = (30, "received", "request-generator", "branch_head", "it_dept", "phone")
    assert outcome(POWER, _outage_log(known_at_20, asked_at_30), "PO-12") == Outcome.MET
    # waiting for the 2-hour mark, when the power company said so at minute 20, is late
    mark = (120, "fact", "outage_hours", None, None, None, 2)
    asked_at_125 = (125, "received", "request-generator", "branch_head", "it_dept", "phone")
    assert outcome(POWER, _outage_log(known_at_20, mark, asked_at_125), "PO-12") == Outcome.LATE


def test_long_outage_generator_asked_for_before_the_2_hour_mark():
    scenario = drillsim.load_scenario("power-outage-sudden-long", POWER)
    model = drillsim.build(POWER, scenario)
    before_mark = 0
    for seed in range(1, 21):
        log = drillsim.simulate(model, seed=seed)
        asked = min(r.t for r in log.rows if r.event == "sent" and r.what == "request-generator")
        mark = 120 + next(r.t for r in log.rows if r.event == "fact" and r.what == "power_out" and r.value)
        before_mark += asked < mark
        card = drillsim.score(POWER, log)
        result = {r.id: r.outcome for r in card.results}
        if asked < mark:  # requested in time, the UPS (2-4 h) cannot run out first
            assert result["PO-14"] in (Outcome.MET, Outcome.NOT_APPLICABLE)
    assert before_mark >= 15  # all but the runs whose branch head was away


def test_it_report_only_when_the_situation_calls_for_it():
    short_blip = _outage_log((15, "fact", "power_out", None, None, None, False))
    assert outcome(POWER, short_blip, "PO-04") == Outcome.NOT_APPLICABLE
    assert next(r for r in POWER.requirements if r.id == "PO-04").critical is False
    in_flight = _outage_log((0, "fact", "in_flight", None, None, None, True))
    assert outcome(POWER, in_flight, "PO-04") == Outcome.MISSED


# --- P1 district financial risk -----------------------------------------------------------------------


def _plan_with(plan_id: str, role: str, **changes) -> Plan:
    """A built-in plan with one role's attributes changed (e.g. a group that never answers)."""
    data, _ = load_yaml(builtin_plans()[plan_id])
    data["roles"][role].update(changes)
    return parse_plan(data, source=plan_id)


def test_written_report_does_not_wait_for_the_group_to_answer_the_phone():
    plan = _plan_with("district-financial-risk", "leadership_group", presence=0.0, reachable=0.0)
    model = drillsim.build(plan, drillsim.load_scenario("district-financial-risk-flood", plan))
    for seed in (1, 2, 3):
        card = drillsim.score(plan, drillsim.simulate(model, seed=seed))
        result = {r.id: r.outcome for r in card.results}
        assert result["DF-02"] == Outcome.MISSED  # nobody in the group picks up
        assert result["DF-03"] == Outcome.MET     # the written report is handed in all the same


@pytest.mark.parametrize(("fields", "expected"), [
    (("time", "place", "nature", "cause", "harm", "loss"), Outcome.MET),
    (("time", "place", "nature"), Outcome.INCOMPLETE)])
def test_the_units_first_report_carries_what_it_knows(fields, expected):
    # DF-21 (000 § 五.3): the unit's first call to the office carries time, place, nature, cause, harm, loss
    log = make_log((0, "inject", "theft"),
                   (2, "sent", "head-to-office", "unit_head", "office", "phone", None, fields),
                   incident_type="theft_robbery")
    assert outcome(drillsim.load_plan("district-financial-risk"), log, "DF-21") == expected


# --- P2 IT-incident grading -------------------------------------------------------------------------

IT = drillsim.load_plan("it-incident-grading")


def _it_log(graded_at: float, reported_at: float) -> object:
    return make_log(
        (0, "inject", "outage-starts"), (0, "fact", "outage", None, None, None, True),
        (0, "fact", "provinces", None, None, None, 1), (30, "fact", "outage_hours", None, None, None, 0.5),
        (graded_at, "level", "III", "emergency_office", None, None, "III"),
        (reported_at, "received", "office-initial-to-regulator", "emergency_office", "regulator", "phone"),
        incident_type="system_outage")


def test_first_report_deadline_counts_from_the_event_not_from_the_grading():
    # an incident from the 0.5 h mark (minute 30): the report is due by minute 60, however late the grading
    assert outcome(IT, _it_log(graded_at=32, reported_at=58), "IT-03") == Outcome.MET
    assert outcome(IT, _it_log(graded_at=45, reported_at=70), "IT-03") == Outcome.LATE


def test_a_late_rise_to_level_two_is_late_even_though_the_level_is_right():
    log = make_log(
        (0, "inject", "outage-starts"), (0, "fact", "outage", None, None, None, True),
        (0, "fact", "provinces", None, None, None, 1), (30, "fact", "outage_hours", None, None, None, 0.5),
        (33, "level", "III", "emergency_office", None, None, "III"),
        (180, "fact", "outage_hours", None, None, None, 3),
        (240, "level", "II", "emergency_office", None, None, "II"),
        incident_type="system_outage")
    assert outcome(IT, log, "IT-09") == Outcome.MET
    assert outcome(IT, log, "IT-11") == Outcome.LATE


def test_with_seed_1_both_outages_are_graded():
    for name in ("it-outage-one-province", "it-outage-two-provinces"):
        log = drillsim.simulate(IT, drillsim.load_scenario(name, IT), seed=1)
        assert any(r.event == "level" for r in log.rows), name


# --- P6 service incidents -----------------------------------------------------------------------------

SERVICE = drillsim.load_plan("service-incidents")


def _service_log(level: str, *more: tuple) -> object:
    return make_log(
        (0, "inject", "illness"), (3, "acknowledged", "head-phone-office", "branch_head", "upper_office", "phone"),
        (10, "level", level, "upper_office", None, None, level), *more, incident_type="illness")


def test_written_report_only_when_necessary():
    assert outcome(SERVICE, _service_log("III"), "SVC-03") == Outcome.NOT_APPLICABLE
    assert outcome(SERVICE, _service_log("II"), "SVC-03") == Outcome.MISSED
    support = (20, "fact", "needs_support", None, None, None, True)
    assert outcome(SERVICE, _service_log("III", support), "SVC-03") == Outcome.MISSED


# --- P8 customer complaints ------------------------------------------------------------------------

COMPLAINTS = drillsim.load_plan("customer-complaints")
MONDAY = datetime(2026, 6, 8, 10, 0, tzinfo=timezone(timedelta(hours=8)))
DAY = 1440


def _complaint_log(kind: str, *more: tuple) -> object:
    log = make_log(
        (0, "inject", "complaint-made"), (0, "fact", "complaint_type", None, None, None, kind),
        (30, "received", "register-ticket", "lobby_manager", "inspection_office", "electronic"),
        (40, "received", "inspection-to-office", "inspection_office", "complaint_office", "electronic"),
        *more, incident_type="general_complaint")
    return replace(log, origin=MONDAY)


def test_each_complaint_type_is_scored_on_its_own_chain():
    final = "final-plan-to-president"
    on_friday = (4 * DAY, "received", final, "complaint_office", "president_office", "electronic")
    next_tuesday = (8 * DAY, "received", final, "complaint_office", "president_office", "electronic")
    # 问题型: the final plan within 5 working days of receipt (Monday -> the next Monday)
    assert outcome(COMPLAINTS, _complaint_log("problem", on_friday), "CC-26") == Outcome.MET
    assert outcome(COMPLAINTS, _complaint_log("problem", next_tuesday), "CC-26") == Outcome.LATE
    # ... and the 建议型 chain (forward, department report, review) does not apply to it
    for req in ("CC-18", "CC-19", "CC-21"):
        assert outcome(COMPLAINTS, _complaint_log("problem"), req) == Outcome.NOT_APPLICABLE
    assert outcome(COMPLAINTS, _complaint_log("suggestion"), "CC-18") == Outcome.MISSED
    assert outcome(COMPLAINTS, _complaint_log("suggestion"), "CC-26") == Outcome.NOT_APPLICABLE
    # 恶意投诉: the department's opinion to 行长室 within 24 hours
    opinion = (2 * DAY, "received", "dept-opinion-malicious", "responsible_dept", "president_office", "electronic")
    assert outcome(COMPLAINTS, _complaint_log("malicious", opinion), "CC-29") == Outcome.LATE
    assert outcome(COMPLAINTS, _complaint_log("malicious"), "CC-22") == Outcome.NOT_APPLICABLE


def test_register_at_the_inspection_office_and_the_leaders_instruction_checked():
    told = (50, "received", "inspection-to-leader", "inspection_office", "service_leader", "phone")
    log = _complaint_log("suggestion", told)
    assert outcome(COMPLAINTS, log, "CC-16") == Outcome.MET
    assert outcome(COMPLAINTS, log, "CC-23") == Outcome.MET
    assert outcome(COMPLAINTS, log, "CC-24") == Outcome.MISSED  # no 批注 in the register


# --- P7 service guideline --------------------------------------------------------------------------

GUIDELINE = drillsim.load_plan("service-guideline")


def test_guideline_duties_after_the_incident_are_checked():
    over = (60, "fact", "resolved", None, None, None, True)
    log = replace(make_log((0, "inject", "rumour-spreads"), over, (90, "action", "terminate_plan", "leadership_group"),
                           incident_type="misinformation"), origin=MONDAY)
    assert outcome(GUIDELINE, log, "SG-31") == Outcome.MET          # the response ended
    assert outcome(GUIDELINE, log, "SG-35") == Outcome.MISSED       # business not restored
    assert outcome(GUIDELINE, log, "SG-33") == Outcome.NOT_APPLICABLE  # no unified command needed
    needed = replace(make_log((0, "inject", "flood"), (10, "fact", "command_needed", None, None, None, True),
                              incident_type="natural_disaster"), origin=MONDAY)
    assert outcome(GUIDELINE, needed, "SG-33") == Outcome.MISSED
