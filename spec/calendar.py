"""Deadlines that count in calendar terms: a number of minutes, "the same day", or "within N
working days" on the Chinese calendar with its public holidays and adjusted working weekends
(from the ``chinese-calendar`` package).

In a file::

    within: 30min                 # minutes, hours …
    within: same_day              # before midnight of the trigger's day (当天)
    within: {working_days: 5}     # before the end of the 5th working day after the trigger's day

A number of working days is a whole number from 1 to :data:`MAX_WORKING_DAYS`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Annotated, Any

import chinese_calendar
from pydantic import BeforeValidator

from .durations import format_minutes, parse_duration
from .errors import InputError

MAX_WORKING_DAYS = 60
LAST_DAY = date.max - timedelta(days=1)
"""The last day a drill may reach (9999-12-30): a deadline may count to the end of a day, so the day
after it must exist."""


@dataclass(frozen=True, slots=True)
class Deadline:
    minutes: float | None = None
    same_day: bool = False
    working_days: int | None = None

    @property
    def calendar(self) -> bool:
        return self.minutes is None

    def allowed(self, trigger: float, origin: datetime | None) -> float:
        """Minutes allowed after a trigger at minute ``trigger`` of a log that began at ``origin``."""
        if self.minutes is not None:
            return self.minutes
        if origin is None:
            raise InputError("log", "a calendar deadline needs the log's dates, and this log has none")
        start = origin + timedelta(minutes=trigger)
        day = start.date()
        if self.working_days is not None:
            day = nth_working_day_after(day, self.working_days)
        end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=start.tzinfo)
        return (end - start) / timedelta(minutes=1)

    def describe(self) -> str:
        if self.minutes is not None:
            return format_minutes(self.minutes)
        return "same day" if self.same_day else f"{self.working_days} working days"


def is_working_day(day: date) -> bool:
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError as err:
        raise InputError("chinese-calendar", f"cannot tell whether {day} is a working day: {err}; "
                         "upgrade the chinese-calendar package for later years") from None


def nth_working_day_after(day: date, n: int) -> date:
    """The ``n``-th working day after ``day`` (``day`` itself not counted)."""
    count = 0
    while count < n:
        day += timedelta(days=1)
        count += is_working_day(day)
    return day


def parse_deadline(value: Any, allow_choice: bool = True) -> Deadline | str:
    if isinstance(value, Deadline):
        return value
    if value in ("same_day", "当天"):
        return Deadline(same_day=True)
    if isinstance(value, dict):
        n = value.get("working_days")
        if set(value) == {"working_days"} and isinstance(n, int) and not isinstance(n, bool) \
                and 0 < n <= MAX_WORKING_DAYS:
            return Deadline(working_days=n)
        raise ValueError(f"a calendar deadline is same_day or {{working_days: N}} with N from 1 to "
                         f"{MAX_WORKING_DAYS}, got {value!r}")
    try:
        return Deadline(minutes=parse_duration(value))
    except ValueError:
        if allow_choice and isinstance(value, str) and value.isidentifier():
            return value  # the name of one of the plan's choices
        raise


DeadlineField = Annotated[Deadline | str, BeforeValidator(parse_deadline)]
ChoiceValue = Annotated[Deadline, BeforeValidator(lambda v: parse_deadline(v, allow_choice=False))]
