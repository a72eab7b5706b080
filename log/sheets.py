"""Evaluators' log sheets: a blank sheet to fill in during a drill, and filled sheets read into one log.

:func:`write_sheet` writes an .xlsx workbook (or a .csv with the log columns only) for one evaluator:
a ``log`` sheet with the drill-log columns of :mod:`log.drill_log` (headers in English or Chinese) and
drop-downs of the names the plan knows, and the sheets ``exercise``, ``observed`` (the roles this
evaluator watched), ``ratings`` (an override of a proposed rating, with its justification) and
``notes``. :func:`read_sheet_file` reads one filled sheet; :func:`merge_sheets` feeds every log row of
several sheets through the drill-log reader's checks and merges them into one :class:`EventLog`,
keeping the resolution each time was typed to and listing the stamps that disagree. The rules are
in docs/log-sheets.md.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from drillsim.spec.errors import InputError, InputErrors, InputWarning
from drillsim.spec.plan import Plan
from drillsim.spec.scenario import Scenario
from drillsim.spec.values import FALSE_WORDS, TRUE_WORDS, parse_bool

from .drill_log import EVENT_ALIASES, HEADERS, DrillLogReader, _columns, _read_table, earlier_than, suggest
from .eventlog import Event, EventLog, value_text

LANGS = ("en", "zh")
SHEETS = {"log": ("log", "记录"), "exercise": ("exercise", "演练概况"), "observed": ("observed", "观察角色"),
          "ratings": ("ratings", "评级"), "notes": ("notes", "备注"), "lists": ("lists", "选项")}
"""Each sheet of a workbook by its English and Chinese name; either is read."""
LOG_COLUMNS = ("time", "event", "actor", "what", "target", "channel", "fields", "value")
"""The log sheet's columns (drill-log keys, headed as :data:`log.drill_log.HEADERS` names them)."""
EXERCISE_KEYS = {"name": ("name", "演练名称"), "date": ("date", "演练日期"), "branch": ("branch", "网点"),
                 "scope": ("scope", "演练范围"), "scenario": ("scenario", "情景"),
                 "participants": ("participants", "参演人员"), "evaluators": ("evaluators", "评估人员"),
                 "drill": ("drill id", "演练编号")}
"""The exercise sheet's keys (column A; the value in column B)."""
TABLE_COLUMNS = {
    "exercise": {"key": ("item", "项目"), "value": ("value", "内容")},
    "observed": {"role": ("role", "角色"), "watched": ("watched", "是否观察")},
    "ratings": {"capability": ("capability", "能力编号"), "name": ("name", "能力名称"), "rating": ("rating", "评级"),
                "justification": ("justification", "理由"), "by": ("by", "评估人")},
    "notes": {"by": ("by", "记录人"), "text": ("text", "内容")},
}
"""The header of each metadata sheet, by column key."""
RATING_CHOICES = ("P", "S", "M", "U")
TYPED_EVENTS = ("inject", "fact", "action", "sent", "received", "acknowledged", "unanswered", "level", "arrived",
                "started", "stopped")
"""The events an evaluator records (a simulation's own rows — omitted, lost, unfinished — are not offered)."""


# Writing ---------------------------------------------------------------------------------------------


def write_sheet(plan: Plan, scenario: Scenario | None, path: str | Path, lang: str = "en",
                observer_roles: frozenset[str] | set[str] | None = None) -> Path:
    """A blank log sheet for one evaluator: .xlsx (with drop-downs and the metadata sheets) or .csv
    (the log's header row only), by the suffix of ``path``; ``observer_roles`` (role ids) prefills the
    roles this evaluator watches (default: all)."""
    path = Path(path)
    if lang not in LANGS:
        raise InputError("--lang", f"unknown language {lang!r}; one of {', '.join(LANGS)}")
    unknown = sorted(set(observer_roles or ()) - set(plan.roles))
    if unknown:
        raise InputError("--roles", f"unknown role {unknown[0]!r}" + suggest(unknown[0], {r: r for r in plan.roles}))
    suffix = path.suffix.lower()
    if suffix not in (".xlsx", ".csv"):
        raise InputError("--out", f"{path}: a log sheet is .xlsx or .csv, not {suffix or 'a file without a suffix'}")
    i = LANGS.index(lang)
    header = [HEADERS[key][i] for key in _log_columns(scenario)]
    if suffix == ".csv":
        path.write_text(",".join(header) + "\n", encoding="utf-8-sig")
        return path
    _write_workbook(plan, scenario, path, i, header, frozenset(observer_roles or plan.roles))
    return path


