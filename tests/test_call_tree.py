"""The call tree: every report the plan requires to reach an outside body or person, reached in time,
late or not at all, from the scorecard and the log alone."""


from drillsim.scoring.call_tree import Reached, call_tree
from drillsim.scoring.outcomes import Outcome
from drillsim.scoring.scorecard import Scorer
from tests.conftest import make_log

LOG = (
    (0, "inject", "robbers-enter"),
    (0.5, "sent", "alarm-110", "teller", "police", "alarm_button"),
    (0.6, "received", "alarm-110", "teller", "police", "alarm_button"),
    (4, "sent", "phone-110", "lobby_manager", "police", "phone"),
    (4.5, "unanswered", "phone-110", "lobby_manager", "police", "phone"),
    (5, "sent", "phone-110", "lobby_manager", "police", "phone"),
    (5.2, "received", "phone-110", "lobby_manager", "police", "phone"),
    (6, "sent", "report-head", "lobby_manager", "branch_head", "phone"),
)


def _rows(plan, log, **kw):
    card = Scorer(plan).score(log, **kw)
    return card, {row.requirement: row for row in call_tree(plan, log, card)}


def test_each_report_to_an_outside_role_is_reached_in_time_late_or_not_at_all(robbery_plan):
    _, rows = _rows(robbery_plan, make_log(*LOG))
    # ROB-04 (120), ROB-09 (duty leader), ROB-15 and ROB-16 did not apply in this drill: no rows
    assert list(rows) == ["ROB-01", "ROB-02", "ROB-10"]
    alarm, phone, office = rows["ROB-01"], rows["ROB-02"], rows["ROB-10"]
    assert (alarm.status, alarm.targets, alarm.at, alarm.deadline, alarm.late_by) == (
        Reached.IN_TIME, ("police",), 0.5, 1.0, None)
    assert (phone.status, phone.at, phone.latency, phone.deadline, phone.late_by) == (Reached.LATE, 4.0, 4.0, 3.0, 1.0)
    assert (phone.attempts, phone.unanswered) == (2, 1)
    assert (office.status, office.targets, office.at, office.deadline) == (Reached.NOT_REACHED, ("upper_office",),
                                                                           None, 10.0)
    assert office.attempts == 0 and office.reports == ("head-phone-office", "leader-phone-office")
    assert alarm.reports == ("alarm-110",) and phone.reports == ("phone-110",)


def test_reports_to_staff_of_the_branch_are_no_call_tree_rows(robbery_plan):
    _, rows = _rows(robbery_plan, make_log(*LOG))
    assert all(robbery_plan.roles[t].kind in ("office", "agency") for row in rows.values() for t in row.targets)


def test_a_report_nobody_observed_is_not_evaluated_and_one_still_open_is_pending(robbery_plan):
    log = make_log(*LOG)
    card = Scorer(robbery_plan).score(log)
    card.results = [r._replace(outcome=Outcome.NOT_EVALUATED) if r.id == "ROB-10" else r
                    for r in card.results]
    rows = {row.requirement: row for row in call_tree(robbery_plan, log, card)}
    assert rows["ROB-10"].status is Reached.NOT_EVALUATED
    _, open_rows = _rows(robbery_plan, make_log(*LOG[:1]), now=0.4)
    assert open_rows["ROB-01"].status is Reached.PENDING and open_rows["ROB-10"].status is Reached.PENDING


def test_a_report_that_applies_later_in_the_drill_has_its_row(robbery_plan):
    log = make_log(*LOG, (7, "fact", "injured", None, None, None, 1),
                   (7.5, "sent", "phone-120", "lobby_manager", "ambulance", "phone"))
    _, rows = _rows(robbery_plan, log)
    assert (rows["ROB-04"].status, rows["ROB-04"].targets, rows["ROB-04"].late_by) == (
        Reached.IN_TIME, ("ambulance",), None)
