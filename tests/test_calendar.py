"""Deadlines in calendar terms: the same day, N working days on the Chinese calendar, 24 hours."""

from datetime import datetime, timedelta, timezone

import pytest

from drillsim.log.eventlog import Event, EventLog
from drillsim.scoring.outcomes import Outcome
from drillsim.scoring.scorecard import Scorer
from drillsim.spec.calendar import Deadline, is_working_day, nth_working_day_after, parse_deadline
from drillsim.spec.errors import InputError
from drillsim.spec.plan import load_plan
from tests.conftest import DATA

CST = timezone(timedelta(hours=8))
PLAN = load_plan(DATA / "calendar-plan.yaml")


def outcomes(trigger: datetime, response: datetime) -> dict[str, Outcome]:
    t = (response - trigger) / timedelta(minutes=1)
    rows = [Event(0.0, "branch", "C", "inject", "complaint-received"),
            Event(t, "branch", "C", "sent", "report", "clerk", "clerk-1", "office", "office-1", "electronic")]
    card = Scorer(PLAN).score(EventLog(rows, trigger, {"type": "complaint"}))
    return {r.id: r.outcome for r in card.results}


def test_same_day_report_filed_after_midnight_is_late():
    got = outcomes(datetime(2026, 3, 12, 22, 0, tzinfo=CST), datetime(2026, 3, 13, 0, 30, tzinfo=CST))
    assert got["SAME"] is Outcome.LATE
    assert got["H24"] is Outcome.MET
    assert outcomes(datetime(2026, 3, 12, 22, 0, tzinfo=CST), datetime(2026, 3, 12, 23, 59, tzinfo=CST))[
        "SAME"] is Outcome.MET


def test_working_days_across_a_weekend():
    friday = datetime(2026, 3, 13, 10, 0, tzinfo=CST)  # 2 working days: Monday 16th and Tuesday 17th
    assert outcomes(friday, datetime(2026, 3, 17, 23, 0, tzinfo=CST))["WD2"] is Outcome.MET
    assert outcomes(friday, datetime(2026, 3, 18, 9, 0, tzinfo=CST))["WD2"] is Outcome.LATE


def test_working_days_across_a_public_holiday():
    # National Day 2026: 1–7 October off; 8, 9 October and the adjusted Saturday 10 October are working days
    before = datetime(2026, 9, 30, 16, 0, tzinfo=CST)
    assert outcomes(before, datetime(2026, 10, 9, 17, 0, tzinfo=CST))["WD2"] is Outcome.MET
    assert outcomes(before, datetime(2026, 10, 10, 9, 0, tzinfo=CST))["WD2"] is Outcome.LATE
    assert nth_working_day_after(before.date(), 3).isoformat() == "2026-10-10"  # an adjusted working Saturday


def test_spring_festival_and_adjusted_saturdays():
    assert is_working_day(datetime(2026, 2, 14).date()) and is_working_day(datetime(2026, 2, 28).date())
    assert not is_working_day(datetime(2026, 2, 17).date())
    # received Friday 13 Feb: the 5 working days are Sat 14 Feb (adjusted), 24, 25, 26, 27 Feb
    assert nth_working_day_after(datetime(2026, 2, 13).date(), 5).isoformat() == "2026-02-27"
    got = outcomes(datetime(2026, 2, 13, 15, 0, tzinfo=CST), datetime(2026, 2, 27, 18, 0, tzinfo=CST))
    assert got["WD5"] is Outcome.MET


def test_deadline_values_parse():
    assert parse_deadline("same_day") == Deadline(same_day=True)
    assert parse_deadline({"working_days": 3}) == Deadline(working_days=3)
    assert parse_deadline("90s") == Deadline(minutes=1.5)
    assert parse_deadline("immediately") == "immediately"  # a choice's name
    with pytest.raises(ValueError):
        parse_deadline({"working_days": 0})


def test_years_outside_the_calendar_data_are_a_clear_error():
    with pytest.raises(InputError, match="working day"):
        nth_working_day_after(datetime(2035, 1, 1).date(), 2)