def _log_columns(scenario: Scenario | None) -> tuple[str, ...]:
    several = scenario is not None and len(scenario.branches) > 1
    return (*LOG_COLUMNS, "site") if several else LOG_COLUMNS


def choices(plan: Plan, scenario: Scenario | None, lang: str) -> dict[str, list[str]]:
    """The names each drop-down offers, as a person would type them (Chinese names in ``zh``)."""
    zh = lang == "zh"
    first_alias = {kind: alias for alias, kind in reversed(EVENT_ALIASES.items())}
    roles = []
    for rid, role in plan.roles.items():
        name = role.name if zh else rid
        several = role.kind != "agency" and role.count > 1
        roles += [f"{name}-{n}" for n in range(1, role.count + 1)] if several else [name]
    actions = [label if zh else a for a, label in plan.action_labels.items()]
    injects = [i.id for i in scenario.injects] if scenario else []
    lists = {
        "event": [first_alias.get(e, e) if zh else e for e in TYPED_EVENTS],
        "role": roles,
        "what": [*actions, *plan.facts, *injects, *(r.id for r in plan.escalation), *plan.levels],
        "channel": [ch.name if zh else c for c, ch in plan.channels.items()],
        "fields": [name if zh else f for f, name in plan.report_fields.items()],
        "value": [TRUE_WORDS[2] if zh else "true", FALSE_WORDS[2] if zh else "false", *plan.levels],
        "yes_no": [TRUE_WORDS[2], FALSE_WORDS[2]] if zh else ["yes", "no"],
        "rating": list(RATING_CHOICES),
    }
    if scenario is not None and len(scenario.branches) > 1:
        lists["site"] = [(b.name or b.id) if zh else b.id for b in scenario.branches]
    return lists


LIST_OF_COLUMN = {"event": "event", "actor": "role", "target": "role", "what": "what", "channel": "channel",
                  "fields": "fields", "value": "value", "site": "site"}
"""The drop-down list of each log column."""
ROWS = 500
"""Rows of the log sheet given drop-downs."""


def _write_workbook(plan: Plan, scenario: Scenario | None, path: Path, i: int, header: list[str],
                    watched: frozenset[str]) -> None:
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    lang = LANGS[i]
    lists = choices(plan, scenario, lang)
    book = Workbook()
    log = book.active
    log.title = SHEETS["log"][i]
    log.append(header)
    hidden = book.create_sheet(SHEETS["lists"][i])
    hidden.sheet_state = "hidden"
    ranges = {}
    for col, (name, values) in enumerate(lists.items(), start=1):
        letter = get_column_letter(col)
        hidden.cell(1, col, name)
        for row, value in enumerate(values, start=2):
            hidden.cell(row, col, value)
        ranges[name] = f"'{hidden.title}'!${letter}$2:${letter}${max(2, len(values) + 1)}"

    def drop_down(sheet, cells: str, name: str, strict: bool = False) -> None:
        dv = DataValidation(type="list", formula1=ranges[name], allow_blank=True)
        dv.showErrorMessage = strict  # a name not listed (临柜人员-2 at another branch, several fields) may be typed
        sheet.add_data_validation(dv)
        dv.add(cells)

    keys = _log_columns(scenario)
    for col, key in enumerate(keys, start=1):
        letter = get_column_letter(col)
        log.column_dimensions[letter].width = 22 if key in ("time", "what", "fields") else 16
        if key in LIST_OF_COLUMN:
            drop_down(log, f"{letter}2:{letter}{ROWS + 1}", LIST_OF_COLUMN[key])
    log.freeze_panes = "A2"

    exercise = book.create_sheet(SHEETS["exercise"][i])
    exercise.append([TABLE_COLUMNS["exercise"][k][i] for k in ("key", "value")])
    prefilled = {"scenario": scenario.id if scenario else "",
                 "branch": ", ".join(b.name for b in scenario.branches) if scenario else "",
                 "name": f"{plan.title} — {scenario.title}" if scenario else plan.title}
    for key, names in EXERCISE_KEYS.items():
        exercise.append([names[i], prefilled.get(key, "")])
    exercise.column_dimensions["A"].width, exercise.column_dimensions["B"].width = 16, 60

    observed = book.create_sheet(SHEETS["observed"][i])
    observed.append([TABLE_COLUMNS["observed"][k][i] for k in ("role", "watched")])
    yes, no = lists["yes_no"]
    for rid, role in plan.roles.items():
        observed.append([role.name if lang == "zh" else rid, yes if rid in watched else no])
    drop_down(observed, f"B2:B{len(plan.roles) + 1}", "yes_no", strict=True)

    ratings = book.create_sheet(SHEETS["ratings"][i])
    ratings.append([TABLE_COLUMNS["ratings"][k][i] for k in TABLE_COLUMNS["ratings"]])
    for cid, name in plan.capabilities.items():
        ratings.append([cid, name, None, None, None])
    drop_down(ratings, f"C2:C{len(plan.capabilities) + 1}", "rating", strict=True)
    ratings.column_dimensions["D"].width = 60

    notes = book.create_sheet(SHEETS["notes"][i])
    notes.append([TABLE_COLUMNS["notes"][k][i] for k in TABLE_COLUMNS["notes"]])
    notes.column_dimensions["B"].width = 80
    book.move_sheet(hidden, offset=len(book.sheetnames))
    book.save(path)


