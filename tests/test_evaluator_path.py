"""The README's evaluator's path, run in order as a reader would: MSEL, a blank sheet, the filled
sheets scored against the model into an After-Action Report, the history, an action closed."""

from __future__ import annotations

import re
import shlex

from openpyxl import load_workbook

from tests.clirun import drillsim
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text("utf-8")
(PATH,) = re.findall(r"^### The evaluator's path\n.*?^```bash\n(.*?)^```", README, re.S | re.M)
COMMANDS = [shlex.split(line.split("  #")[0])[1:] for line in PATH.splitlines() if line.strip()]


def _here(args: list[str], tmp_path) -> list[str]:
    """Outputs under tmp_path instead of the project's out/."""
    return [str(tmp_path / a) if a.startswith("out/") else a for a in args]


def test_the_evaluators_path_is_five_commands_that_run_in_order(tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    assert [c[0] for c in COMMANDS] == ["msel", "sheet", "score", "history", "history"]
    ran = [drillsim(*_here(args, tmp_path)) for args in COMMANDS]
    for r in ran:
        assert r.code == 0, r.text
    _, _, score, listing, close = ran
    assert {"msel.html", "msel.xlsx"} <= {f.name for f in (tmp_path / "out/msel").iterdir()}
    assert load_workbook(tmp_path / "out/sheets/hall.xlsx").sheetnames[0] == "记录"
    assert "coverage: 16 of 17 requirements evaluated (94 %); not evaluated: ROB-16" in score.out
    assert "conflicting stamps: 1" in score.out
    assert re.search(r"ROB-13 took 34\.5 min: slower than \d+ % of \d+ simulated runs", score.out)
    drill = tmp_path / "out/drill-2026-03"
    assert {"aar.html", "aar.pdf", "improvement-plan.xlsx", "scorecard.json"} <= {f.name for f in drill.iterdir()}
    html = (drill / "aar.html").read_text("utf-8")
    assert "演练评估报告" in html and "整改计划" in html and "ROB-13" in html
    assert re.search(r"kept in the history .* as drill [0-9a-f]{12}", score.out)
    assert "open corrective actions (1, " in listing.out and "ROB-13" in listing.out
    assert (tmp_path / "out/trend.png").stat().st_size > 0
    assert "closed" in close.out.lower() and "open corrective actions (0, " in drillsim("history").out


def test_scoring_the_same_drill_again_replaces_it_in_the_history(tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    score = next(c for c in COMMANDS if c[0] == "score")
    first = drillsim(*_here(score, tmp_path))
    again = drillsim(*_here(score, tmp_path), "--force")
    assert first.code == again.code == 0, again.text
    key = re.search(r"as drill ([0-9a-f]{12})", first.out).group(1)
    assert "replaced in the history" in again.out and key in again.out
    assert "drills so far (1)" in drillsim("history").out


def test_no_history_leaves_the_history_alone_and_against_needs_the_scenario(tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    sheets = ["examples/sheets/hall.xlsx", "examples/sheets/office.xlsx"]
    ran = drillsim("score", "counter-robbery", *sheets, "--out", str(tmp_path / "d"), "--no-history")
    assert ran.code == 0 and "in the history" not in ran.out
    assert "no drills kept" in drillsim("history").out
    bad = drillsim("score", "counter-robbery", *sheets, "--out", str(tmp_path / "e"), "--against", "50")
    assert bad.code == 2 and "--against" in bad.err and "--scenario" in bad.err
    odd = drillsim("score", "counter-robbery", *sheets, "--out", str(tmp_path / "f"), "--against", "some-folder")
    assert odd.code == 2 and "neither a number of runs nor a folder" in odd.err
