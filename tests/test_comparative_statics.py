"""Comparative statics on common random numbers: more staff, higher presence, more reliable channels
never make a requirement that depends on them worse beyond noise.

Each case runs a shipped scenario twice over the same seeds (common random numbers: the incident is
the same in both, only the people or the channels differ) with one knob turned down and up, and
counts the runs in which each requirement that depends on the knob fails (any outcome but met or
not applicable). More of the knob may not fail more often than less of it, beyond two binomial
standard errors of the difference of the two rates (as if the runs were independent, which common
random numbers make conservative). Seeds are fixed, so the test is deterministic.
"""

from __future__ import annotations

from math import sqrt
from typing import Any

import pytest

import drillsim
from drillsim.scoring.scorecard import Scorer
from drillsim.sim.engine import run_replication
from tests.test_engine import model_with

REPS = 150
OK = ("met", "not_applicable")

ROBBERY = ("counter-robbery", "armed-robbery-injured")
CASES: list[tuple[str, tuple[str, str], list[str], dict[str, Any], dict[str, Any]]] = [
    # (name, (plan, scenario), requirements, the knob down, the knob up)
    ("branch head present", ROBBERY, ["ROB-10", "ROB-13", "ROB-17"],
     {"branches__0__presence": {"branch_head": 0.0}}, {"branches__0__presence": {"branch_head": 1.0}}),
    ("tellers present", ROBBERY, ["ROB-01", "ROB-03"],
     {"branches__0__presence": {"teller": 0.5, "cash_teller": 0.5}},
     {"branches__0__presence": {"teller": 1.0, "cash_teller": 1.0}}),
    ("a second lobby manager", ROBBERY, ["ROB-02", "ROB-04", "ROB-05", "ROB-10"],
     {"branches__0__staffing": {"lobby_manager": 1}}, {"branches__0__staffing": {"lobby_manager": 2}}),
    ("reliable phone", ROBBERY, ["ROB-02", "ROB-04", "ROB-10", "ROB-15"],
     {"parameters__channels": {"phone": {"failure": 0.3}}}, {"parameters__channels": {"phone": {"failure": 0.0}}}),
    ("leadership group on duty", ROBBERY, ["ROB-15", "ROB-16"],
     {"parameters__presence": {"leadership_group": 0.3}}, {"parameters__presence": {"leadership_group": 1.0}}),
    ("IT head on duty", ("it-incident-grading", "it-outage-two-provinces"), ["IT-01", "IT-03", "IT-10"],
     {"parameters__presence": {"it_head": 0.3}}, {"parameters__presence": {"it_head": 1.0}}),
]


def failures(plan_id: str, scenario_id: str, ids: list[str], changes: dict[str, Any]) -> dict[str, int]:
    p = drillsim.load_plan(plan_id)
    model, scorer = model_with(p, scenario_id, **changes), Scorer(p)
    failed = dict.fromkeys(ids, 0)
    for seed in range(REPS):
        outcome = scorer.score(run_replication(model, seed)).to_frame().set_index("id")["outcome"]
        for i in ids:
            failed[i] += outcome[i] not in OK
    return failed


@pytest.mark.parametrize(("name", "files", "ids", "down", "up"), CASES, ids=[c[0] for c in CASES])
def test_more_of_a_resource_never_fails_a_requirement_more_often(name, files, ids, down, up):
    low, high = failures(*files, ids, down), failures(*files, ids, up)
    for i in ids:
        p_low, p_high = low[i] / REPS, high[i] / REPS
        noise = 2 * sqrt((p_low * (1 - p_low) + p_high * (1 - p_high)) / REPS)
        assert p_high <= p_low + noise, f"{name}: {i} fails in {high[i]} of {REPS} runs with more, {low[i]} with less"
