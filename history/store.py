"""The history database: opened only when it is sound, and one scored drill kept in one transaction.

Safety rules (docs/history.md): a file that is not an SQLite database, fails ``PRAGMA quick_check``,
is some other program's database or was written by a newer drillsim is refused with a clear error
and left as it is. The database is in WAL mode; every write takes the write lock at its start
(``BEGIN IMMEDIATE``) and waits up to ``timeout`` seconds for another writer, so two processes
writing at once both succeed, and one that waits in vain changes nothing.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import sqlite3
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TypeVar

from drillsim.log.eventlog import EventLog
from drillsim.scoring.evaluation import Evaluation, Exercise, ImprovementItem
from drillsim.spec.errors import InputError
from drillsim.spec.plan import Plan

from .schema import EVALUATOR_FIELDS, MIGRATIONS, SCHEMA_VERSION

T = TypeVar("T")

HISTORY_ENV = "DRILLSIM_HISTORY"
"""The environment variable that names the default database."""
BUSY_TIMEOUT_S = 10.0
"""How long a write waits for another process's write to finish before giving up."""
SQLITE_HEADER = b"SQLite format 3\x00"
BUSY_CODES = (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)


def default_path() -> Path:
    """``$DRILLSIM_HISTORY`` if set, else ``$XDG_DATA_HOME/drillsim/history.sqlite`` (``~/.local/share/…``)."""
    if named := os.environ.get(HISTORY_ENV):
        return Path(named).expanduser()
    data = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(data) / "drillsim" / "history.sqlite"


def drill_day(exercise: Exercise, log: EventLog) -> date:
    """The drill's date: the exercise's, else the day of the log's minute 0."""
    if exercise.date is not None:
        return exercise.date
    if log.origin is not None:
        return log.origin.date()
    raise InputError(f"drill {exercise.name!r}", "has no date, so the history cannot tell it from another drill "
                     "of the same name: give the exercise its date, or score a log with dated wall-clock times")


def drill_key(plan_id: str, exercise: Exercise, log: EventLog) -> str:
    """What identifies a drill: its plan, the exercise's name, its date and its branch (12 hex digits).

    Scoring the same drill again (a corrected log, another override) gives the same key and replaces it.
    """
    ident = [plan_id, exercise.name.strip(), drill_day(exercise, log).isoformat(), (exercise.branch or "").strip()]
    return hashlib.sha256(json.dumps(ident, ensure_ascii=False).encode("utf-8")).hexdigest()[:12]


@dataclass(frozen=True)
class Recorded:
    key: str
    replaced: bool
    """Whether an earlier scoring of the same drill was replaced."""


