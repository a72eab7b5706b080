"""The Python API: everything the command line does, as functions a notebook can call.

>>> import drillsim
>>> plan = drillsim.load_plan("counter-robbery")
>>> scenario = drillsim.load_scenario("armed-robbery-injured", plan)
>>> log = drillsim.simulate(plan, scenario, seed=7)
>>> card = drillsim.score(plan, log)
>>> card.rating in ("P", "S", "M", "U")
True
>>> card.to_frame()["id"].head(3).tolist()     # one row per requirement, as a pandas DataFrame
['ROB-01', 'ROB-02', 'ROB-03']
>>> frame = log.to_frame()                       # the event log, one row per event
>>> frame.loc[frame["event"] == "inject", "what"].iloc[0]
'robbers-enter'
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from drillsim.log.drill_log import read_drill_log as _read_drill_log
from drillsim.log.eventlog import EventLog
from drillsim.reports.writers import DEFAULT_WRITERS, Writer
from drillsim.scoring.scorecard import Scorecard, Scorer
from drillsim.sim.engine import run_replication
from drillsim.sim.model import Model, build_model
from drillsim.sim.seeds import Seed
from drillsim.spec import catalog
from drillsim.spec.overlay import load_overlay
from drillsim.spec.plan import Plan
from drillsim.spec.plan import load_plan as _load_plan
from drillsim.spec.programme import Programme, drill_start, load_programme
from drillsim.spec.scenario import Scenario
from drillsim.spec.scenario import load_scenario as _load_scenario
from drillsim.spec.yamlio import load_yaml

if TYPE_CHECKING:
    from drillsim.calibration import CalibrationResult
    from drillsim.design_search import DesignResult
    from drillsim.experiment_runs import ExperimentRun
    from drillsim.log.sheets import StampConflict
    from drillsim.many_runs import Replications
    from drillsim.model_check import Placement
    from drillsim.scoring.evaluation import Evaluation
    from drillsim.sheets import DrillSheets
    from drillsim.stress_runs import StressResult

LANGS = ("en", "zh")
"""The languages of log sheets and reports."""


def load_plan(ref: str | Path) -> Plan:
    """A plan from a file path or a built-in id (``drillsim list`` shows them)."""
    return _load_plan(catalog.resolve(ref, "plan"))


def load_scenario(ref: str | Path, plan: Plan | None = None, params: str | Path | None = None) -> Scenario:
    """A scenario, checked against ``plan`` (or against the built-in plan it names), with the values of
    the overlay file ``params`` (``drillsim calibrate`` writes one; ``spec/overlay.py``)."""
    path = catalog.resolve(ref, "scenario")
    if plan is None:
        plan = load_plan(_load_scenario(path).plan)
    if params is None:
        return _load_scenario(path, plan)
    return load_overlay(params).apply(plan, load_yaml(path)[0], str(path))[1]


def build(plan: Plan, scenario: Scenario) -> Model:
    """Compile once, then run many replications of the result."""
    return build_model(plan, scenario)


def simulate(plan: Plan | Model, scenario: Scenario | None = None, seed: Seed = 0) -> EventLog:
    """One replication: the event log of the drill played out with this seed."""
    model = plan if isinstance(plan, Model) else build_model(plan, scenario)
    return run_replication(model, seed)


def score(plan: Plan, log: EventLog, incident_type: str | None = None, now: float | None = None) -> Scorecard:
    """Check the plan's requirements on a log (simulated or real); with ``now`` (minutes of the log),
    as of that moment: what can still be met is ``pending`` (docs/scoring.md)."""
    return Scorer(plan).score(log, incident_type, now=now)


def read_drill_log(path: str | Path, plan: Plan, day: date | None = None,
                   scenario: Scenario | None = None) -> EventLog:
    """A real drill's CSV log, as an evaluator typed it (or drillsim's own events.csv / .parquet)."""
    return _read_drill_log(path, plan, day, scenario)


@dataclass
class DrillOutput:
    log: EventLog
    scorecard: Scorecard
    files: dict[str, Path]
    evaluation: Evaluation | None = None
    """A drill scored from evaluators' sheets: the exercise, the rating overrides, notes, coverage."""
    conflicts: list[StampConflict] = field(default_factory=list)
    """Events the sheets stamp at times that disagree (each also a warning on the scorecard)."""
    lang: str = "en"
    """The language asked for the drill's report (en or zh)."""
    placements: list[Placement] | None = None
    """The drill against the model, when asked for: each observed latency among simulated runs."""
    history: str | None = None
    """What became of the drill in the history (kept, replaced, or why not), when it was to be kept."""


