"""P13: the year's programme, with its drills played on their dates."""

import json
import subprocess
import sys

import pytest

import drillsim
from drillsim.spec.errors import InputError
from drillsim.spec.programme import load_programme
from tests.conftest import ROOT


def test_programme_runs_each_drill_on_its_date(tmp_path):
    result = drillsim.run_programme("security-work-2026", tmp_path)
    drills = [r for r in result.rows if r["kind"] == "drill"]
    assert len(drills) == 4 and all(r["score"] is not None for r in drills)
    assert [r["date"] for r in result.rows] == sorted(r["date"] for r in result.rows)
    for row in drills:
        card = json.loads((tmp_path / row["report"]).with_name("scorecard.json").read_text("utf-8"))
        assert card["drill"]["start"].startswith(row["date"])
    explosive = next(r for r in drills if r["scenario"] == "explosive-robbery")
    assert "T10:30:00" in json.loads((tmp_path / explosive["report"]).with_name("scorecard.json").read_text(
        "utf-8"))["drill"]["start"]
    page = (tmp_path / "programme.html").read_text("utf-8")
    assert "签订安全责任书" in page and "2026-03-10" in page


def test_the_calendar_holds_the_seed_dates():
    prog = load_programme(ROOT / "programmes" / "security-work-2026.yaml")
    by_id = {item.id: item for item in prog.items}
    assert str(by_id["responsibility-letters"].dates[0]) == "2026-03-10"
    assert [d.month for d in by_id["security-meeting"].dates] == [5, 9]
    assert len(by_id["quarterly-inspection"].dates) == 4
    # 二(一) the regulator's and the police's safety assessment; 二(五) each inspection's findings put right
    assert by_id["safety-assessment"].kind == "inspection" and "安全评估" in by_id["safety-assessment"].clause
    follow_up = by_id["inspection-follow-up"].dates
    inspections = by_id["quarterly-inspection"].dates
    assert [(f - i).days for i, f in zip(inspections, follow_up, strict=False)] == [30, 31, 30]


def test_a_drill_without_a_scenario_is_an_error(tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text("schema: drillsim.programme/1\nid: p\ntitle: t\nitems:\n"
                    "  - {id: d, kind: drill, title: x, date: 2026-05-01, plan: counter-robbery}\n", encoding="utf-8")
    with pytest.raises(InputError, match="names its plan and scenario"):
        load_programme(path)


def test_validate_checks_a_programme_s_drills(tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text("schema: drillsim.programme/1\nid: p\ntitle: t\nitems:\n"
                    "  - {id: d, kind: drill, title: x, date: 2026-05-01, plan: counter-robbery, scenario: nope}\n",
                    encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "drillsim", "validate", str(path)], capture_output=True, text=True)
    assert proc.returncode == 1 and "items[0] (d)" in proc.stderr and "nope" in proc.stderr
