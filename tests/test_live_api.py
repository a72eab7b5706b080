"""The live drill console at the HTTP level (FastAPI's TestClient): codes, CSRF, escaping, idempotent
stamps, restart, the running scorecard and the final one against ``drillsim score`` of the exported sheet.

The drill clock is the server's clock: these tests set it by hand (``now_ms``), so nothing waits.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

import drillsim
from drillsim.live import session as session_module
from drillsim.live.app import create_app
from drillsim.live.drill import clock_ms, origin_of, roles_named, row_time
from drillsim.live.server import parse_evaluators
from drillsim.live.store import LiveStore
from drillsim.log.sheets import merge_sheets, read_sheet_file
from drillsim.spec.errors import InputError
from tests.clirun import drillsim as run_drillsim

PLAN, SCENARIO = "counter-robbery", "armed-robbery-injured"
T0 = 1_800_000_000_000  # ms since the epoch: the drill's start in these tests


class Clock:
    def __init__(self, t: int):
        self.t = t

    def __call__(self) -> int:
        return self.t


@pytest.fixture
def clock(monkeypatch) -> Clock:
    c = Clock(T0)
    monkeypatch.setattr(session_module, "now_ms", c)
    return c


class Drill:
    """One live drill in a database, with a client of its app and its codes and tokens."""

    def __init__(self, db: Path, key: str = "testdrill", plan: str = PLAN, evaluators=(), out: Path | None = None,
                 scenario: str = SCENARIO, lang: str = "en"):
        self.db, self.key = db, key
        self.store = LiveStore(db)
        p = drillsim.load_plan(plan)
        sc = drillsim.load_scenario(scenario, p)
        if not self.store.rows("SELECT 1 FROM live_drills WHERE key = ?", (key,)):
            self.store.create(key, plan, scenario, p.id, sc.id, lang, str(out or db.parent / f"out-{key}"),
                              parse_evaluators(p, list(evaluators)))
        self.client = TestClient(create_app(self.store))
        self.c = self.store.code(key, "controller")
        self.e = self.store.code(key, "evaluator:0")

    def token(self, page: str) -> str:
        html = self.client.get(page).text
        return re.search(r'name="csrf-token" content="([^"]+)"', html)[1]

    def post(self, what: str, **body):
        """The controller's act ``what``, as the page posts it: the response, whatever its status."""
        return self.client.post(f"/api/c/{self.c}/{what}", json=body,
                                headers={"X-CSRF-Token": self.token(f"/c/{self.c}")})

    def act(self, what: str, **body) -> dict:
        r = self.post(what, **body)
        assert r.status_code == 200, r.text
        return r.json()

    def stamp(self, key: str, at_s: float, client_id: str, code: str | None = None, **extra):
        code = code or self.e
        body = {"client_id": client_id, "key": key, "device_time": int(T0 + at_s * 1000), "offset_ms": 0,
                "uncertainty_ms": 20, **extra}
        return self.client.post(f"/api/e/{code}/stamps", json=body, headers={"X-CSRF-Token": self.token(f"/e/{code}")})

    def state(self) -> dict:
        return self.client.get(f"/api/c/{self.c}/state").json()

    def status(self) -> dict[str, str]:
        return {r["id"]: r["status"] for r in self.state()["requirements"]}

    def close(self) -> None:
        self.client.close()
        self.store.close()


@pytest.fixture
def drill(tmp_path, clock):
    d = Drill(tmp_path / "history.sqlite")
    yield d
    d.close()


def started(d: Drill) -> None:
    d.act("start")
    d.act("deliver", inject="robbers-enter")


def test_the_same_client_id_twice_is_one_stamp_and_the_same_acknowledgement(drill):
    started(drill)
    first = drill.stamp("action.lock_cash.cash_teller", 5, "stamp-0001")
    again = drill.stamp("action.lock_cash.cash_teller", 5, "stamp-0001")
    assert first.status_code == again.status_code == 200
    # the page counts a stamp sent once it reads "ack": true (live/static/evaluator.js)
    received = first.json()["received"]  # the store's own clock, in ms
    assert first.json() == {"client_id": "stamp-0001", "ack": True, "received": received, "duplicate": False}
    assert isinstance(received, int) and received > 1_700_000_000_000
    assert again.json() == {**first.json(), "duplicate": True}
    assert len(drill.store.stamps(drill.key)) == 1
    assert drill.state()["stamps"] == 1
    assert drill.client.get(f"/api/e/{drill.e}/state").json()["acked"] == ["stamp-0001"]


