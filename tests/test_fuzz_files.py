"""Fuzzing the loaders: built-in plan, scenario, experiment and programme files, mutated (a scalar
replaced by another type or an extreme value, a key deleted, a line duplicated, an alias inserted,
the file truncated). Either the file is refused with an InputError naming the file and a place, or
it loads, and then builds, simulates and scores without an exception; and no case hangs."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import drillsim
from drillsim.spec.catalog import builtin_experiments, builtin_plans, builtin_programmes, builtin_scenarios
from drillsim.spec.errors import InputError
from drillsim.spec.experiment import load_experiment
from drillsim.spec.plan import Plan, load_plan
from drillsim.spec.programme import drill_start, load_programme
from drillsim.spec.scenario import Scenario, load_scenario
from tests.limits import time_limit

PER_CASE = 10  # seconds
EXTREMES = ["0", "-1", "1.0e+308", "-1.0e+308", ".nan", ".inf", "-.inf", "''", "x" * 300, "否", "no", "yes",
            "true", "[]", "{}", "~", "2026-02-30", "100000000", "*undefined"]
SCALAR = re.compile(r"(?P<key>[\w-]+): (?P<value>[^\s{}\[\],#&*][^{}\[\],#]*?)(?=\s*(?:[,}\]]|$))")


@st.composite
def mutated(draw: st.DrawFn, text: str) -> str:
    """``text`` with one mutation."""
    lines = text.splitlines(keepends=True)
    scalars = [(i, m) for i, line in enumerate(lines) for m in SCALAR.finditer(line)]
    kind = draw(st.sampled_from(["replace", "replace", "replace", "delete", "duplicate", "alias", "truncate"]))
    if kind == "replace":
        i, m = draw(st.sampled_from(scalars))
        value = draw(st.sampled_from(EXTREMES))
        lines[i] = lines[i][:m.start("value")] + value + lines[i][m.end("value"):]
    elif kind == "delete":
        del lines[draw(st.integers(0, len(lines) - 1))]
    elif kind == "duplicate":
        i = draw(st.integers(0, len(lines) - 1))
        lines.insert(i, lines[i])
    elif kind == "alias":  # the value of one key, anchored, used again as the value of another
        (i, m), (j, n) = draw(st.lists(st.sampled_from(scalars), min_size=2, max_size=2, unique=True))
        if (i, m.start()) > (j, n.start()):
            (i, m), (j, n) = (j, n), (i, m)
        lines[j] = lines[j][:n.start("value")] + "*fuzz" + lines[j][n.end("value"):]
        lines[i] = lines[i][:m.start("value")] + "&fuzz " + lines[i][m.start("value"):]
    else:
        return text[:draw(st.integers(0, len(text)))]
    return "".join(lines)


def refused_well(err: InputError, path: Path) -> None:
    """Every problem names the file and a place: a line, or a key path."""
    for problem in err.problems:
        text = str(problem)
        assert text.startswith(str(path)), text
        assert problem.line is not None or problem.place, text


@cache
def robbery_plan() -> Plan:
    return load_plan(builtin_plans()["counter-robbery"])


def runs_and_scores(plan: Plan, scenario: Scenario, seed: int = 0) -> None:
    card = drillsim.score(plan, drillsim.simulate(drillsim.build(plan, scenario), seed=seed))
    assert len(card.to_frame()) == len(plan.requirements)


def check(text: str, name: str, tmp: Path, use: object) -> None:
    path = tmp / name
    path.write_text(text, encoding="utf-8")
    with time_limit(PER_CASE):
        try:
            use(path)  # type: ignore[operator]
        except InputError as err:
            refused_well(err, path)


FUZZ = settings(max_examples=30, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


def play_plan(path: Path) -> None:
    plan = load_plan(path)
    runs_and_scores(plan, load_scenario(builtin_scenarios()["armed-robbery-injured"], plan))


def play_scenario(path: Path) -> None:
    plan = robbery_plan()
    runs_and_scores(plan, load_scenario(path, plan))


def play_experiment(path: Path) -> None:
    _, configurations = load_experiment(path)
    _, plan, scenario = configurations[-1]
    runs_and_scores(plan, scenario)


def play_programme(path: Path) -> None:
    for day, item in load_programme(path).calendar():
        if item.kind == "drill":
            plan = load_plan(builtin_plans()[item.plan]) if item.plan != "counter-robbery" else robbery_plan()
            scenario = load_scenario(builtin_scenarios()[item.scenario], plan)
            runs_and_scores(plan, scenario.model_copy(update={"start": drill_start(item, day, scenario.start)}),
                            item.seed)
            return  # one drill is enough: loading has checked them all


@FUZZ
@given(text=mutated(builtin_plans()["counter-robbery"].read_text("utf-8")))
def test_a_mutated_plan_is_refused_well_or_runs(tmp_path, text):
    check(text, "plan.yaml", tmp_path, play_plan)


@settings(FUZZ, max_examples=60)
@given(text=mutated(builtin_scenarios()["armed-robbery-injured"].read_text("utf-8")))
def test_a_mutated_scenario_is_refused_well_or_runs(tmp_path, text):
    check(text, "scenario.yaml", tmp_path, play_scenario)


@settings(FUZZ, max_examples=10)
@given(text=mutated(builtin_experiments()["escalation-variants"].read_text("utf-8")))
def test_a_mutated_experiment_is_refused_well_or_runs(tmp_path, text):
    check(text, "experiment.yaml", tmp_path, play_experiment)


@settings(FUZZ, max_examples=6)
@given(text=mutated(builtin_programmes()["security-work-2026"].read_text("utf-8")))
def test_a_mutated_programme_is_refused_well_or_runs(tmp_path, text):
    check(text, "programme.yaml", tmp_path, play_programme)
