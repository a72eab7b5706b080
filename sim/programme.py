"""A drill programme: the year's calendar of drills, inspections, meetings and tasks (P13).

A programme file lists dated items. A ``drill`` item names a plan and a scenario; it is played on
its date (the scenario's start moved to that day, its time of day kept unless the item gives one).
Other items (``task``, ``meeting``, ``inspection``, ``training``) are the calendar the drills sit in,
each with its clause.
"""

from __future__ import annotations

from datetime import date, datetime, time
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, model_validator

from .checking import check
from .schema import Document, Strict
from .yamlio import load_yaml


class Item(Strict):
    id: str
    kind: Literal["drill", "inspection", "meeting", "training", "task"]
    title: str
    clause: str = ""
    dates: tuple[date, ...] = Field(min_length=1)
    """The day or days it falls on; for a task, its due date."""
    at: time | None = None
    """For a drill: the time of day it starts (default: the scenario's)."""
    plan: str | None = None
    scenario: str | None = None
    seed: int = 0

    @model_validator(mode="before")
    @classmethod
    def _one_date(cls, data: Any) -> Any:
        if isinstance(data, dict) and "date" in data:
            data = {**data, "dates": [data["date"]]}
            del data["date"]
        return data

    @model_validator(mode="after")
    def _drills_name_what_they_play(self) -> Item:
        if (self.kind == "drill") != (self.plan is not None and self.scenario is not None):
            raise ValueError("a drill names its plan and scenario, and only a drill does")
        return self


class Programme(Document):
    schema_: Literal["drillsim.programme/1"] = Field(alias="schema")
    items: tuple[Item, ...] = Field(min_length=1)

    def calendar(self) -> list[tuple[date, Item]]:
        """Every dated occurrence, in date order."""
        return sorted(((d, item) for item in self.items for d in item.dates), key=lambda x: (x[0], x[1].id))


def load_programme(path: str | Path) -> Programme:
    data, positions = load_yaml(path)
    return check(Programme, data, str(path), positions, "schema, id, items")


def drill_start(item: Item, day: date, scenario_start: datetime) -> datetime:
    """When the drill on ``day`` starts: that day, at the item's time or the scenario's."""
    clock = item.at or scenario_start.timetz()
    return datetime.combine(day, clock.replace(tzinfo=None), tzinfo=scenario_start.tzinfo)