def write_drill(plan: Plan, log: EventLog, card: Scorecard, out: str | Path,
                writers: Sequence[Writer] = DEFAULT_WRITERS) -> DrillOutput:
    """Write one drill into ``out`` with each writer in turn (by default: the event log, the scorecard, the report)."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    files: dict[str, Path] = {}
    for writer in writers:
        files.update(writer.write(plan, log, card, out))
    return DrillOutput(log, card, files)


def run_drill(plan: Plan, scenario: Scenario, seed: Seed, out: str | Path) -> DrillOutput:
    """Simulate one drill, score it and write everything into ``out``."""
    log = simulate(plan, scenario, seed)
    return write_drill(plan, log, score(plan, log), out)


def read_sheets(paths: Sequence[str | Path], plan: Plan, scenario: Scenario | None = None,
                day: date | None = None) -> DrillSheets:
    """Evaluators' filled log sheets (xlsx or CSV, one per room or role) as one drill (docs/log-sheets.md)."""
    from drillsim.sheets import read_sheets as _read_sheets

    return _read_sheets(paths, plan, scenario, day)


def write_sheet(plan: Plan, scenario: Scenario | None, path: str | Path, lang: str = "en",
                observer_roles: set[str] | frozenset[str] | None = None) -> Path:
    """A blank log sheet for an evaluator: .xlsx with drop-downs and the exercise, observed, ratings and
    notes sheets, or .csv with the log's columns only (docs/log-sheets.md)."""
    from drillsim.log.sheets import write_sheet as _write_sheet

    return _write_sheet(plan, scenario, path, lang, observer_roles)


def score_drill(plan: Plan, log_path: str | Path | Sequence[str | Path], out: str | Path,
                incident_type: str | None = None, day: date | None = None, scenario: Scenario | None = None,
                lang: str = "en", against: int | str | Path | None = None, db: str | Path | None = None,
                keep: bool = True) -> DrillOutput:
    """Score a real drill's log, or its evaluators' log sheets, and write its scorecard, report and
    After-Action Report (``aar.html``, ``aar.pdf``, ``improvement-plan.xlsx``, in ``lang``) into ``out``.

    One CSV (or drillsim's events.csv / .parquet) is read as a drill log (docs/drill-logs.md); several
    files, or an .xlsx sheet, are read as log sheets and merged (docs/log-sheets.md), with the roles
    nobody observed not evaluated and the evaluators' additions in ``evaluation``. The incident type
    is ``incident_type`` if given, else the log's ``incident_type`` column, else the scenario's, else
    the plan's only one. ``scenario`` (optional) also lets the log's inject names and branches be
    checked. What reading the log accepted with a warning is on the scorecard.

    ``against`` places each observed latency among simulated runs of ``scenario``: a number of runs to
    simulate, or the folder of a ``drillsim run … --reps N`` (docs/scoring.md, "Against the model").
    With ``keep`` the drill is kept in the history at ``db`` (default: docs/history.md); a drill with no
    date cannot be told from another and is not kept, which ``history`` says.
    """
    from drillsim.reports.aar import write_aar
    from drillsim.scoring.evaluation import Evaluation, Exercise
    from drillsim.spec.errors import InputError

    if lang not in LANGS:
        raise InputError("--lang", f"unknown language {lang!r}; one of {', '.join(LANGS)}")
    if incident_type is not None and incident_type not in plan.incident_types:
        raise InputError("--type", f"unknown incident type {incident_type!r}; the plan's: "
                         + ", ".join(plan.incident_types))
    if against is not None and scenario is None:
        raise InputError("--against", "compares the drill with simulated runs of its scenario: give --scenario too")
    if isinstance(against, int) and against < 1:
        raise InputError("--against", f"{against} runs: give a number of runs of at least 1, or a folder of runs")
    paths = [Path(log_path)] if isinstance(log_path, str | Path) else [Path(p) for p in log_path]
    if not paths:
        raise InputError("LOG", "give the drill's log or its evaluators' sheets")
    conflicts: list[StampConflict] = []
    if len(paths) == 1 and paths[0].suffix.lower() != ".xlsx":
        log = read_drill_log(paths[0], plan, day, scenario)
        incident_type = _incident_type(plan, log, incident_type, str(paths[0]))
        card = score(plan, log, incident_type)
        evaluation = Evaluation(card, Exercise(paths[0].stem, scenario=None if scenario is None else scenario.id))
    else:
        drill = read_sheets(paths, plan, scenario, day)
        log, conflicts = drill.log, drill.conflicts
        incident_type = _incident_type(plan, log, incident_type, log.meta["source"])
        card = drill.score(incident_type)
        evaluation = drill.evaluation(card)
    placements = None if against is None else _against(plan, scenario, card, against)
    written = write_drill(plan, log, card, out)
    written.files.update(write_aar(plan, log, evaluation, out, lang, placements))
    kept = _keep(plan, log, evaluation, db) if keep else None
    return replace(written, evaluation=evaluation, conflicts=conflicts, lang=lang, placements=placements,
                   history=kept)


