"""The demo robbery at 1, 10 and 100 branches at once: time per branch of simulating and of scoring,
and the simulation's cost per SimPy event (issue #14: at 100 branches within 1.3 × that of one).

    .venv/bin/python benchmarks/many_branches.py

A planner's stress test strikes many branches at once; their reports queue at the same offices,
so rows per branch change with the branches (more waiting and fallbacks, fewer calls answered). Each size runs in
alternating rounds, so that every size sees the machine in the same states; the figure is the
median over rounds, with its quartiles.
"""

from __future__ import annotations

import json
import statistics
import time

from drills import at_branches, demo  # benchmarks/, beside this file

from drillsim.collector import few_collections
from drillsim.scoring.scorecard import Scorer
from drillsim.sim.engine import run_replication
from drillsim.sim.model import build_model
from drillsim.sim.replication import Replication
from drillsim.sim.seeds import replication_seed, streams

SIZES = (1, 10, 100)
BRANCHES_PER_ROUND = 200  # replications of each size in a round: this many branches in all


def many_branches(sizes: tuple[int, ...] = SIZES, rounds: int = 7) -> dict:
    plan, scenario = demo()
    scorer = Scorer(plan)
    models = {n: build_model(plan, at_branches(scenario, n)) for n in sizes}
    samples: dict[int, dict[str, list[float]]] = {n: {"sim": [], "score": [], "rows": []} for n in sizes}
    incident_type = scenario.incident.type
    with few_collections():
        for r in range(rounds):
            for n, model in models.items():
                reps = max(1, BRANCHES_PER_ROUND // n)
                sim = score = 0.0
                rows = 0
                for i in range(reps):
                    t0 = time.perf_counter()
                    log = run_replication(model, replication_seed(1, r * reps + i))
                    t1 = time.perf_counter()
                    scorer.score(log, incident_type, flow=False)
                    score += time.perf_counter() - t1
                    sim += t1 - t0
                    rows += len(log.rows)
                samples[n]["sim"].append(1000 * sim / (reps * n))
                samples[n]["score"].append(1000 * score / (reps * n))
                samples[n]["rows"].append(rows / (reps * n))
    out: dict = {"sizes": {}}
    for n in sizes:
        s = samples[n]
        q = {k: statistics.quantiles(v, n=4) if len(v) > 1 else [v[0]] * 3 for k, v in s.items() if k != "rows"}
        out["sizes"][str(n)] = {
            "ms_per_branch_simulated": round(q["sim"][1], 4), "quartiles_simulated": [round(q["sim"][0], 4),
                                                                                      round(q["sim"][2], 4)],
            "ms_per_branch_scored": round(q["score"][1], 4), "quartiles_scored": [round(q["score"][0], 4),
                                                                                   round(q["score"][2], 4)],
            "rows_per_branch": round(statistics.fmean(s["rows"]), 1),
            "scoring_share": round(q["score"][1] / (q["sim"][1] + q["score"][1]), 3),
        }
    for n, model in models.items():  # events are the same whenever a seed is run: counted once, untimed
        reps = max(1, BRANCHES_PER_ROUND // n)
        events = sum(_events(model, replication_seed(1, i)) for i in range(reps))
        size = out["sizes"][str(n)]
        size["events_per_branch"] = round(events / (reps * n), 1)
        size["us_per_event"] = round(1000 * size["ms_per_branch_simulated"] / size["events_per_branch"], 3)
    first, last = out["sizes"][str(sizes[0])], out["sizes"][str(sizes[-1])]
    out["per_event_ratio"] = round(last["us_per_event"] / first["us_per_event"], 3)
    out["simulated_per_branch_ratio"] = round(last["ms_per_branch_simulated"] / first["ms_per_branch_simulated"], 3)
    out["rounds"] = rounds
    return out


def _events(model, seed) -> int:
    """SimPy events a replication processes: scheduled, less those still pending when it stops."""
    rep = Replication(model, streams(seed))
    rep.env.run(until=model.scenario.horizon)
    return next(rep.env._eid) - len(rep.env._queue)


if __name__ == "__main__":
    print(json.dumps(many_branches(), indent=1))
