"""The contract of loading: whatever loads without an error builds, simulates and scores without an
exception — every built-in file, and built-in files edited to the edges of what is allowed."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

import drillsim
from drillsim.spec.catalog import builtin_experiments, builtin_plans, builtin_programmes, builtin_scenarios
from drillsim.spec.errors import InputError, InputWarning
from drillsim.spec.experiment import load_experiment
from drillsim.spec.lint import plan_warnings, scenario_warnings
from drillsim.spec.plan import Plan, load_plan
from drillsim.spec.programme import drill_start, load_programme
from drillsim.spec.scenario import Scenario, load_scenario


@cache
def builtin_plan(pid: str) -> Plan:
    return load_plan(builtin_plans()[pid])


def runs_and_scores(plan: Plan, scenario: Scenario, seed: int = 0) -> None:
    """Build, simulate and score; the scorecard rates every requirement."""
    log = drillsim.simulate(drillsim.build(plan, scenario), seed=seed)
    card = drillsim.score(plan, log)
    assert len(card.to_frame()) == len(plan.requirements)


@pytest.mark.parametrize("name", sorted(builtin_scenarios()))
def test_every_builtin_scenario_loads_runs_and_scores(name):
    path = builtin_scenarios()[name]
    plan = builtin_plan(load_scenario(path).plan)
    runs_and_scores(plan, load_scenario(path, plan))


def test_every_builtin_experiment_configuration_runs_and_scores():
    for path in builtin_experiments().values():
        _, configurations = load_experiment(path)
        for _, plan, scenario in configurations:
            runs_and_scores(plan, scenario)


def test_every_drill_of_the_builtin_programmes_runs_on_its_date():
    for path in builtin_programmes().values():
        for day, item in load_programme(path).calendar():
            if item.kind == "drill":
                plan = builtin_plan(item.plan)
                scenario = load_scenario(builtin_scenarios()[item.scenario], plan)
                runs_and_scores(plan, scenario.model_copy(update={"start": drill_start(item, day, scenario.start)}),
                                item.seed)


PLAN = builtin_plans()["counter-robbery"].read_text("utf-8")
SCENARIO = builtin_scenarios()["armed-robbery-injured"].read_text("utf-8")
# Edits to the edges of what loads: each must still run and score.
EDGES = [
    ("most-staff", "plan", "kind: staff, count: 2,", "kind: staff, count: 100,"),
    ("most-office", "plan", "kind: office, count: 2,", "kind: office, count: 100,"),
    ("no-tellers", "plan", "kind: staff, count: 2,", "kind: staff, count: 0,"),
    ("no-office", "plan", "aliases: [办公室], kind: office, count: 1}", "aliases: [办公室], kind: office, count: 0}"),
    ("most-retries", "plan", "retry: {attempts: 2, every: 1min}", "retry: {attempts: 100, every: 0}"),
    ("longest-choice", "plan", "    value: 1min\n", "    value: 366d\n"),
    ("widest-lognormal", "plan", "{lognormal: {median: 15, p90: 40}}", "{lognormal: {median: 0.5, p90: 500}}"),
    ("boolean-words", "plan", "serves_customers: true}", "serves_customers: 是}"),
    ("no-presence", "plan", "count: 1, presence: 0.8,", "count: 1, presence: 0,"),
    ("fact-value-typed", "plan", "on: {event: fact, what: suspects_fled}",
     "on: {event: fact, what: suspects_fled, value: 是}"),
    ("most-customers", "scenario", "arrivals_per_hour: 60", "arrivals_per_hour: 600"),
    ("longest-horizon", "scenario", "horizon: 10h", "horizon: 90d"),
    ("shortest-horizon", "scenario", "horizon: 10h", "horizon: 61min"),  # the incident can start (60 min on)
    ("closed-all-day", "scenario", "closes: \"17:00\"", "closes: \"09:00\""),
    ("armed-no", "scenario", "facts: {armed: true}", "facts: {armed: 否}"),
    ("armed-chance", "scenario", "facts: {armed: true}", "facts: {armed: {chance: 0.5}}"),
    ("injured-drawn", "scenario", "facts: {injured: 1}", "facts: {injured: {uniform: [0, 3]}}"),
    ("everyone-omits", "scenario", "omission: {default: 0.02}", "omission: {default: 1}"),
    ("most-staffing", "scenario", "    name: 城东支行营业室\n",
     "    name: 城东支行营业室\n    staffing: {teller: 100, guard: 0}\n"),
]


@pytest.mark.parametrize(("kind", "old", "new"), [e[1:] for e in EDGES], ids=[e[0] for e in EDGES])
def test_files_at_the_edges_of_what_loads_run_and_score(tmp_path, kind, old, new):
    plan_text, scenario_text = PLAN, SCENARIO
    if kind == "plan":
        assert old in plan_text
        plan_text = plan_text.replace(old, new, 1)
    else:
        assert old in scenario_text
        scenario_text = scenario_text.replace(old, new, 1)
    (tmp_path / "p.yaml").write_text(plan_text, encoding="utf-8")
    (tmp_path / "s.yaml").write_text(scenario_text, encoding="utf-8")
    plan = load_plan(tmp_path / "p.yaml")
    runs_and_scores(plan, load_scenario(tmp_path / "s.yaml", plan))


def _fact_values(plan: Plan, scenario: Scenario, name: str) -> list[object]:
    log = drillsim.simulate(plan, scenario, seed=1)
    return [r.value for r in log.rows if r.event == "fact" and r.what == name]


@pytest.mark.parametrize("word", ["否", "no", "NO", "false"])
def test_a_boolean_fact_written_no_is_false_in_the_log(tmp_path, word):
    path = tmp_path / "s.yaml"
    path.write_text(SCENARIO.replace("facts: {armed: true}", f"facts: {{armed: {word}}}"), encoding="utf-8")
    plan = builtin_plan("counter-robbery")
    assert _fact_values(plan, load_scenario(path, plan), "armed") in ([], [False])  # false from the start


@pytest.mark.parametrize("word", ["是", "yes", "True"])
def test_a_boolean_fact_written_yes_is_true_in_the_log(tmp_path, word):
    path = tmp_path / "s.yaml"
    path.write_text(SCENARIO.replace("facts: {armed: true}", f"facts: {{armed: {word}}}"), encoding="utf-8")
    plan = builtin_plan("counter-robbery")
    assert _fact_values(plan, load_scenario(path, plan), "armed") == [True]


def test_an_int_fact_drawn_from_a_distribution_is_a_whole_number_in_the_log(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text(SCENARIO.replace("facts: {injured: 1}", "facts: {injured: {uniform: [1, 3]}}"), encoding="utf-8")
    plan = builtin_plan("counter-robbery")
    values = _fact_values(plan, load_scenario(path, plan), "injured")
    assert values and all(type(v) is int for v in values)


def _warnings_of(tmp_path: Path, plan_edit: tuple[str, str] | None = None,
                 scenario_edit: tuple[str, str] | None = None) -> list[InputWarning]:
    plan_path, scenario_path = tmp_path / "p.yaml", tmp_path / "s.yaml"
    plan_path.write_text(PLAN.replace(*plan_edit, 1) if plan_edit else PLAN, encoding="utf-8")
    scenario_path.write_text(SCENARIO.replace(*scenario_edit, 1) if scenario_edit else SCENARIO, encoding="utf-8")
    plan = load_plan(plan_path)
    scenario = load_scenario(scenario_path, plan)
    return plan_warnings(plan, str(plan_path)) + scenario_warnings(scenario, plan, str(scenario_path))


def test_the_builtin_robbery_drill_has_no_warnings(tmp_path):
    assert _warnings_of(tmp_path) == []


def test_a_loop_of_reports_that_stops_is_a_warning(tmp_path):
    old = "    on: {event: acknowledged, actor: branch_head, target: upper_office, channel: phone}\n"
    [warning] = _warnings_of(tmp_path, (old, "    on: {event: received, what: head-written-office}\n"))
    assert str(warning).startswith(f"{tmp_path / 'p.yaml'}:")
    assert "escalation[" in warning.place and warning.line is not None
    assert "head-written-office -> head-written-office" in warning.message and "done once" in warning.message


def test_an_office_of_nobody_with_duties_is_a_warning(tmp_path):
    [warning] = _warnings_of(tmp_path, ("aliases: [办公室], kind: office, count: 1}",
                                        "aliases: [办公室], kind: office, count: 0}"))
    assert warning.place == "roles.upper_office.count" and "count 0" in warning.message


def test_a_staff_role_of_nobody_is_a_warning_in_the_plan_and_in_the_scenario(tmp_path):
    found = _warnings_of(tmp_path, ("kind: staff, count: 1, serves_customers: true}",
                                    "kind: staff, count: 0, serves_customers: true}"))
    assert [w.place for w in found] == ["roles.cash_teller.count", "branches"]
    assert "a scenario's branch may staff it" in found[0].message
    assert "no branch has anyone of role 'cash_teller'" in found[1].message


def test_a_scenario_that_staffs_the_role_has_no_warning_about_it(tmp_path):
    found = _warnings_of(tmp_path, ("kind: staff, count: 1, serves_customers: true}",
                                    "kind: staff, count: 0, serves_customers: true}"),
                         ("    name: 城东支行营业室\n", "    name: 城东支行营业室\n    staffing: {cash_teller: 1}\n"))
    assert [w.place for w in found] == ["roles.cash_teller.count"]


def test_an_inject_after_the_horizon_is_a_warning(tmp_path):
    [warning] = _warnings_of(tmp_path, scenario_edit=("injects:\n", "injects:\n  - {id: late, at: 11h}\n"))
    assert warning.place == "injects[0].at" and "never happens" in warning.message


def test_an_inject_at_the_horizon_is_a_warning_and_a_lognormal_one_may_come_any_time(tmp_path):
    [warning] = _warnings_of(tmp_path, scenario_edit=("injects:\n", "injects:\n  - {id: late, at: 10h}\n"))
    assert warning.place == "injects[0].at" and "never happens" in warning.message  # the run stops at 10h
    lognormal = "at: {lognormal: {median: 700, p90: 900}}"  # past the horizon mostly, but not always
    assert _warnings_of(tmp_path, scenario_edit=("at: {triangular: [60, 150, 400]}", lognormal)) == []


def test_an_incident_that_cannot_start_before_the_horizon_is_refused(tmp_path):
    with pytest.raises(InputError, match=r"at horizon the horizon \(600 min\) ends before any inject can happen"):
        _warnings_of(tmp_path, scenario_edit=("at: {triangular: [60, 150, 400]}", "at: 10h"))