# Reading one file ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    """One row of a metadata sheet, by column key, with its place."""

    source: str
    line: int
    cells: dict[str, str]


@dataclass
class SheetFile:
    """One filled sheet: its log rows (with the resolution of each time) and its metadata rows."""

    path: Path
    log_source: str
    rows: list[tuple[int, dict[str, str]]]
    """(row, cells by drill-log column)."""
    exercise: dict[str, Entry] = field(default_factory=dict)
    observed: frozenset[str] | None = None
    """The roles this evaluator watched; None: the sheet does not say (a CSV), so every role."""
    ratings: list[Entry] = field(default_factory=list)
    notes: list[Entry] = field(default_factory=list)
    errors: list[InputError] = field(default_factory=list)
    """What is wrong in the metadata sheets (the log rows are checked by :func:`merge_sheets`)."""


def read_sheet_file(path: str | Path, plan: Plan) -> SheetFile:
    """One filled log sheet (.xlsx or .csv); raises :class:`InputError` if it cannot be read at all, and
    keeps what is wrong in its metadata sheets in ``errors``, each naming the sheet, row and column."""
    path = Path(path)
    if path.suffix.lower() == ".xlsx":
        return _read_workbook(path, plan)
    header, rows = _read_table(path, str(path))
    columns = _columns(header, str(path))
    out = []
    for line, cells in rows:
        if not any(c.strip() for c in cells):
            continue
        if len(cells) > len(header):
            raise InputError(str(path), f"the row has {len(cells)} cells but the header has {len(header)}; a cell "
                             "holding a comma must be quoted (\"a, b\")", f"cell {len(header) + 1}", line)
        got = {k: cells[i] if i < len(cells) else "" for k, i in columns.items()}
        out.append((line, got))
    return SheetFile(path, str(path), out)


def _cell_text(cell: Any) -> str:
    """A cell as the text a person typed (a time with its seconds if the cell shows them or has them)."""
    value = cell.value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime) and "h" not in (cell.number_format or "").lower() and value.time() == time(0):
        return value.date().isoformat()  # a date cell: a date without a time, as typed
    if isinstance(value, datetime | time):
        shown = "s" in (cell.number_format or "").lower()
        value = _whole_second(value)
        seconds = shown or value.second != 0
        clock = "%H:%M:%S" if seconds else "%H:%M"
        return value.strftime(f"%Y-%m-%d {clock}" if isinstance(value, datetime) else clock)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int | float):
        return value_text(value) or ""
    return str(value).strip()


def _whole_second(value: datetime | time) -> datetime | time:
    """A spreadsheet's time rounded to the second (it is stored as a fraction of a day)."""
    if value.microsecond == 0:
        return value
    if isinstance(value, datetime):
        return (value + timedelta(microseconds=500_000)).replace(microsecond=0)
    whole = datetime.combine(date(2000, 1, 1), value) + timedelta(microseconds=500_000)
    return whole.time().replace(microsecond=0)


def _sheet(book, kind: str, path: Path, required: bool = False):
    """The sheet of this kind, by either name; two of one kind are an error naming both."""
    found = [name for name in book.sheetnames if name in SHEETS[kind]]
    if len(found) > 1:
        raise InputError(str(path), f"two {kind} sheets, {found[0]!r} and {found[1]!r}: a workbook has one (named "
                         f"{' or '.join(map(repr, SHEETS[kind]))}); put their rows on one sheet and delete the other")
    if found:
        return book[found[0]]
    if required:
        raise InputError(str(path), f"no sheet {' or '.join(map(repr, SHEETS[kind]))} (the sheets are: "
                         f"{', '.join(book.sheetnames)}); write the log on a sheet named so")
    return None


