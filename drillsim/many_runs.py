"""Many replications of one drill: run them with the batch runner (``drillsim.runner``), then write
the tidy table of results, the summary with its intervals, the report and a few worst examples —
or keep them in memory as pandas tables (``Replications``) and write them only when asked."""

from __future__ import annotations

import json
import multiprocessing
import os
import sys
import threading
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from drillsim.runner import BatchJob, ChunkResult, Configuration, Progress, iterate_batch, results_table, save_batch
from drillsim.scoring.aggregate import Aggregator, RatingRule, shares
from drillsim.sim.seeds import replication_seed
from drillsim.spec.plan import Plan
from drillsim.spec.scenario import Scenario

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd  # imported when a table is asked for: the command line never needs it


EXAMPLES = 1
"""Worst runs written with their report by default: each costs about as much as a few hundred
replications of the batch (its timeline is drawn), and the summary names the others."""


@dataclass
class ManyOutput:
    summary: dict[str, Any]
    files: dict[str, Path]


def run_many(plan: Plan, scenario: Scenario, reps: int, seed: int, out: str | Path, workers: int | None = None,
             scheduler: Any = None, resume: bool = False, progress: Progress | None = None,
             examples: int = EXAMPLES, chunk: int = 200, overwrite: bool = False,
             example_progress: Progress | None = None, lang: str = "en") -> ManyOutput:
    """Run ``reps`` replications, score each, and write the tidy table, the summary, the report (in
    ``lang``, ``en`` or ``zh``: another raises :class:`~drillsim.spec.errors.InputError` naming
    ``--lang`` before anything is run) and examples.

    The summary names the worst late replications of each requirement (up to :data:`WORST_KEPT`);
    the ``examples`` worst of them (:func:`worst_examples`) are re-run alone from their index and
    written with their report, to be read as a timeline. Each costs about as much as a few hundred
    replications of the batch (its timeline is drawn), so there are few by default; the others are
    re-run with ``drillsim run … --replication i``. ``progress`` and ``example_progress`` are told
    ``(done, total)`` as replications and examples finish.
    """
    check_language(lang)
    out = Path(out)
    job = drill_job(plan, scenario, reps, seed, chunk)
    agg = aggregator(plan)
    importing = threading.Thread(target=_import_writers, args=(examples,), daemon=True,
                                 name="drillsim-import-writers")
    for res in iterate_batch(job, out, workers, scheduler, resume, overwrite):
        if importing.ident is None:  # after the first unit, when the pool's workers are forked: a process
            importing.start()        # forked during an import could not make that import itself
        agg.add(res.reps, res.outcome, res.latency, res.score, res.credit)
        if progress is not None:
            progress(agg.replications, reps)
    if importing.ident is not None:
        importing.join()  # before the examples' processes are forked, for the same reason
    local = 1 if scheduler is not None else workers or os.cpu_count() or 1
    return _write_summary(job, agg, out, examples, example_progress, local, lang)


def check_language(lang: str) -> None:
    """Refuse a language the report is not written in (an :class:`InputError` naming ``--lang``)."""
    from drillsim.reports.i18n import Translator

    Translator(lang)


def aggregator(plan: Plan) -> Aggregator:
    """What gathers a drill's replications as they come in: outcomes, latencies, scores and ratings."""
    return Aggregator([r.id for r in plan.requirements], keep_worst=WORST_KEPT, ratings=RatingRule.of(plan))


def _import_writers(examples: int) -> None:
    """Import what writing the report (and the examples) needs while the batch runs: a second
    or so of imports (matplotlib; pandas for an example's files) that would otherwise come after
    the last replication, when all but one core are idle."""
    import drillsim.reports.batch

    if examples:
        import pandas  # noqa: F401

        import drillsim.reports.html  # noqa: F401


def drill_job(plan: Plan, scenario: Scenario, reps: int, seed: int, chunk: int) -> BatchJob:
    """The batch of ``reps`` replications of one drill, as the command line and the API run it."""
    return BatchJob((Configuration("base", plan, scenario),), reps, seed, chunk)


WORST_KEPT = 3
"""The worst late replications of each requirement that a summary names."""


def worst_examples(requirements: list[dict[str, Any]], n: int) -> list[int]:
    """The ``n`` replications to write as examples, from the summary's ``requirements``: each
    requirement's worst late run, critical requirements first and then in the plan's order, then
    each one's second worst, and so on, each replication once."""
    ordered = sorted(requirements, key=lambda r: not r["critical"])  # stable: the plan's order within
    chosen: list[int] = []
    for rank in range(WORST_KEPT):
        for req in ordered:
            if len(chosen) == n:
                return chosen
            if rank < len(req["worst_late"]) and (i := req["worst_late"][rank]["replication"]) not in chosen:
                chosen.append(i)
    return chosen


