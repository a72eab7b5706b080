"""Read a real drill's log, as an evaluator typed it, into the same event log a simulation writes.

The file is CSV (UTF-8, with or without a byte-order mark), one row per thing that happened::

    time,event,actor,what,target,channel,fields,value
    2026-03-12 10:02:10,inject,,robbers-enter,,,,
    10:02:40,sent,临柜人员-1,,110公安机关,110报警按钮,,
    10:03:05,action,现金柜员,现金入柜上锁,,,,
    10:05:00,fact,,injured,,,,true

drillsim's own ``events.csv`` and ``events.parquet`` are read the same way. Every name is checked
against the plan (and the scenario, when one is given), every problem is reported with its row and
column, and nothing is scored until all are fixed; what is accepted but changed (a repeated row,
rows out of order, a message assumed received) is an :class:`InputWarning` on the returned log.
The rules are in docs/drill-logs.md.
"""

from __future__ import annotations

import contextlib
import csv
import difflib
import io
import re
from collections import defaultdict, deque
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from operator import itemgetter
from pathlib import Path
from typing import Any

from rapidfuzz.distance import DamerauLevenshtein

from drillsim.spec.calendar import LAST_DAY
from drillsim.spec.errors import InputError, InputErrors, InputWarning
from drillsim.spec.plan import Plan
from drillsim.spec.scenario import Scenario
from drillsim.spec.schema import EVENT_KINDS, FIELDS_APART, INSTANCE, LEARNED, LEARNED_HOW
from drillsim.spec.values import fact_value

from .eventlog import Event, EventLog

HEADERS = {
    "time": ("time", "时间"),
    "event": ("event", "事件", "事件类型"),
    "actor": ("actor", "执行人", "角色", "人员"),
    "what": ("what", "事项", "内容", "动作"),
    "target": ("target", "对象", "接收人"),
    "channel": ("channel", "渠道", "方式"),
    "fields": ("fields", "报告要素", "要素"),
    "value": ("value", "值", "取值"),
    "incident": ("incident", "事件编号"),
    "incident_type": ("incident_type", "事件类别"),
    "site": ("site", "地点", "网点"),
    "ref": ("ref", "消息编号"),
    "scenario": ("scenario", "情景编号"),
}
DERIVED = ("t", "actor_role", "target_role")
"""Columns of drillsim's own events.csv that are worked out again on reading, and so skipped."""
EVENT_ALIASES = {
    "情景": "inject", "注入": "inject", "事实": "fact", "情况": "fact", "动作": "action", "处置": "action",
    "发送": "sent", "发出": "sent", "报告": "sent", "收到": "received", "接收": "received", "确认": "acknowledged",
    "未接通": "unanswered", "定级": "level", "等级": "level", "到达": "arrived", "到场": "arrived",
    "开始": "started", "停止": "stopped", "中止": "stopped",
}
MESSAGES = ("sent", "received", "acknowledged", "unanswered", "lost")
REPLIES = ("received", "unanswered", "lost")
"""A message attempt ends in one of these; a ``sent`` row without one is assumed received (see docs)."""
SIMULATION_ONLY = ("omitted", "unfinished")
"""Rows a simulation adds to explain a run; the scorer ignores them, so their ``what`` is not checked."""
_TIME_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M", "%Y/%m/%d %H:%M:%S",
                 "%Y/%m/%d %H:%M")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")
_DATE_ONLY = re.compile(r"^\d{4}[-/]\d{1,2}[-/]\d{1,2}$")
_CLOCK = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?$")
_SECONDS = re.compile(r"\d{1,2}:\d{2}:\d{2}")
MINUTE = timedelta(seconds=59)
"""A time typed to the minute (``10:03``) is the interval 10:03:00–10:03:59; the log holds its start,
or the time of the row above when that lies within it (``10:03`` after ``10:03:20``)."""
SAME_TIME = 1e-3
"""Minutes within which a typed elapsed-fact row and one worked out from the log are the same row."""


def suggest(word: str, known: dict[str, str]) -> str:
    """``: did you mean X (名称)?`` for the nearest known name, or the list of known names. Of the
    five most alike (difflib), the fewest typing slips away (Damerau-Levenshtein: a swap of two
    letters is one slip), so ``sned`` is ``sent``, not ``learned``."""
    near = difflib.get_close_matches(word, list(known), n=5, cutoff=0.5)
    if near:
        best = min(near, key=lambda name: DamerauLevenshtein.distance(word, name))  # ties: the most alike
        return f": did you mean {known[best]}?"
    listed = sorted(set(known.values()))
    more = f", … ({len(listed)} in all)" if len(listed) > 12 else ""
    return "; known: " + (", ".join(listed[:12]) + more if listed else "(none)")


