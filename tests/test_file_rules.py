"""Rules of the plan, scenario, experiment and programme files, pinned as the exact text a user reads.

Each test states one rule the mutation run of docs/testing.md found open: the warnings of
``drillsim validate`` (spec/lint.py) with their places, the escalation graph, the place and wording
of load errors, calendar deadlines, distributions drawn in blocks, and what a file with aliases
or a programme of one item loads as.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

import drillsim
from drillsim.spec.calendar import Deadline, is_working_day
from drillsim.spec.distributions import parse_distribution
from drillsim.spec.errors import InputError
from drillsim.spec.experiment import load_experiment
from drillsim.spec.graph import escalation_graph
from drillsim.spec.lint import plan_warnings, scenario_warnings
from drillsim.spec.plan import load_plan
from drillsim.spec.programme import load_programme
from drillsim.spec.scenario import load_scenario
from drillsim.spec.yamlio import load_yaml
from tests.conftest import ROOT

LINT_PLAN = """\
schema: drillsim.plan/1
id: lint-plan
title: "提示 (warnings a plan that loads may still deserve)"
incident_types: {test: {name: 测试}}
capabilities: {c: 测试}
roles:
  clerk: {name: 职员, kind: staff}
  helper: {name: 帮手, kind: staff, count: 0}
  boss: {name: 主任, kind: staff}
  office: {name: 办公室, kind: office, count: 0}
channels:
  phone: {name: 电话, synchronous: true}
duties:
  - {id: ping, role: clerk, on: {event: action, what: pong_job}, do: ping_job}
  - {id: pong, role: clerk, on: {event: action, what: ping_job}, do: pong_job}
  - {id: come, role: clerk, on: {event: arrived, what: clerk}, do: go_to_scene}
  - {id: help, role: helper, on: {event: inject, what: go}, do: help_job}
  - {id: file, role: office, on: {event: inject, what: go}, do: file_job}
escalation:
  - {id: up, from: clerk, to: boss, fallback: [helper], channel: phone, on: {event: received, target: clerk}}
  - {id: down, from: boss, to: clerk, channel: phone, on: {event: received, target: boss}, when: "not false"}
requirements:
  - {id: R, title: 职员行动, clause: test, capability: c, kind: deadline, response: {event: action, what: ping_job},
     within: 5min}
"""
LINT_SCENARIO = """\
schema: drillsim.scenario/1
id: lint-scenario
title: t
plan: lint-plan
start: "2026-06-15T10:00:00+08:00"
horizon: 1h
incident: {type: test}
branches:
  - {id: east, staffing: {clerk: 0}}
injects:
  - {id: go, at: 1}
  - {id: late, at: 90}
  - {id: maybe, at: {exponential: 90}}
  - {id: spread, at: {uniform: [70, 80]}}
