"""Scoring logs of about 100, 1,000, 10,000 and 100,000 rows: time per row, which should not grow with the log.

    .venv/bin/python benchmarks/scoring_sizes.py

Each log is one replication of the demo robbery at as many branches at once as give about that many
rows (rows per branch change with the branches, as the offices' queues lengthen, so the count is
searched for; the actual rows are reported). Each size is scored, with and without the message-flow
table, in alternating rounds, so that every size sees the machine in the same states; a round scores
about ``ROWS_PER_ROUND`` rows of each size (a short log many times). The figures are medians over
rounds, with their quartiles, and the ratio of the largest log's cost per row to the smallest's (1:
linear, and no cost per log); with the cost of scoring a log of no rows (the cost per log: every
requirement's result, the ratings). The same in bytecodes executed (``incident_bytecodes.executed``), which
do not drift with the machine's load: one scoring of each log, and of the log of no rows.

Beside them, what a ratio of 1.2 leaves a scorecard of the smallest log above its rows' cost at the
largest log's rate per row (``allowed_us_per_log``), and the least a scorecard of result tuples must do
(``floor_us_per_log``): make the smallest log's results, one per requirement, and rate them, checking
nothing. While the floor is above the allowance, no scorer that makes those results can reach 1.2.
"""

from __future__ import annotations

import json
import math
import statistics
import time
from dataclasses import replace

from drills import at_branches, demo  # benchmarks/, beside this file
from incident_bytecodes import executed as bytecodes

from drillsim.collector import few_collections
from drillsim.log.eventlog import EventLog
from drillsim.scoring.outcomes import RequirementResult
from drillsim.scoring.rating import rate
from drillsim.scoring.scorecard import Scorer
from drillsim.sim.engine import run_replication
from drillsim.sim.model import build_model
from drillsim.sim.seeds import replication_seed

SIZES = (100, 1_000, 10_000, 100_000)
ROWS_PER_ROUND = 100_000
EMPTY_PER_ROUND = 1_000  # logs of no rows scored in a round
CLOSE = 0.15  # a log this near its size will do


def log_of_about(rows: int) -> tuple[int, EventLog]:
    """Branches, and the log of one replication at that many branches, of about ``rows`` rows.

    Rows do not grow exactly as the branches, so each guess fits a power law through the last two tried."""
    plan, scenario = demo()

    def simulate(n: int) -> EventLog:
        return run_replication(build_model(plan, at_branches(scenario, n)), replication_seed(1, 0))

    tried: dict[int, EventLog] = {1: simulate(1)}
    n, prev = 1, None
    for _ in range(8):
        got = len(tried[n].rows)
        if abs(got - rows) <= CLOSE * rows:
            break
        power = 1.0 if prev is None else max(1.0, math.log(got / len(tried[prev].rows)) / math.log(n / prev))
        guess = max(1, round(n * (rows / got) ** (1 / power)))
        if guess in tried:
            break
        prev, n = n, guess
        tried[n] = simulate(n)
    n = min(tried, key=lambda k: abs(len(tried[k].rows) - rows))
    return n, tried[n]


def scoring_sizes(sizes: tuple[int, ...] = SIZES, rounds: int = 5) -> dict:
    plan, scenario = demo()
    scorer = Scorer(plan)
    incident_type = scenario.incident.type
    logs = {size: log_of_about(size) for size in sizes}
    samples: dict[int, dict[bool, list[float]]] = {size: {False: [], True: []} for size in sizes}
    empty, fixed, floor = replace(logs[sizes[0]][1], rows=[]), [], []
    made = scorer.results(logs[sizes[0]][1], incident_type)

    def least() -> None:  # the smallest log's results made again (positionally, the cheapest way) and rated
        rate([RequirementResult(*r) for r in made], plan.capabilities, plan.scoring)

    with few_collections():
        for _ in range(rounds):
            t0 = time.perf_counter()
            for _ in range(EMPTY_PER_ROUND):
                scorer.score(empty, incident_type, flow=False)
            fixed.append(1e6 * (time.perf_counter() - t0) / EMPTY_PER_ROUND)
            t0 = time.perf_counter()
            for _ in range(EMPTY_PER_ROUND):
                least()
            floor.append(1e6 * (time.perf_counter() - t0) / EMPTY_PER_ROUND)
            for size, (_, log) in logs.items():
                reps = max(1, ROWS_PER_ROUND // len(log.rows))
                for flow in (False, True):
                    t0 = time.perf_counter()
                    for _ in range(reps):
                        scorer.score(log, incident_type, flow=flow)
                    samples[size][flow].append(1e6 * (time.perf_counter() - t0) / (reps * len(log.rows)))
    out: dict = {"sizes": {}}
    for size in sizes:
        branches, log = logs[size]
        q = {flow: statistics.quantiles(v, n=4) if len(v) > 1 else [v[0]] * 3 for flow, v in samples[size].items()}
        out["sizes"][str(size)] = {
            "branches": branches, "rows": len(log.rows),
            "us_per_row": round(q[False][1], 3), "quartiles": [round(q[False][0], 3), round(q[False][2], 3)],
            "us_per_row_with_flow": round(q[True][1], 3),
            "quartiles_with_flow": [round(q[True][0], 3), round(q[True][2], 3)],
        }
    first, last = out["sizes"][str(sizes[0])], out["sizes"][str(sizes[-1])]
    out["per_row_ratio"] = round(last["us_per_row"] / first["us_per_row"], 3)
    out["per_row_ratio_with_flow"] = round(last["us_per_row_with_flow"] / first["us_per_row_with_flow"], 3)
    out["us_per_log"] = round(statistics.median(fixed), 1)
    out["allowed_us_per_log"] = round(0.2 * last["us_per_row"] * first["rows"], 1)
    out["floor_us_per_log"] = round(statistics.median(floor), 1)
    for size, (_, log) in logs.items():
        n = executed(lambda log=log: scorer.score(log, incident_type, flow=False))
        out["sizes"][str(size)]["bytecodes_per_row"] = round(n / len(log.rows), 1)
    out["per_row_ratio_bytecodes"] = round(out["sizes"][str(sizes[-1])]["bytecodes_per_row"]
                                           / out["sizes"][str(sizes[0])]["bytecodes_per_row"], 3)
    out["bytecodes_per_log"] = executed(lambda: scorer.score(empty, incident_type, flow=False))
    out["allowed_bytecodes_per_log"] = round(0.2 * out["sizes"][str(sizes[-1])]["bytecodes_per_row"] * first["rows"])
    out["floor_bytecodes_per_log"] = executed(least)
    out["rounds"] = rounds
    return out


def executed(work) -> int:
    """Bytecodes ``work`` executes, run once beforehand so that what is made once per plan is not counted."""
    work()
    return bytecodes(work)


if __name__ == "__main__":
    print(json.dumps(scoring_sizes(), indent=1))
