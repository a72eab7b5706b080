"""Hand-made logs that drive every outcome of every requirement kind (plan: counter-robbery)."""

import pytest

from drillsim.log.eventlog import Event, EventLog
from drillsim.scoring.logview import LogView
from drillsim.scoring.outcomes import Outcome
from drillsim.scoring.scorecard import Scorer
from tests.conftest import make_log

INJECT = (0, "inject", "robbers-enter")
ARMED = (0, "fact", "armed", None, None, None, True)


def result(plan, rid, *events, incident_type="armed_robbery"):
    card = Scorer(plan).score(make_log(*events, incident_type=incident_type))
    return next(r for r in card.results if r.id == rid)


def alarm(t):
    return (t, "sent", "alarm-110", "teller", "police", "alarm_button")


# deadline ---------------------------------------------------------------------------------------

def test_deadline_met(robbery_plan):
    r = result(robbery_plan, "ROB-01", INJECT, alarm(0.5))
    assert r.outcome is Outcome.MET and r.credit == 1 and r.latency == pytest.approx(0.5) and r.deadline == 1


def test_deadline_late(robbery_plan):
    r = result(robbery_plan, "ROB-01", INJECT, alarm(1.75))
    assert r.outcome is Outcome.LATE
    assert r.late_by == pytest.approx(0.75)
    assert r.credit == robbery_plan.scoring.late_credit


def test_deadline_missed(robbery_plan):
    r = result(robbery_plan, "ROB-01", INJECT)
    assert r.outcome is Outcome.MISSED and r.credit == 0 and r.failed_critical


def test_deadline_not_applicable_without_trigger(robbery_plan):
    r = result(robbery_plan, "ROB-01", alarm(0.5))
    assert r.outcome is Outcome.NOT_APPLICABLE


def test_deadline_ignores_a_response_before_its_trigger(robbery_plan):
    r = result(robbery_plan, "ROB-01", alarm(0.0), (0.5, "inject", "robbers-enter"))
    assert r.outcome is Outcome.MISSED


def test_deadline_measured_from_a_fact_trigger(robbery_plan):
    events = (INJECT, (2, "fact", "injured", None, None, None, 1), (2.5, "sent", "phone-120", "lobby_manager",
                                                                     "ambulance", "phone"))
    r = result(robbery_plan, "ROB-04", *events)
    assert r.outcome is Outcome.MET and r.latency == pytest.approx(0.5) and r.since == 2


# conditional ------------------------------------------------------------------------------------

def test_conditional_not_applicable_when_condition_false(robbery_plan):
    r = result(robbery_plan, "ROB-04", INJECT)
    assert r.outcome is Outcome.NOT_APPLICABLE and "injured > 0" in r.detail


def test_conditional_applies_when_condition_true(robbery_plan):
    r = result(robbery_plan, "ROB-04", INJECT, (2, "fact", "injured", None, None, None, 1))
    assert r.outcome is Outcome.MISSED


def test_level_condition_uses_the_rules_when_nobody_declared(robbery_plan):
    # armed robbery is level II by the rules: failing to declare a level cannot make
    # level-dependent requirements inapplicable
    view = LogView(make_log(INJECT, ARMED), robbery_plan, "armed_robbery")
    assert view.final["level"] == robbery_plan.level_rank["II"]
    declared_higher = LogView(make_log(INJECT, ARMED, level(3, "I")), robbery_plan, "armed_robbery")
    assert declared_higher.final["level"] == robbery_plan.level_rank["I"]


# content ----------------------------------------------------------------------------------------

WRITTEN = ("branch_name", "place", "time", "cause", "nature", "amount", "people", "harm", "measures", "trend")


def written(t, fields):
    return (t, "sent", "head-written-office", "branch_head", "upper_office", "electronic", None, fields)


def test_content_met(robbery_plan):
    assert result(robbery_plan, "ROB-12", INJECT, written(20, WRITTEN)).outcome is Outcome.MET


def test_content_incomplete(robbery_plan):
    r = result(robbery_plan, "ROB-12", INJECT, written(20, WRITTEN[:-2]))
    assert r.outcome is Outcome.INCOMPLETE
    assert r.credit == pytest.approx(0.8)
    assert "measures" in r.detail and "trend" in r.detail


