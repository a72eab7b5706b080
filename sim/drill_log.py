"""Read a real drill's log, as an evaluator typed it, into the same event log a simulation writes.

The file is CSV (UTF-8, with or without a byte-order mark), one row per thing that happened::

    time,event,actor,what,target,channel,fields,value
    2026-03-12 10:02:10,inject,,robbers-enter,,,,
    10:02:40,sent,临柜人员-1,,110公安机关,110报警按钮,,
    10:03:05,action,现金柜员,lock_cash,,,,
    10:05:00,fact,,injured,,,,1

Headers may be written in English or Chinese (时间, 事件, 执行人, 事项, 对象, 渠道, 报告要素, 值).
Roles may be named by id, Chinese name or alias, with an instance number (``临柜人员-2``).
A time without a date takes the date of the row before it (or ``date=`` when no row has one).
Every problem is reported with its row and column.
"""

from __future__ import annotations

import csv
import re
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from .errors import InputError, InputErrors
from .eventlog import EventLog, Row
from .plan import Plan
from .schema import EVENT_KINDS

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
    "site": ("site", "地点", "网点"),
}
DERIVED = ("t", "actor_role", "target_role", "ref")
"""Columns of drillsim's own events.csv that are worked out again on reading, and so skipped."""
EVENT_ALIASES = {
    "情景": "inject", "注入": "inject", "事实": "fact", "情况": "fact", "动作": "action", "处置": "action",
    "发送": "sent", "发出": "sent", "报告": "sent", "收到": "received", "接收": "received", "确认": "acknowledged",
    "未接通": "unanswered", "定级": "level", "等级": "level", "到达": "arrived", "到场": "arrived",
}
_TIME_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M", "%Y/%m/%d %H:%M:%S",
                 "%Y/%m/%d %H:%M")
_CLOCK = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?$")
_INSTANCE = re.compile(r"^(.*?)[-#＃](\d+)$")
_SPLIT = re.compile(r"[;；、,，\s]+")


def _parse_time(text: str, last_date: date | None) -> tuple[datetime | None, str | None]:
    text = text.strip()
    for fmt in _TIME_FORMATS:
        try:
            return datetime.strptime(text, fmt), None
        except ValueError:
            pass
    try:
        return datetime.fromisoformat(text), None
    except ValueError:
        pass
    m = _CLOCK.match(text)
    if m:
        h, mi, s = int(m[1]), int(m[2]), int(m[3] or 0)
        if h > 23 or mi > 59 or s > 59:
            return None, f"{text!r} is not a time of day"
        if last_date is None:
            return None, f"{text!r} has no date and no earlier row gives one (write 2026-03-12 {text})"
        return datetime(last_date.year, last_date.month, last_date.day, h, mi, s), None
    return None, f"{text!r} is not a time (write 2026-03-12 10:02:30, or 10:02:30 after a dated row)"


class _Reader:
    def __init__(self, plan: Plan, source: str):
        self.plan = plan
        self.source = source
        self.errors: list[InputError] = []
        self.channels = {c: c for c in plan.channels} | {ch.name: c for c, ch in plan.channels.items()}
        self.fields = {f: f for f in plan.report_fields} | {name: f for f, name in plan.report_fields.items()}

    def error(self, line: int, column: str, message: str) -> None:
        self.errors.append(InputError(self.source, message, f"column {column!r}", line))

    def role(self, text: str, line: int, column: str) -> tuple[str | None, str | None]:
        text = text.strip()
        if not text:
            return None, None
        names = self.plan.role_names
        site, _, name = text.rpartition("/")  # several branches: "east/guard-1"
        prefix = f"{site}/" if site else ""
        if name in names:
            return names[name], f"{prefix}{names[name]}-1"
        m = _INSTANCE.match(name)
        if m and m[1] in names:
            return names[m[1]], f"{prefix}{names[m[1]]}-{m[2]}"
        self.error(line, column, f"unknown role {text!r}; the plan's roles: "
                   + ", ".join(f"{r} ({role.name})" for r, role in self.plan.roles.items()))
        return None, None


