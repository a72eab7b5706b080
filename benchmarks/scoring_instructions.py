"""Instructions per row of scoring logs of about 10,000 and 100,000 rows: whether the work of scoring is
linear in the log, apart from what the memory of a long log costs in time.

    .venv/bin/python benchmarks/scoring_instructions.py     # four runs under valgrind, two at a time: minutes

Each log is the demo robbery at many branches at once (``scoring_sizes.log_of_about``). A run is this
script again (``--run ROWS TIMES``) under ``valgrind --tool=callgrind``: it simulates the log and scores
it ``TIMES`` times. The difference between a run scoring it ``TIMES`` times and one scoring it once,
divided by the extra scorings and the rows, is the instructions of scoring one row (the first
scoring, and the simulation, cancel).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from drills import demo  # benchmarks/, beside this file
from scoring_sizes import log_of_about

from drillsim.scoring.scorecard import Scorer

SIZES = {10_000: 4, 100_000: 2}  # rows -> times scored in the longer run


def score(rows: int, times: int) -> None:
    plan, scenario = demo()
    _, log = log_of_about(rows)
    scorer = Scorer(plan)
    for _ in range(times):
        scorer.score(log, scenario.incident.type, flow=False)
    print(len(log.rows))


def instructions(rows: int, times: int) -> tuple[int, int]:
    """(instructions, rows of the log) of a run scoring a log of about ``rows`` rows ``times`` times."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "callgrind.out"
        ran = subprocess.run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", sys.executable, __file__,
                              "--run", str(rows), str(times)], check=True, capture_output=True, text=True,
                             env={**os.environ, "PYTHONHASHSEED": "0", "OPENBLAS_NUM_THREADS": "1"})
        summary = next(line for line in out.read_text().splitlines() if line.startswith("summary:"))
    return int(summary.split()[1]), int(ran.stdout.split()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--run", nargs=2, type=int, metavar=("ROWS", "TIMES"), help="score a log (under valgrind)")
    args = parser.parse_args()
    if args.run:
        score(*args.run)
        return
    runs = [(rows, times) for rows, many in SIZES.items() for times in (1, many)]
    with ThreadPoolExecutor(2) as pool:
        counts = dict(zip(runs, pool.map(lambda r: instructions(*r), runs), strict=True))
    per_row = {}
    for rows, many in SIZES.items():
        (once, n), (more, _) = counts[rows, 1], counts[rows, many]
        per_row[rows] = {"rows": n, "instructions_per_row": round((more - once) / (many - 1) / n)}
    largest, smallest = per_row[max(SIZES)], per_row[min(SIZES)]
    print(json.dumps({"scoring_instructions": per_row,
                      "ratio": round(largest["instructions_per_row"] / smallest["instructions_per_row"], 3)},
                     indent=1))


if __name__ == "__main__":
    main()