class History:
    """One history database; ``with History(path) as h: …`` closes it afterwards.

    ``create=False`` refuses a path where no history is yet (for reading).
    """

    def __init__(self, path: str | Path, timeout: float = BUSY_TIMEOUT_S, create: bool = True):
        self.path = Path(path)
        self.timeout = timeout
        self._refuse_what_is_not_a_database(create)
        if create:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.errors("open the history"):
            self.db = sqlite3.connect(self.path, timeout=timeout, isolation_level=None)
        try:
            self._open()
        except BaseException:
            self.db.close()
            raise

    def __enter__(self) -> History:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.db.close()

    def _refuse_what_is_not_a_database(self, create: bool) -> None:
        where = str(self.path)
        if self.path.is_dir():
            raise InputError(where, "is a folder; name the history's file, e.g. "
                             f"{self.path / 'history.sqlite'}")
        if not self.path.exists():
            if not create:
                raise InputError(where, "no drill history here yet: drills are kept in it as they are scored "
                                 "(or name another with --db)")
            return
        with self.path.open("rb") as f:
            head = f.read(len(SQLITE_HEADER))
        if head and head != SQLITE_HEADER:
            raise InputError(where, "is not a drillsim history (not an SQLite database); it was left as it is: "
                             "name another file with --db, or move this one away to start a new history")

    def _open(self) -> None:
        with self.errors("open the history"):
            version = _while_busy(self.timeout, self._look)
        if version < SCHEMA_VERSION:
            self._migrate()

    def _look(self) -> int:
        """Check the file is a history this drillsim reads, turn it to WAL; its schema version."""
        problems = [row[0] for row in self.db.execute("PRAGMA quick_check")]
        if problems != ["ok"]:
            raise sqlite3.DatabaseError(problems[0])
        tables = {name for (name,) in self.db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if tables and "schema_version" not in tables:
            raise InputError(str(self.path), "is an SQLite database but not a drillsim history (it has no "
                             "schema_version table); it was left as it is: name another file with --db")
        version = self._version() if tables else 0
        self._refuse_newer(version)
        self.db.execute("PRAGMA journal_mode = WAL")
        self.db.execute("PRAGMA foreign_keys = ON")
        return version

    def _version(self) -> int:
        row = self.db.execute("SELECT version FROM schema_version").fetchone()
        return row[0] if row else 0

    def _refuse_newer(self, version: int) -> None:
        if version > SCHEMA_VERSION:
            raise InputError(str(self.path), f"was written by a newer drillsim (history schema version {version}; "
                             f"this drillsim reads up to {SCHEMA_VERSION}); it was left as it is: upgrade drillsim "
                             "to read it")

    def _migrate(self) -> None:
        with self.write("bring the history up to date") as db:
            exists = db.execute("SELECT 1 FROM sqlite_master WHERE name = 'schema_version'").fetchone()
            version = self._version() if exists else 0  # another process may have done it meanwhile
            self._refuse_newer(version)
            for migration in MIGRATIONS[version:]:
                for statement in _statements(migration):
                    db.execute(statement)
            db.execute("UPDATE schema_version SET version = ?", (SCHEMA_VERSION,))

    @contextmanager
    def errors(self, doing: str) -> Iterator[None]:
        """SQLite's errors while ``doing`` something, as errors that name the file and say what to do."""
        where = str(self.path)
        try:
            yield
        except (sqlite3.IntegrityError, sqlite3.ProgrammingError, sqlite3.InterfaceError):
            raise  # drillsim's own mistake, not the file's
        except sqlite3.OperationalError as err:
            if err.sqlite_errorcode & 0xFF in BUSY_CODES:
                raise InputError(where, f"is in use by another process: waited {self.timeout:g} s to {doing}, in "
                                 "vain; nothing was written and what the history held is kept: try again when "
                                 "the other drillsim command has finished") from None
            raise InputError(where, f"cannot {doing}: {err}") from None
        except sqlite3.DatabaseError as err:
            raise InputError(where, f"is damaged ({err}); it was left as it is and nothing was written: restore "
                             "it from a backup, or name another file with --db to start a new history") from None

    @contextmanager
    def write(self, doing: str) -> Iterator[sqlite3.Connection]:
        """One transaction that holds the write lock from its start: all of it is written, or none."""
        with self.errors(doing):
            self.db.execute("BEGIN IMMEDIATE")
            try:
                yield self.db
            except BaseException:
                if self.db.in_transaction:  # SQLite itself rolls back on some errors
                    self.db.execute("ROLLBACK")
                raise
            self.db.execute("COMMIT")

    def record(self, plan: Plan, log: EventLog, evaluation: Evaluation,
               items: Sequence[ImprovementItem] | None = None) -> Recorded:
        """Keep one scored drill with its log, scorecard, ratings, overrides, notes and Improvement Plan.

        ``items`` defaults to the evaluation's own; a drill kept before (the same :func:`drill_key`) is
        replaced, and its actions keep what the evaluator completed (see :func:`_merge_actions`).
        """
        card, exercise = evaluation.card, evaluation.exercise
        if card.plan != plan.id:
            raise ValueError(f"the scorecard is of plan {card.plan!r}, not {plan.id!r}")
        if card.now is not None:
            raise ValueError("a drill scored while under way (now=…) is not kept in the history; score it finished")
        items = evaluation.improvement_items() if items is None else list(items)
        if len({i.requirement for i in items}) < len(items):
            raise ValueError("the Improvement Plan has two items for one requirement")
        key = drill_key(plan.id, exercise, log)
        coverage = evaluation.coverage
        now = datetime.now(UTC).isoformat(timespec="microseconds")
        drill = {
            "plan": plan.id, "plan_title": plan.title, "incident_type": card.incident_type,
            "exercise": exercise.name.strip(), "drill_date": drill_day(exercise, log).isoformat(),
            "branch": (exercise.branch or "").strip(), "scope": exercise.scope,
            "scenario": exercise.scenario or log.meta.get("scenario"),
            "participants": _json(list(exercise.participants)), "evaluators": _json(list(exercise.evaluators)),
            "scored_at": now, "score": card.score, "rating": card.rating, "capped": int(card.capped),
            "evaluated": coverage.evaluated, "requirements": coverage.total,
            "not_evaluated": _json(list(coverage.not_evaluated)), "scorecard_json": _scorecard_text(evaluation),
            "log_csv": log.csv_text(),
        }
        with self.write("keep the drill") as db:
            earlier = db.execute("SELECT 1 FROM drills WHERE key = ?", (key,)).fetchone() is not None
            if earlier:
                columns = ", ".join(f"{c} = :{c}" for c in drill)
                db.execute(f"UPDATE drills SET {columns}, times_scored = times_scored + 1 WHERE key = :key",
                           {**drill, "key": key})
                for table in ("ratings", "results", "notes"):
                    db.execute(f"DELETE FROM {table} WHERE drill = ?", (key,))
            else:
                row = {**drill, "key": key, "first_recorded_at": now, "times_scored": 1}
                db.execute(f"INSERT INTO drills ({', '.join(row)}) VALUES ({', '.join(':' + c for c in row)})", row)
            performance = {c.id: c.performance for c in card.capabilities}
            db.executemany("INSERT INTO ratings VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", [
                (key, r.capability, r.name, performance[r.capability], r.proposed,
                 r.override.rating if r.override else None, r.override.justification if r.override else None,
                 r.override.by if r.override else None, r.rating) for r in evaluation.ratings])
            db.executemany("INSERT INTO results VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", [
                (key, r.id, r.title, r.capability, int(r.critical), r.outcome.value, r.credit, _finite(r.latency),
                 _finite(r.deadline), _finite(r.late_by)) for r in card.results])
            db.executemany("INSERT INTO notes VALUES (?, ?, ?, ?)",
                           [(key, i, n.text, n.by) for i, n in enumerate(evaluation.notes)])
            _merge_actions(db, key, items)
        return Recorded(key, earlier)


def _merge_actions(db: sqlite3.Connection, key: str, items: Sequence[ImprovementItem]) -> None:
    """The drill's actions after a (re-)scoring: one per item, by requirement.

    An action kept from before keeps its id, status, closing and re-test, and every field the
    evaluator filled in (owner, due date, corrective action …); only an empty field takes the
    item's value. An action whose requirement no longer failed is dropped if nobody touched it,
    else kept and marked not current.
    """
    stored = {row["requirement"]: row for row in fetch_rows(db, "SELECT * FROM actions WHERE drill = ?", (key,))}
    for item in items:
        given = {f: _text(getattr(item, f)) for f in EVALUATOR_FIELDS}
        before = stored.pop(item.requirement, None)
        if before is None:
            row = {"drill": key, "requirement": item.requirement, "capability": item.capability,
                   "issue": item.issue, **{f: v for f, v in given.items() if v is not None}}
            db.execute(f"INSERT INTO actions ({', '.join(row)}) VALUES ({', '.join(':' + c for c in row)})", row)
            continue
        kept = {f: before[f] if before[f] else given[f] or before[f] for f in EVALUATOR_FIELDS}
        db.execute(f"UPDATE actions SET capability = :capability, issue = :issue, current = 1, "
                   f"{', '.join(f'{f} = :{f}' for f in kept)} WHERE id = :id",
                   {**kept, "capability": item.capability, "issue": item.issue, "id": before["id"]})
    for before in stored.values():
        touched = before["status"] != "open" or before["retest_drill"] or any(before[f] for f in EVALUATOR_FIELDS)
        if touched:
            db.execute("UPDATE actions SET current = 0 WHERE id = ?", (before["id"],))
        else:
            db.execute("DELETE FROM actions WHERE id = ?", (before["id"],))


def record_drill(db_path: str | Path | None, plan: Plan, log: EventLog, evaluation: Evaluation,
                 items: Sequence[ImprovementItem] | None = None) -> Recorded:
    """Keep a scored drill in the history at ``db_path`` (default :func:`default_path`): what ``score`` calls."""
    with History(default_path() if db_path is None else db_path) as history:
        return history.record(plan, log, evaluation, items)


def fetch_rows(db: sqlite3.Connection, sql: str, params: Sequence[object] = ()) -> list[dict]:
    cursor = db.execute(sql, params)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor]


def _statements(script: str) -> Iterator[str]:
    statement = ""
    for line in script.splitlines(keepends=True):
        statement += line
        if sqlite3.complete_statement(statement):
            yield statement
            statement = ""


def _scorecard_text(evaluation: Evaluation) -> str:
    """The scorecard exactly as ``scorecard.json`` holds it."""
    with tempfile.TemporaryDirectory() as folder:
        return evaluation.card.write_json(Path(folder) / "scorecard.json").read_text("utf-8")


def _json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)


def _finite(x: float | None) -> float | None:
    return x if x is not None and math.isfinite(x) else None


def _text(value: object) -> str | None:
    if isinstance(value, date):
        return value.isoformat()
    return value or None


def _while_busy(timeout: float, attempt: Callable[[], T]) -> T:
    """``attempt()``, again while SQLite says the file is busy, for up to ``timeout`` seconds. SQLite
    answers busy at once, without waiting, where waiting could deadlock: as when processes that have
    just created one history each turn it to WAL."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return attempt()
        except sqlite3.OperationalError as err:
            if err.sqlite_errorcode & 0xFF not in BUSY_CODES or time.monotonic() >= deadline:
                raise
            time.sleep(0.02)
