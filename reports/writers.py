"""The outputs of one drill, as a list of writers: each writes its files into the drill's folder.

An output format is one more :class:`Writer` in the list given to ``drillsim.write_drill``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from drillsim.log.eventlog import EventLog
from drillsim.scoring.scorecard import Scorecard
from drillsim.spec.plan import Plan

WriteFiles = Callable[[Plan, EventLog, Scorecard, Path], dict[str, Path]]
"""(plan, log, scorecard, out folder) -> the files written, by name."""


@dataclass(frozen=True)
class Writer:
    """One output format of a drill: its name and the function that writes its files into ``out``."""

    name: str
    write: WriteFiles


def _log_csv(plan: Plan, log: EventLog, card: Scorecard, out: Path) -> dict[str, Path]:
    return {"log_csv": log.write_csv(out / "events.csv")}


def _log_parquet(plan: Plan, log: EventLog, card: Scorecard, out: Path) -> dict[str, Path]:
    return {"log_parquet": log.write_parquet(out / "events.parquet")}


def _scorecard(plan: Plan, log: EventLog, card: Scorecard, out: Path) -> dict[str, Path]:
    return {"scorecard": card.write_json(out / "scorecard.json")}


def _report(plan: Plan, log: EventLog, card: Scorecard, out: Path) -> dict[str, Path]:
    from .html import write_report  # matplotlib loads only when a report is written

    return write_report(plan, log, card, out)


DEFAULT_WRITERS: tuple[Writer, ...] = (
    Writer("log_csv", _log_csv),  # events.csv
    Writer("log_parquet", _log_parquet),  # events.parquet
    Writer("scorecard", _scorecard),  # scorecard.json
    Writer("report", _report),  # report.html and timeline.png
)
"""What every drill writes."""