def test_an_evaluator_code_cannot_deliver_injects_nor_reach_another_drill(tmp_path, clock):
    one, two = Drill(tmp_path / "h.sqlite", "drill-one"), Drill(tmp_path / "h.sqlite", "drill-two")
    try:
        started(one)
        token = one.token(f"/e/{one.e}")
        r = one.client.post(f"/api/c/{one.e}/deliver", json={"inject": "robbers-flee"}, headers={"X-CSRF-Token": token})
        assert r.status_code == 404
        assert one.client.get(f"/c/{one.e}").status_code == 404
        assert one.client.get(f"/api/c/{one.e}/state").status_code == 404
        assert one.client.get(f"/api/c/{one.e}/sheet.xlsx").status_code == 404
        assert one.client.get(f"/e/{one.c}").status_code == 404  # nor a controller's code the evaluator API
        assert one.client.get(f"/api/e/{one.e}/state").json()["drill"] == "drill-one"
        assert two.client.get(f"/api/e/{two.e}/state").json()["drill"] == "drill-two"
        assert one.e != two.e and one.c != two.c
        for wrong in ("x" * 22, one.e[:-1] + ("A" if one.e[-1] != "A" else "B")):
            assert one.client.get(f"/c/{wrong}").status_code == 404
            assert one.client.get(f"/e/{wrong}").status_code == 404
            assert one.client.get(f"/api/c/{wrong}/state").status_code == 404
        assert [r["status"] for r in one.state()["injects"] if r["id"] == "robbers-flee"] == ["due"]
    finally:
        one.close()
        two.close()


def test_codes_are_stored_as_digests_only(drill):
    dump = "\n".join(drill.store.db.iterdump())
    assert drill.c not in dump and drill.e not in dump


def test_a_post_without_the_token_or_from_another_origin_is_refused(drill):
    url = f"/api/c/{drill.c}/start"
    token = drill.token(f"/c/{drill.c}")
    assert drill.client.post(url, json={}).status_code == 403
    assert drill.client.post(url, json={}, headers={"X-CSRF-Token": "0" * 64}).status_code == 403
    foreign = {"X-CSRF-Token": token, "Origin": "http://evil.example"}
    assert drill.client.post(url, json={}, headers=foreign).status_code == 403
    assert drill.state()["state"] == "ready"
    evaluator = drill.token(f"/e/{drill.e}")
    assert drill.client.post(url, json={}, headers={"X-CSRF-Token": evaluator}).status_code == 403
    own = {"X-CSRF-Token": token, "Origin": "http://testserver"}
    assert drill.client.post(url, json={}, headers=own).status_code == 200
    assert drill.state()["state"] == "running"
    stamp = {"client_id": "stamp-0001", "key": "action.lock_cash.cash_teller", "device_time": T0}
    assert drill.client.post(f"/api/e/{drill.e}/stamps", json=stamp).status_code == 403
    assert drill.store.stamps(drill.key) == []


def test_plan_text_is_escaped_on_both_pages(tmp_path, clock):
    text = (Path(drillsim.__file__).parent.parent / "plans" / f"{PLAN}.yaml").read_text("utf-8")
    evil = tmp_path / "evil.yaml"
    # (no '/' in it: a role's name may not hold one, a drill log would read it as a branch and a role)
    evil.write_text(text.replace("name: 临柜人员,", "name: \"<img src=x onerror=alert(1)>临柜人员\","), "utf-8")
    d = Drill(tmp_path / "h.sqlite", plan=str(evil), evaluators=["watcher=teller"])
    try:
        for page in (f"/e/{d.e}", f"/c/{d.c}"):
            html = d.client.get(page).text
            assert "<img src=x" not in html
            assert "&lt;img src=x onerror=alert(1)&gt;临柜人员" in html
    finally:
        d.close()


def test_a_new_app_on_the_same_database_keeps_every_acknowledged_stamp_and_the_clock(tmp_path, clock):
    db = tmp_path / "h.sqlite"
    d = Drill(db)
    started(d)
    acked = [d.stamp(key, at, f"stamp-{i:04d}").json()["client_id"] for i, (key, at) in
             enumerate([("action.lock_cash.cash_teller", 5), ("sent.alarm-110", 20), ("sent.phone-110", 40)])]
    clock.t = T0 + 50_000
    d.act("pause")
    clock.t = T0 + 80_000
    before = d.state()
    d.close()  # the server stops
    clock.t = T0 + 95_000
    again = Drill(db)
    try:
        after = again.state()
        assert after["state"] == "paused" and after["clock_s"] == before["clock_s"] == 50.0
        assert again.client.get(f"/api/e/{again.e}/state").json()["acked"] == acked
        assert after["requirements"] == before["requirements"]
        assert again.c == d.c and again.e == d.e  # the links given out still work
        clock.t = T0 + 100_000
        assert again.act("resume")["clock_s"] == 50.0
        clock.t = T0 + 110_000
        assert again.state()["clock_s"] == 60.0
    finally:
        again.close()


