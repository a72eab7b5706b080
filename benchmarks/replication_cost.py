"""What a replication of the demo drill costs, in bare-SimPy events.

    .venv/bin/python benchmarks/replication_cost.py                    # this checkout
    .venv/bin/python benchmarks/replication_cost.py --incident         # the incident alone, no customers
    .venv/bin/python benchmarks/replication_cost.py --against ../old   # side by side with another checkout

The cost is the time of one replication (its set-up included, run as the batch runner runs them,
unscored) divided by the time bare SimPy takes for one event (one process on ``env.timeout(1)``),
both measured in the same short round, so that it holds on a machine whose speed drifts; the
figure is the median over alternating rounds, with its quartiles. It falls when a replication gets
cheaper however its work is split into events, unlike the ratio of events per second, which a
change that saves events (and time) can lower.

``--against DIR`` runs the rounds in turn in this checkout and in DIR's (with DIR's
``.venv/bin/python``), each round in a fresh process, so that both see the machine alike. The
script uses only what drillsim has had since before the reshape of issue #10 (commit ``8d064f5``).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

PLAN, SCENARIO = "counter-robbery", "armed-robbery-injured"
BARE_EVENTS = 50_000


def bare_event_seconds(events: int = BARE_EVENTS) -> float:
    import simpy

    env = simpy.Environment()

    def loop(env):
        while True:
            yield env.timeout(1)

    env.process(loop(env))
    start = time.perf_counter()
    env.run(until=events)
    return (time.perf_counter() - start) / events


def _model(incident_only: bool):
    import drillsim

    plan = drillsim.load_plan(PLAN)
    scenario = drillsim.load_scenario(SCENARIO, plan)
    if incident_only:
        branches = tuple(b.model_copy(update={"customers": b.customers.model_copy(update={"arrivals_per_hour": 0})})
                         for b in scenario.branches)
        scenario = scenario.model_copy(update={"branches": branches})
    return drillsim.build(plan, scenario)


def _replication_class():
    try:
        from drillsim.sim.replication import Replication
    except ImportError:  # before the reshape of issue #10
        from drillsim.sim.engine import Replication
    return Replication


def one_round(model, reps: int, first: int) -> dict:
    """A bare-SimPy run, then ``reps`` replications: their cost in bare events, rows and events."""
    from drillsim.collector import few_collections
    from drillsim.sim.seeds import replication_seed, streams

    replication = _replication_class()
    bare = bare_event_seconds()
    rows = events = 0
    with few_collections():
        start = time.perf_counter()
        for i in range(first, first + reps):
            rep = replication(model, streams(replication_seed(1, i)))
            rep.env.run(until=model.scenario.horizon)
            rep.finish()
            rows += len(rep.rows)
            events += next(rep.env._eid) - len(rep.env._queue)  # scheduled, less those still pending
        elapsed = time.perf_counter() - start
    return {"cost": elapsed / reps / bare, "rows": rows / reps, "events": events / reps,
            "us_per_replication": 1e6 * elapsed / reps, "us_per_bare_event": 1e6 * bare}


def _summary(rounds: list[dict]) -> dict:
    costs = [r["cost"] for r in rounds]
    q1, median, q3 = statistics.quantiles(costs, n=4)
    # the figure recorded before this one: SimPy events per second in replications / in the bare loop
    e1, events_ratio, e3 = statistics.quantiles([r["events"] / r["cost"] for r in rounds], n=4)
    return {"rounds": len(rounds), "bare_events_per_replication": round(median, 1),
            "quartiles": [round(q1, 1), round(q3, 1)],
            "bare_events_per_row": round(median / rounds[0]["rows"], 2),
            "rows_per_replication": round(statistics.fmean(r["rows"] for r in rounds), 1),
            "events_per_replication": round(statistics.fmean(r["events"] for r in rounds), 1),
            "us_per_replication": round(statistics.median(r["us_per_replication"] for r in rounds), 1),
            "us_per_bare_event": round(statistics.median(r["us_per_bare_event"] for r in rounds), 3),
            "events_per_second_ratio": round(events_ratio, 3), "events_per_second_quartiles": [round(e1, 3),
                                                                                              round(e3, 3)]}


def replication_cost(rounds: int = 40, reps: int = 40, incident_only: bool = False) -> dict:
    """The median cost over ``rounds`` rounds of ``reps`` replications each, in this process."""
    model = _model(incident_only)
    one_round(model, reps, 10**6)  # warm up
    return _summary([one_round(model, reps, r * reps) for r in range(rounds)])


def _round_in(checkout: Path, rounds: int, reps: int, first: int, incident_only: bool) -> list[dict]:
    cmd = [str(checkout / ".venv" / "bin" / "python"), __file__, "--rounds", str(rounds), "--reps", str(reps),
           "--first", str(first), "--raw"] + (["--incident"] if incident_only else [])
    proc = subprocess.run(cmd, capture_output=True, text=True, check=True, cwd=checkout)
    return json.loads(proc.stdout)


def side_by_side(other: Path, turns: int = 10, rounds: int = 4, reps: int = 40, incident_only: bool = False) -> dict:
    """``turns`` turns, each a fresh process here and then one in ``other``, of ``rounds`` rounds
    each; the cost in each checkout, and the ratio of the medians (here / other)."""
    here = Path(__file__).resolve().parent.parent
    mine: list[dict] = []
    theirs: list[dict] = []
    for t in range(turns):
        mine += _round_in(here, rounds, reps, t * rounds * reps, incident_only)
        theirs += _round_in(other.resolve(), rounds, reps, t * rounds * reps, incident_only)
    a, b = _summary(mine), _summary(theirs)
    ratios = [m["cost"] / o["cost"] for m, o in zip(mine, theirs, strict=True)]
    q1, median, q3 = statistics.quantiles(ratios, n=4)
    return {"here": a, "other": b, "other_checkout": str(other),
            "ratio_of_medians": round(a["bare_events_per_replication"] / b["bare_events_per_replication"], 3),
            "ratio_per_round": {"median": round(median, 3), "quartiles": [round(q1, 3), round(q3, 3)]}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--reps", type=int, default=40)
    parser.add_argument("--incident", action="store_true", help="the incident alone, no customers")
    parser.add_argument("--against", type=Path, help="another checkout, measured in turn with this one")
    parser.add_argument("--first", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--raw", action="store_true", help=argparse.SUPPRESS)  # one turn of --against
    args = parser.parse_args()
    if args.raw:
        model = _model(args.incident)
        one_round(model, args.reps, 10**6)
        print(json.dumps([one_round(model, args.reps, args.first + r * args.reps) for r in range(args.rounds)]))
    elif args.against:
        print(json.dumps(side_by_side(args.against, incident_only=args.incident), indent=1))
    else:
        print(json.dumps(replication_cost(args.rounds, args.reps, args.incident), indent=1))


if __name__ == "__main__":
    sys.exit(main())
