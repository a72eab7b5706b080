"""An experiment: several configurations of a drill run with the batch runner (``drillsim.runner``)
on common random numbers, compared, and written as a comparison and its report."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from drillsim.runner import BatchJob, Configuration, Progress, iterate_batch
from drillsim.spec.errors import InputError


@dataclass
class ExperimentOutput:
    comparison: dict[str, Any]
    files: dict[str, Path]


def run_experiment(ref: str | Path, out: str | Path, workers: int | None = None, scheduler: Any = None,
                   resume: bool = False, progress: Progress | None = None, chunk: int = 200,
                   overwrite: bool = False) -> ExperimentOutput:
    """Run every configuration of an experiment on common random numbers and compare them."""
    from drillsim.reports.experiment import write_experiment_report
    from drillsim.scoring.aggregate import Aggregator
    from drillsim.scoring.compare import compare, rank
    from drillsim.spec import catalog
    from drillsim.spec.experiment import load_experiment

    source = catalog.resolve(ref, "experiment")
    exp, configs = load_experiment(source)
    ids = [r.id for r in configs[0][1].requirements]
    for name, plan, _ in configs:
        if [r.id for r in plan.requirements] != ids:
            raise InputError(str(source), f"configuration {name!r} changes the plan's requirements; "
                             "configurations are compared on the same requirements")
    names = [c[0] for c in configs]
    baseline = exp.baseline or names[0]
    job = BatchJob(tuple(Configuration(*c) for c in configs), exp.reps, exp.seed, chunk)
    aggs = {n: Aggregator(ids) for n in names}
    scores = {n: np.full(exp.reps, np.nan) for n in names}
    outcomes = {n: np.zeros((exp.reps, len(ids)), dtype=np.int8) for n in names}
    latencies = {n: np.full((exp.reps, len(ids)), np.nan, dtype=np.float32) for n in names}
    total, done = exp.reps * len(names), 0
    for res in iterate_batch(job, Path(out), workers, scheduler, resume, overwrite):
        name = names[res.config]
        aggs[name].add(res.reps, res.outcome, res.latency, res.score)
        scores[name][res.reps] = res.score
        outcomes[name][res.reps] = res.outcome
        latencies[name][res.reps] = res.latency
        done += len(res.reps)
        if progress is not None:
            progress(done, total)
    plan = configs[0][1]
    comparison = {
        "schema": "drillsim.experiment-run/1", "experiment": exp.id, "title": exp.title, "plan": plan.id,
        "scenario": configs[0][2].id, "reps": exp.reps, "seed": exp.seed, "baseline": baseline,
        "configurations": {n: aggs[n].summary() for n in names},
        "ranking": rank(names, scores),
        "differences": [
            {"configuration": d.configuration, "baseline": d.baseline, "measure": d.measure, "n": d.n,
             "mean": None if d.mean is None else round(d.mean, 6),
             "ci95": None if d.ci95 is None else [round(d.ci95[0], 6), round(d.ci95[1], 6)]}
            for d in compare(names, baseline, ids, scores, outcomes)
        ],
    }
    out = Path(out)
    path = out / "comparison.json"
    path.write_text(json.dumps(comparison, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    files = {"comparison": path, "results": out / "results"}
    files.update(write_experiment_report(plan, comparison, latencies, out))
    return ExperimentOutput(comparison, files)