def test_the_running_scorecard_as_stamps_arrive_and_the_final_one_equals_scoring_the_sheet(tmp_path, clock):
    db = tmp_path / "h.sqlite"
    d = Drill(db, out=tmp_path / "out")
    try:
        started(d)
        clock.t = T0 + 30_000
        state = d.state()
        rows = {r["id"]: r for r in state["requirements"]}
        assert rows["ROB-01"] == {"id": "ROB-01", "status": "pending", "left_s": 30.0}  # 1 min to alarm the police
        assert rows["ROB-02"]["status"] == "pending" and rows["ROB-02"]["left_s"] == 150.0
        assert d.stamp("action.lock_cash.cash_teller", 10, "stamp-0001").status_code == 200
        assert d.status()["ROB-03"] == "met"
        assert {"id": "ROB-03", "status": "met"} in d.state()["requirements"]  # time left only while pending
        clock.t = T0 + 100_000
        assert d.status()["ROB-01"] == "overdue"
        assert d.stamp("sent.alarm-110", 90, "stamp-0002").status_code == 200
        assert d.status()["ROB-01"] == "late"
        assert d.status()["ROB-02"] == "pending"
        clock.t = T0 + 200_000
        assert d.status()["ROB-02"] == "overdue"
        assert d.stamp("sent.report-head", 120, "stamp-0003", note="called on the desk phone").status_code == 200
        wrong = d.stamp("sent.report-duty-leader", 125, "stamp-0004")
        assert d.stamp("sent.report-duty-leader", 125, "stamp-0005", undoes="stamp-0004").status_code == 200
        assert wrong.status_code == 200
        clock.t = T0 + 240_000
        before = d.status()
        final = d.act("end")
        assert final["state"] == "ended"
        assert final["result"]["aar"] == f"/api/c/{d.c}/aar.html"
        statuses = {r["id"]: r["status"] for r in final["requirements"]}
        assert statuses["ROB-01"] == "late" and statuses["ROB-02"] == "missed" and statuses["ROB-03"] == "met"
        # the running scorecard said the same of every requirement it had decided a moment before the end
        decided = {k: "missed" if v == "overdue" else v for k, v in before.items() if v != "pending"}
        assert len(decided) >= 10 and decided == {k: statuses[k] for k in decided}
        assert d.client.get(f"/api/c/{d.c}/aar.html").status_code == 200
        sheet = tmp_path / "out" / "live-log.xlsx"  # scored where it was exported, so the sources named agree
        assert d.client.get(f"/api/c/{d.c}/sheet.xlsx").content == sheet.read_bytes()
        ran = run_drillsim("score", PLAN, sheet, "--scenario", SCENARIO, "--out", tmp_path / "scored", "--db",
                           tmp_path / "other.sqlite")
        assert ran.code == 0, ran.text
        scored = json.loads((tmp_path / "scored" / "scorecard.json").read_text("utf-8"))
        live = json.loads((tmp_path / "out" / "scorecard.json").read_text("utf-8"))
        assert scored == live
        outcome = {r["id"]: r["outcome"] for r in scored["requirements"]}
        assert {k: v.replace("_", "-") for k, v in outcome.items()} == statuses
        assert final["result"]["score"] == scored["score"]
        notes = " ".join(n for n in _notes(sheet))
        assert "called on the desk phone" in notes
        assert "report-duty-leader" not in "".join(_log_whats(sheet))  # the undone stamp is withdrawn
        kept = drillsim.history.History(db)
        assert kept.db.execute("SELECT COUNT(*) FROM drills").fetchone() == (1,)
        kept.close()
    finally:
        d.close()


def _notes(path: Path) -> list[str]:
    from openpyxl import load_workbook

    return [str(row[1].value) for row in load_workbook(path)["notes"].iter_rows(min_row=2)]


def _log_whats(path: Path) -> list[str]:
    from openpyxl import load_workbook

    return [str(row[3].value) for row in load_workbook(path)["log"].iter_rows(min_row=2)]