def test_content_missed(robbery_plan):
    assert result(robbery_plan, "ROB-12", INJECT).outcome is Outcome.MISSED


# order ------------------------------------------------------------------------------------------

PHONE = (3, "sent", "head-phone-office", "branch_head", "upper_office", "phone")


def test_order_met(robbery_plan):
    r = result(robbery_plan, "ROB-11", INJECT, PHONE, written(20, WRITTEN))
    assert r.outcome is Outcome.MET and r.latency == pytest.approx(17)


def test_order_reversed_is_violated(robbery_plan):
    r = result(robbery_plan, "ROB-11", INJECT, written(2, WRITTEN), PHONE)
    assert r.outcome is Outcome.VIOLATED and "before the first" in r.detail


def test_order_second_without_first_is_violated(robbery_plan):
    assert result(robbery_plan, "ROB-11", INJECT, written(2, WRITTEN)).outcome is Outcome.VIOLATED


def test_order_not_applicable_without_second_step(robbery_plan):
    assert result(robbery_plan, "ROB-11", INJECT, PHONE).outcome is Outcome.NOT_APPLICABLE


# prohibition ------------------------------------------------------------------------------------

def test_prohibition_met(robbery_plan):
    assert result(robbery_plan, "ROB-06", INJECT).outcome is Outcome.MET


def test_prohibition_violated(robbery_plan):
    r = result(robbery_plan, "ROB-06", INJECT, (3, "action", "pursue_suspects", "teller"))
    assert r.outcome is Outcome.VIOLATED and r.at == 3 and r.failed_critical


def test_prohibition_while_condition_is_checked_at_the_time(robbery_plan):
    audible = (1, "action", "sound_audible_alarm", "teller")
    explosive_later = (2, "fact", "explosive", None, None, None, True)
    explosive_before = (0.5, "fact", "explosive", None, None, None, True)
    assert result(robbery_plan, "ROB-07", INJECT, audible).outcome is Outcome.MET
    assert result(robbery_plan, "ROB-07", INJECT, audible, explosive_later).outcome is Outcome.MET
    assert result(robbery_plan, "ROB-07", INJECT, explosive_before, audible).outcome is Outcome.VIOLATED


# classification -----------------------------------------------------------------------------------

def level(t, name):
    return (t, "level", name, "upper_office", None, None, name)


def test_classification_met(robbery_plan):
    assert result(robbery_plan, "ROB-14", INJECT, ARMED, level(5, "II")).outcome is Outcome.MET


def test_classification_wrong_level(robbery_plan):
    r = result(robbery_plan, "ROB-14", INJECT, ARMED, level(5, "III"))
    assert r.outcome is Outcome.VIOLATED and "rules give II" in r.detail


def test_classification_never_declared(robbery_plan):
    assert result(robbery_plan, "ROB-14", INJECT, ARMED).outcome is Outcome.MISSED


def test_classification_needs_regrading_when_facts_change(robbery_plan):
    hostage = (8, "fact", "hostages", None, None, None, True)
    stale = result(robbery_plan, "ROB-14", INJECT, ARMED, level(5, "II"), hostage)
    assert stale.outcome is Outcome.MISSED and "not re-graded" in stale.detail
    regraded = result(robbery_plan, "ROB-14", INJECT, ARMED, level(5, "II"), hostage, level(12, "I"))
    assert regraded.outcome is Outcome.MET


# the scorecard --------------------------------------------------------------------------------------

GOOD_DRILL = (
    INJECT, ARMED, alarm(0.4), (0.3, "sent", "phone-110", "lobby_manager", "police", "phone"),
    (0.6, "action", "lock_cash", "cash_teller"), PHONE,
    (3.2, "received", "head-phone-office", "branch_head", "upper_office", "phone"),
    (4, "arrived", "branch_head", "branch_head"), level(6, "II"),
    (7, "sent", "office-to-group", "upper_office", "leadership_group", "phone"),
    (7.3, "received", "office-to-group", "upper_office", "leadership_group", "phone"),
    (9, "sent", "group-to-regulator", "leadership_group", "regulator", "phone"), written(20, WRITTEN),
)


def test_a_drill_that_does_everything_scores_100(robbery_plan):
    card = Scorer(robbery_plan).score(make_log(*GOOD_DRILL))
    assert [r.id for r in card.results if r.outcome not in (Outcome.MET, Outcome.NOT_APPLICABLE)] == []
    assert card.score == 100 and card.rating == "P" and not card.capped


