"""The drills the benchmarks run: the demo robbery, and the same incident at many branches at once."""

from __future__ import annotations

import drillsim
from drillsim.spec.plan import Plan
from drillsim.spec.scenario import Scenario

PLAN, SCENARIO = "counter-robbery", "armed-robbery-injured"


def demo() -> tuple[Plan, Scenario]:
    plan = drillsim.load_plan(PLAN)
    return plan, drillsim.load_scenario(SCENARIO, plan)


def at_branches(scenario: Scenario, n: int) -> Scenario:
    """``scenario`` with its one branch copied ``n`` times (ids ``b0`` … ``b{n-1}``): the incident strikes
    all of them at once, and their reports queue at the same offices."""
    if len(scenario.branches) != 1 or any(i.branches for i in scenario.injects):
        raise ValueError(f"{scenario.id}: a scenario of one branch whose injects name none is needed")
    branch = scenario.branches[0]
    copies = tuple(branch.model_copy(update={"id": f"b{k}", "name": f"{branch.name or branch.id} {k}"})
                   for k in range(n))
    return scenario.model_copy(update={"id": f"{scenario.id}-x{n}", "branches": copies})


def without_customers(scenario: Scenario) -> Scenario:
    """``scenario`` with no customers at any branch: the incident alone."""
    branches = tuple(b.model_copy(update={"customers": b.customers.model_copy(update={"arrivals_per_hour": 0})})
                     for b in scenario.branches)
    return scenario.model_copy(update={"id": f"{scenario.id}-incident", "branches": branches})