def test_a_correction_moves_the_row_and_an_uncertain_stamp_is_named_in_a_warning(drill, clock):
    started(drill)
    clock.t = T0 + 100_000
    assert drill.stamp("sent.alarm-110", 80, "stamp-0001").status_code == 200
    assert drill.status()["ROB-01"] == "late"
    assert drill.stamp("sent.alarm-110", 40, "stamp-0002", corrects="stamp-0001").status_code == 200
    assert drill.status()["ROB-01"] == "met"
    assert drill.stamp("action.lock_cash.cash_teller", 20, "stamp-0003", uncertainty_ms=1051).status_code == 200
    assert drill.stamp("sent.phone-110", 30, "stamp-0004", uncertainty_ms=1000).status_code == 200
    # (a note that says the same words is a note, not a warning)
    assert drill.stamp("note", 30, "stamp-0005", corrects="stamp-0004", note="its clock was known only roughly") \
        .status_code == 200
    warnings = drill.state()["warnings"]
    named = [w for w in warnings if "(stamp " in w]
    assert len(named) == 1 and named[0].endswith("±1.1 s (stamp stamp-0003)")  # more than 1 s is named
    assert not any("roughly" in w for w in warnings)


def test_a_stamp_the_evaluator_has_no_button_for_is_refused_with_422(drill, clock):
    started(drill)
    clock.t = T0 + 10_000
    r = drill.stamp("action.unknown.teller", 5, "stamp-0001")
    assert r.status_code == 422 and "unknown key" in r.json()["detail"]
    r = drill.stamp("note", 5, "stamp-0002", note="x")
    assert _refused(r, 422) == "a note is attached to a stamp: give the stamp it belongs to in 'corrects'"
    assert drill.stamp("sent.alarm-110", 5, "stamp-0003").status_code == 200
    assert drill.stamp("note", 5, "stamp-0004", corrects="stamp-0003", note="by the foot pedal").status_code == 200
    r = drill.stamp("note", 5, "stamp-0005", undoes="stamp-0004")
    assert r.status_code == 422 and "changes another" in r.json()["detail"]
    assert drill.status()["ROB-01"] == "met"  # the note changed no time
    assert [s["client_id"] for s in drill.store.stamps(drill.key)] == ["stamp-0003", "stamp-0004"]


def test_the_offset_is_added_to_the_device_time(drill, clock):
    started(drill)
    clock.t = T0 + 100_000
    # the device's clock is 50 s slow: a tap at device time T0 + 0 s is server time T0 + 50 s
    assert drill.stamp("sent.alarm-110", 0, "stamp-0001", offset_ms=50_000).status_code == 200
    assert drill.status()["ROB-01"] == "met"
    clock.t = T0 + 250_000
    assert drill.stamp("sent.phone-110", 0, "stamp-0002", offset_ms=200_000).status_code == 200
    assert drill.status()["ROB-02"] == "late"


def test_sync_answers_the_server_times_and_keeps_them(drill, clock):
    token = drill.token(f"/e/{drill.e}")
    r = drill.client.post(f"/api/e/{drill.e}/sync", json={"t0": T0 - 5}, headers={"X-CSRF-Token": token})
    assert r.status_code == 200
    got = r.json()
    assert got["t1"] <= got["t2"]
    assert drill.store.rows("SELECT t0 FROM live_syncs") == [{"t0": T0 - 5}]


def test_the_pages_carry_the_test_hooks(drill):
    started(drill)
    html = drill.client.get(f"/c/{drill.c}").text
    for hook in ("clock", "state", "start", "pause", "resume", "end", "end-confirm", "inject-robbers-enter",
                 "deliver-robbers-flee", "skip-robbers-flee", "req-ROB-01", "req-ROB-01-left", "result", "aar-link",
                 "sheet-link"):
        assert f'data-testid="{hook}"' in html
    page = drill.client.get(f"/e/{drill.e}").text
    for hook in ("net", "queued", "stamps", "stamp-action.lock_cash.cash_teller", "stamp-sent.alarm-110", "undo",
                 "correct", "note", "note-save"):
        assert f'data-testid="{hook}"' in page
    assert drill.client.get("/static/evaluator.js").status_code == 200
    assert drill.client.get("/static/../app.py").status_code == 404


