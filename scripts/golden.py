"""The outputs a change must leave byte-identical: every built-in scenario over five seeds.

    .venv/bin/python scripts/golden.py            # compare with tests/data/golden.json
    .venv/bin/python scripts/golden.py --update   # record the present outputs (an intended change)

For each scenario and seed it hashes what ``drillsim run`` writes that is text: the event log as
CSV and the scorecard as JSON; for the demo drill, the HTML report's page; and for one many-run
drill (200 replications), its summary and its table of results.
``tests/test_outputs_unchanged.py`` runs the comparison in the suite.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RECORD = ROOT / "tests" / "data" / "golden.json"
SEEDS = (1, 2, 3, 4, 5)


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:16]


def outputs() -> dict[str, str]:
    """``plan/scenario/seed/file`` -> the first 16 hex digits of the file's SHA-256."""
    import yaml

    import drillsim
    from drillsim.spec.catalog import builtin_scenarios

    found: dict[str, str] = {}
    with tempfile.TemporaryDirectory() as tmp:
        plans: dict[str, drillsim.Plan] = {}
        for scenario_id, path in builtin_scenarios().items():
            plan_id = yaml.safe_load(path.read_text("utf-8"))["plan"]
            if plan_id not in plans:
                plans[plan_id] = drillsim.load_plan(plan_id)
            plan = plans[plan_id]
            scenario = drillsim.load_scenario(path, plan)
            model = drillsim.build(plan, scenario)
            for seed in SEEDS:
                log = drillsim.simulate(model, seed=seed)
                card = drillsim.score(plan, log)
                key = f"{plan_id}/{scenario_id}/{seed}"
                found[f"{key}/events.csv"] = _sha(log.to_frame().to_csv(index=False).encode())
                found[f"{key}/scorecard.json"] = _sha(card.write_json(Path(tmp) / "card.json").read_bytes())
        demo = drillsim.run_drill(drillsim.load_plan("counter-robbery"),
                                  drillsim.load_scenario("armed-robbery-injured"), 7, Path(tmp) / "demo")
        found["demo/report.html"] = _sha(demo.files["report"].read_bytes())
        found.update(_many(Path(tmp)))
    return found


def _many(tmp: Path) -> dict[str, str]:
    import drillsim
    from drillsim.many_runs import run_many

    plan = drillsim.load_plan("counter-robbery")
    scenario = drillsim.load_scenario("armed-robbery-injured", plan)
    out = tmp / "many"
    run_many(plan, scenario, 200, 1, out, workers=1, examples=1)
    import pyarrow.parquet as pq

    table = pq.read_table(out / "results").to_pandas()
    return {"many/summary.json": _sha((out / "summary.json").read_bytes()),
            "many/results": _sha(table.to_csv(index=False).encode())}


def differences(recorded: dict[str, str], now: dict[str, str]) -> list[str]:
    return [f"{k}: {recorded.get(k)} -> {now.get(k)}" for k in sorted(set(recorded) | set(now))
            if recorded.get(k) != now.get(k)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--update", action="store_true", help="record the present outputs")
    args = parser.parse_args()
    now = outputs()
    if args.update:
        RECORD.write_text(json.dumps(now, indent=0, sort_keys=True) + "\n", encoding="utf-8")
        print(f"recorded {len(now)} outputs in {RECORD.relative_to(ROOT)}")
        return 0
    diff = differences(json.loads(RECORD.read_text("utf-8")), now)
    print("\n".join(diff) or f"all {len(now)} outputs unchanged")
    return 1 if diff else 0


if __name__ == "__main__":
    sys.exit(main())
