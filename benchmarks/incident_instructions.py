"""Instructions per incident-only replication, drillsim's against the hand-written model's
(``handwritten_robbery.py``), by part: seeding the random streams, setting up the replication, and
running it. Counted by callgrind, which does not drift as time does on a shared machine: the
difference of runs of 450 and 50 replications (``PYTHONHASHSEED=0``), so that start-up cancels;
``OPENBLAS_NUM_THREADS=1``, since OpenBLAS's idle worker thread counts differently from run to run.

    .venv/bin/python benchmarks/incident_instructions.py     # 12 runs under valgrind, two at a time: some minutes

Each run is this script again (``--run MODEL PART N``) under ``valgrind --tool=callgrind``; the
replications run as ``side_by_side`` runs them (drillsim's under ``few_collections``).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from drills import demo, without_customers  # benchmarks/, beside this file
from handwritten_robbery import HORIZON, SEED, Robbery, seeded

from drillsim.collector import few_collections
from drillsim.sim.model import build_model
from drillsim.sim.replication import Replication
from drillsim.sim.seeds import replication_seed, streams

MODELS = ("drillsim", "hand")
PARTS = ("seed", "setup", "full")  # each includes the ones before it
FEW, MANY = 50, 450


def replications(which: str, part: str, n: int) -> None:
    plan, scenario = demo()
    model = build_model(plan, without_customers(scenario))
    with few_collections() if which == "drillsim" else contextlib.nullcontext():
        for i in range(n):
            if which == "drillsim":
                rngs = streams(replication_seed(SEED, i))
                if part != "seed":
                    rep = Replication(model, rngs)
                    if part == "full":
                        rep.env.run(until=model.scenario.horizon)
                        rep.finish()
            else:
                rng = seeded(SEED, i)
                if part != "seed":
                    drill = Robbery(rng)
                    if part == "full":
                        drill.env.run(until=HORIZON)


def instructions(which: str, part: str, n: int) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "callgrind.out"
        subprocess.run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", sys.executable, __file__,
                        "--run", which, part, str(n)], check=True, capture_output=True,
                       env={**os.environ, "PYTHONHASHSEED": "0", "OPENBLAS_NUM_THREADS": "1"})
        summary = next(line for line in out.read_text().splitlines() if line.startswith("summary:"))
    return int(summary.split()[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--run", nargs=3, metavar=("MODEL", "PART", "N"), help="run replications (under valgrind)")
    args = parser.parse_args()
    if args.run:
        replications(args.run[0], args.run[1], int(args.run[2]))
        return
    runs = [(which, part, n) for which in MODELS for part in PARTS for n in (FEW, MANY)]
    with ThreadPoolExecutor(2) as pool:
        counts = dict(zip(runs, pool.map(lambda r: instructions(*r), runs), strict=True))
    per = {(w, p): (counts[w, p, MANY] - counts[w, p, FEW]) / (MANY - FEW) for w in MODELS for p in PARTS}
    out: dict = {}
    for w in MODELS:
        seed, setup, full = (per[w, p] for p in PARTS)
        out[w] = {"seeding": round(seed), "set_up": round(setup - seed), "run": round(full - setup),
                  "total": round(full)}
    out["ratio_drillsim_to_hand"] = {k: round(out["drillsim"][k] / out["hand"][k], 3) for k in out["hand"]}
    print(json.dumps({"instructions_per_replication": out}, indent=1))


if __name__ == "__main__":
    main()