def test_the_pages_speak_chinese_with_lang_zh(tmp_path, clock):
    d = Drill(tmp_path / "h.sqlite", "zh", lang="zh")
    try:
        page = d.client.get(f"/e/{d.e}").text
        assert "现金柜员: 现金入柜上锁" in page and "待发送" in page
        assert "演练时钟" in d.client.get(f"/c/{d.c}").text
        started(d)
        d.act("end")
        aar = d.client.get(f"/api/c/{d.c}/aar.html").text  # the After-Action Report in the drill's language
        assert '<html lang="zh' in aar
    finally:
        d.close()


def test_the_event_stream_gives_the_state(drill, clock):
    started(drill)
    drill.act("end")
    with drill.client.stream("GET", f"/api/c/{drill.c}/events") as r:
        assert r.headers["content-type"].startswith("text/event-stream")
        text = "".join(r.iter_text())
    event, data = text.strip().split("\n", 1)
    assert event == "event: state"
    assert json.loads(data.removeprefix("data: "))["state"] == "ended"


def test_healthz(drill):
    assert drill.client.get("/healthz").json() == {"ok": True}


def test_the_sheet_can_be_downloaded_while_the_drill_runs(drill, clock, tmp_path):
    assert drill.client.get(f"/api/c/{drill.c}/sheet.xlsx").status_code == 409
    started(drill)
    clock.t = T0 + 30_000
    drill.stamp("sent.alarm-110", 25, "stamp-0001")
    path = tmp_path / "now.xlsx"
    path.write_bytes(drill.client.get(f"/api/c/{drill.c}/sheet.xlsx").content)
    assert _log_whats(path) == ["robbers-enter", "armed", "alarm-110"]


def test_a_drill_of_several_branches_has_each_button_once_per_branch_and_every_row_at_its_branch(tmp_path, clock):
    plan, scenario = "service-incidents", "service-incidents-bank-run"
    d = Drill(tmp_path / "h.sqlite", plan=plan, scenario=scenario, evaluators=["lobby=lobby_manager"],
              out=tmp_path / "out")
    try:
        keys = [b["key"] for b in d.client.get(f"/api/e/{d.e}/state").json()["buttons"]]
        assert "action.guide_customers.lobby_manager@east" in keys
        assert {k.rpartition("@")[2] for k in keys} == {"east", "west", "south"}
        assert len(keys) == 3 * len({k.rpartition("@")[0] for k in keys})
        d.act("start")
        d.act("deliver", inject="run-east")  # `branches: [east]`
        assert d.stamp("action.guide_customers.lobby_manager@east", 60, "stamp-e01").status_code == 200
        assert d.stamp("action.guide_customers.lobby_manager@west", 90, "stamp-w01").status_code == 200
        clock.t = T0 + 120_000
        assert d.act("end")["state"] == "ended"
        p = drillsim.load_plan(plan)
        sheet = read_sheet_file(tmp_path / "out" / "live-log.xlsx", p)
        log = merge_sheets([sheet], p, drillsim.load_scenario(scenario, p)).log
        assert [(r.t, r.site, r.event, r.what) for r in log.rows if r.event in ("inject", "action")] == [
            (0.0, "east", "inject", "run-east"), (1.0, "east", "action", "guide_customers"),
            (1.5, "west", "action", "guide_customers")]
    finally:
        d.close()


def test_buttons_are_per_branch_from_two_branches_on_and_not_in_a_drill_of_one():
    from drillsim.live.drill import branch_sites, buttons

    plan = drillsim.load_plan("service-incidents")
    three = drillsim.load_scenario("service-incidents-bank-run", plan)
    two = three.model_copy(update={"branches": three.branches[:2]})
    one = three.model_copy(update={"branches": three.branches[:1]})
    assert {b.key.rpartition("@")[2] for b in buttons(plan, ["lobby_manager"], "en", branch_sites(two, "en"))} == {
        "east", "west"}
    assert branch_sites(one, "en") == []
    assert branch_sites(two, "zh") == [(b.id, b.name) for b in three.branches[:2]]


def _refused(response, status: int) -> str:
    assert response.status_code == status, response.text
    return response.json()["detail"]