def _against(plan: Plan, scenario: Scenario, card: Scorecard, against: int | str | Path) -> list[Placement]:
    from drillsim.model_check import against_model, runs_from_folder

    if isinstance(against, int):
        return against_model(plan, scenario, card, reps=against)
    return against_model(plan, scenario, card, runs=runs_from_folder(against, plan, scenario))


def _keep(plan: Plan, log: EventLog, evaluation: Evaluation, db: str | Path | None) -> str:
    """Keep the drill in the history; what became of it, in a line."""
    from drillsim.history import default_path, record_drill

    if evaluation.exercise.date is None and log.origin is None:
        return ("not kept in the history: the drill has no date (give --date, the exercise's date on the sheet, "
                "or dated times in the log)")
    where = default_path() if db is None else Path(db)
    recorded = record_drill(where, plan, log, evaluation)
    return f"{'replaced' if recorded.replaced else 'kept'} in the history {where} as drill {recorded.key}"


def _incident_type(plan: Plan, log: EventLog, incident_type: str | None, source: str) -> str:
    """The drill's incident type: the one given, else the log's, else the plan's only one (set on ``log``)."""
    from drillsim.spec.errors import InputError

    logged = log.meta.get("type")
    if incident_type is not None and logged is not None and incident_type != logged:
        raise InputError(source, f"the log records incident type {logged!r}, not {incident_type!r} (--type)")
    incident_type = incident_type or logged
    if incident_type is None and len(plan.incident_types) == 1:
        incident_type = next(iter(plan.incident_types))
    if incident_type is None:
        raise InputError(source, "say which incident type this drill was: --type "
                         + " | ".join(plan.incident_types) + " (or an incident_type column, or --scenario)")
    log.meta["type"] = incident_type
    return incident_type


@dataclass
class ProgrammeOutput:
    programme: Programme
    rows: list[dict]
    files: dict[str, Path]


def run_programme(ref: str | Path, out: str | Path) -> ProgrammeOutput:
    """Play every drill of a programme on its date and write the year's calendar with the results."""
    from drillsim.reports.programme import write_programme

    programme = load_programme(catalog.resolve(ref, "programme"))
    out = Path(out)
    rows = []
    for day, item in programme.calendar():
        row = {"date": day.isoformat(), "id": item.id, "kind": item.kind, "title": item.title, "clause": item.clause}
        if item.kind == "drill":
            plan = load_plan(item.plan)
            scenario = load_scenario(item.scenario, plan)
            scenario = scenario.model_copy(update={"start": drill_start(item, day, scenario.start)})
            folder = f"{day.isoformat()}-{item.id}"
            drill = run_drill(plan, scenario, item.seed, out / folder)
            card = drill.scorecard
            row |= {"plan": plan.id, "scenario": scenario.id, "seed": item.seed, "score": card.score,
                    "rating": card.rating, "critical_failures": card.critical_failures,
                    "report": f"{folder}/report.html"}
        rows.append(row)
    return ProgrammeOutput(programme, rows, write_programme(programme, rows, out))


def replicate(plan: Plan, scenario: Scenario, reps: int, seed: int = 0, workers: int = 1,
              scheduler: Any = None, chunk: int = 200) -> Replications:
    """Run ``reps`` replications in memory and score each; replication ``i`` is the one that
    ``drillsim run --reps`` runs with the same seed (``replication_seed(seed, i)``), on any number of
    ``workers`` or a Dask ``scheduler``. Nothing is written until ``.write(out)``.

    >>> import drillsim
    >>> plan = drillsim.load_plan("counter-robbery")
    >>> runs = drillsim.replicate(plan, drillsim.load_scenario("robbers-flee", plan), reps=20, seed=1)
    >>> runs.results.columns.tolist()               # one row per replication and requirement
    ['replication', 'requirement', 'outcome', 'latency_min', 'credit', 'score']
    >>> len(runs.results) == 20 * len(plan.requirements)
    True
    >>> row = runs.summary.iloc[0]                  # one row per requirement
    >>> row["requirement"], int(row["replications"])
    ('ROB-01', 20)
    >>> bool(row["p_met_low"] <= row["p_met"] <= row["p_met_high"])
    True
    """
    from drillsim.many_runs import Replications, drill_job
    from drillsim.runner import iterate_batch

    job = drill_job(plan, scenario, reps, seed, chunk)
    return Replications(job, list(iterate_batch(job, None, workers, scheduler)))


