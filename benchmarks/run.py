"""drillsim's speed, measured as ratios in one run so the figures hold on a noisy machine.

    .venv/bin/python benchmarks/run.py            # or: make bench
    .venv/bin/python benchmarks/run.py --quick    # smaller counts, for a look

Prints, and writes to benchmarks/results/<date>.json:

* engine overhead: SimPy events per second inside replications of the demo robbery drill, against
  a bare-SimPy loop (one process on ``env.timeout(1)``), in many short alternating rounds; the
  median of the rounds' ratios;
* throughput: 10,000 replications of the demo drill, scored, on 2 workers: seconds, time per
  replication, events per replication;
* parallel speed-up: the same on 1 worker against 2;
* memory: peak resident memory of 100,000 replications against 10,000 (main process and workers).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import simpy

import drillsim
from drillsim.sim.engine import back_to_back
from drillsim.sim.replication import Replication
from drillsim.sim.seeds import replication_seed, streams

PLAN, SCENARIO = "counter-robbery", "armed-robbery-injured"
HERE = Path(__file__).resolve().parent


def bare_simpy(events: int) -> float:
    env = simpy.Environment()

    def loop(env):
        while True:
            yield env.timeout(1)

    env.process(loop(env))
    start = time.perf_counter()
    env.run(until=events)
    return events / (time.perf_counter() - start)


def drillsim_events(model, reps: int, first: int) -> tuple[float, float]:
    """Events processed per second and per replication, replication set-up included, run as the
    batch runner runs them (``back_to_back``)."""
    events = 0
    with back_to_back():
        start = time.perf_counter()
        for i in range(first, first + reps):
            rep = Replication(model, streams(replication_seed(1, i)))
            rep.env.run(until=model.scenario.horizon)
            rep.finish()
            events += next(rep.env._eid) - len(rep.env._queue)  # scheduled, less those still pending
        elapsed = time.perf_counter() - start
    return events / elapsed, events / reps


def overhead(rounds: int) -> dict:
    """Short rounds, each a bare-SimPy run then a run of drillsim replications of about the same
    length (some 50 ms each), so that both halves of a round see the machine in the same state;
    the median of the rounds' ratios."""
    plan = drillsim.load_plan(PLAN)
    model = drillsim.build(plan, drillsim.load_scenario(SCENARIO, plan))
    drillsim_events(model, 50, 10**6)  # warm up
    reps = 40
    ratios, bare_rates, rates, per_rep = [], [], [], []
    for r in range(rounds):
        bare = bare_simpy(50_000)
        rate, events = drillsim_events(model, reps, r * reps)
        ratios.append(rate / bare)
        bare_rates.append(bare)
        rates.append(rate)
        per_rep.append(events)
    q1, median, q3 = statistics.quantiles(ratios, n=4)
    return {"rounds": rounds, "replications_per_round": reps, "bare_events_per_round": 50_000,
            "bare_events_per_s": round(statistics.median(bare_rates)),
            "drillsim_events_per_s": round(statistics.median(rates)),
            "ratio": round(median, 3), "ratio_quartiles": [round(q1, 3), round(q3, 3)],
            "ratio_of_best_rates": round(max(rates) / max(bare_rates), 3),
            "events_per_replication": round(statistics.fmean(per_rep), 1)}


def many(reps: int, workers: int) -> dict:
    """Run in a fresh process, so that its peak memory is its own."""
    code = f"""
import json, resource, sys, tempfile, time
from pathlib import Path
import drillsim
from drillsim.many_runs import run_many
plan = drillsim.load_plan({PLAN!r}); sc = drillsim.load_scenario({SCENARIO!r}, plan)
out = Path(tempfile.mkdtemp()) / "run"
t = time.perf_counter()
run_many(plan, sc, {reps}, 1, out, workers={workers}, examples=0)
elapsed = time.perf_counter() - t
print(json.dumps({{"seconds": elapsed,
                  "peak_rss_mb_main": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "peak_rss_mb_worker": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
                  "out": str(out.parent)}}))
"""
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    shutil.rmtree(result.pop("out"), ignore_errors=True)
    result["ms_per_replication"] = 1000 * result["seconds"] / reps
    return {k: round(v, 3) for k, v in result.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller counts")
    args = parser.parse_args()
    small, large = (1_000, 5_000) if args.quick else (10_000, 100_000)
    figures = {
        "date": date.today().isoformat(),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform(),
                    "processor": platform.processor() or platform.machine(), "simpy": simpy.__version__},
        "drill": f"{PLAN} / {SCENARIO}",
    }
    print("engine overhead …", flush=True)
    figures["overhead"] = overhead(rounds=20 if args.quick else 80)
    print(json.dumps(figures["overhead"]), flush=True)
    print(f"{small:,} replications on 2 workers …", flush=True)
    two = many(small, 2)
    print(json.dumps(two), flush=True)
    print(f"{small:,} replications on 1 worker …", flush=True)
    one = many(small, 1)
    print(json.dumps(one), flush=True)
    print(f"{large:,} replications on 2 workers (memory) …", flush=True)
    big = many(large, 2)
    print(json.dumps(big), flush=True)
    figures["throughput"] = {"replications": small, "workers_2": two, "workers_1": one,
                             "speedup_2_workers": round(one["seconds"] / two["seconds"], 3)}
    figures["memory"] = {
        "replications": [small, large], f"workers_2_at_{large}": big,
        "ratio_main": round(big["peak_rss_mb_main"] / two["peak_rss_mb_main"], 3),
        "ratio_worker": round(big["peak_rss_mb_worker"] / two["peak_rss_mb_worker"], 3),
    }
    results = HERE / "results"
    results.mkdir(exist_ok=True)
    path = results / f"{figures['date']}{'-quick' if args.quick else ''}.json"
    path.write_text(json.dumps(figures, indent=1) + "\n", encoding="utf-8")
    o, t, m = figures["overhead"], figures["throughput"], figures["memory"]
    print(f"""
engine overhead   drillsim {o['drillsim_events_per_s']:,} events/s vs bare SimPy {o['bare_events_per_s']:,}: \
ratio {o['ratio']} (quartiles {o['ratio_quartiles'][0]}–{o['ratio_quartiles'][1]} over {o['rounds']} rounds; \
{o['events_per_replication']} events per replication)
throughput        {small:,} replications scored on 2 workers: {two['seconds']:.1f} s, \
{two['ms_per_replication']:.2f} ms each
speed-up          1 worker {one['seconds']:.1f} s / 2 workers {two['seconds']:.1f} s = {t['speedup_2_workers']}
memory            peak RSS {large:,} / {small:,} replications: main {m['ratio_main']}, worker {m['ratio_worker']}
written to {path}""")


if __name__ == "__main__":
    main()