def _typed_width(text: str) -> timedelta:
    """How much later than its reading a typed time may be: 0 to the second, :data:`MINUTE` to the minute."""
    return timedelta(0) if _SECONDS.search(text) else MINUTE


def _labels(names: dict[str, str], label: dict[str, str]) -> dict[str, str]:
    """Every accepted spelling -> ``id (中文名)`` of what it names."""
    return {n: f"{i} ({label[i]})" if label.get(i, i) != i else i for n, i in names.items()}


@dataclass
class _Entry:
    """One row of the file, parsed enough to sort."""

    when: datetime
    line: int
    cells: dict[str, str]
    width: timedelta
    """How much later than ``when`` the row may have been (see :attr:`DrillLogReader.last_width`)."""
    row: Event | None = None


class _Reader:
    def __init__(self, plan: Plan, source: str, scenario: Scenario | None):
        self.plan, self.source, self.scenario = plan, source, scenario
        self.errors: list[InputError] = []
        self.warnings: list[InputWarning] = []
        self.channels = {c: c for c in plan.channels} | {ch.name: c for c, ch in plan.channels.items()}
        self.channel_labels = _labels(self.channels, {c: ch.name for c, ch in plan.channels.items()})
        self.fields = {f: f for f in plan.report_fields} | {name: f for f, name in plan.report_fields.items()}
        self.field_labels = _labels(self.fields, plan.report_fields)
        self.whole_fields = sorted((n for n in self.fields if FIELDS_APART.search(n)), key=len, reverse=True)
        """Names of report fields that hold a separator (投诉事由(主张、意见)): read whole, before splitting."""
        self.actions = {a: a for a in plan.action_labels} | {n: a for a, n in plan.action_labels.items()}
        self.action_labels = _labels(self.actions, plan.action_labels)
        self.role_labels = _labels(plan.role_names, {r: role.name for r, role in plan.roles.items()})
        self.fact_labels = _labels({f: f for f in plan.facts}, {f: fact.name for f, fact in plan.facts.items()})
        self.reports = {r.id: r.id for r in plan.escalation}
        self.tasks = {t.id: t.id for t in (*plan.duties, *plan.escalation)}
        self.injects = {i.id: i.id for i in scenario.injects} if scenario else None
        self.branches = {b.id: b for b in scenario.branches} if scenario else None
        branches = scenario.branches if scenario else ()
        # a branch by its id or its name (城东支行营业室), as channels and roles are; an id wins over a name
        self.branch_ids = ({b.name: b.id for b in branches if b.name} | {b.id: b.id for b in branches}
                           if scenario else None)
        self.branch_labels = _labels(self.branch_ids or {}, {b.id: b.name for b in branches if b.name})
        self.type_ids = {t: t for t in plan.incident_types} | {t.name: i for i, t in plan.incident_types.items()}
        self.types = _labels(self.type_ids, {i: t.name for i, t in plan.incident_types.items()})
        self.lines: dict[int, int] = {}
        """id() of a finished row -> its line in the file."""
        self.people: dict[str, tuple[str, str, str | None]] = {}
        """Cells already read as someone, and who: the same text names the same person on every row."""

    def error(self, line: int | None, column: str, message: str) -> None:
        self.errors.append(InputError(self.source, message, f"column {column!r}", line))  # every error names one

    def warn(self, line: int | None, column: str, message: str) -> None:
        self.warnings.append(InputWarning(self.source, message, f"column {column!r}" if column else "", line))

    def role(self, text: str, line: int, column: str) -> tuple[str | None, str | None, str | None]:
        """(role id, instance, branch prefix) of a cell naming someone; ``None``s and an error if unknown."""
        if not text:
            return None, None, None
        known = self.people.get(text)
        if known is not None:
            return known
        site, _, name = text.rpartition("/")  # several branches: "east/guard-1"
        if site:
            site = self.branch(site, line, column, f" in {text!r}")
            if site is None:
                return None, None, None
        names = self.plan.role_names
        number = None
        if name not in names:
            m = INSTANCE.match(name)
            if not (m and m[1] in names):
                self.error(line, column, f"unknown role {text!r}" + suggest(name, self.role_labels))
                return None, None, None
            name, number = m[1], int(m[2])
        rid = names[name]
        role = self.plan.roles[rid]
        count = self._count(rid, site)
        if number is not None and not 1 <= number <= count:
            self.error(line, column, f"{text!r}: the plan has {count} {rid} ({role.name}), "
                       f"numbered 1 to {count}" if count else f"{text!r}: there is no {rid} ({role.name}) here")
            return None, None, None
        prefix = f"{site}/" if site else ""
        # an agency is named as the simulation names it: by its id
        who = f"{prefix}{rid}" if role.kind == "agency" else f"{prefix}{rid}-{number or 1}"
        known = self.people[text] = (rid, who, site or None)
        return known

    def branch(self, written: str, line: int, column: str, within: str = "") -> str | None:
        """The id of the branch ``written`` (its id or its name), as written without a scenario; None, and
        an error, if the scenario has no such branch."""
        if self.branch_ids is None:
            return written
        if written in self.branch_ids:
            return self.branch_ids[written]
        self.error(line, column, f"unknown branch {written!r}{within}" + suggest(written, self.branch_labels))
        return None

    def only_site(self, line: int) -> str:
        """The site of a row that names none: the scenario's branch (``branch`` without a scenario); with
        several branches, an error, as which of them it happened at would be a guess."""
        if self.branches is None:
            return "branch"
        if len(self.branches) == 1:
            return next(iter(self.branches))
        self.error(line, "site", f"the drill has {len(self.branches)} branches ({', '.join(self.branches)}): say "
                   f"which this row happened at, in a 'site' column or as the actor's prefix "
                   f"({next(iter(self.branches))}/<role>)")
        return ""

    def _count(self, rid: str, site: str) -> int:
        role = self.plan.roles[rid]
        if role.kind != "staff" or self.branches is None:
            return role.count
        branches = [self.branches[site]] if site else list(self.branches.values())
        return max(b.staffing.get(rid, role.count) for b in branches)


