"""The live console in a real headless browser (Debian's chromium, driven by Playwright): a controller
and two evaluators play the demo drill; an evaluator offline keeps its stamps and sends each once;
the server restarted mid-drill loses nothing acknowledged; the final scorecard equals scoring the
exported sheet. The tests take the screenshots in docs/images/ (docs/live.md, "Screenshots").

They use only what a user sees: the printed links, the pages' ``data-testid`` hooks and the JSON API.
"""

from __future__ import annotations

import json
import shutil
import urllib.request
from pathlib import Path

import pytest

from tests.clirun import drillsim
from tests.conftest import ROOT
from tests.test_live_cli import LINE, start, stop

pytestmark = pytest.mark.browser
sync_api = pytest.importorskip("playwright.sync_api", reason="the Python package playwright is not installed "
                               "(make test installs it: pip install -e '.[dev]')")
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
if CHROMIUM is None:
    pytest.skip("no chromium on this machine (make test installs Debian's chromium package)", allow_module_level=True)

PLAN = "counter-robbery"
ARGS = ("--lang", "zh", "--evaluator", "hall=teller,cash_teller,lobby_manager,guard",
        "--evaluator", "office=branch_head,upper_office")
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]
"""This machine's network is closed: without these chromium keeps trying Google's hosts."""
IMAGES = ROOT / "docs" / "images"
WAIT = 20_000  # ms: the longest any condition below may take (a retry of the page is every 2-3 s)


class Server:
    """``drillsim live`` in a subprocess, restartable on the same database and port."""

    def __init__(self, tmp_path: Path):
        self.tmp_path = tmp_path
        self.proc, lines = start(tmp_path, *ARGS)
        control = LINE["controller"].match(lines[1])
        self.port, self.controller = control[1], control[2]
        self.evaluators = {m[1]: m[3] for m in (LINE["evaluator"].match(line) for line in lines[2:-1])}

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def restart(self) -> None:
        assert stop(self.proc) == 0
        self.proc, lines = start(self.tmp_path, *ARGS, "--port", self.port)
        assert lines[0].endswith("(resumed)")

    def state(self) -> dict:
        with urllib.request.urlopen(f"{self.base}/api/c/{self.controller}/state", timeout=10) as r:
            return json.load(r)


@pytest.fixture
def server(tmp_path):
    s = Server(tmp_path)
    yield s
    stop(s.proc)


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        yield b
        b.close()


def _page(browser, url: str, phone: bool = False):
    size = {"width": 412, "height": 915} if phone else {"width": 1280, "height": 900}
    context = browser.new_context(viewport=size, locale="zh-CN")
    page = context.new_page()
    page.goto(url)
    return context, page


def _tid(page, tid: str):
    return page.locator(f'[data-testid="{tid}"]')


def _expect_attr(page, tid: str, attr: str, value: str) -> None:
    sync_api.expect(_tid(page, tid).first).to_have_attribute(attr, value, timeout=WAIT)


def _expect_text(page, tid: str, text: str) -> None:
    sync_api.expect(_tid(page, tid)).to_have_text(text, timeout=WAIT)


def test_a_controller_and_two_evaluators_play_the_demo_drill_offline_and_across_a_restart(server, browser, tmp_path):
    _, control = _page(browser, f"{server.base}/c/{server.controller}")
    hall_ctx, hall = _page(browser, f"{server.base}/e/{server.evaluators['hall']}", phone=True)
    _, office = _page(browser, f"{server.base}/e/{server.evaluators['office']}", phone=True)

    _tid(control, "start").click()
    _expect_attr(control, "state", "data-state", "running")
    _tid(control, "deliver-robbers-enter").click()
    _expect_attr(control, "inject-robbers-enter", "data-status", "delivered")

    hall_taps = ["sent.alarm-110", "action.lock_cash.cash_teller", "action.sound_audible_alarm.teller"]
    for key in hall_taps:
        _tid(hall, f"stamp-{key}").click()
    office_key = office.locator("button.stamp").first.get_attribute("data-key")
    _tid(office, f"stamp-{office_key}").click()
    for page, n in ((hall, 3), (office, 1)):
        sync_api.expect(page.locator('[data-testid="stamp-item"][data-state="acked"]')).to_have_count(n, timeout=WAIT)
        _expect_text(page, "queued", "0")
    _expect_attr(control, "req-ROB-01", "data-status", "met")  # the silent alarm, within its minute
    IMAGES.mkdir(exist_ok=True)
    control.screenshot(path=IMAGES / "live-controller.png", full_page=True)
    hall.screenshot(path=IMAGES / "live-evaluator.png", full_page=True)

    # offline: three taps wait on the device, then each arrives once
    hall_ctx.set_offline(True)
    for key in ("action.evacuate_hall.guard", "action.note_suspect_description.guard", "sent.phone-110"):
        _tid(hall, f"stamp-{key}").click()
    _expect_text(hall, "queued", "3")
    _expect_attr(hall, "net", "data-online", "false")
    hall.screenshot(path=IMAGES / "live-evaluator-offline.png", full_page=True)
    assert server.state()["stamps"] == 4
    hall_ctx.set_offline(False)
    _expect_text(hall, "queued", "0")
    assert server.state()["stamps"] == 7

    # the server restarted mid-drill: what was acknowledged stays, and what was tapped meanwhile arrives once
    assert stop(server.proc) == 0
    _tid(hall, "stamp-sent.phone-120").click()
    _expect_text(hall, "queued", "1")
    server.restart()
    _expect_text(hall, "queued", "0")
    after = server.state()
    assert after["stamps"] == 8 and after["state"] == "running"
    assert {i["id"]: i["status"] for i in after["injects"]}["robbers-enter"] == "delivered"

    control.reload()  # the controller's page after the restart
    _tid(control, "end").click()
    _tid(control, "end-confirm").click()
    sync_api.expect(_tid(control, "result")).to_be_visible(timeout=WAIT)
    control.screenshot(path=IMAGES / "live-result.png", full_page=True)
    href = _tid(control, "aar-link").get_attribute("href")
    aar = control.context.new_page()
    assert aar.goto(f"{server.base}{href}").status == 200
    assert "演练评估报告" in aar.content()  # the After-Action Report, in the drill's language

    # the final scorecard is the exported sheet's, scored by the command an evaluator would type
    sheet = tmp_path / "out" / "live-log.xlsx"
    ran = drillsim("score", PLAN, sheet, "--scenario", "armed-robbery-injured", "--out", tmp_path / "scored",
                   "--db", tmp_path / "other.sqlite")
    assert ran.code == 0, ran.text
    scored = json.loads((tmp_path / "scored" / "scorecard.json").read_text("utf-8"))
    assert scored == json.loads((tmp_path / "out" / "scorecard.json").read_text("utf-8"))
    assert {r["id"]: r["outcome"] for r in scored["requirements"]}["ROB-01"] == "met"
