"""Bad input: a clear error naming the file, the place in it and what is wrong — never a traceback."""

import subprocess
import sys
from pathlib import Path

import pytest

from drillsim.log.drill_log import read_drill_log
from drillsim.spec.catalog import builtin_plans, builtin_scenarios
from drillsim.spec.errors import InputError
from drillsim.spec.plan import load_plan
from drillsim.spec.scenario import load_scenario

PLAN_TEXT = builtin_plans()["counter-robbery"].read_text("utf-8")
SCENARIO_TEXT = builtin_scenarios()["armed-robbery-injured"].read_text("utf-8")


def broken(tmp_path: Path, name: str, text: str, old: str, new: str) -> Path:
    assert old in text, old
    path = tmp_path / name
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def line_of(path: Path, needle: str) -> int:
    return next(i for i, line in enumerate(path.read_text("utf-8").splitlines(), 1) if needle in line)


def test_yaml_syntax_error(tmp_path):
    path = broken(tmp_path, "p.yaml", PLAN_TEXT, "levels: [III, II, I]", "levels: [III, II, I")
    with pytest.raises(InputError) as err:
        load_plan(path)
    assert str(path) in str(err.value) and "YAML syntax error" in str(err.value)
    assert err.value.line is not None


def test_unknown_role_in_a_duty(tmp_path):
    path = broken(tmp_path, "p.yaml", PLAN_TEXT, "    role: cash_teller\n", "    role: cashier\n")
    with pytest.raises(InputError) as err:
        load_plan(path)
    text = str(err.value)
    assert f"{path}:{line_of(path, 'role: cashier')}" in text
    assert "duties[0].role" in text and "unknown role 'cashier'" in text


def test_unknown_channel_in_an_edge(tmp_path):
    path = broken(tmp_path, "p.yaml", PLAN_TEXT, "    channel: alarm_button\n", "    channel: pager\n")
    with pytest.raises(InputError) as err:
        load_plan(path)
    assert "escalation[0].channel" in str(err.value) and "unknown channel 'pager'" in str(err.value)
    assert err.value.line == line_of(path, "channel: pager")


def test_impossible_distribution(tmp_path):
    path = broken(tmp_path, "s.yaml", SCENARIO_TEXT, "{triangular: [60, 150, 400]}", "{triangular: [60, 500, 400]}")
    with pytest.raises(InputError) as err:
        load_scenario(path)
    assert "injects[0].at" in str(err.value) and "low <= mode <= high" in str(err.value)
    assert err.value.line == line_of(path, "triangular: [60, 500, 400]")


def test_requirement_that_names_nothing(tmp_path):
    path = broken(tmp_path, "p.yaml", PLAN_TEXT, "response: {event: action, what: lock_cash}",
                  "response: {event: action, what: lock_the_cash}")
    with pytest.raises(InputError) as err:
        load_plan(path)
    assert "requirements[2].response.what" in str(err.value) and "lock_the_cash" in str(err.value)


def test_requirement_with_unknown_choice_and_condition(tmp_path):
    text = PLAN_TEXT.replace("within: first_time", "within: promptly").replace('applies_if: "explosive"',
                                                                              'applies_if: "bomb"', 1)
    path = tmp_path / "p.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_plan(path)
    assert "unknown choice 'promptly'" in str(err.value) and "'bomb'" in str(err.value)


def test_unknown_key_is_an_error_not_ignored(tmp_path):
    path = broken(tmp_path, "p.yaml", PLAN_TEXT, "    weight: 3\n", "    wieght: 3\n")
    with pytest.raises(InputError, match="unknown key 'wieght'"):
        load_plan(path)


def test_scenario_names_checked_against_plan(tmp_path):
    path = broken(tmp_path, "s.yaml", SCENARIO_TEXT, "facts: {armed: true}", "facts: {armd: true}")
    plan = load_plan(builtin_plans()["counter-robbery"])
    with pytest.raises(InputError, match="unknown fact 'armd'"):
        load_scenario(path, plan)


BAD_LOG = "time,event,actor,what,target\n2026-03-12 10:00:00,inject,,robbers-enter,\n10:61:00,action,柜员,lock_cash,\n"


def test_drill_log_row_with_bad_time(tmp_path):
    path = tmp_path / "log.csv"
    path.write_text(BAD_LOG, encoding="utf-8")
    with pytest.raises(InputError) as err:
        read_drill_log(path, load_plan(builtin_plans()["counter-robbery"]))
    assert f"{path}:3" in str(err.value) and "column 'time'" in str(err.value) and "10:61:00" in str(err.value)


def test_drill_log_unknown_role(tmp_path):
    path = tmp_path / "log.csv"
    path.write_text(BAD_LOG.replace("10:61:00", "10:01:00").replace("柜员", "出纳"), encoding="utf-8")
    with pytest.raises(InputError, match="unknown role '出纳'"):
        read_drill_log(path, load_plan(builtin_plans()["counter-robbery"]))


@pytest.mark.parametrize(("args", "expected"), [
    (["validate", "{bad_plan}"], "unknown role 'cashier'"),
    (["run", "{bad_plan}", "armed-robbery-injured"], "unknown role 'cashier'"),
    (["run", "counter-robbery", "no-such-scenario"], "no built-in scenario has this id"),
    (["score", "counter-robbery", "{bad_log}"], "10:61:00"),
])
def test_cli_reports_errors_without_traceback(tmp_path, args, expected):
    bad_plan = broken(tmp_path, "bad.yaml", PLAN_TEXT, "    role: cash_teller\n", "    role: cashier\n")
    bad_log = tmp_path / "log.csv"
    bad_log.write_text(BAD_LOG, encoding="utf-8")
    argv = [a.format(bad_plan=bad_plan, bad_log=bad_log) for a in args]
    if argv[0] != "validate":
        argv += ["--out", str(tmp_path / "out")]
    proc = subprocess.run([sys.executable, "-m", "drillsim", *argv], capture_output=True, text=True, cwd=tmp_path)
    assert proc.returncode != 0
    assert expected in proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout


def test_duplicate_keys_are_an_error(tmp_path):
    path = broken(tmp_path, "s.yaml", SCENARIO_TEXT, "  human:\n", "  human: {}\n  human:\n")
    with pytest.raises(InputError) as err:
        load_scenario(path)
    assert "'human' appears twice" in str(err.value) and err.value.line == line_of(path, "  human:") + 1


def test_missing_parameters_of_a_non_standard_channel(tmp_path):
    plan_path = broken(tmp_path, "p.yaml", PLAN_TEXT, "  fax: {name: 传真, synchronous: false}\n",
                       "  fax: {name: 传真, synchronous: false}\n  pager: {name: 寻呼机, synchronous: true}\n")
    with pytest.raises(InputError, match=r"parameters\.channels\.pager\.latency"):
        load_scenario(builtin_scenarios()["armed-robbery-injured"], load_plan(plan_path))


def test_branch_presence_names_branch_roles_only(tmp_path):
    path = broken(tmp_path, "s.yaml", SCENARIO_TEXT, "    name: 城东支行营业室\n",
                  "    name: 城东支行营业室\n    presence: {upper_office: 0.5}\n")
    with pytest.raises(InputError, match="unknown branch role 'upper_office'"):
        load_scenario(path, load_plan(builtin_plans()["counter-robbery"]))