class DrillLogReader:
    """Reads a drill log one row at a time, as a live drill console records it.

    :meth:`add` checks a row on its own and returns its event; :meth:`finish` makes the checks
    across rows (an inject row, one incident type, order, replies, elapsed facts) and returns the
    log. Times are minutes since ``origin`` if it is given, else since the first row added; if a
    row added later is earlier than that first row, :meth:`finish` moves the origin back to the
    earliest row (so the rows :meth:`add` returned may be shifted in the log). A row earlier than
    the one before it is accepted if it gives its date, and :meth:`finish` puts it in time order
    with a warning. No row can be added after :meth:`finish`.

    ``day`` dates rows that give only a time before any dated row; ``scenario`` (optional) lets
    inject names, branches and branch staffing be checked, and gives the incident type; ``source``
    names the log in errors and warnings.
    """

    def __init__(self, plan: Plan, day: date | None = None, scenario: Scenario | None = None,
                 origin: datetime | None = None, source: str = "drill log"):
        self.plan, self.day, self.scenario, self.origin = plan, day, scenario, origin
        self._rd = _Reader(plan, source, scenario)
        self._entries: list[_Entry] = []
        self._seen: dict[tuple, _Entry] = {}
        self._last: datetime | None = None
        self._last_width = timedelta(0)
        self._refused: list[InputError] = []
        """Rows refused on their time or event kind, in the order added."""
        self._wrong: list[tuple[datetime, int, InputError]] = []
        """Problems in the other cells of a row, with its time and line (they are reported in time order)."""
        self._finished = False

    @property
    def last_time(self) -> datetime | None:
        """The time of the last row added whose time could be read (a row giving only a time takes its date)."""
        return self._last

    @property
    def last_width(self) -> timedelta:
        """How much later than :attr:`last_time` the last row may have been: 0 for a time typed to the second;
        for one typed to the minute, the rest of the minute."""
        return self._last_width

    @property
    def warnings(self) -> list[InputWarning]:
        """What the rows added so far were accepted with (a repeated row); :meth:`finish` adds its own."""
        return list(self._rd.warnings)

    def refuse(self, error: InputError) -> None:
        """Count a row the caller found wrong before adding it (e.g. more cells than the header)."""
        self._refused.append(error)

    def add(self, cells: Mapping[str, str], line: int) -> Event:
        """The event of one row (cells by column: ``time``, ``event``, ``actor``, …); an exact repeat of an
        earlier row is counted once, with a warning, and gives that row's event.

        Raises :class:`InputError` naming the line and the column of each problem in the row.
        """
        if self._finished:
            raise RuntimeError("the drill log is finished: no row can be added after finish()")
        unknown = set(cells) - set(HEADERS)
        if unknown:
            raise ValueError(f"unknown columns {sorted(unknown)}; the columns are {', '.join(HEADERS)}")
        rd = self._rd
        get = {k: (cells.get(k) or "").strip() for k in HEADERS}
        when, problem, dated = _parse_time(get["time"], self._last, self.day)
        last = self._last
        if problem is None and last is not None and when.tzinfo is not None and last.tzinfo is None:
            problem = f"{get['time']!r} has a time zone and the rows above have none: write all times alike"
        if problem is None and last is not None and when.tzinfo is None and last.tzinfo is not None:
            problem = f"{get['time']!r} has no time zone and the rows above have one: write all times alike"
        width = _typed_width(get["time"])
        if problem is None and last is not None and width and when <= last <= when + width:
            when, width = last, when + width - last  # 10:02 after 10:02:35: written after it, in the rest of 10:02
        if problem is None and not dated and last is not None and when < last:
            problem = (f"{get['time']!r} is earlier than the row above ({last:%Y-%m-%d %H:%M:%S}): "
                       f"a time after midnight needs its date (write {when + timedelta(days=1):%Y-%m-%d} "
                       f"{get['time']}), and a row out of order its full date and time")
        if problem is None and self.origin is not None and (when.tzinfo is None) != (self.origin.tzinfo is None):
            problem = (f"{get['time']!r} {'has no' if when.tzinfo is None else 'has a'} time zone and the origin "
                       f"({self.origin.isoformat()}) {'has one' if when.tzinfo is None else 'has none'}: "
                       "write all times alike")
        if problem:
            rd.error(line, "time", problem)
            raise self._take(self._refused)
        self._last, self._last_width = when, width
        event = EVENT_ALIASES.get(get["event"], get["event"].lower())
        if event not in EVENT_KINDS:
            known = {e: e for e in EVENT_KINDS} | {a: f"{e} ({a})" for a, e in EVENT_ALIASES.items()}
            what = f"unknown event {get['event']!r}" if get["event"] else "the event is empty"
            rd.error(line, "event", what + suggest(get["event"], known))
            raise self._take(self._refused)
        entry = _Entry(when, line, {**get, "event": event}, width)
        key = (when, *entry.cells.values())  # the cells of every row are in the order of HEADERS
        first = self._seen.get(key)
        if first is not None:
            rd.warn(line, "", f"the row repeats row {first.line} exactly and is counted once; if it happened "
                    "twice, tell the rows apart (by the seconds)")
            if first.row is None:
                raise InputError(rd.source, f"the row repeats row {first.line}, which is wrong", line=line)
            return first.row
        self._seen[key] = entry
        self._entries.append(entry)
        origin = self.origin or self._entries[0].when
        entry.row = _row(rd, entry.cells, line, (when - origin) / timedelta(minutes=1))
        if entry.row is None:
            wrong = self._take([])
            self._wrong += [(when, line, e) for e in wrong.errors]
            raise wrong
        return entry.row

    def _take(self, into: list[InputError]) -> InputErrors:
        """The problems just found, moved into ``into``."""
        found = list(self._rd.errors)
        self._rd.errors.clear()
        into += found
        return InputErrors(found)

    def finish(self) -> EventLog:
        """The log of every row added, in time order; raises :class:`InputError` listing every problem."""
        if self._finished:
            raise RuntimeError("the drill log is finished already")
        self._finished = True
        rd = self._rd
        entries = self._entries
        if not self._refused and not any(e.cells["event"] == "inject" for e in entries):
            raise InputError(rd.source, "no row has event 'inject': record when the incident began, so deadlines "
                             "have a start")
        _order(rd, entries)
        origin = self.origin or (entries[0].when if entries else None)
        if self.origin is None:
            for e in entries:
                if e.row is not None:
                    e.row = e.row._replace(t=(e.when - origin) / timedelta(minutes=1))
        wrong = [e for _, _, e in sorted(self._wrong, key=lambda w: (w[0], w[1]))]
        rd.errors[:0] = self._refused + wrong
        incident_type = _incident_type(rd, entries)
        if rd.errors:
            raise InputErrors(rd.errors)
        done = [e for e in entries if e.row is not None]
        rd.lines = {id(e.row): e.line for e in done}
        rows_out = _with_clocks(rd, done)
        rows_out = _with_receipts(rd, rows_out)
        meta: dict[str, Any] = {"plan": self.plan.id, "source": rd.source, "drill": "real"}
        if self.scenario is not None:
            meta["scenario"] = self.scenario.id
        if incident_type is not None:
            meta["type"] = incident_type
        if rd.errors:
            raise InputErrors(rd.errors)
        return EventLog(rows_out, origin, meta, rd.warnings)