def experiment(ref: str | Path, reps: int | None = None, seed: int | None = None, workers: int = 1,
               scheduler: Any = None, chunk: int = 200, params: str | Path | None = None) -> ExperimentRun:
    """Run every configuration of an experiment file (a path or a built-in id) in memory, on common
    random numbers, and compare them; ``reps`` and ``seed`` replace the file's if given, and the
    overlay file ``params`` sets its values into the scenario. With the file's, the results are those
    of ``drillsim experiment``. Nothing is written until ``.write(out)``.

    >>> import drillsim
    >>> run = drillsim.experiment("robbery-staffing", reps=10)
    >>> run.results.columns.tolist()[:3]            # one row per configuration, replication, requirement
    ['configuration', 'replication', 'requirement']
    >>> run.summary.columns.tolist()[:2]            # one row per configuration and requirement
    ['configuration', 'requirement']
    >>> run.ranking.columns.tolist()                # configurations by mean score
    ['rank', 'configuration', 'mean_score', 'ci_low', 'ci_high']
    >>> sorted(set(run.differences["measure"]))[-1]  # paired differences from the baseline
    'score'
    """
    from drillsim.experiment_runs import ExperimentRun, experiment_job
    from drillsim.runner import iterate_batch

    exp, job = experiment_job(ref, reps, seed, chunk, params)
    run = ExperimentRun(exp, job)
    for res in iterate_batch(job, None, workers, scheduler):
        run.add(res, keep=True)
    return run


def stress(plan: str | Path, scenario: str | Path, reps: int = 200, seed: int = 0,
           only: Sequence[str] | None = None, workers: int = 1, scheduler: Any = None, **options: Any) -> StressResult:
    """The planner's stress test of SCENARIO under PLAN (files or built-in ids), in memory: the parts
    named in ``only`` (default all: ``drillsim.stress_runs.FAMILIES``) on common random numbers against the
    drill as planned; ``options`` are the rest of :class:`~drillsim.stress_runs.StressOptions`. Nothing is
    written until ``.write(out, lang)`` (the files of ``drillsim stress``).

    >>> import drillsim
    >>> result = drillsim.stress("counter-robbery", "armed-robbery-injured", reps=20, only=["absent"])
    >>> office = next(p for p in result.perturbations if p["id"] == "absent:upper_office")
    >>> next(r for r in office["requirements"] if r["requirement"] == "ROB-14")["p_met"]  # nobody declares the level
    0.0
    """
    from drillsim.stress_runs import FAMILIES, StressOptions, run_stress

    return run_stress(plan, scenario, StressOptions(reps=reps, seed=seed, families=tuple(only or FAMILIES),
                                                    workers=workers, scheduler=scheduler, **options))


def design(plan: str | Path, space: str | Path, workers: int = 1, scheduler: Any = None,
           params: str | Path | None = None) -> DesignResult:
    """The design search of ``drillsim design`` in memory: the cheapest design of the design file
    ``space`` that meets its target under PLAN (docs/design.md), with the values of the overlay file
    ``params`` if given. Nothing is written until ``.write(out, lang)``; ``.to_json()`` is ``design.json``.
    """
    from drillsim.design_search import run_design

    return run_design(plan, space, workers, scheduler, params=params)


def calibrate(plan: str | Path, db: str | Path | None = None, workers: int = 1, **options: Any) -> CalibrationResult:
    """``drillsim calibrate`` in memory: the plan's timing parameters fitted to the drills in the history
    at ``db`` (default: the user's), censored latencies and all (docs/calibration.md); ``options`` are
    the rest of :class:`~drillsim.calibration.Options`. Nothing is written until ``.write(out, lang)``;
    ``.overlay()`` is the ``params.yaml`` that ``--params`` reads.

    >>> import tempfile, drillsim
    >>> from drillsim.synthetic_drills import synthetic_history
    >>> plan = drillsim.load_plan("counter-robbery")
    >>> db = tempfile.mkdtemp() + "/history.sqlite"
    >>> keys = synthetic_history(plan, drillsim.load_scenario("armed-robbery-injured", plan), db, drills=10)
    >>> result = drillsim.calibrate("counter-robbery", db, reps=50, iterations=1)
    >>> [p.factor.id for p in result.parameters]      # what the drills' latencies depend on
    ['reaction', 'latency:phone']
    >>> sorted(result.overlay()["set"])[0]
    'scenario.parameters.channels.phone.latency'
    """
    from drillsim.calibration import Options
    from drillsim.calibration import calibrate as fit

    return fit(plan, db, Options(workers=workers, **options))
