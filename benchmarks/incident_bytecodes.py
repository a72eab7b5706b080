"""Bytecodes executed per incident-only replication, drillsim's against the hand-written model's
(``handwritten_robbery.py``), by function: where the work goes, exactly and in seconds.

    .venv/bin/python benchmarks/incident_bytecodes.py              # 300 replications of each, the top 40 functions
    .venv/bin/python benchmarks/incident_bytecodes.py --reps 100 --top 0 --json

Python's tracer counts every bytecode each function executes (``sys.settrace`` with opcode events);
the count does not drift as time does on a shared machine, and it follows callgrind's instruction
counts (``incident_instructions.py``) closely, without valgrind's minutes. Set-up and seeding are
included, as the batch runs a replication; functions are named ``file:qualified name``.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from collections.abc import Callable
from types import FrameType
from typing import Any

from drills import demo, without_customers  # benchmarks/, beside this file
from handwritten_robbery import HORIZON, SEED, Robbery, seeded

from drillsim.collector import few_collections
from drillsim.sim.model import build_model
from drillsim.sim.replication import Replication
from drillsim.sim.seeds import replication_seed, streams


def drillsim_replications(n: int) -> Callable[[], None]:
    plan, scenario = demo()
    model = build_model(plan, without_customers(scenario))

    def run() -> None:
        with few_collections():
            for i in range(n):
                rep = Replication(model, streams(replication_seed(SEED, i)))
                rep.env.run(until=model.horizon)
                rep.finish()

    return run


def hand_replications(n: int) -> Callable[[], None]:
    def run() -> None:
        for i in range(n):
            Robbery(seeded(SEED, i)).env.run(until=HORIZON)

    return run


def count(run: Callable[[], None]) -> tuple[Counter[str], Counter[str]]:
    """(bytecodes, calls) per function while ``run`` runs."""
    codes: Counter[str] = Counter()
    calls: Counter[str] = Counter()

    def tracer(frame: FrameType, event: str, arg: Any) -> Any:
        if event != "call":
            return None
        code = frame.f_code
        key = f"{code.co_filename.rsplit('/', 1)[-1]}:{code.co_qualname}"
        calls[key] += 1
        frame.f_trace_opcodes = True

        def local(frame: FrameType, event: str, arg: Any) -> Any:
            if event == "opcode":
                codes[key] += 1
            return local

        return local

    sys.settrace(tracer)
    try:
        run()
    finally:
        sys.settrace(None)
    return codes, calls


def executed(run: Callable[[], Any]) -> int:
    """The bytecodes Python executes while ``run`` runs, in all: :func:`count` without the breakdown, faster."""
    total = 0

    def tracer(frame: FrameType, event: str, _arg: Any) -> Any:
        nonlocal total
        frame.f_trace_opcodes = True
        total += event == "opcode"
        return tracer

    sys.settrace(tracer)
    try:
        run()
    finally:
        sys.settrace(None)
    return total


def side_by_side(reps: int, top: int = 0) -> dict:
    """Bytecodes and Python calls per replication of each model, the ratio, and (``top``) the
    functions of each that execute the most."""
    out: dict = {}
    for name, make in (("hand", hand_replications), ("drillsim", drillsim_replications)):
        codes, calls = count(make(reps))
        busiest = [(key, round(n / reps, 1), round(calls[key] / reps, 1)) for key, n in codes.most_common(top)]
        out[name] = {"bytecodes": round(sum(codes.values()) / reps), "python_calls": round(sum(calls.values()) / reps),
                     "top": busiest}
    out["ratio_drillsim_to_hand"] = round(out["drillsim"]["bytecodes"] / out["hand"]["bytecodes"], 3)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=300)
    parser.add_argument("--top", type=int, default=40, help="functions listed per model (0: none)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    figures = side_by_side(args.reps, args.top)
    if args.json:
        print(json.dumps(figures, indent=1))
        return
    for name in ("hand", "drillsim"):
        f = figures[name]
        print(f"{name}: {f['bytecodes']:,} bytecodes and {f['python_calls']:,} Python calls per replication")
        if f["top"]:
            print("  bytecodes   calls  function")
        for key, n, calls in f["top"]:
            print(f"  {n:9.1f} {calls:7.1f}  {key}")
    print(f"ratio drillsim / hand-written: {figures['ratio_drillsim_to_hand']:.3f} in bytecodes per replication")


if __name__ == "__main__":
    main()