def _read_workbook(path: Path, plan: Plan) -> SheetFile:
    from zipfile import BadZipFile

    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = load_workbook(path, data_only=True)
    except FileNotFoundError:
        raise InputError(str(path), "no such file") from None
    except (InvalidFileException, BadZipFile, OSError, KeyError, ValueError) as err:
        raise InputError(str(path), f"not an .xlsx workbook ({err})") from None
    log = _sheet(book, "log", path, required=True)
    source = f"{path} [{log.title}]"
    table = [[_cell_text(c) for c in row] for row in log.iter_rows()]
    if not table:
        raise InputError(source, "the sheet is empty: it needs a header row (time, event, actor, what, …)")
    header = list(table[0])
    while header and not header[-1]:
        header.pop()
    columns = _columns(header, source)
    rows = []
    for line, cells in enumerate(table[1:], start=2):
        if not any(cells):
            continue
        extra = [text for text in cells[len(header):] if text]
        if extra:
            raise InputError(source, f"cells beyond the header's columns: {', '.join(map(repr, extra))}",
                             f"column {len(header) + 1}", line)
        rows.append((line, {k: cells[i] if i < len(cells) else "" for k, i in columns.items()}))
    out = SheetFile(path, source, rows)
    errors = out.errors
    names = {i: key for key, i in columns.items()}
    for cells in log.merged_cells.ranges:  # a merged cell holds its value on its first row only
        if cells.max_row > cells.min_row:
            column = names.get(cells.min_col - 1)
            errors.append(InputError(source, f"cells {cells.coord} are merged, so the rows below the first have no "
                                     f"{column or 'value'}: unmerge them and write it on every row",
                                     f"column {column!r}" if column else f"column {cells.min_col}", cells.min_row + 1))
    for kind in ("exercise", "observed", "ratings", "notes"):
        sheet = _sheet(book, kind, path)
        if sheet is not None:
            entries = _entries(sheet, kind, f"{path} [{sheet.title}]", errors)
            if kind == "exercise":
                out.exercise = _exercise(entries, errors)
            elif kind == "observed":
                out.observed = _observed(entries, plan, errors)
            else:
                setattr(out, kind, [e for e in entries if any(e.cells.values())])
    return out


def _entries(sheet, kind: str, source: str, errors: list[InputError]) -> list[Entry]:
    """The rows of a metadata sheet by column key; a header not of this sheet's columns is an error."""
    table = [[_cell_text(c) for c in row] for row in sheet.iter_rows()]
    if not table:
        return []
    known = {name: key for key, names in TABLE_COLUMNS[kind].items() for name in names}
    columns: dict[str, int] = {}
    for i, name in enumerate(table[0]):
        if not name:
            continue
        if name.lower() not in known:
            labels = {n: f"{n} ({'/'.join(TABLE_COLUMNS[kind][k])})" for n, k in known.items()}
            errors.append(InputError(source, f"unknown column {name!r}" + suggest(name, labels),
                                     f"header column {i + 1}", 1))
            continue
        columns[known[name.lower()]] = i
    return [Entry(source, line, {k: row[i] if i < len(row) else "" for k, i in columns.items()})
            for line, row in enumerate(table[1:], start=2) if any(row)]


def _exercise(entries: list[Entry], errors: list[InputError]) -> dict[str, Entry]:
    keys = {name.lower(): key for key, names in EXERCISE_KEYS.items() for name in names}
    out: dict[str, Entry] = {}
    for e in entries:
        name = e.cells.get("key", "")
        key = keys.get(name.lower())
        if key is None:
            labels = {n: f"{names[0]} ({names[1]})" for names in EXERCISE_KEYS.values() for n in names}
            errors.append(InputError(e.source, f"unknown item {name!r}" + suggest(name, labels), "column 'item'",
                                     e.line))
        elif key in out:
            errors.append(InputError(e.source, f"{name!r} is given twice (also row {out[key].line})", "column 'item'",
                                     e.line))
        elif e.cells.get("value"):
            out[key] = Entry(e.source, e.line, {"value": e.cells["value"]})
    return out