def _summary(job: BatchJob, agg: Aggregator) -> dict[str, Any]:
    """The summary of ``summary.json`` (without its examples): statistics per requirement and overall.

    Each requirement's ``split`` is every outcome's runs with their share of all runs and its 95 %
    interval: the runs it was met, late, missed, incomplete, violated and not applicable add up to
    the replications."""
    (config,) = job.configurations
    plan = config.plan
    summary = {"schema": "drillsim.many/1", "plan": plan.id, "scenario": config.scenario.id, "seed": job.seed,
               "reps": job.reps, **agg.summary()}
    titles = {r.id: (r.title, r.kind, r.critical) for r in plan.requirements}
    for req in summary["requirements"]:
        req["title"], req["kind"], req["critical"] = titles[req["id"]]
        req["split"] = shares(req["outcomes"], req["replications"])
    return summary


def _write_summary(job: BatchJob, agg: Aggregator, out: Path, examples: int,
                   progress: Progress | None = None, workers: int = 1, lang: str = "en") -> ManyOutput:
    """Write ``summary.json``, the report and the worst examples. With more than one worker (on
    Linux), the examples are re-run in forked processes while this one draws the report."""
    from drillsim.reports.batch import write_many_report

    (config,) = job.configurations
    summary = _summary(job, agg)
    chosen = sorted(worst_examples(summary["requirements"], examples))
    summary["examples"] = {str(i): f"examples/replication-{i}/report.html" for i in chosen}
    path = out / "summary.json"
    path.write_text(json.dumps(summary, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    files = {"summary": path, "results": out / "results"}
    jobs = [(config.plan, config.scenario, replication_seed(job.seed, i), out / "examples" / f"replication-{i}")
            for i in chosen]
    if workers > 1 and len(jobs) and sys.platform.startswith("linux"):
        with ProcessPoolExecutor(min(workers, len(jobs)), mp_context=multiprocessing.get_context("fork")) as pool:
            pending = [pool.submit(_write_example, *args) for args in jobs]
            files.update(write_many_report(config.plan, summary, out, lang))
            for n, finished in enumerate(as_completed(pending), 1):
                finished.result()
                if progress is not None:
                    progress(n, len(jobs))
    else:
        files.update(write_many_report(config.plan, summary, out, lang))
        for n, args in enumerate(jobs, 1):
            _write_example(*args)
            if progress is not None:
                progress(n, len(jobs))
    return ManyOutput(summary, files)


def _write_example(plan: Plan, scenario: Scenario, seed: np.random.SeedSequence, out: Path) -> None:
    """One worst run, re-run alone from its index and written with its report."""
    from drillsim.api import run_drill

    run_drill(plan, scenario, seed, out)


def summary_frame(requirements: list[dict[str, Any]]) -> pd.DataFrame:
    """Per-requirement statistics (as in ``summary.json``) as a table, one row per requirement."""
    import pandas as pd

    rows = []
    for req in requirements:
        low, high = req["p_met_ci95"] or (None, None)
        rows.append({"requirement": req["id"], **{k: req[k] for k in ("title", "kind", "critical") if k in req},
                     "replications": req["replications"], "applicable": req["applicable"], **req["outcomes"],
                     "p_met": req["p_met"], "p_met_low": low, "p_met_high": high,
                     **{f"latency_{k}": v for k, v in req["latency_min"].items() if k != "n"}})
    return pd.DataFrame(rows)


class Replications:
    """Many replications of one drill, kept in memory: replication ``i`` is the one ``drillsim run
    --reps`` runs with the same seed. Nothing is written until :meth:`write`."""

    def __init__(self, job: BatchJob, chunks: list[ChunkResult]):
        self.job = job
        self.chunks = chunks
        (config,) = job.configurations
        self.plan, self.scenario = config.plan, config.scenario

    @cached_property
    def results(self) -> pd.DataFrame:
        """One row per replication and requirement: the table ``results/`` holds as Parquet."""
        ids = self.job.requirement_ids(0)
        return pa.concat_tables([results_table(c, ids) for c in self.chunks]).to_pandas()

    @cached_property
    def summary(self) -> pd.DataFrame:
        """One row per requirement: outcome counts, the proportion met with its 95 % Wilson interval,
        and latency (minutes) mean and percentiles — the numbers of ``summary.json``."""
        return summary_frame(_summary(self.job, self._aggregate())["requirements"])

    def _aggregate(self) -> Aggregator:
        agg = aggregator(self.plan)
        for c in self.chunks:
            agg.add(c.reps, c.outcome, c.latency, c.score, c.credit)
        return agg

    def write(self, out: str | Path, examples: int = EXAMPLES, overwrite: bool = False,
              lang: str = "en") -> ManyOutput:
        """Write what ``drillsim run --reps`` writes into ``out``: the results table, the summary, the
        report in ``lang`` (``en`` or ``zh``) and the ``examples`` worst runs (as :func:`run_many`). A
        folder with an earlier run's results needs ``overwrite``."""
        check_language(lang)
        out = Path(out)
        save_batch(self.job, out, self.chunks, overwrite)
        return _write_summary(self.job, self._aggregate(), out, examples, lang=lang)
