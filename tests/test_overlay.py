"""The parameter overlay (--params, spec/overlay.py): run, stress and experiment play the scenario with
its values; a bad overlay is named by file, line and place; validate checks it against the plan's
scenarios."""

from __future__ import annotations

import pytest
import yaml

import drillsim
from drillsim.spec.errors import InputError
from drillsim.spec.experiment import load_experiment
from drillsim.spec.overlay import load_overlay
from tests.clirun import drillsim as cli

PLAN, SCENARIO = "counter-robbery", "armed-robbery-injured"
SLOW = {"lognormal": {"median": 3.0, "p90": 6.0}}
"""People take minutes, not seconds, to react."""


def _write(tmp_path, data, name="params.yaml"):
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    return path


def _overlay(tmp_path, values=None, **top):
    return _write(tmp_path, {"schema": "drillsim.overlay/1", "plan": PLAN,
                             "set": values or {"scenario.parameters.human.reaction": SLOW}, **top})


def _rob01(card_path) -> float:
    import json

    card = json.loads(card_path.read_text("utf-8"))
    return next(r for r in card["requirements"] if r["id"] == "ROB-01")["latency_min"]


def test_run_plays_the_scenario_with_the_overlays_values(tmp_path):
    plain = cli("run", PLAN, SCENARIO, "--out", str(tmp_path / "a"))
    slow = cli("run", PLAN, SCENARIO, "--out", str(tmp_path / "b"), "--params", str(_overlay(tmp_path)))
    assert plain.code == 0 and slow.code == 0, slow.err
    assert _rob01(tmp_path / "a" / "scorecard.json") < 1.0 < _rob01(tmp_path / "b" / "scorecard.json")


def test_the_api_loads_the_scenario_with_the_overlay(tmp_path):
    plan = drillsim.load_plan(PLAN)
    sc = drillsim.load_scenario(SCENARIO, plan, _overlay(tmp_path))
    assert sc.parameters.human.reaction.to_data() == SLOW
    assert drillsim.load_scenario(SCENARIO, plan).parameters.human.reaction.to_data() != SLOW


def test_stress_plays_the_drill_with_the_overlay(tmp_path):
    result = drillsim.stress(PLAN, SCENARIO, reps=2, only=["absent"], params=_overlay(tmp_path))
    assert result.drill.scenario.parameters.human.reaction.to_data() == SLOW


def test_an_experiments_factor_overrides_the_overlay_and_the_rest_keeps_it(tmp_path):
    exp = _write(tmp_path, {
        "schema": "drillsim.experiment/1", "id": "x", "title": "x", "plan": PLAN, "scenario": SCENARIO,
        "reps": 2, "factors": {"phone": {"set": "scenario.parameters.channels.phone.latency",
                                         "levels": ["10s", "20s"]},
                               "fast": {"set": "scenario.parameters.human.reaction", "levels": ["5s"]}}},
        "exp.yaml")
    _, configs = load_experiment(exp, _overlay(tmp_path, {"scenario.parameters.human.reaction": SLOW,
                                                          "scenario.parameters.human.handling": SLOW}))
    for _, _, sc in configs:
        assert sc.parameters.human.handling.to_data() == SLOW  # the overlay's
        assert sc.parameters.human.reaction.to_data() == pytest.approx(5 / 60)  # the factor's


@pytest.mark.parametrize("change, line, place, words", [
    ({"plan": "atm-incident"}, 1, "plan", "the overlay is for plan 'atm-incident'; this run's plan is "
                                          "'counter-robbery'"),
    ({"set": {"scenario.branches[0].staffing.teller": 2}}, 4, "set.scenario.branches[0].staffing.teller",
     "an overlay sets parameters only"),
    ({"set": {"scenario.parameters.human.reaction": {"lognormal": {"median": 2, "p90": 1}}}}, 4,
     "set.scenario.parameters.human.reaction", "lognormal needs 0 < median < p90"),
    ({"set": {"scenario.parameters.channels.pigeon.latency": "1min"}}, 4,
     "set.scenario.parameters.channels.pigeon.latency", "pigeon"),
    ({"set": {"scenario.parameters.channels.pigeon.latency": "1min",
              "scenario.parameters.channels.pigeon.failure": 0.1}}, 3, "set", "unknown channel 'pigeon'"),
    ({"set": {"scenario.parameters.human.reaction[x]": "1min"}}, 4,
     "set.scenario.parameters.human.reaction[x]", "needs a list"),
    ({"sets": {}}, None, "sets", "unknown key"),
    ({"set": {}}, None, "set", "at least 1"),
    ([1, 2], 1, "", "the file should be a mapping of keys (schema, plan, set, …)"),
])
def test_a_bad_overlay_is_named_by_file_line_and_place(tmp_path, change, line, place, words):
    data = {"schema": "drillsim.overlay/1", "plan": PLAN, "set": {"scenario.parameters.human.reaction": SLOW}}
    if isinstance(change, list):
        data = change
    else:
        data.update(change)
    if "sets" in change:
        del data["set"]
    path = _write(tmp_path, data)
    with pytest.raises(InputError) as err:
        drillsim.load_scenario(SCENARIO, drillsim.load_plan(PLAN), path)
    text = str(err.value)
    assert text.startswith(f"{path}:{line}:" if line else f"{path}") and words in text, text
    assert f" at {place} " in text if place else " at " not in text, text
    ran = cli("run", PLAN, SCENARIO, "--out", str(tmp_path / "o"), "--params", str(path))
    assert ran.code == 2 and words in ran.err and "Traceback" not in ran.err


def test_validate_checks_an_overlay_against_every_scenario_of_its_plan(tmp_path):
    good = cli("validate", str(_overlay(tmp_path)))
    assert good.code == 0 and "overlay of plan counter-robbery, 1 values, checked against 3 scenarios" in good.out
    bad = _overlay(tmp_path, {"scenario.parameters.agencies.fire.travel": "5min"}, )
    ran = cli("validate", str(bad))
    assert ran.code == 1 and "fire" in ran.err


def test_every_design_of_a_design_search_plays_its_scenarios_with_the_overlay(tmp_path):
    from drillsim.spec.design import load_design_space
    from tests.conftest import ROOT

    _, _, designs = load_design_space(PLAN, ROOT / "examples" / "design-robbery.yaml", _overlay(tmp_path))
    assert {sc.parameters.human.reaction.to_data() == SLOW for d in designs for _, sc in d.drills} == {True}
    bad = _overlay(tmp_path, {"scenario.parameters.human.reaction": {"fixed": -1}})
    with pytest.raises(InputError) as err:
        load_design_space(PLAN, ROOT / "examples" / "design-robbery.yaml", bad)
    assert str(err.value).startswith(f"{bad}:4:")


def test_applying_an_overlay_leaves_the_scenarios_data_as_it_was(tmp_path):
    from drillsim.spec import catalog
    from drillsim.spec.yamlio import load_yaml

    data = load_yaml(catalog.resolve(SCENARIO, "scenario"))[0]
    before = repr(data)
    changed, _ = load_overlay(_overlay(tmp_path)).apply(drillsim.load_plan(PLAN), data, "s.yaml")
    assert repr(data) == before and changed["parameters"]["human"]["reaction"] == SLOW


def test_an_overlay_file_reads_back_what_it_sets(tmp_path):
    overlay = load_overlay(_overlay(tmp_path, provenance={"made_by": "hand"}))
    assert overlay.file.set == {"scenario.parameters.human.reaction": SLOW}
    assert overlay.file.provenance == {"made_by": "hand"}