def _observed(entries: list[Entry], plan: Plan, errors: list[InputError]) -> frozenset[str]:
    labels = {n: f"{r} ({plan.roles[r].name})" for n, r in plan.role_names.items()}
    watched = set()
    for e in entries:
        name, said = e.cells.get("role", ""), e.cells.get("watched", "")
        if name not in plan.role_names:
            errors.append(InputError(e.source, f"unknown role {name!r}" + suggest(name, labels), "column 'role'",
                                     e.line))
            continue
        try:
            if parse_bool(said):
                watched.add(plan.role_names[name])
        except ValueError as err:
            errors.append(InputError(e.source, f"was {name} watched? {err}", "column 'watched'", e.line))
    return frozenset(watched)


# Merging the logs of several sheets --------------------------------------------------------------------


@dataclass(frozen=True)
class Stamp:
    """Where one row of a sheet stamped an event, and when, to the resolution typed."""

    source: str
    line: int
    time: datetime
    width: timedelta
    """0: typed to the second (a point); 59 s: typed to the minute (``10:03`` is 10:03:00–10:03:59)."""
    text: str

    @property
    def end(self) -> datetime:
        return self.time + self.width

    def __str__(self) -> str:
        return f"{self.source}:{self.line} {self.text!r}"


@dataclass(frozen=True)
class StampConflict:
    """One event stamped by several evaluators at times that disagree beyond their resolution."""

    event: str
    stamps: tuple[Stamp, ...]
    used: Stamp
    reason: str

    def __str__(self) -> str:
        said = "; ".join(str(s) for s in self.stamps)
        return f"{self.event}: {said} — used {self.used} ({self.reason})"


@dataclass
class MergedLog:
    log: EventLog
    conflicts: list[StampConflict]
    observed: frozenset[str] | None
    """Every role some sheet watched, or whose doing a row records; None if a sheet does not say."""
    stamps: dict[tuple, Stamp]
    """The stamp each row of the log rests on, by :func:`row_key`."""

    def stamp_of(self, row: Event) -> Stamp | None:
        return self.stamps.get(row_key(row))


def row_key(row: Event) -> tuple:
    """A row's identity, its minute ``t`` included; with ``t`` set to 0, the same event as two evaluators
    record it."""
    return (row.event, row.what, row.actor, row.target, row.channel, row.value, row.fields, row.site, row.t)


@dataclass
class _Row:
    stamp: Stamp
    cells: dict[str, str]
    event: Event
    sheet: int


@dataclass
class _Group:
    rows: list[_Row]
    used: _Row | None = None
    reason: str = ""


