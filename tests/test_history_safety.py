"""The history loses nothing: two processes writing at once both land, a locked database or a damaged
file gives a clear error naming it and is left as it was, a newer schema is refused."""

from __future__ import annotations

import multiprocessing
import sqlite3

import pytest

from drillsim.history import History
from drillsim.history import queries as q
from drillsim.history.schema import SCHEMA_VERSION
from drillsim.spec.errors import InputError
from tests.history_drills import record

WRITERS, DRILLS_EACH = 4, 4


def _write_drills(path: str, writer: int, start) -> None:
    start.wait()
    with History(path) as h:
        for i in range(DRILLS_EACH):
            record(h, i % 2, name=f"演练 {writer}-{i}")


def _write_at_once(path) -> list[int]:
    """WRITERS processes recording drills into ``path`` at the same moment; their exit codes."""
    context = multiprocessing.get_context("fork")
    start = context.Barrier(WRITERS)
    workers = [context.Process(target=_write_drills, args=(str(path), w, start)) for w in range(WRITERS)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    return [w.exitcode for w in workers]


def test_processes_writing_at_once_lose_nothing(tmp_path):
    path = tmp_path / "history.sqlite"
    with History(path) as h:  # each writer also opens a database another is writing
        record(h, 1, name="before")
    assert _write_at_once(path) == [0] * WRITERS
    with History(path) as h:
        names = set(q.drills(h)["exercise"])
    assert names == {"before"} | {f"演练 {w}-{i}" for w in range(WRITERS) for i in range(DRILLS_EACH)}


def test_processes_creating_the_history_at_once_all_succeed(tmp_path):
    path = tmp_path / "new" / "history.sqlite"
    assert _write_at_once(path) == [0] * WRITERS
    with History(path) as h:
        assert len(q.drills(h)) == WRITERS * DRILLS_EACH


def test_a_database_locked_beyond_the_timeout_gives_a_clear_error_and_loses_nothing(tmp_path):
    path = tmp_path / "history.sqlite"
    with History(path) as h:
        kept = record(h, 1, name="kept")
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    try:
        with History(path, timeout=0.1) as h, pytest.raises(InputError) as err:
            record(h, 0, name="new")
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert str(err.value).startswith(f"{path}: is in use by another process: waited 0.1 s to keep the drill")
    assert "nothing was written" in str(err.value)
    with History(path) as h:
        assert list(q.drills(h)["drill"]) == [kept]
        record(h, 0, name="new")  # once the other process is done, it goes in
        assert len(q.drills(h)) == 2


def _stored(path):
    with History(path) as h:
        for seed in (0, 1, 2):
            record(h, seed, name=f"演练 {seed}")
    assert not path.with_name(path.name + "-wal").exists()  # all in the file once closed
    return path.read_bytes()


@pytest.mark.parametrize("damage, says", [
    (lambda data: b"these are not the drills you are looking for" * 50, "is not a drillsim history (not an SQLite"),
    (lambda data: data[: len(data) // 2], "is damaged"),
    (lambda data: data[:4096] + bytes(4096) + data[8192:], "is damaged"),
])
def test_a_damaged_file_gives_a_clear_error_naming_it_and_is_left_as_it_is(tmp_path, damage, says):
    path = tmp_path / "history.sqlite"
    path.write_bytes(damage(_stored(path)))
    before = path.read_bytes()
    with pytest.raises(InputError) as err:
        History(path)
    assert str(err.value).startswith(f"{path}: {says}") and "left as it is" in str(err.value)
    assert path.read_bytes() == before


def test_another_program_s_database_is_refused_and_left_as_it_is(tmp_path):
    path = tmp_path / "other.sqlite"
    with sqlite3.connect(path) as other:
        other.execute("CREATE TABLE accounts (id INTEGER)")
    other.close()
    before = path.read_bytes()
    with pytest.raises(InputError, match="is an SQLite database but not a drillsim history"):
        History(path)
    assert path.read_bytes() == before


def test_a_history_of_a_newer_schema_is_refused(tmp_path):
    path = tmp_path / "history.sqlite"
    _stored(path)
    with sqlite3.connect(path) as db:
        db.execute("UPDATE schema_version SET version = ?", (SCHEMA_VERSION + 1,))
    db.close()
    before = path.read_bytes()
    with pytest.raises(InputError, match=f"newer drillsim \\(history schema version {SCHEMA_VERSION + 1}; this "
                                         f"drillsim reads up to {SCHEMA_VERSION}\\)"):
        History(path)
    assert path.read_bytes() == before


def test_reading_a_history_that_is_not_there_says_so_and_makes_nothing(tmp_path):
    path = tmp_path / "none" / "history.sqlite"
    with pytest.raises(InputError, match="no drill history here yet"):
        History(path, create=False)
    assert not path.parent.exists()
    with pytest.raises(InputError, match="is a folder"):
        History(tmp_path)


def test_a_new_history_is_at_the_current_schema_version_in_wal_mode(tmp_path):
    with History(tmp_path / "h.sqlite") as h:
        assert h.db.execute("SELECT version FROM schema_version").fetchall() == [(SCHEMA_VERSION,)]
        assert h.db.execute("PRAGMA journal_mode").fetchone() == ("wal",)
