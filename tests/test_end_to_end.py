"""Every shipped scenario runs under its plan, scores, and writes its report; runs are reproducible."""

import json
import subprocess
import sys

import pytest

import drillsim
from drillsim.spec.catalog import builtin_scenarios
from drillsim.spec.yamlio import load_yaml
from tests.conftest import ROOT

SCENARIOS = sorted(builtin_scenarios())
PLAN_OF = {sid: load_yaml(path)[0]["plan"] for sid, path in builtin_scenarios().items()}
ONE_PER_PLAN = sorted({plan: sid for sid, plan in sorted(PLAN_OF.items(), reverse=True)}.values())


@pytest.mark.parametrize("scenario_id", SCENARIOS)
def test_every_scenario_runs_and_scores(scenario_id):
    plan = drillsim.load_plan(PLAN_OF[scenario_id])
    model = drillsim.build(plan, drillsim.load_scenario(scenario_id, plan))
    for seed in range(3):
        log = drillsim.simulate(model, seed=seed)
        assert any(row.event == "inject" for row in log.rows), "the incident never began"
        card = drillsim.score(plan, log)
        assert {r.id for r in card.results} == {r.id for r in plan.requirements}
        assert any(r.applicable for r in card.results), "no requirement of the plan applies to this scenario"


@pytest.mark.parametrize("scenario_id", ONE_PER_PLAN)
def test_a_drill_of_every_plan_writes_its_report(scenario_id, tmp_path):
    plan = drillsim.load_plan(PLAN_OF[scenario_id])
    drillsim.run_drill(plan, drillsim.load_scenario(scenario_id, plan), seed=1, out=tmp_path)
    for name in ("events.csv", "events.parquet", "scorecard.json", "report.html", "timeline.png"):
        assert (tmp_path / name).stat().st_size > 0


def _cli(*args, cwd):
    return subprocess.run([sys.executable, "-m", "drillsim", *args], capture_output=True, text=True, cwd=cwd,
                          check=True)


def test_same_seed_same_bytes_different_seed_different_run(tmp_path):
    for name, seed in (("a", "7"), ("b", "7"), ("c", "8")):
        _cli("run", "counter-robbery", "armed-robbery-injured", "--seed", seed, "--out", str(tmp_path / name),
             cwd=tmp_path)
    for f in ("events.csv", "scorecard.json"):
        assert (tmp_path / "a" / f).read_bytes() == (tmp_path / "b" / f).read_bytes()
    assert (tmp_path / "a" / "events.csv").read_bytes() != (tmp_path / "c" / "events.csv").read_bytes()


def test_demo_prints_scorecard_and_report_path_and_writes_its_after_action_report(tmp_path):
    proc = _cli("demo", "--out", str(tmp_path / "demo"), cwd=tmp_path)
    assert "ROB-01" in proc.stdout and "score" in proc.stdout
    assert f"report: {tmp_path / 'demo' / 'report.html'}" in proc.stdout.replace("\n", "")
    assert f"after-action report: {tmp_path / 'demo' / 'aar.html'}" in proc.stdout.replace("\n", "")
    aar = (tmp_path / "demo" / "aar.html").read_text("utf-8")
    assert "<h2>Improvement Plan</h2>" in aar and "simulated, seed 7" in aar
    assert "<dd>城东支行营业室</dd>" in aar  # the scenario's branch, in the exercise overview
    assert (tmp_path / "demo" / "aar.pdf").read_bytes().startswith(b"%PDF")


def test_real_drill_log_scores_like_a_simulated_one(tmp_path):
    """A CSV a person typed (wall-clock times, Chinese role names) gives the same kind of scorecard."""
    plan = drillsim.load_plan("counter-robbery")
    real = drillsim.score_drill(plan, ROOT / "examples" / "drill-log-robbery.csv", tmp_path / "real",
                                incident_type="armed_robbery")
    drillsim.run_drill(plan, drillsim.load_scenario("armed-robbery-injured", plan), 7, tmp_path / "sim")
    real_card = json.loads((tmp_path / "real" / "scorecard.json").read_text("utf-8"))
    sim_card = json.loads((tmp_path / "sim" / "scorecard.json").read_text("utf-8"))
    assert real_card.keys() == sim_card.keys()
    assert [r["id"] for r in real_card["requirements"]] == [r["id"] for r in sim_card["requirements"]]
    outcomes = {r.id: r.outcome.value for r in real.scorecard.results}
    assert outcomes["ROB-01"] == "met"  # alarm 25 s after the robbers came in
    assert outcomes["ROB-12"] == "incomplete"  # the written report lacks 事态发展趋势
    assert outcomes["ROB-08"] == "not_applicable"  # no explosive
    assert real.log.origin.isoformat() == "2026-03-12T10:02:10"
    assert real.scorecard.results[0].latency == pytest.approx(25 / 60)


