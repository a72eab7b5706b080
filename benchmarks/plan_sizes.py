"""Plans of every size: the demo plan with 100 to 3,000 more duties, reports and requirements, checked,
compiled and made into a scorer; the time each added item costs, which should not grow with the plan.

    .venv/bin/python benchmarks/plan_sizes.py

A plan written by hand has tens of duties; a plan generated (a design search, a merged programme) may
have thousands. ``larger(n)`` adds ``n`` duties of the guard, each on the action of the one before,
``n`` reports of the lobby manager to the upper office, each sent on receipt of the one before, and a
deadline on the receipt of each (``tests/test_plan_size.py`` counts the bytecodes the same steps
execute). Each size is timed in alternating rounds; the figures are medians over rounds, the time an
added item costs between one size and the next (the demo plan's own cost cancels), and the ratio of the
last of these to the first (1: linear; 10 would be quadratic). They run with the garbage collector set
as every command sets it (``few_collections``); at Python's default thresholds, collections of the
oldest generation, each walking every object made so far, come about 29 times as often (700 allocations
to a first collection, not 20,000), and the larger the plan, the more each one walks.
"""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Callable
from itertools import pairwise
from pathlib import Path
from typing import Any

from drills import PLAN, SCENARIO  # benchmarks/, beside this file

from drillsim.collector import few_collections
from drillsim.scoring.scorecard import Scorer
from drillsim.sim.model import build_model
from drillsim.spec.plan import Plan, parse_plan
from drillsim.spec.scenario import Scenario, parse_scenario
from drillsim.spec.yamlio import load_yaml

ROOT = Path(__file__).resolve().parent.parent
SIZES = (100, 300, 1_000, 3_000)


def larger(n: int) -> dict:
    """The demo plan's data with ``n`` more duties, ``n`` more reports and ``n`` more requirements."""
    data, _ = load_yaml(ROOT / "plans" / f"{PLAN}.yaml")
    data["duties"] += [{"id": f"step-{i}", "role": "guard", "do": f"step_{i}",
                        "on": {"event": "action", "what": f"step_{i - 1}" if i else "lock_cash"}} for i in range(n)]
    data["escalation"] += [{"id": f"relay-{i}", "from": "lobby_manager", "to": "upper_office", "channel": "phone",
                            "on": {"event": "received", "what": f"relay-{i - 1}"} if i else "incident"}
                           for i in range(n)]
    data["requirements"] += [{"id": f"RELAY-{i}", "title": f"第{i}次转告", "clause": "benchmark", "capability": "alarm",
                              "kind": "deadline", "trigger": {"event": "inject", "what": "robbers-enter"},
                              "response": {"event": "received", "what": f"relay-{i}"}, "within": "30min"}
                             for i in range(n)]
    return data


def scenario_for(plan: Plan) -> Scenario:
    data, _ = load_yaml(ROOT / "scenarios" / f"{SCENARIO}.yaml")
    return parse_scenario(data, plan)


STEPS: dict[str, Callable[[dict, Plan, Scenario], Any]] = {
    "check": lambda data, plan, scenario: parse_plan(data),
    "compile": lambda data, plan, scenario: build_model(plan, scenario),
    "scorer": lambda data, plan, scenario: Scorer(plan),
}


def plan_sizes(sizes: tuple[int, ...] = SIZES, rounds: int = 5) -> dict:
    made = {}
    for n in sizes:
        data = larger(n)
        plan = parse_plan(data)
        made[n] = (data, plan, scenario_for(plan))
    samples: dict[str, dict[int, list[float]]] = {step: {n: [] for n in sizes} for step in STEPS}
    with few_collections():
        for _ in range(rounds):
            for n, args in made.items():
                for step, work in STEPS.items():
                    t0 = time.perf_counter()
                    work(*args)
                    samples[step][n].append(time.perf_counter() - t0)
    out: dict = {"sizes": list(sizes), "rounds": rounds}
    for step in STEPS:
        seconds = {n: statistics.median(samples[step][n]) for n in sizes}
        marginal = {f"{a}-{b}": 1e6 * (seconds[b] - seconds[a]) / (b - a) for a, b in pairwise(sizes)}
        first, *_, last = marginal.values()
        out[step] = {"seconds": {str(n): round(v, 4) for n, v in seconds.items()},
                     "us_per_added_item": {k: round(v, 1) for k, v in marginal.items()},
                     "per_item_ratio": round(last / first, 3)}
    return out


if __name__ == "__main__":
    print(json.dumps(plan_sizes(), indent=1))