def read_drill_log(path: str | Path, plan: Plan, day: date | None = None,
                   scenario: Scenario | None = None) -> EventLog:
    """Read a drill log (CSV, or drillsim's Parquet); raise :class:`InputError` naming row and column.

    The rows go through a :class:`DrillLogReader` in the order of the file; a scenario the log's
    ``scenario`` column names is used when none is given.
    """
    path = Path(path)
    source = str(path)
    header, rows = _read_table(path, source)
    columns = _columns(header, source)
    if scenario is None and "scenario" in columns:
        scenario = _builtin_scenario(rows, columns["scenario"], plan)
    reader = DrillLogReader(plan, day, scenario, source=source)
    keys, picked, width = tuple(columns), itemgetter(*columns.values()), len(header)  # (time and event at least)
    for line, cells in rows:
        if not any(c.strip() for c in cells):
            continue  # a blank row holds nothing
        if len(cells) > width:
            extra = ", ".join(repr(c) for c in cells[width:])
            reader.refuse(InputError(source, f"the row has {len(cells)} cells but the header has {width} "
                                     f"(extra: {extra}); a cell holding a comma must be quoted (\"a, b\")",
                                     f"cell {width + 1}", line))
            continue
        with contextlib.suppress(InputError):  # kept by the reader: finish() reports every problem at once
            reader.add(dict(zip(keys, picked(cells if len(cells) == width else cells + [""] * (width - len(cells))),
                                strict=True)), line)
    return reader.finish()