"""


def _file(tmp_path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _refusal(load, path, *args) -> str:
    with pytest.raises(InputError) as err:
        load(path, *args)
    return str(err.value)


def _edited(tmp_path, shipped: str, old: str, new: str):
    text = (ROOT / shipped).read_text("utf-8")
    assert old in text, old
    return _file(tmp_path, shipped.rsplit("/", 1)[-1], text.replace(old, new, 1))


# drillsim validate's warnings (spec/lint.py) ---------------------------------------------------------


def test_a_plan_warns_of_loops_stopped_by_once_only_tasks_and_of_roles_no_one_holds(tmp_path):
    path = _file(tmp_path, "plan.yaml", LINT_PLAN)
    once = "the loop stops only because a task in it is done once per incident"
    assert [str(w) for w in plan_warnings(load_plan(path), str(path))] == [
        f"{path}:14: at duties[0].on these tasks start each other: ping -> pong -> ping; {once}",
        f"{path}:16: at duties[2].on these tasks start each other: come -> come; {once}",  # go_to_scene: arrived
        f"{path}:20: at escalation[0].on these tasks start each other: up -> down -> up; {once}",  # by target
        f"{path}:8: at roles.helper.count role 'helper' has duties or reports but count 0, so no one does them; "
        "a scenario's branch may staff it (branches[].staffing)",
        f"{path}:10: at roles.office.count role 'office' has duties or reports but count 0, so no one does them; "
        "no scenario can change an office's count",
    ]


def test_a_scenario_warns_of_roles_no_branch_staffs_and_injects_after_the_horizon(tmp_path):
    plan = load_plan(_file(tmp_path, "plan.yaml", LINT_PLAN))
    path = _file(tmp_path, "scenario.yaml", LINT_SCENARIO)
    never = "so its duties and reports are never done"
    assert [str(w) for w in scenario_warnings(load_scenario(path, plan), plan, str(path))] == [
        f"{path}:9: at branches[0].staffing.clerk no branch has anyone of role 'clerk', {never}",  # staffed 0
        f"{path}:8: at branches no branch has anyone of role 'helper', {never}",  # count 0, not staffed
        f"{path}:12: at injects[1].at inject 'late' comes at 90 min or later, after the horizon (60 min), so it "
        "never happens",
        # 'maybe' (exponential, mean 90) may come at any time
        f"{path}:14: at injects[3].at inject 'spread' comes at 70 min or later, after the horizon (60 min), so it "
        "never happens",
    ]


def test_the_escalation_graph_has_every_role_and_an_edge_per_target(tmp_path):
    g = escalation_graph(load_plan(_file(tmp_path, "plan.yaml", LINT_PLAN)))
    assert dict(g.nodes(data=True))["helper"] == {"name": "帮手", "kind": "staff", "count": 0, "presence": 1.0,
                                                  "reachable": 1.0}
    assert sorted(g.nodes) == ["boss", "clerk", "helper", "office"]
    assert sorted(g.edges(keys=True, data=True)) == [
        ("boss", "clerk", "down", {"report": "down", "channel": "phone", "fallback": 0, "when": "not false"}),
        ("clerk", "boss", "up", {"report": "up", "channel": "phone", "fallback": 0, "when": ""}),
        ("clerk", "helper", "up#1", {"report": "up", "channel": "phone", "fallback": 1, "when": ""}),
    ]


# Plans ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("old", "new", "message"), [
    ("  - {id: ping, role: clerk, on: {event: action, what: pong_job}, do: ping_job}",
     "  - {id: ping, role: clerk, on: {event: learned, what: pong_job}, do: ping_job}",
     "plan.yaml:14: at duties[0].on.what a `learned` trigger takes no `what`: it fires when the person first learns "
     "of the incident at a site, however they learn it"),
    ("response: {event: action, what: ping_job}", "response: {event: learned, value: heard}",
     "plan.yaml:23: at requirements[0].response.value a `learned` row's value is how the person learned: one of "
     "perceived, told, arrived; got 'heard'"),
    ("response: {event: action, what: ping_job}", "response: {event: action, actor: clerc}",
     "plan.yaml:23: at requirements[0].response.actor unknown role 'clerc' (did you mean 'clerk'?); "
     "known: boss, clerk, helper, office"),
    ("  - {id: down, from: boss,", "  - {id: up, from: boss,",
     "plan.yaml:21: at escalation[1].id report id 'up' is used twice"),
])
def test_a_plan_mistake_is_refused_at_its_key(tmp_path, old, new, message):
    path = _file(tmp_path, "plan.yaml", LINT_PLAN.replace(old, new, 1))
    assert _refusal(load_plan, path) == f"{tmp_path}/{message}"


def test_an_action_named_like_another_action_is_refused(tmp_path):
    path = _edited(tmp_path, "plans/counter-robbery.yaml", "  lock_cash: 现金入柜上锁", "  lock_cash: first_aid")
    text = _refusal(load_plan, path)
    assert "at actions.lock_cash the name 'first_aid' is also 'first_aid''s: a drill log could not tell them " \
           "apart" in text, text


def test_an_action_named_like_a_built_in_action_is_refused(tmp_path):
    path = _edited(tmp_path, "plans/counter-robbery.yaml", "  lock_cash: 现金入柜上锁", "  lock_cash: 定级")
    text = _refusal(load_plan, path)
    assert "at actions.lock_cash the name '定级' is also 'grade''s: a drill log could not tell them apart" in text, text


def test_a_role_named_like_another_role_is_refused_naming_both(tmp_path):
    path = _edited(tmp_path, "plans/counter-robbery.yaml", "aliases: [领导小组组长, 领导小组副组长]",
                   "aliases: [领导小组组长, 领导小组副组长, 办公室]")
    line = next(i for i, t in enumerate(path.read_text("utf-8").splitlines(), 1) if "领导小组副组长, 办公室" in t)
    assert _refusal(load_plan, path) == (
        f"{path}:{line}: at roles.leadership_group.aliases[2] the name '办公室' of role 'leadership_group' also "
        "names role 'upper_office': a drill log could not tell them apart")


def test_a_fact_value_in_a_trigger_is_read_as_the_fact_s_type(tmp_path):
    text = LINT_PLAN.replace("roles:", "facts:\n  alarm: {type: bool}\nroles:").replace(
        "on: {event: inject, what: go}, do: help_job}", "on: {event: fact, what: alarm, value: 否}, do: help_job}")
    plan = load_plan(_file(tmp_path, "plan.yaml", text))
    assert next(d for d in plan.duties if d.id == "help").on.value is False


def test_a_level_in_quotes_in_a_plan_is_that_level(tmp_path):
    path = _edited(tmp_path, "plans/counter-robbery.yaml", 'applies_if: "level >= II"', "applies_if: \"level >= 'II'\"")
    quoted, bare = (next(r for r in plan.requirements if r.id == "ROB-16") for plan in (
        load_plan(path), drillsim.load_plan("counter-robbery")))
    assert quoted.applies_if == "level >= 'II'" and bare.applies_if == "level >= II"
    plan = load_plan(path)
    for rank in range(4):
        vars_ = {**plan.initial_facts, "type": "armed_robbery", "level": rank}
        assert plan.compile(quoted.applies_if)(vars_) == plan.compile(bare.applies_if)(vars_) == (rank >= 2)


def test_grading_rules_see_the_incident_type():
    atm = drillsim.load_plan("atm")  # "type in ['network_attack', …, 'fire', …] or …" is major
    assert atm.grade({"atms_down": 0, "outage_hours": 0.0}, "fire") == atm.level_rank["major"]


# Scenarios, experiments, programmes -----------------------------------------------------------------


def test_customers_may_arrive_at_the_highest_rate_and_no_faster(tmp_path):
    plan = drillsim.load_plan("counter-robbery")
    path = _edited(tmp_path, "scenarios/armed-robbery-injured.yaml", "arrivals_per_hour: 60", "arrivals_per_hour: 600")
    assert load_scenario(path, plan).branches[0].customers.arrivals_per_hour == 600
    path = _edited(tmp_path, "scenarios/armed-robbery-injured.yaml", "arrivals_per_hour: 60", "arrivals_per_hour: 601")
    # the validator's own words, without pydantic's "Value error, "
    assert _refusal(load_scenario, path, plan).splitlines()[0] == (
        f"{path}:17: at branches[0].customers.arrivals_per_hour arrivals_per_hour is a number from 0 to 600, got 601.0")


def test_an_unknown_office_role_in_presence_is_refused_with_the_known_ones(tmp_path):
    plan = drillsim.load_plan("counter-robbery")
    path = _edited(tmp_path, "scenarios/armed-robbery-injured.yaml", "parameters:\n",
                   "parameters:\n  presence: {duty_leeder: 0.5}\n")
    text = _refusal(load_scenario, path, plan)
    offices = sorted(r for r, role in plan.roles.items() if role.kind == "office")
    assert len(offices) > 1
    assert f"at parameters.presence.duty_leeder unknown office role 'duty_leeder'; known: {', '.join(offices)}" \
        in text, text


def test_a_list_design_without_configurations_is_refused_at_design(tmp_path):
    path = _edited(tmp_path, "experiments/robbery-staffing.yaml", "design: grid", "design: list")
    text = _refusal(load_experiment, path)
    assert text.startswith(f"{path}:") and ": at design a list design needs configurations" in text, text


def test_an_experiment_that_is_no_mapping_names_its_keys(tmp_path):
    path = _file(tmp_path, "exp.yaml", "- a\n")
    assert _refusal(load_experiment, path) == \
        f"{path}:1: the file should be a mapping of keys (schema, plan, scenario, factors, …)"


PROGRAMME = """\
schema: drillsim.programme/1
id: p
title: t
items:
  - {id: a, kind: task, title: t, clause: c, date: 2026-03-10}