def test_report_shows_the_timeline_in_order(tmp_path):
    plan = drillsim.load_plan("counter-robbery")
    out = drillsim.run_drill(plan, drillsim.load_scenario("armed-robbery-injured", plan), 7, tmp_path)
    html = (tmp_path / "report.html").read_text("utf-8")
    assert '<img src="timeline.png"' in html
    times = [row.t for row in out.log.rows]
    assert times == sorted(times)
    # every event of the log is listed in the report's table, in the log's order
    positions = [html.index(f"<td>{row.event}</td><td>{row.what}</td>") for row in out.log.rows[:10]]
    assert positions == sorted(positions)
    assert "临柜人员" in html and "网点负责人" in html


def test_every_shipped_file_validates():
    files = [str(p) for folder in ("plans", "scenarios", "programmes") for p in sorted((ROOT / folder).glob("*.yaml"))]
    proc = subprocess.run([sys.executable, "-m", "drillsim", "validate", *files], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.count("ok") == len(files)


def test_list_names_every_builtin():
    proc = subprocess.run([sys.executable, "-m", "drillsim", "list"], capture_output=True, text=True, check=True)
    for sid in SCENARIOS:
        assert sid in proc.stdout
    assert "counter-robbery" in proc.stdout


@pytest.mark.parametrize(("plan_id", "scenario_id"), [
    ("counter-robbery", "armed-robbery-injured"), ("counter-robbery", "explosive-robbery"),
    ("counter-robbery", "robbers-flee"),
    ("it-incident-grading", "it-outage-two-provinces"),  # an elapsed fact
    ("service-incidents", "service-incidents-bank-run"),  # three branches
])
def test_a_simulated_log_read_back_as_a_drill_log_scores_the_same(plan_id, scenario_id, tmp_path):
    """The events.csv drillsim writes is a valid drill log: one schema, one scorer."""
    plan = drillsim.load_plan(plan_id)
    scenario = drillsim.load_scenario(scenario_id, plan)
    for seed in range(5):
        log = drillsim.simulate(plan, scenario, seed=seed)
        path = log.write_csv(tmp_path / f"{seed}.csv")
        back = drillsim.read_drill_log(path, plan)
        direct = drillsim.score(plan, log)
        again = drillsim.score(plan, back, scenario.incident.type)
        assert [(r.id, r.outcome) for r in again.results] == [(r.id, r.outcome) for r in direct.results]
        for a, b in zip(again.results, direct.results, strict=True):
            assert (a.latency is None) == (b.latency is None)
            if a.latency is not None:
                assert a.latency == pytest.approx(b.latency, abs=1e-3)
        assert again.score == pytest.approx(direct.score, abs=0.01)


def test_a_multi_branch_scorecard_shows_reports_queueing_at_the_shared_office(tmp_path):
    plan = drillsim.load_plan("service-incidents")
    out = drillsim.run_drill(plan, drillsim.load_scenario("service-incidents-bank-run", plan), 0, tmp_path)
    card = json.loads((tmp_path / "scorecard.json").read_text("utf-8"))
    office = next(f for f in card["message_flow"] if f["receiver"] == "upper_office")
    assert office["max_waiting"] >= 2 or office["unanswered"] >= 1
    assert len({row.site for row in out.log.rows if row.event == "inject"}) == 3  # three branches, one office
    # a single-branch drill of the same office does not queue
    single = drillsim.score(plan, drillsim.simulate(plan, drillsim.load_scenario(
        "service-incidents-system-failure-single", plan), seed=0))
    assert all(f.max_waiting <= 1 for f in single.flow if f.receiver == "upper_office")
    html = (tmp_path / "report.html").read_text("utf-8")
    assert "Message flow" in html and "上级" in html


def test_the_clause_map_in_docs_is_current():
    from drillsim.reports.clauses import markdown

    assert (ROOT / "docs" / "plans.md").read_text("utf-8") == markdown(ROOT / "docs"), \
        "regenerate it: python -m drillsim.reports.clauses > docs/plans.md"