def _builtin_scenario(rows: list[tuple[int, list[str]]], column: int, plan: Plan) -> Scenario | None:
    """The built-in scenario a log drillsim wrote names in its ``scenario`` column, if there is one."""
    from drillsim.spec.catalog import builtin_scenarios
    from drillsim.spec.scenario import load_scenario

    names = {cells[column].strip() for _, cells in rows if column < len(cells) and cells[column].strip()}
    path = builtin_scenarios().get(next(iter(names))) if len(names) == 1 else None
    if path is None:
        return None
    found = load_scenario(path)
    return load_scenario(path, plan) if found.plan == plan.id else None


# Reading the file --------------------------------------------------------------------------------


def _read_table(path: Path, source: str) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The header and the rows (with their line numbers) of a CSV or Parquet file."""
    if path.suffix.lower() == ".parquet":
        return _read_parquet(path, source)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError(source, "no such file") from None
    except IsADirectoryError:
        raise InputError(source, "is a folder, not a drill log") from None
    except UnicodeDecodeError as err:
        raise InputError(source, f"not UTF-8 text ({err.reason} at byte {err.start}); "
                         "save the sheet as CSV UTF-8") from None
    reader = csv.reader(io.StringIO(text, newline=""))
    rows: list[tuple[int, list[str]]] = []
    header: list[str] | None = None
    while True:
        line = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as err:
            raise InputError(source, f"not readable as CSV: {err}", line=line) from None
        if header is None:
            header = cells
        else:
            rows.append((line, cells))
    if not header or not any(c.strip() for c in header):
        raise InputError(source, "the file is empty: it needs a header row (time,event,actor,what,…)")
    return header, rows


def _read_parquet(path: Path, source: str) -> tuple[list[str], list[tuple[int, list[str]]]]:
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(path)
    except FileNotFoundError:
        raise InputError(source, "no such file") from None
    except Exception as err:  # pyarrow raises several types for a file that is not Parquet
        raise InputError(source, f"not a Parquet file ({err})") from None
    header = table.column_names
    data = table.to_pydict()
    rows = [(i + 2, ["" if data[c][i] is None else _cell(data[c][i]) for c in header]) for i in range(table.num_rows)]
    return header, rows


def _cell(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _columns(header: list[str], source: str) -> dict[str, int]:
    columns: dict[str, int] = {}
    known = {n: f"{k} ({'/'.join(v)})" for k, v in HEADERS.items() for n in v}
    for i, raw in enumerate(header):
        name = raw.strip().lower()
        if not name:
            raise InputError(source, "a column of the header has no name", f"header column {i + 1}", 1)
        if name in DERIVED:
            continue
        key = next((k for k, names in HEADERS.items() if name in names), None)
        if key is None:
            raise InputError(source, f"unknown column {raw.strip()!r}" + suggest(name, known), f"header column {i + 1}",
                             1)
        if key in columns:
            raise InputError(source, f"column {raw.strip()!r} is given twice (also column {columns[key] + 1})",
                             f"header column {i + 1}", 1)
        columns[key] = i
    for required in ("time", "event"):
        if required not in columns:
            raise InputError(source, f"missing column {required!r} ({'/'.join(HEADERS[required])})", "header", 1)
    return columns


def _parse_time(text: str, last: datetime | None, day: date | None) -> tuple[datetime | None, str | None, bool]:
    """(time, problem, whether the cell gave a date); a time past ``LAST_DAY`` is a problem."""
    when, problem, dated = _read_time(text, last, day)
    if when is not None and when.date() > LAST_DAY:
        return None, f"{text!r} is dated past {LAST_DAY}, the last day a drill log may give", dated
    return when, problem, dated


def _read_time(text: str, last: datetime | None, day: date | None) -> tuple[datetime | None, str | None, bool]:
    if _DATE_ONLY.match(text):
        return None, f"{text!r} is a date without a time (write {text} 10:02:30)", True
    if _ISO_DATE.match(text):  # the usual case, and the quickest: ISO 8601, with or without its zone
        try:
            return datetime.fromisoformat(text), None, True
        except ValueError:
            pass
    for fmt in _TIME_FORMATS:  # what ISO does not take: one-digit fields, slashes
        try:
            return datetime.strptime(text, fmt), None, True
        except ValueError:
            pass
    m = _CLOCK.match(text)
    if m:
        h, mi, s = int(m[1]), int(m[2]), int(m[3] or 0)
        if h > 23 or mi > 59 or s > 59:
            return None, f"{text!r} is not a time of day", False
        on: date | None = last.date() if last else day
        tz: tzinfo | None = last.tzinfo if last else None
        if on is None:
            return None, f"{text!r} has no date and no earlier row gives one (write 2026-03-12 {text})", False
        return datetime(on.year, on.month, on.day, h, mi, s, tzinfo=tz), None, False
    if not text:
        return None, "the time is empty (write 2026-03-12 10:02:30, or 10:02:30 after a dated row)", False
    return None, f"{text!r} is not a time (write 2026-03-12 10:02:30, or 10:02:30 after a dated row)", False


def earlier_than(when: datetime, width: timedelta, latest: datetime | None) -> bool:
    """Whether a row read at ``when``, typed to within ``width``, is earlier than ``latest`` (the latest
    row above): a minute typed is not earlier than a second within it."""
    return latest is not None and when + width < latest


def _order(rd: _Reader, entries: list[_Entry]) -> None:
    """Rows are put in time order (a minute typed, at its start); rows that were not are named in one warning."""
    late = []
    latest: datetime | None = None
    for e in entries:
        if earlier_than(e.when, e.width, latest):
            late.append(e.line)
        latest = e.when if latest is None else max(latest, e.when)
    if late:
        rd.warn(late[0], "time", f"row{'s' if len(late) > 1 else ''} {', '.join(map(str, late))} "
                f"{'are' if len(late) > 1 else 'is'} earlier than a row above; the log is scored in time order")
    entries.sort(key=lambda e: (e.when, e.line))


def _incident_type(rd: _Reader, entries: list[_Entry]) -> str | None:
    """The incident type the ``incident_type`` column gives (the same on every row), else the scenario's."""
    found: dict[str, int] = {}
    for e in entries:
        text = e.cells.get("incident_type", "")
        if not text:
            continue
        if text not in rd.types:
            rd.error(e.line, "incident_type", f"unknown incident type {text!r}" + suggest(text, rd.types))
            continue
        found.setdefault(rd.type_ids[text], e.line)
    if len(found) > 1:
        (first, at), (second, then) = list(found.items())[:2]
        rd.error(then, "incident_type", f"incident type {second!r} differs from {first!r} (row {at}): "
                 "a drill log records one incident")
        return None
    if found and rd.scenario is not None and next(iter(found)) != rd.scenario.incident.type:
        rd.error(next(iter(found.values())), "incident_type", f"incident type {next(iter(found))!r} is not the "
                 f"scenario's ({rd.scenario.incident.type!r})")
    if found:
        return next(iter(found))
    return rd.scenario.incident.type if rd.scenario is not None else None


