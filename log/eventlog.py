"""The event log: one record type for everything that happens, simulated or recorded by hand.

A row is an :class:`Event` (a named tuple in the order of :data:`COLUMNS`); a table is built
once, at the end, when someone asks for it.

``t`` is minutes since the log's ``origin`` (the wall-clock time of minute 0). ``value`` holds a
fact's new value, a declared level or a message's attempt number; ``fields`` holds the report
fields a message carried.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, NamedTuple

from drillsim.spec.errors import InputWarning


class Event(NamedTuple):
    """One row of the log. A plain tuple underneath (cheap to make on the engine's hot path), read
    by name everywhere."""

    t: float
    site: str
    incident: str
    event: str
    what: str
    actor_role: str | None = None
    actor: str | None = None
    target_role: str | None = None
    target: str | None = None
    channel: str | None = None
    ref: int | None = None
    value: Any = None
    fields: tuple[str, ...] | None = None


COLUMNS = Event._fields
LOG_SCHEMA = "drillsim.eventlog/1"
FILE_COLUMNS = ("time", "t", "site", "incident", "incident_type", "scenario", *COLUMNS[3:])
"""The columns of the written CSV and Parquet files."""



@dataclass
class EventLog:
    rows: list[Event]
    origin: datetime | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    warnings: list[InputWarning] = field(default_factory=list)
    """What reading a drill log accepted that a reader of its scorecard must know of."""
    _made: tuple[tuple, dict[str, Any]] | None = field(default=None, init=False, repr=False, compare=False)
    """What the log was last made into (its table, its CSV text), and from what (see :meth:`_once`)."""

    def wall_clock(self, t: float) -> datetime | None:
        return None if self.origin is None else self.origin + timedelta(minutes=t)

    def records(self) -> list[dict[str, Any]]:
        """Rows as dicts with a wall-clock ``time`` (ISO 8601) where the origin is known."""
        out = []
        for row in self.rows:
            rec = dict(zip(COLUMNS, row, strict=True))
            wall = self.wall_clock(row.t)
            rec = {"time": wall.isoformat(timespec="milliseconds") if wall else None, **rec}
            rec["t"] = round(row.t, 4)
            rec["fields"] = list(row.fields) if row.fields is not None else None
            out.append(rec)
        return out

    def to_frame(self):  # -> pandas.DataFrame
        """The table of the written files (:data:`FILE_COLUMNS`): a copy of one built once (:meth:`_once`)."""
        return self._table().copy()

    def csv_text(self) -> str:
        """The text of events.csv (without its byte-order mark), made once (:meth:`_once`)."""
        return self._once("csv", lambda: self._table().to_csv(index=False))

    def _table(self):  # -> pandas.DataFrame, the one built: read here, never changed
        return self._once("frame", self._build_frame)

    def _once(self, name: str, make: Callable[[], Any]) -> Any:
        """What ``make`` makes of the log as it stands — its rows (not changed in place once the log is
        made), origin, incident type and scenario — made once: a drill's log is written as CSV, as
        Parquet and into the history, and scoring a drill of 100,000 rows made its table three times."""
        state = (self.rows, len(self.rows), self.origin, self.meta.get("type"), self.meta.get("scenario"))
        if self._made is None or not _same(self._made[0], state):
            self._made = (state, {})
        made = self._made[1]
        if name not in made:
            made[name] = make()
        return made[name]

    def _build_frame(self):  # -> pandas.DataFrame, a column at a time
        import pandas as pd

        types = {"value": object, "fields": object, "incident_type": object, "scenario": object, "ref": "Int64"}
        if not self.rows:
            return pd.DataFrame(columns=list(FILE_COLUMNS)).astype(types)
        n, origin = len(self.rows), self.origin
        columns = dict(zip(COLUMNS, zip(*self.rows, strict=True), strict=True))
        times = columns["t"]
        data = {
            **columns,
            "time": [(origin + timedelta(minutes=t)).isoformat(timespec="milliseconds") for t in times]
            if origin else [None] * n,
            "t": [round(t, 4) for t in times],
            "incident_type": [self.meta.get("type")] * n, "scenario": [self.meta.get("scenario")] * n,
            "value": [value_text(v) for v in columns["value"]],
            "fields": [";".join(f) if f else None for f in columns["fields"]],
        }
        return pd.DataFrame({c: data[c] for c in FILE_COLUMNS}).astype(types)

    def write_csv(self, path: str | Path) -> Path:
        """UTF-8 with a byte-order mark, so spreadsheet programs show Chinese correctly."""
        path = Path(path)
        path.write_text(self.csv_text(), encoding="utf-8-sig", newline="")  # the text has its line ends
        return path

    def write_parquet(self, path: str | Path) -> Path:
        import pyarrow as pa
        import pyarrow.parquet as pq

        path = Path(path)
        numbers = {"t": pa.float64(), "ref": pa.int64()}  # every other column is text
        schema = pa.schema([(c, numbers.get(c, pa.string())) for c in FILE_COLUMNS])
        table = pa.Table.from_pandas(self._table(), schema=schema, preserve_index=False)
        meta = {"drillsim": json.dumps({"schema": LOG_SCHEMA, "origin": self._origin_text(), **self.meta},
                                       ensure_ascii=False)}
        pq.write_table(table.replace_schema_metadata({**(table.schema.metadata or {}), **meta}), path)
        return path

    def _origin_text(self) -> str | None:
        return self.origin.isoformat() if self.origin else None


def _same(built: tuple, now: tuple) -> bool:
    """Whether what was made from the log as it stood (``built``: rows first, the very list) holds ``now``."""
    return built[0] is now[0] and built[1:] == now[1:]


def value_text(value: Any) -> str | None:
    """A value as a person would type it: ``true``/``false``, ``3`` (not ``3.0``), ``0.5``, level names.

    Nothing (and a number that is not finite) is an empty cell.
    """
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if not math.isfinite(value):
            return None
        if value.is_integer():
            return str(int(value))
        return repr(round(value, 6))
    return str(value)
