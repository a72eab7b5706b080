"""An experiment: several configurations of a drill run with the batch runner (``drillsim.runner``)
on common random numbers, compared, and written as a comparison and its report — or kept in
memory as pandas tables (``ExperimentRun``) and written only when asked."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from drillsim.many_runs import summary_frame
from drillsim.runner import BatchJob, ChunkResult, Configuration, Progress, iterate_batch, results_table, save_batch
from drillsim.scoring.aggregate import Aggregator
from drillsim.scoring.compare import compare, rank
from drillsim.spec import catalog
from drillsim.spec.errors import InputError
from drillsim.spec.experiment import MAX_REPS, Experiment, load_experiment


@dataclass
class ExperimentOutput:
    comparison: dict[str, Any]
    files: dict[str, Path]


def experiment_job(ref: str | Path, reps: int | None = None, seed: int | None = None,
                   chunk: int = 200, params: str | Path | None = None) -> tuple[Experiment, BatchJob]:
    """The experiment file and the batch of its configurations (with ``reps`` and ``seed`` if given
    instead of the file's, and the values of the overlay file ``params``)."""
    source = catalog.resolve(ref, "experiment")
    exp, configs = load_experiment(source, params)
    ids = [r.id for r in configs[0][1].requirements]
    for name, plan, _ in configs:
        if [r.id for r in plan.requirements] != ids:
            raise InputError(str(source), f"configuration {name!r} changes the plan's requirements; "
                             "configurations are compared on the same requirements")
    for what, value, least, most in (("reps", reps, 2, MAX_REPS), ("seed", seed, 0, None)):
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < least
                                  or (most is not None and value > most)):
            span = f"from {least} to {most}" if most is not None else f"of at least {least}"
            raise InputError(what, f"must be a whole number {span}, got {value!r}")
    exp = exp.model_copy(update={"reps": exp.reps if reps is None else reps,
                                 "seed": exp.seed if seed is None else seed})
    return exp, BatchJob(tuple(Configuration(*c) for c in configs), exp.reps, exp.seed, chunk)


class ExperimentRun:
    """Every configuration's results, gathered as they come in, and their comparison."""

    def __init__(self, exp: Experiment, job: BatchJob):
        self.exp, self.job = exp, job
        self.names = [c.name for c in job.configurations]
        self.plan = job.configurations[0].plan
        self.ids = [r.id for r in self.plan.requirements]
        self.chunks: list[ChunkResult] = []
        self.aggs = {n: Aggregator(self.ids) for n in self.names}
        self.scores = {n: np.full(exp.reps, np.nan) for n in self.names}
        self.outcomes = {n: np.zeros((exp.reps, len(self.ids)), dtype=np.int8) for n in self.names}
        self.latencies = {n: np.full((exp.reps, len(self.ids)), np.nan, dtype=np.float32) for n in self.names}

    def add(self, res: ChunkResult, keep: bool = False) -> None:
        """Take in a unit's results (and keep them, for the tables and ``write``, if ``keep``)."""
        name = self.names[res.config]
        self.aggs[name].add(res.reps, res.outcome, res.latency, res.score)
        self.scores[name][res.reps] = res.score
        self.outcomes[name][res.reps] = res.outcome
        self.latencies[name][res.reps] = res.latency
        if keep:
            self.chunks.append(res)

    @cached_property
    def comparison(self) -> dict[str, Any]:
        """What ``comparison.json`` holds: each configuration's summary, the ranking, the paired differences."""
        exp, names = self.exp, self.names
        baseline = exp.baseline or names[0]
        return {
            "schema": "drillsim.experiment-run/1", "experiment": exp.id, "title": exp.title, "plan": self.plan.id,
            "scenario": self.job.configurations[0].scenario.id, "reps": exp.reps, "seed": exp.seed,
            "baseline": baseline,
            "configurations": {n: self.aggs[n].summary() for n in names},
            "ranking": rank(names, self.scores),
            "differences": [
                {"configuration": d.configuration, "baseline": d.baseline, "measure": d.measure, "n": d.n,
                 "mean": None if d.mean is None else round(d.mean, 6),
                 "ci95": None if d.ci95 is None else [round(d.ci95[0], 6), round(d.ci95[1], 6)]}
                for d in compare(names, baseline, self.ids, self.scores, self.outcomes)
            ],
        }

    @cached_property
    def results(self) -> pd.DataFrame:
        """One row per configuration, replication and requirement: the tables ``results/`` holds."""
        tables = [results_table(c, self.ids) for c in self.chunks]
        frame = pa.concat_tables(tables).to_pandas()
        configuration = [self.names[c.config] for c in self.chunks for _ in range(c.outcome.size)]
        frame.insert(0, "configuration", pd.Categorical(configuration, categories=self.names))
        return frame

    @cached_property
    def summary(self) -> pd.DataFrame:
        """One row per configuration and requirement: outcome counts, the proportion met with its
        95 % Wilson interval, latency (minutes) mean and percentiles."""
        frames = [summary_frame(self.comparison["configurations"][n]["requirements"]) for n in self.names]
        for name, frame in zip(self.names, frames, strict=True):
            frame.insert(0, "configuration", name)
        return pd.concat(frames, ignore_index=True)

    @cached_property
    def differences(self) -> pd.DataFrame:
        """Each configuration against the baseline, replication by replication: the mean paired
        difference of the score and of each requirement's being met, with its 95 % interval."""
        return pd.DataFrame([{**{k: d[k] for k in ("configuration", "baseline", "measure", "n", "mean")},
                              "ci_low": d["ci95"][0] if d["ci95"] else None,
                              "ci_high": d["ci95"][1] if d["ci95"] else None}
                             for d in self.comparison["differences"]])

    @cached_property
    def ranking(self) -> pd.DataFrame:
        """The configurations from the best mean score down, with its 95 % interval."""
        return pd.DataFrame([{"rank": r["rank"], "configuration": r["configuration"], "mean_score": r["mean_score"],
                              "ci_low": r["ci95"][0], "ci_high": r["ci95"][1]} for r in self.comparison["ranking"]])

    def write(self, out: str | Path, overwrite: bool = False) -> ExperimentOutput:
        """Write what ``drillsim experiment`` writes into ``out``: the results tables, the comparison
        and its report. A folder with an earlier run's results needs ``overwrite``."""
        out = Path(out)
        save_batch(self.job, out, self.chunks, overwrite)
        return _write_comparison(self, out)


def _write_comparison(run: ExperimentRun, out: Path) -> ExperimentOutput:
    from drillsim.reports.experiment import write_experiment_report

    path = out / "comparison.json"
    path.write_text(json.dumps(run.comparison, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    files = {"comparison": path, "results": out / "results"}
    files.update(write_experiment_report(run.plan, run.comparison, run.latencies, out))
    return ExperimentOutput(run.comparison, files)


def run_experiment(ref: str | Path, out: str | Path, workers: int | None = None, scheduler: Any = None,
                   resume: bool = False, progress: Progress | None = None, chunk: int = 200,
                   overwrite: bool = False, params: str | Path | None = None) -> ExperimentOutput:
    """Run every configuration of an experiment on common random numbers and compare them."""
    exp, job = experiment_job(ref, chunk=chunk, params=params)
    run = ExperimentRun(exp, job)
    total, done = exp.reps * len(run.names), 0
    for res in iterate_batch(job, Path(out), workers, scheduler, resume, overwrite):
        run.add(res)
        done += len(res.reps)
        if progress is not None:
            progress(done, total)
    return _write_comparison(run, Path(out))