# One row --------------------------------------------------------------------------------------------


def _row(rd: _Reader, get: dict[str, str], line: int, t: float) -> Event | None:
    """The event-log row of one file row; ``None`` (and errors) if something in it is wrong."""
    event, what = get["event"], get.get("what", "")
    n_errors = len(rd.errors)
    actor_role, actor, actor_site = rd.role(get.get("actor", ""), line, "actor")
    target_role, target, target_site = rd.role(get.get("target", ""), line, "target")
    channel = None
    if get.get("channel"):
        channel = rd.channels.get(get["channel"])
        if channel is None:
            rd.error(line, "channel",
                     f"unknown channel {get['channel']!r}" + suggest(get["channel"], rd.channel_labels))
    fields = None
    if get.get("fields"):
        text = get["fields"]
        for whole in rd.whole_fields:
            text = text.replace(whole, rd.fields[whole])  # its id, which holds no separator
        names = [f for f in FIELDS_APART.split(text) if f]
        for name in names:
            if name not in rd.fields:
                rd.error(line, "fields", f"unknown report field {name!r}" + suggest(name, rd.field_labels))
        fields = tuple(rd.fields[f] for f in names if f in rd.fields)
    site = get.get("site") or actor_site or target_site or rd.only_site(line)
    if get.get("site") and site != "office":
        site = rd.branch(site, line, "site") or ""
    ref = None
    if get.get("ref"):
        if re.fullmatch(r"\d+", get["ref"]):
            ref = int(get["ref"])
        else:
            rd.error(line, "ref", f"{get['ref']!r} is not a message number")
    value: Any = get.get("value") or None
    what, value = _what_and_value(rd, event, what, value, line, actor_role)
    if event in MESSAGES and actor_role is None and len(rd.errors) == n_errors:
        rd.error(line, "actor", f"a {event!r} row needs the sender of the message in 'actor'")
    if event in MESSAGES and target_role is None and len(rd.errors) == n_errors:
        rd.error(line, "target", f"a {event!r} row needs the target the message went to")
    if event in ("action", "started", "stopped", "inject", "fact") and not get.get("what") \
            and len(rd.errors) == n_errors:
        noun = {"started": "action", "stopped": "duty or report"}.get(event, event)
        rd.error(line, "what", f"this {event!r} row needs the name of the {noun} in 'what'")
    if len(rd.errors) > n_errors:
        return None
    return Event(t, site, get.get("incident") or "", event, what, actor_role, actor, target_role, target, channel,
                 ref, value, fields)


