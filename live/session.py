"""One live drill as the server plays it: its clock, its MSEL, its stamps and its running scorecard,
kept in the store at every change; the end exports the live log as a sheet and scores that sheet."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import drillsim
from drillsim.spec.errors import InputError

from .drill import (
    UNCERTAIN_MS,
    Row,
    branch_sites,
    buttons,
    check_row,
    clock_ms,
    inject_lines,
    inject_rows,
    inject_status,
    origin_of,
    read_log,
    requirement_status,
    row_time,
    running_card,
    write_live_sheet,
)
from .store import LiveStore, now_ms

SHEET = "live-log.xlsx"
NOTE = "note"
"""The key of a stamp that only attaches a note to the stamp it ``corrects``."""


class Refused(Exception):
    """A request the drill cannot do now: its HTTP status and what to tell the user."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


@dataclass
class Effective:
    """A stamp as it stands after its corrections: the row it gives, or None once undone."""

    base: dict
    latest: dict
    undone: bool
    notes: list[str]


class Session:
    def __init__(self, store: LiveStore, key: str):
        self.store, self.key = store, key
        row = store.drill(key)
        self.plan = drillsim.load_plan(row["plan"])
        self.scenario = drillsim.load_scenario(row["scenario"], self.plan)
        self.lang = row["lang"]
        self.out = Path(row["out"])
        self.lines = inject_lines(self.plan, self.scenario, self.lang)
        self.line_of = {line.id: line for line in self.lines}
        self.evaluators = store.evaluators(key)
        sites = branch_sites(self.scenario, self.lang)
        self.buttons = {e["seq"]: buttons(self.plan, e["roles"], self.lang, sites) for e in self.evaluators}
        self.button_of = {b.key: b for bs in self.buttons.values() for b in bs}
        self.version = 0
        self._cache: tuple[tuple, dict] | None = None

    # The clock -----------------------------------------------------------------------------------

    def _times(self) -> tuple[int | None, int | None, list[tuple[int, int | None]]]:
        row = self.store.drill(self.key)
        return row["started_ms"], row["ended_ms"], self.store.pauses(self.key)

    def state_name(self) -> str:
        started, ended, pauses = self._times()
        if started is None:
            return "ready"
        if ended is not None:
            return "ended"
        return "paused" if pauses and pauses[-1][1] is None else "running"

    def clock(self, at: int | None = None) -> int:
        started, ended, pauses = self._times()
        return clock_ms(started, ended, pauses, now_ms() if at is None else at)

    def _bump(self) -> None:
        self.version += 1  # the state's cache is kept per version

    # The controller's acts -------------------------------------------------------------------------

    def start(self) -> None:
        with self.store.lock:
            if self.state_name() != "ready":
                raise Refused(409, "the drill has started already")
            self.store.set(self.key, started_ms=now_ms())
        self._bump()

    def pause(self) -> None:
        with self.store.lock:
            if self.state_name() != "running":
                raise Refused(409, "only a running drill can be paused")
            self.store.pause(self.key, now_ms())
        self._bump()

    def resume(self) -> None:
        with self.store.lock:
            if self.state_name() != "paused":
                raise Refused(409, "only a paused drill can be resumed")
            self.store.resume(self.key, now_ms())
        self._bump()

    def mark(self, inject: str, status: str) -> None:
        if inject not in self.line_of:
            raise Refused(422, f"unknown inject {inject!r}; the scenario's: {', '.join(self.line_of)}")
        with self.store.lock:
            if self.state_name() not in ("running", "paused"):
                raise Refused(409, "injects are delivered while the drill runs: start it first")
            if not self.store.mark(self.key, inject, status, now_ms()):
                raise Refused(409, f"inject {inject!r} was delivered or skipped already")
        self._bump()

    def end(self) -> None:
        with self.store.lock:
            if self.state_name() not in ("running", "paused"):
                raise Refused(409, "only a drill under way can be ended")
            started, _, _ = self._times()
            rows, _, _ = self.rows()
            try:
                read_log(self.plan, self.scenario, origin_of(started), rows)
            except InputError as err:
                raise Refused(422, "the live log cannot be scored yet: " + _text(err)) from None
            self.store.set(self.key, ended_ms=now_ms())  # a pause still open ends with the clock (clock_ms)
            sheet = self.export(self.out / SHEET)
            output = drillsim.score_drill(self.plan, sheet, self.out, scenario=self.scenario, lang=self.lang,
                                          db=self.store.path)
            card = output.scorecard
            result = {"requirements": requirement_status(self.plan, card, ended=True), "score": card.score,
                      "rating": card.rating, "history": output.history,
                      "files": {k: str(p) for k, p in output.files.items()}}
            self.store.set(self.key, result_json=json.dumps(result, ensure_ascii=False))
        self._bump()

    # Stamps ----------------------------------------------------------------------------------------

    def add_stamp(self, evaluator: int, body: dict) -> dict:
        """Keep one stamp (or give the acknowledgement of the one kept before with its client id)."""
        with self.store.lock:
            known = self.store.rows("SELECT * FROM live_stamps WHERE drill = ? AND client_id = ?",
                                    (self.key, body["client_id"]))
            if known:
                return _ack(known[0], duplicate=True)
            state = self.state_name()
            if state == "ready":
                raise Refused(409, "the drill has not started yet")
            if state == "ended":
                raise Refused(409, "the drill has ended: the stamp was not kept")
            target = body.get("undoes") or body.get("corrects")
            if body.get("undoes") and body.get("corrects"):
                raise Refused(422, "a stamp undoes or corrects another, not both")
            if target:
                earlier = self.store.rows("SELECT * FROM live_stamps WHERE drill = ? AND client_id = ? AND "
                                          "evaluator = ?", (self.key, target, evaluator))
                if not earlier:
                    raise Refused(422, f"no stamp {target!r} of this evaluator to change")
                if earlier[0]["undoes"] or earlier[0]["corrects"]:
                    raise Refused(422, f"stamp {target!r} changes another: undo, correct or note that one")
                if body["key"] == NOTE and body.get("undoes"):
                    raise Refused(422, "a note is attached with 'corrects', not 'undoes'")
                if body["key"] not in (NOTE, earlier[0]["key"]):
                    raise Refused(422, f"stamp {target!r} records {earlier[0]['key']!r}: an undo or correction "
                                       f"carries its key, not {body['key']!r} (undo it and stamp anew)")
            elif body["key"] == NOTE:
                raise Refused(422, "a note is attached to a stamp: give the stamp it belongs to in 'corrects'")
            if body["key"] != NOTE and not target:
                mine = {b.key for b in self.buttons[evaluator]}
                if body["key"] not in mine:
                    raise Refused(422, f"unknown key {body['key']!r} for this evaluator")
                try:
                    check_row(self.plan, self.scenario, self.button_of[body["key"]].cells)
                except InputError as err:
                    raise Refused(422, _text(err)) from None
            fields = ("client_id", "key", "device_time", "offset_ms", "uncertainty_ms", "note", "undoes", "corrects")
            row, duplicate = self.store.stamp(self.key, evaluator, {f: body.get(f) for f in fields})
        self._bump()
        return _ack(row, duplicate)

    def effective(self) -> list[Effective]:
        """Every stamp that records something, as its corrections, undos and notes leave it."""
        out: dict[str, Effective] = {}
        for s in self.store.stamps(self.key):
            target = s["undoes"] or s["corrects"]
            if target is None:
                out[s["client_id"]] = Effective(s, s, False, [s["note"]] if s["note"] else [])
                continue
            e = out[target]  # a stamp that changes another changes a recording one (add_stamp refuses others)
            if s["undoes"]:
                e.undone = True
            elif s["key"] != NOTE:
                e.latest = s
            if s["note"]:
                e.notes.append(s["note"])
        return list(out.values())

    def rows(self) -> tuple[list[Row], list[tuple[str, str]], list[str]]:
        """The live log's rows, the notes for the sheet (the evaluators' own, and one for each stamp whose
        clock was uncertain) and those uncertain stamps' warnings, once the drill has started."""
        started, ended, pauses = self._times()
        assert started is not None, "a live log begins at the start"
        rows: list[Row] = []
        for d in self.store.injects(self.key):
            if d["status"] == "delivered":
                rows += inject_rows(self.line_of[d["inject"]], clock_ms(started, ended, pauses, d["at_ms"]))
        names = {e["seq"]: e["name"] for e in self.evaluators}
        notes: list[tuple[str, str]] = []
        uncertain: list[str] = []
        origin = origin_of(started)
        for e in self.effective():
            if e.undone:
                continue
            at = round(e.latest["device_time"] + e.latest["offset_ms"])
            clock = clock_ms(started, ended, pauses, at)
            button = self.button_of[e.base["key"]]
            by = names[e.base["evaluator"]]
            rows.append(Row(clock, button.cells))
            when = row_time(origin, clock)
            notes += [(by, f"{when} {button.label}: {n}") for n in e.notes]
            if e.latest["uncertainty_ms"] > UNCERTAIN_MS:
                uncertain.append(f"{when} {button.label}: the device's clock was known only to "
                                 f"±{e.latest['uncertainty_ms'] / 1000:.1f} s (stamp {e.base['client_id']})")
                notes.append((by, uncertain[-1]))
        return rows, notes, uncertain

    # What the pages show ---------------------------------------------------------------------------

    def state(self) -> dict:
        """The controller's state (``state`` in docs/live.md), cached per change and second of the clock."""
        drill = self.store.drill(self.key)
        name = self.state_name()
        clock = self.clock()
        stamp_count = len(self.store.stamps(self.key))
        done_count = len(self.store.injects(self.key))
        cache_key = (self.version, name, clock // 1000, stamp_count, done_count)
        if self._cache and self._cache[0] == cache_key:
            return {**self._cache[1], "clock_s": clock / 1000}
        started, ended, pauses = self._times()
        done = {d["inject"]: (d["status"], clock_ms(started, ended, pauses, d["at_ms"]))
                for d in self.store.injects(self.key)}
        injects = inject_status(self.lines, done, clock, name == "running")
        warnings: list[str] = []
        if drill["result_json"]:
            result = json.loads(drill["result_json"])
            requirements = result["requirements"]
        else:
            card = None
            if drill["started_ms"] is not None:  # no log before the start
                rows, _, uncertain = self.rows()
                observed = frozenset(r for e in self.evaluators for r in e["roles"])
                card, warnings = running_card(self.plan, self.scenario, origin_of(drill["started_ms"]), rows, clock,
                                              observed)
                warnings += uncertain
            requirements = requirement_status(self.plan, card, ended=False)
        state = {"drill": self.key, "state": name, "clock_s": clock / 1000, "injects": injects,
                 "requirements": requirements, "stamps": stamp_count, "warnings": warnings}
        if drill["result_json"]:
            state["result"] = {"score": result["score"],
                               "rating": result["rating"], "history": result["history"]}
        self._cache = (cache_key, state)
        return state

    def evaluator_state(self, evaluator: int) -> dict:
        e = next(x for x in self.evaluators if x["seq"] == evaluator)
        mine = self.store.stamps(self.key, evaluator)
        return {"drill": self.key, "state": self.state_name(), "clock_s": self.clock() / 1000, "name": e["name"],
                "roles": [{"id": r, "name": self.plan.roles[r].name} for r in e["roles"]],
                "buttons": [{"key": b.key, "label": b.label} for b in self.buttons[evaluator]],
                "acked": [s["client_id"] for s in mine]}

    def export(self, path: Path) -> Path:
        """The live log as a log sheet at ``path``."""
        drill = self.store.drill(self.key)
        if drill["started_ms"] is None:
            raise Refused(409, "the drill has not started: there is no log yet")
        rows, notes, _ = self.rows()
        path.parent.mkdir(parents=True, exist_ok=True)
        name = f"{self.plan.title} — {self.scenario.title} (live {self.key})"
        evaluators = [(e["name"], e["roles"]) for e in self.evaluators]
        return write_live_sheet(self.plan, self.scenario, path, self.lang, origin_of(drill["started_ms"]), rows,
                                name, self.key, evaluators, notes)


def _ack(row: dict, duplicate: bool) -> dict:
    return {"client_id": row["client_id"], "ack": True, "received": row["received_ms"], "duplicate": duplicate}


def _text(err: InputError) -> str:
    return "; ".join(str(e) for e in err.problems)
