"""drillsim's speed, measured as ratios in one run so the figures hold on a noisy machine.

    .venv/bin/python benchmarks/run.py                 # or: make bench (three and a half minutes)
    .venv/bin/python benchmarks/run.py --quick         # smaller counts, for a look
    .venv/bin/python benchmarks/run.py --only cost,scoring

Prints, and writes to benchmarks/results/<date>[-sections].json (<date>T<hhmm>… when that day's file
is there already), one section each:

* ``cost``: what a replication of the demo drill costs in bare-SimPy events, with customers and
  for the incident alone (``replication_cost.py``); and, from the same rounds, for continuity with
  older figures, SimPy events per second in replications against the bare loop;
* ``handwritten``: the incident alone against the same incident written by hand in plain SimPy
  (``handwritten_robbery.py``): per replication, per log row and per SimPy event;
* ``bytecodes``: the same comparison in bytecodes executed per replication, which does not drift
  (``incident_bytecodes.py``);
* ``scoring``: scoring logs of 100 to 100,000 rows, per row (``scoring_sizes.py``);
* ``branches``: the demo robbery at 1, 10 and 100 branches at once (``many_branches.py``);
* ``longlog``: ``drillsim score`` on a drill log of 100,000 rows, end to end, with its peak memory
  (``long_log.py``);
* ``plans``: the demo plan with 100 to 3,000 more duties, reports and requirements, checked, compiled
  and made into a scorer (``plan_sizes.py``);
* ``batch``: 10,000 scored replications on 1 and 2 workers, the batch and its summary and report
  timed apart; the parallel speed-up;
* ``command``: ``drillsim run … --reps 10000`` end to end, as a user types it, with and without
  its examples;
* ``memory``: peak resident memory of 100,000 replications against 10,000.
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
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import simpy

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from drills import PLAN, SCENARIO  # noqa: E402  (benchmarks/, beside this file)
from replication_cost import replication_cost  # noqa: E402

SECTIONS = ("cost", "handwritten", "bytecodes", "scoring", "branches", "longlog", "plans", "batch", "command", "memory")


def _fresh(code: str) -> dict:
    """Run ``code`` in a fresh Python process, which prints one JSON line last."""
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def batch(reps: int, workers: int) -> dict:
    """``reps`` scored replications in a fresh process: the batch (run, score, save the results),
    then the summary and the report, timed apart; peak memory of the main process (its own
    high-water mark: ``ru_maxrss`` would keep this benchmark's, which Linux carries across exec)
    and of the workers."""
    result = _fresh(f"""
import json, resource, tempfile, time
from pathlib import Path
import drillsim
from drillsim.many_runs import _write_summary, aggregator, drill_job
from drillsim.runner import iterate_batch
plan = drillsim.load_plan({PLAN!r}); sc = drillsim.load_scenario({SCENARIO!r}, plan)
out = Path(tempfile.mkdtemp()) / "run"
t0 = time.perf_counter()
job = drill_job(plan, sc, {reps}, 1, 200)
agg = aggregator(plan)
for res in iterate_batch(job, out, {workers}):
    agg.add(res.reps, res.outcome, res.latency, res.score, res.credit)
t1 = time.perf_counter()
_write_summary(job, agg, out, 0)
t2 = time.perf_counter()
hwm = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM:"))
print(json.dumps({{"batch_seconds": t1 - t0, "report_seconds": t2 - t1,
                  "peak_rss_mb_main": hwm / 1024,
                  "peak_rss_mb_worker": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
                  "out": str(out.parent)}}))
""")
    shutil.rmtree(result.pop("out"), ignore_errors=True)
    result["ms_per_replication"] = 1000 * result["batch_seconds"] / reps
    return {k: round(v, 3) for k, v in result.items()}


def batch_speedup(reps: int, turns: int) -> dict:
    """1 and 2 workers in turn, ``turns`` times; the speed-up of the medians, of the batch and of
    the batch with its summary and report."""
    one, two = [], []
    for _ in range(turns):
        one.append(batch(reps, 1))
        two.append(batch(reps, 2))

    def med(runs: list[dict], key: str) -> float:
        return statistics.median(r[key] for r in runs)

    whole = {k: med(r, "batch_seconds") + med(r, "report_seconds") for k, r in (("one", one), ("two", two))}
    ratios = sorted(a["batch_seconds"] / b["batch_seconds"] for a, b in zip(one, two, strict=True))
    return {"replications": reps, "turns": turns, "workers_1": one, "workers_2": two,
            "speedup_batch": round(med(one, "batch_seconds") / med(two, "batch_seconds"), 3),
            "speedup_batch_per_turn": [round(r, 3) for r in ratios],
            "speedup_with_report": round(whole["one"] / whole["two"], 3),
            "report_seconds": round(med(two, "report_seconds"), 3)}


def command(reps: int, turns: int) -> dict:
    """``drillsim run … --reps N --workers 2`` end to end, as typed (imports and examples
    included), with its default examples and with ``--examples 0``."""
    exe = Path(sys.executable).with_name("drillsim")
    seconds: dict[str, list[float]] = {"default": [], "no_examples": []}
    for _ in range(turns):
        for key, extra in (("default", []), ("no_examples", ["--examples", "0"])):
            out = Path(tempfile.mkdtemp())
            start = time.perf_counter()
            subprocess.run([str(exe), "run", PLAN, SCENARIO, "--reps", str(reps), "--seed", "1", "--workers", "2",
                            "--out", str(out / "run"), *extra], check=True, capture_output=True)
            seconds[key].append(time.perf_counter() - start)
            shutil.rmtree(out, ignore_errors=True)
    med = {k: statistics.median(v) for k, v in seconds.items()}
    return {"replications": reps, "turns": turns, "seconds": {k: [round(x, 2) for x in v] for k, v in seconds.items()},
            "median_seconds": {k: round(v, 2) for k, v in med.items()},
            "examples_seconds": round(med["default"] - med["no_examples"], 2)}


def memory(small: int, large: int) -> dict:
    few, many = batch(small, 2), batch(large, 2)
    return {"replications": [small, large], "workers_2": [few, many],
            "ratio_main": round(many["peak_rss_mb_main"] / few["peak_rss_mb_main"], 3),
            "ratio_worker": round(many["peak_rss_mb_worker"] / few["peak_rss_mb_worker"], 3)}


def results_path(results: Path, started: datetime, suffix: str) -> Path:
    """Where a run's figures go: named by its day, and by its time too when an earlier run that day
    has the name (whose figures are kept)."""
    results.mkdir(exist_ok=True)
    path = results / f"{started:%Y-%m-%d}{suffix}.json"
    return results / f"{started:%Y-%m-%dT%H%M}{suffix}.json" if path.exists() else path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller counts")
    parser.add_argument("--only", help=f"comma-separated sections of {', '.join(SECTIONS)}")
    args = parser.parse_args()
    only = SECTIONS if not args.only else tuple(args.only.split(","))
    unknown = set(only) - set(SECTIONS)
    if unknown:
        parser.error(f"unknown section(s) {', '.join(sorted(unknown))}: choose from {', '.join(SECTIONS)}")
    quick = args.quick
    small, large = (1_000, 5_000) if quick else (10_000, 100_000)
    started = datetime.now(UTC)
    figures: dict = {
        "date": started.date().isoformat(), "started": started.strftime("%H:%M UTC"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform(),
                    "processor": platform.processor() or platform.machine(), "simpy": simpy.__version__},
        "drill": f"{PLAN} / {SCENARIO}", "quick": quick,
    }

    def section(name: str, what: str, work) -> None:
        if name in only:
            print(f"{name}: {what} …", flush=True)
            start = time.perf_counter()
            figures[name] = work()
            figures[name]["benchmark_seconds"] = round(time.perf_counter() - start, 1)
            print(json.dumps(figures[name]), flush=True)

    rounds = 10 if quick else 40
    section("cost", "a replication in bare-SimPy events", lambda: {
        "demo": replication_cost(rounds), "incident_alone": replication_cost(rounds, incident_only=True)})

    def handwritten() -> dict:
        from handwritten_robbery import side_by_side

        return side_by_side(rounds=rounds // 2)

    section("handwritten", "the incident against a hand-written SimPy model", handwritten)

    def bytecodes() -> dict:
        from incident_bytecodes import side_by_side

        return side_by_side(50 if quick else 300)

    section("bytecodes", "the same in bytecodes executed", bytecodes)

    def scoring() -> dict:
        from scoring_sizes import scoring_sizes

        return scoring_sizes(rounds=3 if quick else 5)

    section("scoring", "scoring logs of 100 to 100,000 rows", scoring)

    def branches() -> dict:
        from many_branches import many_branches

        return many_branches(rounds=3 if quick else 7)

    section("branches", "the demo at 1, 10 and 100 branches", branches)

    def longlog() -> dict:
        from long_log import long_log

        return long_log(10_000 if quick else 100_000, 1 if quick else 3)

    section("longlog", "drillsim score on a long drill log", longlog)

    def plans() -> dict:
        from plan_sizes import plan_sizes

        return plan_sizes(rounds=3 if quick else 5)

    section("plans", "the demo plan with 100 to 3,000 more duties, reports and requirements", plans)
    section("batch", f"{small:,} replications on 1 and 2 workers",
            lambda: batch_speedup(small, 1 if quick else 3))
    section("command", f"drillsim run --reps {small:,} end to end", lambda: command(small, 1 if quick else 3))
    section("memory", f"{large:,} replications against {small:,}", lambda: memory(small, large))

    suffix = ("-quick" if quick else "") + ("-" + "-".join(only) if args.only else "")
    path = results_path(HERE / "results", started, suffix)
    path.write_text(json.dumps(figures, indent=1) + "\n", encoding="utf-8")
    print(f"written to {path}")


if __name__ == "__main__":
    main()