def read_drill_log(path: str | Path, plan: Plan, day: date | None = None) -> EventLog:
    """Read a drill log typed by an evaluator; raise :class:`InputError` naming row and column."""
    path = Path(path)
    source = str(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError(source, "no such file") from None
    except UnicodeDecodeError as err:
        raise InputError(source, f"not UTF-8 text ({err.reason} at byte {err.start}); "
                         "save the sheet as CSV UTF-8") from None
    reader = csv.reader(text.splitlines())
    header = next(reader, None)
    if not header:
        raise InputError(source, "the file is empty")
    columns: dict[str, int] = {}
    for i, name in enumerate(header):
        key = next((k for k, names in HEADERS.items() if name.strip().lower() in names), None)
        if key is None and name.strip() in DERIVED:
            continue
        if key is None:
            raise InputError(source, f"unknown column {name!r}; known: "
                             + ", ".join("/".join(v) for v in HEADERS.values()), line=1)
        columns[key] = i
    for required in ("time", "event"):
        if required not in columns:
            raise InputError(source, f"missing column {required!r} ({'/'.join(HEADERS[required])})", line=1)
    rd = _Reader(plan, source)
    parsed: list[tuple[datetime, int, dict[str, Any]]] = []
    last_date = day
    for line, cells in enumerate(reader, start=2):
        if not any(c.strip() for c in cells):
            continue
        get = {k: (cells[i].strip() if i < len(cells) else "") for k, i in columns.items()}
        when, problem = _parse_time(get["time"], last_date)
        if problem:
            rd.error(line, "time", problem)
            continue
        last_date = when.date()
        event = EVENT_ALIASES.get(get["event"], get["event"].lower())
        if event not in EVENT_KINDS:
            rd.error(line, "event", f"unknown event {get['event']!r}; known: {', '.join(EVENT_KINDS)}")
            continue
        parsed.append((when, line, {**get, "event": event}))
    if not rd.errors and not any(p[2]["event"] == "inject" for p in parsed):
        raise InputError(source, "no row has event 'inject': record when the incident began, so deadlines "
                         "have a start")
    parsed.sort(key=lambda p: (p[0], p[1]))
    origin = parsed[0][0] if parsed else None
    rows: list[Row] = []
    for when, line, get in parsed:
        row = _row(rd, get, line, (when - origin) / timedelta(minutes=1))
        if row is not None:
            rows.append(row)
    if rd.errors:
        raise InputErrors(rd.errors)
    return EventLog(rows, origin, {"plan": plan.id, "source": source, "drill": "real"})


def _row(rd: _Reader, get: dict[str, str], line: int, t: float) -> Row | None:
    plan, event, what = rd.plan, get["event"], get.get("what", "")
    actor_role, actor = rd.role(get.get("actor", ""), line, "actor")
    target_role, target = rd.role(get.get("target", ""), line, "target")
    channel = None
    if get.get("channel"):
        channel = rd.channels.get(get["channel"])
        if channel is None:
            rd.error(line, "channel", f"unknown channel {get['channel']!r}; known: "
                     + ", ".join(f"{c} ({ch.name})" for c, ch in plan.channels.items()))
    fields = None
    if get.get("fields"):
        names = [f for f in _SPLIT.split(get["fields"]) if f]
        unknown = [f for f in names if f not in rd.fields]
        if unknown:
            rd.error(line, "fields", f"unknown report field(s) {', '.join(unknown)}; known: "
                     + ", ".join(f"{f} ({n})" for f, n in plan.report_fields.items()))
        fields = tuple(rd.fields[f] for f in names if f in rd.fields)
    value: Any = get.get("value") or None
    if event == "fact":
        if what not in plan.facts:
            rd.error(line, "what", f"unknown fact {what!r}; known: {', '.join(plan.facts)}")
            return None
        value = _fact_value(rd, plan.facts[what].type, value, line)
    elif event == "level":
        level = value or what
        if level not in plan.level_rank:
            rd.error(line, "what", f"unknown level {level!r}; known: {', '.join(plan.levels)}")
            return None
        what = value = level
    elif event == "arrived" and not what:
        what = actor_role or ""
    if event in ("sent", "received", "acknowledged", "unanswered") and target_role is None:
        rd.error(line, "target", f"a {event!r} row needs the target the message went to")
    return (t, get.get("site") or "branch", get.get("incident") or "", event, what, actor_role, actor,
            target_role, target, channel, None, value, fields)


def _fact_value(rd: _Reader, kind: str, text: str | None, line: int) -> Any:
    text = (text or "").strip()
    if kind == "bool":
        if text.lower() in ("", "true", "1", "yes", "是", "有"):
            return True
        if text.lower() in ("false", "0", "no", "否", "无"):
            return False
    elif kind == "int":
        if re.fullmatch(r"-?\d+", text):
            return int(text)
    elif kind in ("float", "elapsed"):
        try:
            return float(text)
        except ValueError:
            pass
    else:
        return text
    rd.error(line, "value", f"{text!r} is not a {kind} value")
    return None
