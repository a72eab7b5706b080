"""Many replications of one drill: run them with the batch runner (``drillsim.runner``), then write
the tidy table of results, the summary with its intervals, the report and a few worst examples."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from drillsim.runner import BatchJob, Configuration, Progress, iterate_batch
from drillsim.sim.seeds import replication_seed
from drillsim.spec.plan import Plan
from drillsim.spec.scenario import Scenario


@dataclass
class ManyOutput:
    summary: dict[str, Any]
    files: dict[str, Path]


def run_many(plan: Plan, scenario: Scenario, reps: int, seed: int, out: str | Path, workers: int | None = None,
             scheduler: Any = None, resume: bool = False, progress: Progress | None = None,
             examples: int = 3, chunk: int = 200, overwrite: bool = False) -> ManyOutput:
    """Run ``reps`` replications, score each, and write the tidy table, the summary and examples.

    The worst late replications of each requirement (up to ``examples``) are re-run alone from their
    index and written with their report, to be read as a timeline.
    """
    from drillsim.api import run_drill
    from drillsim.reports.batch import write_many_report
    from drillsim.scoring.aggregate import Aggregator

    out = Path(out)
    job = BatchJob((Configuration("base", plan, scenario),), reps, seed, chunk)
    agg = Aggregator([r.id for r in plan.requirements], keep_worst=examples)
    for res in iterate_batch(job, out, workers, scheduler, resume, overwrite):
        agg.add(res.reps, res.outcome, res.latency, res.score)
        if progress is not None:
            progress(agg.replications, reps)
    summary = {"schema": "drillsim.many/1", "plan": plan.id, "scenario": scenario.id, "seed": seed, "reps": reps,
               **agg.summary()}
    titles = {r.id: (r.title, r.kind, r.critical) for r in plan.requirements}
    for req in summary["requirements"]:
        req["title"], req["kind"], req["critical"] = titles[req["id"]]
    chosen = sorted({ex["replication"] for req in summary["requirements"] for ex in req["worst_late"]})
    for i in chosen:
        run_drill(plan, scenario, replication_seed(seed, i), out / "examples" / f"replication-{i}")
    summary["examples"] = {str(i): f"examples/replication-{i}/report.html" for i in chosen}
    path = out / "summary.json"
    path.write_text(json.dumps(summary, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    files = {"summary": path, "results": out / "results"}
    files.update(write_many_report(plan, summary, out))
    return ManyOutput(summary, files)