def test_each_act_of_the_controller_is_refused_outside_its_state_with_409_and_the_reason(drill, clock):
    # ready: nothing but the start
    assert _refused(drill.post("pause"), 409) == "only a running drill can be paused"
    assert _refused(drill.post("resume"), 409) == "only a paused drill can be resumed"
    assert _refused(drill.post("end"), 409) == "only a drill under way can be ended"
    assert _refused(drill.post("deliver", inject="robbers-enter"), 409) == \
        "injects are delivered while the drill runs: start it first"
    assert _refused(drill.stamp("sent.alarm-110", 0, "stamp-0001"), 409) == "the drill has not started yet"
    assert drill.state()["state"] == "ready" and drill.store.stamps(drill.key) == []
    # running
    drill.act("start")
    assert _refused(drill.post("start"), 409) == "the drill has started already"
    assert _refused(drill.post("resume"), 409) == "only a paused drill can be resumed"
    assert _refused(drill.post("deliver", inject="robbers-leave"), 422) == (
        "unknown inject 'robbers-leave'; the scenario's: robbers-enter, customer-injured, robbers-flee")
    drill.act("deliver", inject="robbers-enter")
    assert _refused(drill.post("skip", inject="robbers-enter"), 409) == \
        "inject 'robbers-enter' was delivered or skipped already"
    # paused: injects and stamps still come, but no second pause
    clock.t = T0 + 60_000
    drill.act("pause")
    assert drill.state()["state"] == "paused"
    assert _refused(drill.post("pause"), 409) == "only a running drill can be paused"
    assert _refused(drill.post("start"), 409) == "the drill has started already"
    drill.act("skip", inject="customer-injured")
    assert drill.stamp("sent.alarm-110", 30, "stamp-0002").status_code == 200
    # ended
    clock.t = T0 + 120_000
    drill.act("end")
    for what in ("start", "pause", "resume", "end"):
        assert drill.post(what).status_code == 409, what
    assert _refused(drill.post("deliver", inject="robbers-flee"), 409) == \
        "injects are delivered while the drill runs: start it first"
    assert _refused(drill.stamp("sent.alarm-110", 40, "stamp-0003"), 409) == \
        "the drill has ended: the stamp was not kept"
    # a stamp kept before the end and sent again (a device that was offline) is acknowledged, not refused
    again = drill.stamp("sent.alarm-110", 30, "stamp-0002")
    assert again.status_code == 200 and again.json()["duplicate"] is True
    assert [s["client_id"] for s in drill.store.stamps(drill.key)] == ["stamp-0002"]


def test_a_drill_ended_while_paused_stops_its_clock_at_the_pause(drill, clock):
    started(drill)
    clock.t = T0 + 60_000
    drill.act("pause")
    clock.t = T0 + 300_000
    state = drill.act("end")
    assert state["state"] == "ended" and state["clock_s"] == 60.0
    clock.t = T0 + 900_000
    assert drill.state()["clock_s"] == 60.0


def test_a_drill_with_no_inject_delivered_cannot_be_ended_and_runs_on(drill, clock):
    drill.act("start")
    clock.t = T0 + 10_000
    assert drill.stamp("action.lock_cash.cash_teller", 5, "stamp-0001").status_code == 200
    # before the first inject nothing has begun: every requirement pending, and nothing to warn of
    assert set(drill.status().values()) == {"pending"} and drill.state()["warnings"] == []
    assert _refused(drill.post("end"), 422) == (
        "the live log cannot be scored yet: live drill: no row has event 'inject': record when the incident "
        "began, so deadlines have a start")
    assert drill.state()["state"] == "running"
    drill.act("deliver", inject="robbers-enter")
    assert drill.act("end")["state"] == "ended"


def test_a_stamp_changes_one_stamp_of_its_own_evaluator_and_does_not_both_undo_and_correct(tmp_path, clock):
    d = Drill(tmp_path / "h.sqlite", evaluators=["hall=teller,lobby_manager", "guard=teller"])
    try:
        started(d)
        clock.t = T0 + 30_000
        assert d.stamp("sent.alarm-110", 10, "stamp-0001").status_code == 200
        assert _refused(d.stamp("sent.alarm-110", 12, "stamp-0002", undoes="stamp-0001", corrects="stamp-0001"),
                        422) == "a stamp undoes or corrects another, not both"
        assert _refused(d.stamp("sent.alarm-110", 12, "stamp-0003", corrects="stamp-9999"), 422) == \
            "no stamp 'stamp-9999' of this evaluator to change"
        other = d.store.code(d.key, "evaluator:1")
        assert _refused(d.stamp("sent.alarm-110", 12, "stamp-0004", code=other, undoes="stamp-0001"), 422) == \
            "no stamp 'stamp-0001' of this evaluator to change"
        assert _refused(d.stamp("sent.phone-110", 12, "stamp-0005", corrects="stamp-0001"), 422) == (
            "stamp 'stamp-0001' records 'sent.alarm-110': an undo or correction carries its key, not "
            "'sent.phone-110' (undo it and stamp anew)")
        assert _refused(d.stamp("note", 12, "stamp-0006", undoes="stamp-0001", note="x"), 422) == \
            "a note is attached with 'corrects', not 'undoes'"
        assert [s["client_id"] for s in d.store.stamps(d.key)] == ["stamp-0001"]
        assert d.status()["ROB-01"] == "met"
    finally:
        d.close()