def _what_and_value(rd: _Reader, event: str, what: str, value: str | None, line: int,
                    actor_role: str | None) -> tuple[str, Any]:
    """The ``what`` and ``value`` of a row of this event kind, as the event log holds them."""
    plan = rd.plan
    if event == "fact":
        if not what:
            return what, None
        if what not in plan.facts:
            rd.error(line, "what", f"unknown fact {what!r}" + suggest(what, rd.fact_labels))
            return what, None
        fact = plan.facts[what]
        if value is None:
            hint = "true or false" if fact.type == "bool" else f"its {fact.type} value"
            rd.error(line, "value", f"a fact row needs the fact's new value ({what}: {hint})")
            return what, None
        try:
            return what, fact_value("float" if fact.type == "elapsed" else fact.type, value)
        except ValueError as err:
            rd.error(line, "value", f"{what}: {err}")
            return what, None
    if event == "level":
        level = value or what
        if value and what and value != what:
            rd.error(line, "value", f"the level is given twice and differs: {what!r} and {value!r}")
        elif not level:
            rd.error(line, "what", f"a 'level' row needs the level declared ({', '.join(plan.levels)})")
        elif level not in plan.level_rank:
            rd.error(line, "what" if what else "value", f"unknown level {level!r}"
                     + suggest(level, {lv: lv for lv in plan.levels}))
        return level, level
    if event in MESSAGES:
        if what and what not in rd.reports:
            rd.error(line, "what", f"unknown report {what!r} (an escalation id of the plan; leave it empty if "
                     "unsure)" + suggest(what, rd.reports))
        if value is not None and not re.fullmatch(r"[1-9]\d*", value):
            rd.error(line, "value", f"{value!r} is not an attempt number (1, 2, …); leave it empty")
            return what, None
        return what, None if value is None else int(value)
    if event == LEARNED:
        if what and what != "incident":
            rd.error(line, "what", f"a 'learned' row is of the incident: leave `what` empty or write incident "
                     f"(got {what!r})")
        if value is not None and value not in LEARNED_HOW:
            rd.error(line, "value", f"how the person learned is one of {', '.join(LEARNED_HOW)} (got {value!r})"
                     + suggest(value, {h: h for h in LEARNED_HOW}))
            return "incident", None
        return "incident", value
    if value is not None and event not in SIMULATION_ONLY:
        rd.error(line, "value", f"an {event!r} row takes no value (got {value!r})")
    if event == "stopped" and what:
        if what not in rd.tasks:
            rd.error(line, "what", f"unknown duty or report {what!r} (what was stopped)" + suggest(what, rd.tasks))
        return what, None
    if event in ("action", "started") and what:
        if what not in rd.actions:
            rd.error(line, "what", f"unknown action {what!r}" + suggest(what, rd.action_labels))
            return what, None
        return rd.actions[what], None
    if event == "inject" and what and rd.injects is not None and what not in rd.injects:
        rd.error(line, "what", f"unknown inject {what!r} of scenario {rd.scenario.id!r}"  # type: ignore[union-attr]
                 + suggest(what, rd.injects))
    if event == "arrived":
        if not what:
            return actor_role or "", None
        if what not in plan.role_names:
            rd.error(line, "what", f"unknown role {what!r} (who arrived)" + suggest(what, rd.role_labels))
            return what, None
        if actor_role is not None and plan.role_names[what] != actor_role:
            rd.error(line, "what", f"{what!r} arrived, but the actor is {rd.role_labels[actor_role]}: who arrived is "
                     "the actor (leave 'what' empty, or write the actor's role)")
        return plan.role_names[what], None
    return what, None


# Worked out from the rows -------------------------------------------------------------------------


