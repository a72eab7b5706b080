"""The planner's stress test of a drill (``drillsim stress``): what-if perturbations one at a time,
load at many branches, and sensitivity, each run by the batch runner on common random numbers
against the unchanged drill, and written as tables, charts, a report and a short memo.

Replication ``i`` of every configuration sees the same incident (its seed is the run's seed and
``i``), so a perturbation's effect on a requirement is the paired difference in its being met,
replication by replication, with a 95 % interval (``scoring.compare``).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from drillsim import sensitivity
from drillsim.experiment_runs import ExperimentRun
from drillsim.runner import BatchJob, Configuration, iterate_batch
from drillsim.scoring.aggregate import Z95
from drillsim.scoring.compare import paired
from drillsim.spec import catalog
from drillsim.spec.errors import InputError
from drillsim.spec.experiment import Experiment
from drillsim.spec.perturb import (
    LOAD_BRANCHES,
    Drill,
    Perturbation,
    absences,
    at_branches,
    channel_outages,
    combined,
    configure,
    drill_from_files,
    shifts,
)
from drillsim.spec.plan import DeadlineRequirement
from drillsim.spec.yamlio import load_yaml

FAMILIES = ("absent", "channel", "staffing", "combined", "load", "sensitivity")
BASELINE = "baseline"
BREAKS_BELOW = 0.5
"""A requirement's load curve breaks at the first number of branches where it is met in fewer runs
than this (``fails_alone`` if that is already so at the fewest branches)."""


@dataclass(frozen=True)
class StressOptions:
    reps: int = 200
    seed: int = 0
    families: tuple[str, ...] = FAMILIES
    branches: tuple[int, ...] = LOAD_BRANCHES
    sobol_samples: int = 32
    """Saltelli base samples N: N × (factors + 2) points."""
    sobol_reps: int = 20
    """Replications at each Sobol point."""
    workers: int | None = None
    scheduler: Any = None
    other: str | None = None
    """The scenario of a second incident at the same time (default: another scenario of the plan)."""
    params: str | Path | None = None
    """An overlay file whose values are set into the scenario (``spec/overlay.py``)."""


@dataclass
class StressResult:
    drill: Drill
    options: StressOptions
    perturbations: list[dict[str, Any]] = field(default_factory=list)
    load: list[dict[str, Any]] = field(default_factory=list)
    tornado: list[dict[str, Any]] = field(default_factory=list)
    sobol: list[dict[str, Any]] = field(default_factory=list)
    skipped: list[dict[str, str]] = field(default_factory=list)
    baseline: dict[str, Any] = field(default_factory=dict)

    def write(self, out: str | Path, lang: str = "en") -> dict[str, Path]:
        """Write what ``drillsim stress`` writes into ``out``."""
        return write_stress(self, out, lang)

    def to_json(self) -> dict[str, Any]:
        plan, sc = self.drill.plan, self.drill.scenario
        return {"schema": "drillsim.stress/1", "plan": plan.id, "scenario": sc.id, "reps": self.options.reps,
                "seed": self.options.seed, "families": list(self.options.families), "baseline": self.baseline,
                "perturbations": self.perturbations, "load": self.load, "tornado": self.tornado,
                "sobol": self.sobol, "skipped": self.skipped}


def _job(drill: Drill, perts: list[Perturbation], reps: int, seed: int, with_baseline: bool = True) -> BatchJob:
    configs = [Configuration(BASELINE, drill.plan, drill.scenario)] if with_baseline else []
    configs += [Configuration(p.id, *configure(drill, p)) for p in perts]
    return BatchJob(tuple(configs), reps, seed, chunk=min(200, reps))


def _run(job: BatchJob, options: StressOptions, advance: Callable[[int], None]) -> ExperimentRun:
    names = [c.name for c in job.configurations]
    exp = Experiment.model_validate({
        "schema": "drillsim.experiment/1", "id": "stress", "title": "stress", "plan": job.configurations[0].plan.id,
        "scenario": job.configurations[0].scenario.id, "reps": job.reps, "seed": job.seed, "design": "list",
        "configurations": [{"name": n} for n in names], "baseline": names[0]})
    run = ExperimentRun(exp, job)
    for res in iterate_batch(job, None, options.workers, options.scheduler):
        run.add(res)
        advance(len(res.reps))
    return run


def _requirement_rows(run: ExperimentRun, name: str, baseline: str) -> list[dict[str, Any]]:
    """Per requirement: P(met) of ``name`` and of the baseline, and their paired difference (95 %)."""
    plan = run.plan
    summary = run.comparison["configurations"]
    diffs = {d["measure"]: d for d in run.comparison["differences"] if d["configuration"] == name}
    rows = []
    for j, req in enumerate(plan.requirements):
        mine, base = summary[name]["requirements"][j], summary[baseline]["requirements"][j]
        d = diffs.get(req.id)
        rows.append({"requirement": req.id, "title": req.title, "critical": req.critical,
                     "p_met": mine["p_met"], "p_met_ci95": mine["p_met_ci95"], "baseline_p_met": base["p_met"],
                     "change": None if d is None else d["mean"],
                     # a normal interval of a difference of shares, kept within what a difference can be
                     "change_ci95": None if d is None or d["ci95"] is None else
                     [max(-1.0, d["ci95"][0]), min(1.0, d["ci95"][1])],
                     "outcomes": mine["outcomes"]})
    return rows


def _other_incident(drill: Drill, ref: str | None) -> tuple[Any, dict[str, Any]] | None:
    """The second incident's scenario and its data: the one named, else the plan's first other built-in scenario
    of another incident type, else its first other one."""
    from drillsim.api import load_scenario

    if ref is None:
        own = drill.scenario.id
        data = {sid: load_yaml(path)[0] for sid, path in catalog.builtin_scenarios().items() if sid != own}
        ids = [sid for sid, d in data.items() if d.get("plan") == drill.plan.id]
        if not ids:
            return None
        ref = next((sid for sid in ids if data[sid]["incident"]["type"] != drill.scenario.incident.type), ids[0])
    path = catalog.resolve(ref, "scenario")
    data = load_yaml(path)[0]
    if isinstance(data, dict) and data.get("plan") != drill.plan.id:
        raise InputError(str(path), f"a second incident must be a scenario of the plan {drill.plan.id!r}; "
                         f"this one is of {data.get('plan')!r}", "plan")
    return load_scenario(path, drill.plan), data


def plan_stress(drill: Drill, options: StressOptions) -> tuple[list[Perturbation], list[dict[str, str]]]:
    """The one-at-a-time perturbations of the chosen families, and those skipped with why."""
    perts: list[Perturbation] = []
    skipped: list[dict[str, str]] = []
    fams = options.families
    if "absent" in fams:
        perts += absences(drill)
    if "channel" in fams:
        perts += channel_outages(drill)
    if "staffing" in fams:
        made, why = shifts(drill)
        perts += made
        skipped += [{"family": "staffing", "reason": reason} for reason in why]
    if "combined" in fams:
        other = _other_incident(drill, options.other)
        if other is None:
            skipped.append({"family": "combined", "reason": f"no other scenario of the plan {drill.plan.id!r}; "
                                                            "name one with --with"})
        else:
            perts += combined(drill, *other)
    return perts, skipped


def run_stress(plan_ref: str | Path, scenario_ref: str | Path, options: StressOptions = StressOptions(),
               progress: Callable[[int, int], None] | None = None) -> StressResult:
    """Run every chosen family of the stress test of SCENARIO under PLAN."""
    for family in options.families:
        if family not in FAMILIES:
            raise InputError("--only", f"{family!r} is not a part of the stress test; they are {', '.join(FAMILIES)}")
    if options.reps < 2:
        raise InputError("--reps", f"a stress test needs at least 2 replications, got {options.reps}")
    drill = drill_from_files(catalog.resolve(plan_ref, "plan"), catalog.resolve(scenario_ref, "scenario"),
                             options.params)
    result = StressResult(drill, options)
    perts, result.skipped = plan_stress(drill, options)
    jobs: list[tuple[str, BatchJob]] = []
    if perts:
        jobs.append(("perturbations", _job(drill, perts, options.reps, options.seed)))
    if "load" in options.families:
        jobs.append(("load", _job(drill, [at_branches(drill, n) for n in options.branches], options.reps,
                                  options.seed, with_baseline=False)))
    fs = sensitivity.factors(drill) if "sensitivity" in options.families else []
    if fs:
        jobs.append(("tornado", _job(drill, sensitivity.one_at_a_time(fs), options.reps, options.seed)))
        problem, _, points = sensitivity.sobol_points(fs, options.sobol_samples, options.seed)
        jobs.append(("sobol", _job(drill, points, options.sobol_reps, options.seed, with_baseline=False)))
    total = sum(len(job.configurations) * job.reps for _, job in jobs)
    done = 0

    def advance(n: int) -> None:
        nonlocal done
        done += n
        if progress is not None:
            progress(done, total)

    for part, job in jobs:
        run = _run(job, options, advance)
        if part == "perturbations":
            result.baseline = {r["requirement"]: r["p_met"] for r in _requirement_rows(run, BASELINE, BASELINE)}
            for p in perts:
                result.perturbations.append({"id": p.id, "family": p.family, "subject": p.subject, "label": p.label,
                                             "requirements": _requirement_rows(run, p.id, BASELINE)})
        elif part == "load":
            result.load = _load_rows(run, drill, options.branches)
        elif part == "tornado":
            result.tornado = _tornado_rows(run, drill, fs)
        else:
            y = np.array([sensitivity.misses(run.outcomes[c.name], sensitivity.deadline_columns(drill)).mean()
                          for c in job.configurations])
            result.sobol = sensitivity.sobol_indices(problem, y, options.seed)
            for row, f in zip(result.sobol, fs, strict=True):
                row["label"] = f.label
    return result


def _load_rows(run: ExperimentRun, drill: Drill, branches: tuple[int, ...]) -> list[dict[str, Any]]:
    """Per report deadline and number of branches: P(met) (95 % Wilson) and the latency of the worst branch."""
    rows = []
    for j, req in enumerate(drill.plan.requirements):
        if not isinstance(req, DeadlineRequirement) or req.response.event not in ("sent", "received", "acknowledged"):
            continue
        points = []
        for n, name in zip(branches, run.names, strict=True):
            s = run.comparison["configurations"][name]["requirements"][j]
            lat = run.latencies[name][:, j].astype(np.float64)
            lat = lat[~np.isnan(lat)]
            half = Z95 * lat.std(ddof=1) / np.sqrt(len(lat)) if len(lat) > 1 else None
            points.append({"branches": n, "p_met": s["p_met"], "p_met_ci95": s["p_met_ci95"],
                           "latency_mean": round(float(lat.mean()), 4) if len(lat) else None,
                           "latency_mean_ci95": None if half is None else
                           [round(float(lat.mean() - half), 4), round(float(lat.mean() + half), 4)],
                           "latency_p90": round(float(np.percentile(lat, 90)), 4) if len(lat) else None})
        known = [p for p in points if p["p_met"] is not None]
        if not known:
            continue  # it applies at no number of branches (its trigger never happens in this scenario)
        breaks = next((p["branches"] for p in known if p["p_met"] < BREAKS_BELOW), None)
        rows.append({"requirement": req.id, "title": req.title, "critical": req.critical,
                     "deadline_min": drill.plan.deadline(req.within).minutes, "points": points,
                     "breaks_at": breaks, "fails_alone": known[0]["p_met"] < BREAKS_BELOW})
    return rows


def _tornado_rows(run: ExperimentRun, drill: Drill, fs: list[sensitivity.Factor]) -> list[dict[str, Any]]:
    """Per factor: mean deadline misses per run at its low and high end against the baseline, with the
    paired 95 % interval of each difference; widest swing first."""
    cols = sensitivity.deadline_columns(drill)
    base = sensitivity.misses(run.outcomes[BASELINE], cols)
    rows = []
    for f in fs:
        ends = {}
        for end in ("low", "high"):
            _, mean, ci = paired(sensitivity.misses(run.outcomes[f"oat:{f.id}:{end}"], cols), base)
            ends[end] = {"change": round(mean, 4), "ci95": [round(ci[0], 4), round(ci[1], 4)]}
        rows.append({"factor": f.id, "label": f.label, "low": sensitivity.LOW, "high": sensitivity.HIGH,
                     "baseline_misses": round(float(base.mean()), 4), **ends})
    rows.sort(key=lambda r: -abs(r["high"]["change"] - r["low"]["change"]))
    return rows


def write_stress(result: StressResult, out: str | Path, lang: str = "en") -> dict[str, Path]:
    """Write ``stress.json``, the tables, charts, report (``stress.html``) and memo (``summary.md``)."""
    from drillsim.reports.stress import write_stress_report

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    path = out / "stress.json"
    path.write_text(json.dumps(result.to_json(), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return {"json": path, **write_stress_report(result, out, lang)}

