"""A drill programme: the year's calendar of drills, inspections, meetings and tasks (P13).

A programme file lists dated items. A ``drill`` item names a plan and a scenario; it is played on
its date (the scenario's start moved to that day, its time of day kept unless the item gives one).
Other items (``task``, ``meeting``, ``inspection``, ``training``) are the calendar the drills sit in,
each with its clause.

Loading checks what playing would need: item ids are unique; every date exists and falls in the
programme's year (``year:``, or the year of the first item's first date); every drill's plan and
scenario load, the scenario checked against the plan on the drill's date.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field, model_validator

from . import catalog
from .checking import check, raise_problems
from .errors import InputError
from .plan import load_plan
from .scenario import calendar_problem, load_scenario
from .schema import Document, Strict, TimeOfDay, Whole, written_date
from .yamlio import Path_, load_yaml, locate

Day = Annotated[date, BeforeValidator(written_date)]


class Item(Strict):
    id: str
    kind: Literal["drill", "inspection", "meeting", "training", "task"]
    title: str
    clause: str = ""
    dates: tuple[Day, ...] = Field(min_length=1)
    """The day or days it falls on; for a task, its due date."""
    at: TimeOfDay | None = None
    """For a drill: the time of day it starts (default: the scenario's)."""
    plan: str | None = None
    scenario: str | None = None
    seed: Whole = Field(0, ge=0)

    @model_validator(mode="before")
    @classmethod
    def _one_date(cls, data: Any) -> Any:
        if isinstance(data, dict) and "date" in data:
            if "dates" in data:
                raise ValueError("give `date` or `dates`, not both")
            data = {**data, "dates": [data["date"]]}
            del data["date"]
        return data

    @model_validator(mode="after")
    def _drills_name_what_they_play(self) -> Item:
        names = (self.plan is not None, self.scenario is not None)
        if names != ((True, True) if self.kind == "drill" else (False, False)):
            raise ValueError("a drill names its plan and scenario, and only a drill does")
        return self


class Programme(Document):
    schema_: Literal["drillsim.programme/1"] = Field(alias="schema")
    year: Whole | None = Field(None, ge=2000, le=2100)
    """The year the programme covers; left out, the year of its first item's first date."""
    items: tuple[Item, ...] = Field(min_length=1)

    def calendar(self) -> list[tuple[date, Item]]:
        """Every dated occurrence, in date order."""
        return sorted(((d, item) for item in self.items for d in item.dates), key=lambda x: (x[0], x[1].id))


def _check_items(programme: Programme) -> list[tuple[Path_, str]]:
    problems: list[tuple[Path_, str]] = []
    year = programme.year or programme.items[0].dates[0].year
    seen: set[str] = set()
    for i, item in enumerate(programme.items):
        if item.id in seen:
            problems.append((("items", i, "id"), f"item id {item.id!r} is used twice"))
        seen.add(item.id)
        key = "date" if len(item.dates) == 1 else "dates"
        for k, day in enumerate(item.dates):
            if day.year != year:
                loc: Path_ = ("items", i, key, k)  # for a single date, locate() drops the index
                problems.append((loc, f"{day} is outside the programme's year {year}"))
        if len(set(item.dates)) != len(item.dates):
            problems.append((("items", i, key), "the same date is given twice"))
    return problems


def _check_drills(programme: Programme, source: str, data: Any, positions: dict[Path_, int]) -> None:
    """Every drill's plan and scenario load, and the scenario can be played on each of its dates."""
    for i, item in enumerate(programme.items):
        if item.kind != "drill":
            continue
        part = "plan"
        try:
            plan = load_plan(catalog.resolve(item.plan, "plan"))
            part = "scenario"
            scenario = load_scenario(catalog.resolve(item.scenario, "scenario"), plan)
            for day in item.dates:
                moved = scenario.model_copy(update={"start": drill_start(item, day, scenario.start)})
                problem = calendar_problem(moved, plan)
                if problem:
                    raise InputError(str(item.scenario), f"played on {day}: {problem}")
        except InputError as err:
            _, line = locate(("items", i, part), data, positions)
            raise InputError(source, f"its drill cannot be played: its {part}: {err}", f"items[{i}] ({item.id})",
                             line) from None


def load_programme(path: str | Path) -> Programme:
    data, positions = load_yaml(path)
    source = str(path)
    programme = check(Programme, data, source, positions, "schema, id, items")
    problems = _check_items(programme)
    if problems:
        raise_problems(source, data, positions, problems)
    _check_drills(programme, source, data, positions)
    return programme


def drill_start(item: Item, day: date, scenario_start: datetime) -> datetime:
    """When the drill on ``day`` starts: that day, at the item's time or the scenario's."""
    clock = item.at or scenario_start.timetz()
    return datetime.combine(day, clock.replace(tzinfo=None), tzinfo=scenario_start.tzinfo)
