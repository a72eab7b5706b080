"""Shared pieces of the file schemas: strict models, durations, selectors of log events."""

from __future__ import annotations

import re
from datetime import time
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator

from .durations import parse_duration
from .values import parse_bool


class Strict(BaseModel):
    """Every file model rejects unknown keys, so a typo is an error, not a silent default."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Document(Strict):
    """The header a plan or programme file opens with; each file type narrows ``schema`` to its own name."""

    schema_: str = Field(alias="schema")
    id: str
    title: str
    description: str = ""
    sources: tuple[str, ...] = ()


Duration = Annotated[float, BeforeValidator(parse_duration)]
Bool = Annotated[bool, BeforeValidator(parse_bool)]
"""A yes-or-no key: true/false, yes/no or 是/否 (``spec.values``), nothing else (not 1, not on)."""
Probability = Annotated[float, BeforeValidator(lambda v: probability(v))]
Whole = Annotated[int, Field(strict=True)]
"""A whole number written as one: pydantic alone would read ``"2"``, ``2.0`` and ``true`` as 2, 2 and 1."""
Number = Annotated[float, Field(strict=True)]
"""A number written as one (a whole number is one): pydantic alone would read ``"2"`` as 2.0 and ``true`` as 1.0."""

EVENT_KINDS = (
    "inject", "fact", "action", "sent", "received", "acknowledged", "unanswered", "lost",
    "level", "arrived", "omitted", "unfinished", "started", "stopped", "learned",
)
"""The kinds of event the log holds (a drill log's rows are of these kinds too)."""
INSTANCE = re.compile(r"^(.*?)[-#＃](\d+)$")
"""How a drill log names one person of a role: the role's name and a number (``柜员-2``, ``柜员#2``)."""
FIELDS_APART = re.compile(r"[;；、,，\s]+")
"""What parts the report fields written in a drill log's ``fields`` cell (``地点、时间``)."""
LEARNED = "learned"
"""A person first learns of the incident at a site (``Replication.learn``): its row's ``what`` is
``incident`` and its ``value`` how (:data:`LEARNED_HOW`); a row of being told carries the message's
channel and number. A task on ``learned`` fires for the person who learns; a requirement may select
the rows."""
LEARNED_HOW = ("perceived", "told", "arrived")
"""How a person learns of an incident: perceiving it where they are, being told (a call picked up, a
fax or alarm read), arriving on the scene."""
TRIGGER_KINDS = EVENT_KINDS
EventKind = Literal[
    "inject", "fact", "action", "sent", "received", "acknowledged", "unanswered", "lost",
    "level", "arrived", "omitted", "unfinished", "started", "stopped", "learned",
]


def probability(value: Any) -> float:
    """A number from 0 to 1; ValueError otherwise."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"a probability is a number from 0 to 1, got {value!r}")
    if not 0 <= value <= 1:
        raise ValueError(f"a probability is between 0 and 1, got {value}")
    return float(value)


def written_date(value: Any) -> Any:
    """A date (and time) as written, a YAML timestamp or an ISO text; a number is refused, where
    pydantic alone would read it as seconds since 1970."""
    if isinstance(value, bool | int | float):
        raise ValueError(f"a date is written like 2026-03-12 (a time like 2026-03-12T09:00:00+08:00), got {value!r}")
    return value


def time_of_day(value: Any) -> time:
    """A time of day written hours:minutes (``09:00``, ``9:00``, ``17:30``); anything else, a number
    among them (pydantic alone would read ``9`` as 9 seconds past midnight UTC), is refused."""
    m = re.fullmatch(r"\s*([01]?[0-9]|2[0-3]):([0-5][0-9])\s*", value) if isinstance(value, str) else None
    if m is None:
        raise ValueError(f"a time of day is written hours:minutes, like 09:00 or 17:30, got {value!r}")
    return time(int(m[1]), int(m[2]))


TimeOfDay = Annotated[time, BeforeValidator(time_of_day)]


def _names(value: Any) -> tuple[str, ...] | None:
    if value is None:
        return None
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list | tuple) and value and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise ValueError(f"expected a name or a list of names, got {value!r}")


Names = Annotated[tuple[str, ...] | None, BeforeValidator(_names)]


def _role_names(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list | tuple) and value and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise ValueError(f"a role is named (role: guard) or listed (role: [guard, lobby_manager]), got {value!r}")


RoleNames = Annotated[tuple[str, ...], BeforeValidator(_role_names)]
"""A duty's ``role``: one role id or a list of them, first-listed first."""


class Selector(Strict):
    """Which log events a requirement or trigger means: every given field must match.

    ``actor`` and ``target`` are role ids; ``what`` is an action, fact, message, inject or level;
    ``value`` is a fact's new value (``{event: fact, what: outage, value: false}``: the outage ended).
    """

    event: EventKind
    what: Names = None
    actor: Names = None
    target: Names = None
    channel: Names = None
    value: bool | int | float | str | None = None
    first: Bool = False
    """Only the first matching event (at each site) counts: ``incident`` is the first inject."""

    @field_validator("event", mode="before")
    @classmethod
    def _known_event(cls, v: Any) -> Any:
        if v not in TRIGGER_KINDS:
            raise ValueError(f"unknown event kind {v!r}; known: {', '.join(TRIGGER_KINDS)}")
        return v


INCIDENT = Selector(event="inject", first=True)
"""``incident``: the incident's first inject (at each site)."""


def parse_selector(value: Any) -> Any:
    """``"incident"`` is shorthand for the incident's first inject."""
    if value == "incident":
        return INCIDENT
    return value


SelectorField = Annotated[Selector, BeforeValidator(parse_selector)]