def test_an_evaluator_s_roles_are_ids_or_names_split_at_either_comma_each_once():
    plan = drillsim.load_plan(PLAN)
    assert roles_named(plan, " guard，大堂经理, guard ,teller") == ["guard", "lobby_manager", "teller"]
    with pytest.raises(InputError) as err:
        roles_named(plan, "guard,gaurd", "--roles")
    assert str(err.value) == "--roles: unknown role 'gaurd': did you mean guard (大堂保安)?"
    with pytest.raises(InputError) as err:
        roles_named(plan, "大堂")
    assert str(err.value).startswith("--evaluator: unknown role '大堂'")


def test_every_button_of_every_built_in_plan_is_a_row_the_drill_log_reader_takes():
    # a stamp's row must be one the reader takes, or the live log could not be scored (check_row is
    # the server's guard for a plan where it is not); a plan's scenarios differ in their buttons only
    # by their branches: one of one branch and one of several, where the plan has them
    from drillsim.live.drill import branch_sites, buttons, check_row
    from drillsim.spec.catalog import builtin_scenarios
    from drillsim.spec.yamlio import load_yaml

    by_plan: dict[str, dict[bool, str]] = {}
    for sid, path in sorted(builtin_scenarios().items()):
        data, _ = load_yaml(path)
        by_plan.setdefault(data["plan"], {}).setdefault(len(data.get("branches") or [None]) > 1, sid)
    assert len(by_plan) == 13
    for plan_id, scenarios in by_plan.items():
        plan = drillsim.load_plan(plan_id)
        for sid in scenarios.values():
            scenario = drillsim.load_scenario(sid, plan)
            for lang in ("en", "zh"):
                for button in buttons(plan, plan.roles, lang, branch_sites(scenario, lang)):
                    check_row(plan, scenario, button.cells)


def test_the_drill_clock_leaves_out_the_pauses_stops_at_the_end_and_a_row_s_time_is_to_the_second():
    start = T0
    pauses = [(start + 60_000, start + 90_000), (start + 200_000, None)]  # the second still open
    assert clock_ms(None, None, [], start + 5_000) == 0  # not started
    assert clock_ms(start, None, [], start) == 0 and clock_ms(start, None, [], start - 5_000) == 0
    assert clock_ms(start, None, pauses, start + 60_000) == 60_000
    assert clock_ms(start, None, pauses, start + 75_000) == 60_000  # paused: the clock stands
    assert clock_ms(start, None, pauses, start + 100_000) == 70_000
    assert clock_ms(start, None, pauses, start + 500_000) == 170_000  # open pause: stands since 200 s
    assert clock_ms(start, start + 150_000, pauses[:1], start + 900_000) == 120_000  # stopped at the end
    origin = datetime(2026, 3, 12, 10, 0, 0)
    assert row_time(origin, 1_400) == "2026-03-12 10:00:01"
    assert row_time(origin, 499) == "2026-03-12 10:00:00"
    assert row_time(origin, 3_599_600) == "2026-03-12 11:00:00"  # an hour in, still to the second


def test_each_inject_is_a_row_at_the_clock_of_its_delivery_and_a_note_is_dated_by_its_stamp(drill, clock, tmp_path):
    from openpyxl import load_workbook

    started(drill)  # robbers-enter at 0 s
    clock.t = T0 + 40_000
    drill.act("deliver", inject="customer-injured")
    clock.t = T0 + 100_000
    drill.act("pause")
    clock.t = T0 + 160_000
    drill.act("resume")  # 60 s paused: the clock reads 100 s
    clock.t = T0 + 170_000
    drill.act("deliver", inject="robbers-flee")
    assert drill.stamp("sent.alarm-110", 50, "stamp-0001").status_code == 200
    assert drill.stamp("note", 50, "stamp-0002", corrects="stamp-0001", note="by the foot pedal").status_code == 200
    assert drill.stamp("action.lock_cash.cash_teller", 40, "stamp-0003", note="both drawers").status_code == 200
    path = tmp_path / "now.xlsx"
    path.write_bytes(drill.client.get(f"/api/c/{drill.c}/sheet.xlsx").content)
    origin = origin_of(T0)
    rows = [(str(r[0].value), str(r[1].value), str(r[3].value))
            for r in load_workbook(path)["log"].iter_rows(min_row=2)]
    at = {s: row_time(origin, s * 1000) for s in (0, 40, 50, 110)}
    assert rows == [(at[0], "inject", "robbers-enter"), (at[0], "fact", "armed"),
                    (at[40], "inject", "customer-injured"), (at[40], "fact", "injured"),
                    (at[40], "action", "lock_cash"), (at[50], "sent", "alarm-110"),
                    (at[110], "inject", "robbers-flee"), (at[110], "fact", "suspects_fled")]
    assert _notes(path) == [f"{at[50]} sent teller → police (alarm-110): by the foot pedal",
                            f"{at[40]} cash_teller: lock_cash: both drawers"]
    assert [r[0].value for r in load_workbook(path)["notes"].iter_rows(min_row=2)] == ["staff"] * 2  # who noted