def merge_sheets(files: list[SheetFile], plan: Plan, scenario: Scenario | None = None,
                 day: date | None = None) -> MergedLog:
    """Every log row of every sheet through the drill log's checks, merged into one log.

    Each sheet's rows are read as a drill log is (dates carried from the row above, every name
    checked); the same event on several sheets is one row, at the stamp of the evaluator who watched
    its actor, else the finest, else the earliest; stamps that disagree beyond their resolution are
    listed. Raises :class:`InputErrors` with every problem of every sheet.
    """
    errors: list[InputError] = []
    warnings: list[InputWarning] = []
    rows: list[_Row] = []
    for k, f in enumerate(files):
        reader = DrillLogReader(plan, day, scenario, source=f.log_source)
        latest: datetime | None = None
        late = []
        for line, cells in f.rows:
            before = len(reader.warnings)
            try:
                event = reader.add(cells, line)
            except InputError as err:
                errors += err.problems
                continue
            if len(reader.warnings) > before:  # a repeat of a row above: counted once, with the warning
                continue
            when, width = reader.last_time, reader.last_width
            if earlier_than(when, width, latest):
                late.append(line)
            latest = when if latest is None else max(latest, when)
            rows.append(_Row(Stamp(f.log_source, line, when, width, cells["time"]), cells, event, k))
        warnings += reader.warnings
        if late:
            warnings.append(InputWarning(f.log_source, f"row{'s' if len(late) > 1 else ''} {', '.join(map(str, late))}"
                                         f" {'are' if len(late) > 1 else 'is'} earlier than a row above; the log is "
                                         "scored in time order", "column 'time'", late[0]))
    groups = _groups(rows)
    conflicts = [_choose(g, files, plan) for g in groups]
    names = ", ".join(str(f.path) for f in files)
    used = sorted((g.used for g in groups if g.used), key=lambda r: (r.stamp.time, r.sheet, r.stamp.line))
    origin = used[0].stamp.time if used else None
    merged = DrillLogReader(plan, None, scenario, origin=origin, source=names)
    for err in errors:
        merged.refuse(err)
    added: dict[int, Stamp] = {}
    for n, row in enumerate(used, start=1):
        try:
            event = merged.add({**row.cells, "time": row.stamp.time.isoformat(sep=" ")}, n)
        except InputError:  # every row was checked on its sheet; kept by the reader for finish()
            continue
        added[id(event)] = row.stamp
    lines = {n: row.stamp for n, row in enumerate(used, start=1)}
    try:
        log = merged.finish()
    except InputError as err:
        raise InputErrors([_placed(e, names, lines) for e in err.problems]) from None
    conflicts = [c for c in conflicts if c is not None]
    log.warnings = warnings + [_placed(w, names, lines) for w in log.warnings] + [
        InputWarning(c.used.source, f"conflicting stamps of {c}", "column 'time'", c.used.line) for c in conflicts]
    log.meta["source"] = names
    stamps = {}
    for row in log.rows:
        stamp = added.get(id(row))
        if stamp is not None:
            stamps[row_key(row)] = stamp
    for row in log.rows:  # a message taken as received when sent rests on the sent row's stamp
        if row.event == "received" and row_key(row) not in stamps:
            sent = stamps.get(row_key(row._replace(event="sent")))
            if sent is not None:
                stamps[row_key(row)] = sent
    observed = None
    if all(f.observed is not None for f in files):
        observed = frozenset().union(*(f.observed for f in files),  # type: ignore[arg-type]
                                     {r.actor_role for r in log.rows if r.actor_role and r.event != "arrived"},
                                     {r.what for r in log.rows if r.event == "arrived" and r.what in plan.roles})
    return MergedLog(log, conflicts, observed, stamps)


def _placed(problem, names: str, lines: dict[int, Stamp]):
    """A problem the merged reader found, named at the sheet row it came from."""
    if problem.source != names or problem.line not in lines:
        return problem
    stamp = lines[problem.line]
    message = re.sub(r"\(row (\d+)\)", lambda m: f"({lines[int(m[1])]})" if int(m[1]) in lines else m[0],
                     problem.message)
    return type(problem)(stamp.source, message, problem.place, stamp.line)


def _groups(rows: list[_Row]) -> list[_Group]:
    """Rows of different sheets that record the same event, paired with the nearest such row in time."""
    groups: dict[tuple, list[_Group]] = defaultdict(list)
    out: list[_Group] = []
    for row in sorted(rows, key=lambda r: (r.sheet, r.stamp.time, r.stamp.line)):
        key = row_key(row.event._replace(t=0.0))
        free = [g for g in groups[key] if all(r.sheet != row.sheet for r in g.rows)]
        if free:
            near = min(free, key=lambda g: abs(g.rows[0].stamp.time - row.stamp.time))
            near.rows.append(row)
            continue
        group = _Group([row])
        groups[key].append(group)
        out.append(group)
    return out


def _choose(group: _Group, files: list[SheetFile], plan: Plan) -> StampConflict | None:
    """Pick the stamp a group of rows is logged at; a conflict if the stamps disagree."""
    rows = group.rows
    agree = max(r.stamp.time for r in rows) <= min(r.stamp.end for r in rows)
    event = rows[0].event
    pool, reason = rows, ""
    role = event.actor_role
    if not agree and role:
        watching = [r for r in rows if files[r.sheet].observed is not None and role in files[r.sheet].observed]
        if 0 < len(watching) < len(rows):
            pool = watching
            reason = f"its evaluator watched {role} ({plan.roles[role].name})"
    if len(pool) > 1:
        finest = min(r.stamp.width for r in pool)
        if any(r.stamp.width != finest for r in pool):
            pool = [r for r in pool if r.stamp.width == finest]
            reason = reason or "typed to the second, the others to the minute"
    used = min(pool, key=lambda r: (r.stamp.time, r.sheet))
    if len(pool) > 1:
        reason = reason or "the earliest of stamps as precise"
    group.used = used
    if agree:
        return None
    what = " ".join(x for x in (event.event, event.what, f"by {event.actor}" if event.actor else "",
                                f"to {event.target}" if event.target else "") if x)
    return StampConflict(what, tuple(r.stamp for r in rows), used.stamp, reason)