def _with_clocks(rd: _Reader, entries: list[_Entry]) -> list[Event]:
    """The rows, with each elapsed fact worked out from the rows of the fact that runs it.

    As in the engine: a clock starts when its boolean fact becomes true, has a row at each number
    the plan's conditions compare it with (while it runs, up to the log's last row), and a row
    with its value when the fact becomes false. A typed row of an elapsed fact must agree with it.
    """
    rows = [e.row for e in entries if e.row is not None]
    if not rd.plan.clocks or not rows:
        return rows
    end = rows[-1].t
    added: list[Event] = []
    for name, (runner, per_unit, marks) in rd.plan.clocks.items():
        spans, derived = _clock_rows(rows, name, runner, per_unit, marks, end)
        unit = rd.plan.facts[name].unit
        for e in entries:
            row = e.row
            if row is None or row.event != "fact" or row.what != name:
                continue
            expected = _clock_value(spans, row.t, per_unit)
            if abs(row.value - expected) > 1 / per_unit:  # more than a minute apart
                rd.error(e.line, "value", f"{name} = {row.value:g} {unit} contradicts the log: {runner} rows "
                         f"give {expected:.4g} {unit} at this time (elapsed facts are worked out from the rows of "
                         f"{runner!r}; leave this row out or correct it)")
        typed = [r.t for r in rows if r.event == "fact" and r.what == name]
        added += [r for r in derived if not any(abs(r.t - t) < SAME_TIME for t in typed)]
    if not added:
        return rows
    return sorted(rows + added, key=lambda r: r.t)


def _clock_rows(rows: list[Event], name: str, runner: str, per_unit: float, marks: tuple[float, ...],
                end: float) -> tuple[list[tuple[float, float, float | None]], list[Event]]:
    """The spans the clock ran (start, value then, stop) and the rows the engine would have logged."""
    spans: list[tuple[float, float, float | None]] = []
    out: list[Event] = []
    value = 0.0
    start: tuple[float, float, str] | None = None

    def fact_row(t: float, v: float, site: str) -> Event:
        return Event(t, site, "", "fact", name, value=v)

    def tick(started: float, base: float, until: float, site: str) -> None:
        for mark in marks:
            at = started + (mark - base) * per_unit
            if mark > base and at < until:
                out.append(fact_row(at, mark, site))

    for row in rows:
        if row.event != "fact" or row.what != runner:
            continue
        if row.value and start is None:
            start = (row.t, value, row.site)
        elif not row.value and start is not None:
            started, base, site = start
            tick(started, base, row.t, site)
            value = base + (row.t - started) / per_unit
            out.append(fact_row(row.t, round(value, 6), row.site))
            spans.append((started, base, row.t))
            start = None
    if start is not None:
        tick(start[0], start[1], end + 1e-9, start[2])
        spans.append((start[0], start[1], None))
    return spans, out


def _clock_value(spans: list[tuple[float, float, float | None]], t: float, per_unit: float) -> float:
    value = 0.0
    for started, base, stopped in spans:
        if t < started:
            break
        value = base + ((t if stopped is None else min(t, stopped)) - started) / per_unit
    return value


def _with_receipts(rd: _Reader, rows: list[Event]) -> list[Event]:
    """A ``sent`` row with no ``ref`` and no reply is taken as received when sent (see docs/drill-logs.md).

    On a synchronous channel (a call) the receiver hears it as it is said; on any other channel
    the same is assumed, and a warning names the row.
    """
    replies = _replies(rows)
    pending = [r for r in rows if r.event == "sent" and r.ref is None and not _take_reply(r, replies)]
    if not pending:
        return rows
    receipts = []
    for sent in pending:
        receipts.append(sent._replace(event="received"))
        synchronous = sent.channel is not None and rd.plan.channels[sent.channel].synchronous
        if not synchronous:
            how = f"by {sent.channel}" if sent.channel else "on no channel"
            rd.warn(rd.lines.get(id(sent)), "event", f"the message {how} to {sent.target} has no 'received' row: "
                    "taken as received when sent (add a 收到/received row with the time it was read)")
    return sorted(rows + receipts, key=lambda r: r.t)


_Replies = dict[tuple, dict[str | None, deque[tuple[int, Event]]]]


def _replies(rows: list[Event]) -> _Replies:
    """The reply rows without a ``ref``, by (sender, sender's role, receiver's role), then by channel, in log order."""
    out: _Replies = defaultdict(lambda: defaultdict(deque))
    for i, r in enumerate(rows):
        if r.event in REPLIES and r.ref is None:
            out[(r.actor, r.actor_role, r.target_role)][r.channel].append((i, r))
    return out


def _take_reply(sent: Event, replies: _Replies) -> bool:
    """Take the first reply of the log to ``sent`` (same sender and receiver, a channel that agrees, not
    earlier); whether there was one. ``sent`` rows must come in time order: a reply earlier than one is
    of no later one either, and is dropped."""
    by_channel = replies.get((sent.actor, sent.actor_role, sent.target_role))
    if not by_channel:
        return False
    channels = list(by_channel) if sent.channel is None else [c for c in (sent.channel, None) if c in by_channel]
    best: deque[tuple[int, Event]] | None = None
    for channel in channels:
        queue = by_channel[channel]
        while queue and queue[0][1].t < sent.t:
            queue.popleft()
        if queue and (best is None or queue[0][0] < best[0][0]):
            best = queue
    if best is None:
        return False
    best.popleft()
    return True