def test_an_undone_stamp_leaves_the_log_and_the_stamps_after_it_stay(drill, clock, tmp_path):
    started(drill)
    clock.t = T0 + 60_000
    for n, key in enumerate(("sent.alarm-110", "action.lock_cash.cash_teller", "sent.phone-110"), start=1):
        assert drill.stamp(key, 10 * n, f"stamp-000{n}").status_code == 200
    assert drill.stamp("sent.alarm-110", 40, "stamp-0004", undoes="stamp-0001").status_code == 200
    path = tmp_path / "now.xlsx"
    path.write_bytes(drill.client.get(f"/api/c/{drill.c}/sheet.xlsx").content)
    assert _log_whats(path) == ["robbers-enter", "armed", "lock_cash", "phone-110"]


def test_a_stamp_dated_past_the_end_is_a_row_at_the_end(drill, clock, tmp_path):
    started(drill)
    clock.t = T0 + 100_000
    # a device whose clock is ahead: its tap is dated at 500 s, after the drill ends at 200 s
    assert drill.stamp("sent.alarm-110", 500, "stamp-0001").status_code == 200
    clock.t = T0 + 200_000
    drill.act("end")
    rows = {str(r[3].value): str(r[0].value) for r in _log_rows(tmp_path / f"out-{drill.key}" / "live-log.xlsx")}
    assert rows["alarm-110"] == row_time(origin_of(T0), 200_000)


def _log_rows(path: Path) -> list:
    from openpyxl import load_workbook

    return list(load_workbook(path)["log"].iter_rows(min_row=2))


def _injects(d: Drill) -> dict[str, dict]:
    return {e["id"]: {k: v for k, v in e.items() if k != "id"} for e in d.state()["injects"]}


def test_an_inject_is_due_from_its_earliest_time_after_what_it_follows_and_only_while_the_clock_runs(drill, clock):
    pending = {"contingency": False, "status": "pending"}
    assert _injects(drill) == {"robbers-enter": {**pending, "due_s": 0.0}, "customer-injured": pending,
                               "robbers-flee": pending}
    drill.act("start")
    assert _injects(drill)["robbers-enter"]["status"] == "due"
    clock.t = T0 + 1_234_560
    drill.act("deliver", inject="robbers-enter")  # customer-injured comes 30 s to 3 min after it
    clock.t = T0 + 1_264_000
    assert _injects(drill) == {"robbers-enter": {"contingency": False, "status": "delivered", "due_s": 0.0},
                               "customer-injured": {**pending, "due_s": 1264.6},
                               "robbers-flee": {"contingency": False, "status": "due", "due_s": 1234.6}}
    clock.t = T0 + 1_265_000  # (the state is made once a second)
    assert _injects(drill)["customer-injured"]["status"] == "due"
    drill.act("pause")
    assert _injects(drill)["customer-injured"]["status"] == "pending"  # nothing falls due while paused
    drill.act("resume")
    drill.act("skip", inject="customer-injured")
    assert _injects(drill)["customer-injured"] == {"contingency": False, "status": "skipped", "due_s": 1264.6}


def test_an_inject_that_follows_a_skipped_one_or_comes_only_on_a_condition_has_no_time_on_the_clock(tmp_path, clock):
    d = Drill(tmp_path / "h.sqlite", plan="branch-security", scenario="branch-security-fire")
    try:
        d.act("start")
        d.act("skip", inject="fire-starts")
        clock.t = T0 + 600_000
        injects = _injects(d)
        assert injects["staff-injured"] == {"contingency": False, "status": "pending"}
        assert injects["fire-out"] == {"contingency": True, "status": "pending"}
    finally:
        d.close()
