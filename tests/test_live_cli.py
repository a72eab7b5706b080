"""``drillsim live``: the lines it prints when ready, a resumed drill's same links, a clean stop, and
bad input as the project's clear error (exit 2, no traceback)."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from tests.clirun import drillsim
from tests.test_import_edges import edges

PLAN, SCENARIO = "counter-robbery", "armed-robbery-injured"
LINE = {
    "drill": re.compile(r"^drill: [0-9a-f]{12}( \(resumed\))?$"),
    "controller": re.compile(r"^controller: http://127\.0\.0\.1:(\d+)/c/([A-Za-z0-9_-]{22})$"),
    "evaluator": re.compile(r"^evaluator (\S+): http://127\.0\.0\.1:(\d+)/e/([A-Za-z0-9_-]{22})   \((.+)\)$"),
}


def start(tmp_path: Path, *args: str) -> tuple[subprocess.Popen, list[str]]:
    """``drillsim live`` with ``--port 0``; the lines it printed up to ``ready``."""
    proc = subprocess.Popen([sys.executable, "-m", "drillsim", "live", PLAN, SCENARIO, "--db",
                             str(tmp_path / "history.sqlite"), "--port", "0", "--out", str(tmp_path / "out"), *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=tmp_path)
    lines = []
    for line in proc.stdout:
        lines.append(line.rstrip("\n"))
        if lines[-1] == "ready":
            return proc, lines
    proc.wait()
    raise AssertionError(f"no 'ready' line: {lines}; stderr: {proc.stderr.read()}")


def stop(proc: subprocess.Popen) -> int:
    proc.send_signal(signal.SIGTERM)
    try:
        return proc.wait(timeout=30)
    finally:
        proc.stdout.close()
        proc.stderr.close()


def test_drillsim_live_prints_the_links_and_serves_until_stopped(tmp_path):
    proc, lines = start(tmp_path)
    try:
        assert LINE["drill"].match(lines[0]) and "(resumed)" not in lines[0]
        port = LINE["controller"].match(lines[1])[1]
        evaluators = [LINE["evaluator"].match(line) for line in lines[2:-1]]
        assert all(evaluators), lines
        assert [m[1] for m in evaluators] == ["staff", "office", "agency"]
        assert "现金柜员" in evaluators[0][4] and "110公安机关" in evaluators[2][4]
        assert {m[2] for m in evaluators} == {port}
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=10) as r:
            assert json.load(r) == {"ok": True}
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/c/{LINE['controller'].match(lines[1])[2]}",
                                    timeout=10) as r:
            assert 'data-testid="clock"' in r.read().decode("utf-8")
    finally:
        assert stop(proc) == 0
    again, resumed = start(tmp_path)
    try:
        assert resumed[0] == lines[0] + " (resumed)"
        codes = [line.rsplit("/", 1)[1] for line in lines[1:-1]]
        assert [line.rsplit("/", 1)[1] for line in resumed[1:-1]] == codes  # the same links
    finally:
        assert stop(again) == 0
    other, fresh = start(tmp_path, "--new", "--evaluator", "门口=guard,大堂经理")
    try:
        assert fresh[0] != lines[0] and "(resumed)" not in fresh[0]
        assert LINE["evaluator"].match(fresh[2])[1] == "门口"
        assert fresh[2].endswith("(大堂保安, 大堂经理)")
        assert len(fresh) == 4
    finally:
        assert stop(other) == 0


@pytest.mark.parametrize(("args", "says"), [
    (["no-such-plan", SCENARIO], "no-such-plan"),
    ([PLAN, "no-such-scenario"], "no-such-scenario"),
    ([PLAN, SCENARIO, "--evaluator", "front=nobody"], "--evaluator: unknown role 'nobody'"),
    ([PLAN, SCENARIO, "--evaluator", "front"], "--evaluator: 'front': write NAME=ROLE,ROLE"),
    ([PLAN, SCENARIO, "--evaluator", "a=guard", "--evaluator", "a=teller"], "two evaluators are named 'a'"),
    ([PLAN, SCENARIO, "--lang", "fr"], "--lang: unknown language 'fr'"),
])
def test_bad_input_is_a_clear_error(tmp_path, args, says):
    ran = drillsim("live", *args, "--db", tmp_path / "h.sqlite", "--port", "0")
    assert ran.code == 2, ran.text
    assert says in ran.err and "Traceback" not in ran.text
    assert ran.out == ""


def test_a_database_that_is_not_a_history_is_a_clear_error(tmp_path):
    db = tmp_path / "notes.sqlite"
    db.write_text("not a database", "utf-8")
    ran = drillsim("live", PLAN, SCENARIO, "--db", db, "--port", "0")
    assert ran.code == 2 and "is not a drillsim history" in ran.err and "Traceback" not in ran.text
    assert db.read_text("utf-8") == "not a database"


def test_a_port_in_use_is_a_clear_error(tmp_path):
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        ran = drillsim("live", PLAN, SCENARIO, "--db", tmp_path / "h.sqlite", "--port", str(taken.getsockname()[1]))
    assert ran.code == 2 and "--port: cannot listen on 127.0.0.1" in ran.err


def test_only_the_command_line_imports_the_live_package():
    importers = sorted(file for a, b, file in edges() if b == "live" and a != "live")
    assert importers == ["drillsim/cli.py"]