def test_critical_failure_caps_the_score(robbery_plan):
    card = Scorer(robbery_plan).score(make_log(*GOOD_DRILL, (3, "action", "pursue_suspects", "teller")))
    assert card.capped and card.score == robbery_plan.scoring.critical_cap
    assert "ROB-06" in card.critical_failures
    protection = next(c for c in card.capabilities if c.id == "protection")
    assert protection.critical_failed and protection.rating in ("M", "U")


def test_unknown_incident_type_is_refused(robbery_plan):
    with pytest.raises(ValueError, match="incident type"):
        Scorer(robbery_plan).score(make_log(INJECT, incident_type="flood"))


def _site_log(*events):
    """(t, site, event, what, actor, target, channel)"""
    rows = [Event(float(t), site, "INC", ev, what, actor, f"{site}/{actor}-1" if actor else None, target,
                  f"{target}-1" if target else None, channel)
            for t, site, ev, what, actor, target, channel in events]

    return EventLog(rows, None, {"type": "armed_robbery"})


def test_branch_staff_deadlines_are_checked_at_every_branch(robbery_plan):
    both = ((0, "east", "inject", "x", None, None, None), (0, "west", "inject", "x", None, None, None))
    east_only = _site_log(*both, (3, "east", "received", "head-phone-office", "branch_head", "upper_office", "phone"))
    r = next(r for r in Scorer(robbery_plan).score(east_only).results if r.id == "ROB-10")
    assert r.outcome is Outcome.MISSED and "at west" in r.detail
    late_west = _site_log(*both, (3, "east", "received", "head-phone-office", "branch_head", "upper_office", "phone"),
                          (12, "west", "received", "head-phone-office", "branch_head", "upper_office", "phone"))
    r = next(r for r in Scorer(robbery_plan).score(late_west).results if r.id == "ROB-10")
    assert r.outcome is Outcome.LATE and r.latency == pytest.approx(12) and "at west" in r.detail


def test_a_response_naming_no_actor_is_checked_at_every_branch_when_staff_make_it(robbery_plan):
    """ROB-01 names only the target and channel (110 by the alarm button); branch staff press it, so the
    branch that alerts 110 does not answer for the one that does not."""
    both = ((0, "east", "inject", "x", None, None, None), (0, "west", "inject", "x", None, None, None))
    east_only = _site_log(*both, (0.5, "east", "sent", "alarm-110", "teller", "police", "alarm_button"))
    r = next(r for r in Scorer(robbery_plan).score(east_only).results if r.id == "ROB-01")
    assert r.outcome is Outcome.MISSED and "at west" in r.detail
    both_sent = _site_log(*both, (0.5, "east", "sent", "alarm-110", "teller", "police", "alarm_button"),
                          (0.6, "west", "sent", "alarm-110", "teller", "police", "alarm_button"))
    r = next(r for r in Scorer(robbery_plan).score(both_sent).results if r.id == "ROB-01")
    assert r.outcome is Outcome.MET


def test_an_office_response_is_checked_once_for_all_branches(robbery_plan):
    log = _site_log((0, "east", "inject", "x", None, None, None), (0, "west", "inject", "x", None, None, None),
                    (2, "east", "received", "head-phone-office", "branch_head", "upper_office", "phone"),
                    (3, "west", "received", "head-phone-office", "branch_head", "upper_office", "phone"),
                    (9, "office", "received", "office-to-group", "upper_office", "leadership_group", "phone"))
    r = next(r for r in Scorer(robbery_plan).score(log).results if r.id == "ROB-15")
    assert r.outcome is Outcome.MET


def test_every_requirement_kind_has_a_check_and_declares_its_selectors():
    from typing import get_args

    from drillsim.scoring.checks import CHECKS
    from drillsim.spec.plan import Requirement
    from drillsim.spec.schema import Selector

    kinds = get_args(get_args(Requirement)[0])
    assert sorted(CHECKS) == sorted(get_args(k.model_fields["kind"].annotation)[0] for k in kinds)
    for kind in kinds:
        fields = {name for name, f in kind.model_fields.items() if f.annotation is Selector}
        assert set(kind.selectors) == fields, kind.__name__
