"""The live drills' tables in the history database: one connection, every write committed before it returns.

The history's own :class:`~drillsim.history.store.History` opens the file (refusing what is not a
sound history of this drillsim) and brings it to the schema version with the live tables; this
store then keeps its own connection, shared by the server's threads under one lock.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from drillsim.history.store import BUSY_TIMEOUT_S, History, fetch_rows


def now_ms() -> int:
    return time.time_ns() // 1_000_000


def digest(code: str) -> str:
    return hashlib.sha256(code.encode("utf-8")).hexdigest()


class LiveStore:
    def __init__(self, path: str | Path):
        self.path = Path(path)
        History(self.path).close()  # refuses a file that is not a sound history; migrates it
        self.db = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False)
        self.db.execute("PRAGMA foreign_keys = ON")
        self.db.execute("PRAGMA synchronous = FULL")  # an acknowledged stamp survives a power cut
        self.lock = threading.RLock()
        self.secret = self._secret()

    def close(self) -> None:
        with self.lock:
            self.db.close()

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """One transaction, committed before the block's caller goes on."""
        with self.lock:
            self.db.execute("BEGIN IMMEDIATE")
            try:
                yield self.db
            except BaseException:
                if self.db.in_transaction:
                    self.db.execute("ROLLBACK")
                raise
            self.db.execute("COMMIT")

    def rows(self, sql: str, params: tuple = ()) -> list[dict]:
        with self.lock:
            return fetch_rows(self.db, sql, params)

    def _secret(self) -> bytes:
        with self.write() as db:
            row = db.execute("SELECT secret FROM live_secret").fetchone()
            if row is None:
                row = (secrets.token_urlsafe(32),)
                db.execute("INSERT INTO live_secret VALUES (1, ?)", row)
        return row[0].encode("ascii")

    def code(self, drill: str, who: str) -> str:
        """The code of ``who`` in ``drill``: 128 bits keyed by the database's secret, so a resumed
        drill gives out the same links; only its SHA-256 digest is stored."""
        mac = hmac.new(self.secret, f"code:{drill}:{who}".encode(), hashlib.sha256).digest()[:16]
        return base64.urlsafe_b64encode(mac).rstrip(b"=").decode("ascii")

    def csrf(self, code: str) -> str:
        """The token a page sends with each POST: an HMAC of its code with the database's secret."""
        return hmac.new(self.secret, f"csrf:{code}".encode(), hashlib.sha256).hexdigest()

    # Drills --------------------------------------------------------------------------------------

    def create(self, key: str, plan: str, scenario: str, plan_id: str, scenario_id: str, lang: str, out: str,
               evaluators: list[tuple[str, list[str]]]) -> None:
        with self.write() as db:
            db.execute("INSERT INTO live_drills (key, plan, scenario, plan_id, scenario_id, lang, out, controller, "
                       "created_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                       (key, plan, scenario, plan_id, scenario_id, lang, out,
                        digest(self.code(key, "controller")), now_ms()))
            db.executemany("INSERT INTO live_evaluators VALUES (?, ?, ?, ?, ?)", [
                (key, i, name, json.dumps(roles), digest(self.code(key, f"evaluator:{i}")))
                for i, (name, roles) in enumerate(evaluators)])

    def unfinished(self, plan_id: str, scenario_id: str) -> dict | None:
        found = self.rows("SELECT * FROM live_drills WHERE plan_id = ? AND scenario_id = ? AND ended_ms IS NULL "
                          "ORDER BY created_ms DESC LIMIT 1", (plan_id, scenario_id))
        return found[0] if found else None

    def drill(self, key: str) -> dict:
        return self.rows("SELECT * FROM live_drills WHERE key = ?", (key,))[0]

    def evaluators(self, key: str) -> list[dict]:
        return [{**e, "roles": json.loads(e["roles"])} for e in
                self.rows("SELECT * FROM live_evaluators WHERE drill = ? ORDER BY seq", (key,))]

    def by_code(self, code: str) -> tuple[str, str, int | None] | None:
        """(drill, 'controller' or 'evaluator', evaluator seq) of a code, or None."""
        d = digest(code)
        for row in self.rows("SELECT key, controller FROM live_drills WHERE controller = ?", (d,)):
            if hmac.compare_digest(row["controller"], d):
                return row["key"], "controller", None
        for row in self.rows("SELECT drill, seq, code FROM live_evaluators WHERE code = ?", (d,)):
            if hmac.compare_digest(row["code"], d):
                return row["drill"], "evaluator", row["seq"]
        return None

    def set(self, key: str, **values: object) -> None:
        with self.write() as db:
            db.execute(f"UPDATE live_drills SET {', '.join(f'{k} = ?' for k in values)} WHERE key = ?",
                       (*values.values(), key))

    # Pauses, injects, stamps, syncs ----------------------------------------------------------------

    def pauses(self, key: str) -> list[tuple[int, int | None]]:
        return [(r["paused_ms"], r["resumed_ms"]) for r in
                self.rows("SELECT * FROM live_pauses WHERE drill = ? ORDER BY paused_ms", (key,))]

    def pause(self, key: str, at: int) -> None:
        with self.write() as db:
            db.execute("INSERT INTO live_pauses VALUES (?, ?, NULL)", (key, at))

    def resume(self, key: str, at: int) -> None:
        with self.write() as db:
            db.execute("UPDATE live_pauses SET resumed_ms = ? WHERE drill = ? AND resumed_ms IS NULL", (at, key))

    def injects(self, key: str) -> list[dict]:
        return self.rows("SELECT * FROM live_injects WHERE drill = ? ORDER BY at_ms", (key,))

    def mark(self, key: str, inject: str, status: str, at: int) -> bool:
        """Deliver or skip an inject once; False if it was delivered or skipped already."""
        with self.write() as db:
            if db.execute("SELECT 1 FROM live_injects WHERE drill = ? AND inject = ?", (key, inject)).fetchone():
                return False
            db.execute("INSERT INTO live_injects VALUES (?, ?, ?, ?)", (key, inject, status, at))
        return True

    def stamps(self, key: str, evaluator: int | None = None) -> list[dict]:
        if evaluator is None:
            return self.rows("SELECT * FROM live_stamps WHERE drill = ? ORDER BY seq", (key,))
        return self.rows("SELECT * FROM live_stamps WHERE drill = ? AND evaluator = ? ORDER BY seq", (key, evaluator))

    def stamp(self, key: str, evaluator: int, stamp: dict) -> tuple[dict, bool]:
        """Keep a stamp once: (the stored stamp, whether it was there already)."""
        with self.write() as db:
            before = fetch_rows(db, "SELECT * FROM live_stamps WHERE drill = ? AND client_id = ?",
                                (key, stamp["client_id"]))
            if before:
                return before[0], True
            seq = db.execute("SELECT COALESCE(MAX(seq), 0) + 1 FROM live_stamps WHERE drill = ?", (key,)).fetchone()[0]
            row = {"drill": key, "evaluator": evaluator, "seq": seq, "received_ms": now_ms(), **stamp}
            db.execute(f"INSERT INTO live_stamps ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})",
                       tuple(row.values()))
        return row, False

    def sync(self, key: str, evaluator: int, t0: int, t1: int, t2: int) -> None:
        with self.write() as db:
            db.execute("INSERT INTO live_syncs VALUES (?, ?, ?, ?, ?)", (key, evaluator, t0, t1, t2))
