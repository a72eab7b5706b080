"""``drillsim score`` on a long drill log, end to end as typed: its time and its peak memory.

    .venv/bin/python benchmarks/long_log.py [--rows 100000] [--turns 3]

The log is one replication of the demo robbery at as many branches at once as give about that many
rows (``scoring_sizes.log_of_about``), written as ``drillsim run`` writes ``events.csv``. The command
then reads it, scores it and writes the scorecard, the report and the After-Action Report, as for an
evaluator's log. Its time is the wall-clock time of the whole process (start-up and imports included);
its peak memory the process's own high-water mark (``VmHWM``, read as it exits); and the seconds
of it Python's cyclic garbage collector ran (timed by ``gc.callbacks``).
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from drills import PLAN  # benchmarks/, beside this file
from scoring_sizes import log_of_about

SCORE = """
import gc, json, sys, time
collecting = {"seconds": 0.0, "since": 0.0}
def timed(phase, _info):
    if phase == "start":
        collecting["since"] = time.perf_counter()
    else:
        collecting["seconds"] += time.perf_counter() - collecting["since"]
gc.callbacks.append(timed)
from drillsim.cli import run_command
try:
    code = run_command(sys.argv[1:])
finally:
    hwm = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM:"))
    open(sys.argv[-1] + ".stats", "w").write(json.dumps({"hwm_kb": hwm, "gc_seconds": collecting["seconds"]}))
sys.exit(code)
"""


def long_log(rows: int = 100_000, turns: int = 3) -> dict:
    """``drillsim score`` on a log of about ``rows`` rows, ``turns`` times: seconds and peak MB of each, medians."""
    branches, log = log_of_about(rows)
    folder = Path(tempfile.mkdtemp())
    try:
        events = log.write_csv(folder / "events.csv")
        seconds, peaks, collecting = [], [], []
        for turn in range(turns):
            out = folder / f"drill-{turn}"
            start = time.perf_counter()
            subprocess.run([sys.executable, "-c", SCORE, "score", PLAN, str(events), "--out", str(out)],
                           check=True, capture_output=True)
            seconds.append(time.perf_counter() - start)
            stats = json.loads(Path(str(out) + ".stats").read_text())
            peaks.append(stats["hwm_kb"] / 1024)
            collecting.append(stats["gc_seconds"])
            if not (out / "scorecard.json").exists():
                raise RuntimeError(f"drillsim score wrote no scorecard in {out}")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return {"rows": len(log.rows), "branches": branches, "turns": turns,
            "seconds": [round(s, 2) for s in seconds], "median_seconds": round(statistics.median(seconds), 2),
            "peak_mb": [round(m) for m in peaks], "median_peak_mb": round(statistics.median(peaks)),
            "gc_seconds": [round(s, 2) for s in collecting],
            "median_gc_seconds": round(statistics.median(collecting), 2)}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--turns", type=int, default=3)
    args = parser.parse_args()
    print(json.dumps(long_log(args.rows, args.turns), indent=1))
