"""How often calibration recovers known parameters, and how far the naive fit is off: many synthetic
histories, each fitted with the censored drills kept and with them dropped.

    .venv/bin/python benchmarks/calibration_recovery.py [--histories 10] [--drills 60] [--reps 200]
                                                        [--prior-factor 2] [--case everyone|teller]

Each history is ``--drills`` drills of the demo (counter-robbery, armed-robbery-injured) played with
the truth of the case (:data:`CASES`: people reacting twice as slowly as the default, or only the
teller four times as slowly), each stopped a random time after the incident began and stamped to
the second (``drillsim.synthetic_drills``). Prints and
writes to benchmarks/results/<date>-calibration.json, per parameter: how many 95 % intervals hold the
truth, and the median estimate, censored and naive.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path

import yaml

import drillsim
from drillsim.calibration import Options, calibrate
from drillsim.synthetic_drills import synthetic_history

PLAN, SCENARIO = "counter-robbery", "armed-robbery-injured"
CASES = {
    # people react twice as slowly as the default; fitted pooled (the default)
    "everyone": ({"scenario.parameters.human.reaction": {"lognormal": {"median": 0.5, "p90": 2.0}}},
                 {"reaction": 2.0, "latency:phone": 1.0}, False, (0.3, 2.0)),
    # only the teller does, four times as slowly; fitted by role (--by-role)
    "teller": ({"scenario.parameters.human.reaction_by_role.teller": {"lognormal": {"median": 1.0, "p90": 4.0}}},
               {"reaction:teller": 4.0, "reaction:cash_teller": 1.0, "latency:phone": 1.0}, True, (0.3, 4.0)),
}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--histories", type=int, default=10)
    ap.add_argument("--drills", type=int, default=60)
    ap.add_argument("--reps", type=int, default=200)
    ap.add_argument("--prior-factor", type=float, default=2.0)
    ap.add_argument("--case", choices=list(CASES), default="everyone")
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    args = ap.parse_args()
    values, truths, by_role, stop = CASES[args.case]
    plan = drillsim.load_plan(PLAN)
    rows, started = [], time.perf_counter()
    with tempfile.TemporaryDirectory() as folder:
        truth = Path(folder) / "truth.yaml"
        truth.write_text(yaml.safe_dump({"schema": "drillsim.overlay/1", "plan": PLAN, "set": values}), "utf-8")
        scenario = drillsim.load_scenario(SCENARIO, plan, truth)
        for h in range(args.histories):
            db = Path(folder) / f"h{h}.sqlite"
            synthetic_history(plan, scenario, db, args.drills, seed=1000 + h, stop=stop)
            for censoring in (True, False):
                result = calibrate(PLAN, db, Options(reps=args.reps, workers=args.workers, censoring=censoring,
                                                     prior_factor=args.prior_factor, by_role=by_role))
                for p in result.parameters:
                    if p.factor.id in truths:
                        lo, hi = p.interval
                        rows.append({"history": h, "censoring": censoring, "parameter": p.factor.id,
                                     "estimate": p.multiplier, "low": lo, "high": hi,
                                     "covers": lo <= truths[p.factor.id] <= hi})
            print(f"history {h + 1}/{args.histories} done", flush=True)
    summary = []
    for censoring in (True, False):
        for fid, truth_value in truths.items():
            mine = [r for r in rows if r["censoring"] == censoring and r["parameter"] == fid]
            if mine:
                summary.append({"fit": "censored" if censoring else "naive", "parameter": fid, "truth": truth_value,
                                "fitted_in": len(mine), "intervals_holding_truth": sum(r["covers"] for r in mine),
                                "median_estimate": statistics.median(r["estimate"] for r in mine),
                                "estimates": [round(r["estimate"], 3) for r in mine]})
    for s in summary:
        print(f"{s['fit']:8} {s['parameter']:14} truth {s['truth']}: {s['intervals_holding_truth']}/{s['fitted_in']} "
              f"intervals hold it, median estimate {s['median_estimate']:.3f}")
    name = f"{date.today().isoformat()}-calibration-{args.case}-prior{args.prior_factor:g}.json"
    out = Path(__file__).parent / "results" / name
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps({"machine": platform.platform(), "cpus": os.cpu_count(), "date": date.today().isoformat(),
                               "load": os.getloadavg(), "seconds": round(time.perf_counter() - started, 1),
                               "args": vars(args), "summary": summary, "rows": rows}, indent=2) + "\n")
    print(f"written: {out}")


if __name__ == "__main__":
    main()