"""


def test_a_programme_of_one_item_takes_its_year_and_a_date_outside_it_is_named(tmp_path):
    assert load_programme(_file(tmp_path, "p.yaml", PROGRAMME)).items[0].id == "a"
    path = _file(tmp_path, "p.yaml", PROGRAMME + "  - {id: b, kind: task, title: t, clause: c, date: 2025-12-31}\n")
    assert _refusal(load_programme, path) == (
        f"{path}:6: at items[1].date 2025-12-31 is outside the programme's year 2026")


def test_a_date_given_twice_in_an_item_is_refused(tmp_path):
    path = _file(tmp_path, "p.yaml", PROGRAMME.replace("date: 2026-03-10", "dates: [2026-03-10, 2026-03-10]"))
    assert _refusal(load_programme, path) == f"{path}:5: at items[0].dates the same date is given twice"


def test_a_drill_on_a_date_past_the_calendar_is_refused_at_its_line(tmp_path):
    path = _file(tmp_path, "p.yaml", PROGRAMME.replace("2026-03-10", "2030-03-10") + (
        "  - {id: d, kind: drill, title: t, clause: c, date: 2030-06-10, plan: atm, scenario: atm-fire}\n"))
    text = _refusal(load_programme, path)
    assert text.startswith(f"{path}:6: at items[1] (d) its drill cannot be played: its scenario: ") and \
        "played on 2030-06-10: the plan counts deadlines in working days" in text, text


# Calendar and distributions -------------------------------------------------------------------------


def test_deadlines_describe_themselves():
    assert [Deadline(minutes=90).describe(), Deadline(same_day=True).describe(),
            Deadline(working_days=2).describe()] == ["1h30m00s", "same day", "2 working days"]


def test_a_day_past_the_chinese_calendar_says_to_upgrade_it():
    with pytest.raises(InputError) as err:
        is_working_day(date(2200, 1, 1))
    assert str(err.value).endswith("; upgrade the chinese-calendar package for later years")


@pytest.mark.parametrize(("spec", "lo", "hi"), [
    ({"uniform": [2, 4]}, 2, 4), ({"triangular": [2, 3, 6]}, 2, 6), ({"exponential": 2}, 0, np.inf),
    ({"lognormal": {"median": 5, "p90": 9}}, 0, np.inf), ({"empirical": [1, 2, 7]}, 1, 7), (3, 3, 3)])
def test_a_block_of_draws_has_the_distribution_s_range_and_mean(spec, lo, hi):
    d = parse_distribution(spec)
    xs = d.block()(np.random.default_rng(3), 20_000)
    assert xs.shape == (20_000,)
    assert lo <= xs.min() and xs.max() <= hi
    assert xs.mean() == pytest.approx(d.mean(), rel=0.03)


def test_triangular_draws_have_the_shape_the_file_gives():
    # triangular [10, 11, 12]: P(x < 10.5) = 0.5**2 / ((12 - 10) * (11 - 10)) = 0.125, P(x < 11) = 0.5
    d = parse_distribution({"triangular": [10, 11, 12]})
    draw = d.sampler()
    rng = np.random.default_rng(5)
    one_by_one = np.array([draw(rng) for _ in range(4000)])
    block = d.block()(np.random.default_rng(1), 4000)
    for xs in (one_by_one, block):
        assert [(xs < 10.5).mean(), (xs < 11).mean()] == [pytest.approx(0.125, abs=0.02), pytest.approx(0.5, abs=0.03)]


def test_a_fixed_value_is_written_back_as_the_number():
    assert parse_distribution(5).to_data() == 5.0
    assert parse_distribution({"uniform": [1, 2]}).to_data() == {"uniform": [1.0, 2.0]}


def test_a_file_with_aliases_loads_them_as_copies(tmp_path):
    data, _ = load_yaml(str(_file(tmp_path, "a.yaml", "a: &x {k: [1, 2]}\nb: *x\n")))
    assert data == {"a": {"k": [1, 2]}, "b": {"k": [1, 2]}}


# Found open by the second pass over the sample (docs/testing.md) -----------------------------------

def test_a_missing_file_is_named_as_missing(tmp_path):
    path = tmp_path / "nope.yaml"
    with pytest.raises(InputError) as err:
        load_plan(path)
    assert str(err.value) == f"{path}: no such file"


def test_a_file_that_is_not_a_mapping_says_which_keys_it_should_have(tmp_path):
    path = tmp_path / "list.yaml"
    path.write_text("- schema: drillsim.plan/1\n- id: x\n", "utf-8")
    with pytest.raises(InputError) as err:
        load_plan(path)
    assert str(err.value) == (f"{path}:1: the file should be a mapping of keys (schema, id, roles, "
                              "requirements, …)")


def test_an_error_in_a_list_item_names_the_item_s_own_line(tmp_path):
    text = (ROOT / "tests" / "data" / "corpus" / "counter-robbery.yaml").read_text("utf-8")
    old = "    fields: [branch_name, place, time, cause, nature, amount, people, harm, measures, trend]\n"
    assert old in text
    new = "    fields:\n      - branch_name\n      - nowhere\n"
    path = tmp_path / "p.yaml"
    path.write_text(text.replace(old, new, 1), "utf-8")
    line = next(i for i, row in enumerate(path.read_text("utf-8").splitlines(), 1) if row == "      - nowhere")
    with pytest.raises(InputError) as err:
        load_plan(path)
    assert str(err.value).startswith(f"{path}:{line}: at requirements[")
    assert "unknown report field 'nowhere'" in str(err.value)


def test_a_duration_of_exactly_366_days_is_the_longest_allowed():
    from drillsim.spec.durations import MAX_MINUTES, parse_duration

    assert parse_duration("366d") == MAX_MINUTES == 366 * 1440
    with pytest.raises(ValueError, match=r"longer than the longest duration allowed \(366 days\)"):
        parse_duration("366d1min")


@pytest.mark.parametrize("names", [[1], ["guard", 2], []])
def test_a_selector_names_roles_by_name(names):
    from pydantic import ValidationError

    from drillsim.spec.schema import Selector

    with pytest.raises(ValidationError, match="expected a name or a list of names"):
        Selector.model_validate({"event": "action", "actor": names})
