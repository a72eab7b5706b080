"""A simulated log written to events.csv / events.parquet and read back scores the same, with no option."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import drillsim
from drillsim.spec.catalog import builtin_scenarios
from drillsim.spec.yamlio import load_yaml

PLAN_OF = {sid: load_yaml(path)[0]["plan"] for sid, path in builtin_scenarios().items()}
SCENARIOS = sorted(PLAN_OF)
_MODELS: dict[str, tuple] = {}


def _model(sid: str):
    if sid not in _MODELS:
        plan = drillsim.load_plan(PLAN_OF[sid])
        _MODELS[sid] = (plan, drillsim.build(plan, drillsim.load_scenario(sid, plan)))
    return _MODELS[sid]


def _same(a, b) -> None:
    assert [(r.id, r.outcome) for r in a.results] == [(r.id, r.outcome) for r in b.results]
    for x, y in zip(a.results, b.results, strict=True):
        assert (x.latency is None) == (y.latency is None)
        if x.latency is not None:
            assert x.latency == pytest.approx(y.latency, abs=1e-3)
    assert (a.score is None) == (b.score is None)
    if a.score is not None:
        assert a.score == pytest.approx(b.score, abs=0.01)
    assert a.rating == b.rating


@settings(derandomize=True, max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sid=st.sampled_from(SCENARIOS), seed=st.integers(0, 10_000), parquet=st.booleans())
def test_a_simulated_log_written_and_read_back_gives_the_same_scorecard(tmp_path, sid, seed, parquet):
    plan, model = _model(sid)
    log = drillsim.simulate(model, seed=seed)
    path = tmp_path / ("events.parquet" if parquet else "events.csv")
    log.write_parquet(path) if parquet else log.write_csv(path)
    back = drillsim.read_drill_log(path, plan)
    card = drillsim.score(plan, back)  # no incident type given: the log carries it
    _same(card, drillsim.score(plan, log))
    assert card.warnings == []


def test_values_are_written_as_a_person_types_them(tmp_path):
    _, model = _model("it-outage-two-provinces")
    log = drillsim.simulate(model, seed=1)
    text = log.write_csv(tmp_path / "events.csv").read_text("utf-8-sig")
    header, *rows = [line.split(",") for line in text.splitlines()]
    values = {row[header.index("value")] for row in rows}
    assert "true" in values and "false" in values and "2" in values  # outage, provinces
    assert not {"nan", "NaN", "1.0", "2.0", "True", "False"} & values
    refs = {row[header.index("ref")] for row in rows}
    assert "1" in refs and not any(r.endswith(".0") for r in refs)
    assert {row[header.index("incident_type")] for row in rows} == {"system_outage"}


def test_score_drill_reads_its_own_events_csv_with_no_option(tmp_path):
    plan = drillsim.load_plan("it-incident-grading")
    run = drillsim.run_drill(plan, drillsim.load_scenario("it-outage-two-provinces", plan), 4, tmp_path / "run")
    again = drillsim.score_drill(plan, tmp_path / "run" / "events.csv", tmp_path / "again")
    _same(again.scorecard, run.scorecard)


def test_the_scorecard_is_strict_json(tmp_path):
    plan = drillsim.load_plan("counter-robbery")
    out = drillsim.run_drill(plan, drillsim.load_scenario("armed-robbery-injured", plan), 3, tmp_path)
    text = (tmp_path / "scorecard.json").read_text("utf-8")
    card = json.loads(text, parse_constant=lambda name: pytest.fail(f"non-standard JSON constant {name}"))
    assert card["warnings"] == [] and out.scorecard.warnings == []
