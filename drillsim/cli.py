"""The ``drillsim`` command: checks the arguments, calls the API, and reports every ordinary mistake
as one line, ``error: <argument or file>: <what is wrong>``, with a non-zero exit status:

* 2 — a bad argument (typer's usage errors) or a file with an error in it (:class:`InputError`);
* 3 — no font with Chinese glyphs for the plots;
* 1 — ``validate`` found bad files, a file could not be written, or a worker process died;
* 130 — interrupted.

Anything else is a bug in drillsim: :func:`main` says so, writes the traceback to a file for the
report, and exits 1.
"""

from __future__ import annotations

import inspect
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Sequence
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from drillsim.collector import few_collections
from drillsim.spec.errors import InputError

try:  # recent typer carries its own copy of click, and raises its exceptions
    from typer._click import exceptions as click_errors
except ImportError:  # pragma: no cover - typer that uses click itself
    from click import exceptions as click_errors

app = typer.Typer(add_completion=False, pretty_exceptions_enable=False, no_args_is_help=True,
                  help="Play bank-branch emergency drills as simulations and score drills against the plan.")
out_console = Console(soft_wrap=True, emoji=False)  # no emoji: ":100:" in "file.yaml:100: at ..." is a line
err_console = Console(stderr=True, soft_wrap=True, emoji=False)

DEMO_PLAN, DEMO_SCENARIO, DEMO_SEED = "counter-robbery", "armed-robbery-injured", 7

PlanArg = Annotated[str, typer.Argument(help="plan file, or the id of a built-in plan")]
ScenarioArg = Annotated[str, typer.Argument(help="scenario file, or the id of a built-in scenario")]
OutOpt = Annotated[Path, typer.Option("--out", "-o", help="folder for the log, scorecard and report")]
ForceOpt = Annotated[bool, typer.Option("--force", help="replace the results of an earlier run in --out")]
SeedOpt = Annotated[int, typer.Option(min=0, help="seed of the random numbers; the same seed gives the same run")]
WorkersOpt = Annotated[int | None, typer.Option(min=1, help="local worker processes (default: every core)")]
SchedulerOpt = Annotated[str | None, typer.Option(
    help="address of a Dask scheduler, tcp://host:8786 (waits distributed.comm.timeouts.connect to reach it)")]
ResumeOpt = Annotated[bool, typer.Option(help="finish an interrupted run in --out")]
ParamsOpt = Annotated[Path | None, typer.Option(
    "--params", help="an overlay of parameter values, such as drillsim calibrate writes (docs/calibration.md)")]
DbOpt = Annotated[Path | None, typer.Option(
    "--db", help="the history's database (default: $DRILLSIM_HISTORY, else $XDG_DATA_HOME/drillsim/history.sqlite, "
                 "~/.local/share/… by default)")]

# What a command leaves in its --out folder that says an earlier run's results are there.
EARLIER_RESULTS = ("batch.json", "summary.json", "comparison.json", "scorecard.json", "programme.json", "stress.json")


def _day(text: str | None, argument: str) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError as err:
        raise InputError(argument, f"{text!r} is not a date ({err}); write it as 2026-03-12") from None


def _writable_folder(folder: Path, argument: str) -> None:
    """Check that ``folder`` is, or can be made, a folder this process can write in; leave no trace."""
    for p in (folder, *folder.parents):
        if p.exists() and not p.is_dir():
            raise InputError(argument, f"{p} is a file, not a folder" + (f" (in {folder})" if p != folder else ""))
    made: list[Path] = []
    try:
        for p in reversed((folder, *folder.parents)):
            if not p.exists():
                p.mkdir()
                made.append(p)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as err:
        raise InputError(argument, f"cannot write in {folder}: {err.strerror or err}") from None
    finally:
        for p in reversed(made):
            p.rmdir()


def _out_folder(out: Path, force: bool, resume: bool = False, own: tuple[str, ...] = ()) -> None:
    """The output-folder rule (docs/decisions.md): a folder that holds an earlier run's results (any
    command's, or ``own``: files of this command alone) is refused unless ``--force`` (replace them)
    or, for many replications, ``--resume`` (finish them)."""
    if resume and force:
        raise InputError("--force", "cannot be given with --resume: --resume finishes the earlier run in --out, "
                         "--force replaces it")
    _writable_folder(out, "--out")
    earlier = next((name for name in (*EARLIER_RESULTS, *own) if (out / name).exists()), None)
    if earlier and not force and not (resume and earlier == "batch.json"):
        finish = "--resume to finish it, " if earlier == "batch.json" else ""
        raise InputError("--out", f"{out} holds the results of an earlier run ({earlier}): add {finish}--force to "
                         "replace them, or choose another folder")


@contextmanager
def _progress_bars(*labels: str):
    """Progress bars on stderr, one per stage (``labels``), told ``(done, total)``; yields one
    function per stage. The first is shown from the first finished chunk on (so that an error
    found before any work is done is the only line printed), each later one once the one before
    it is complete."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TaskProgressColumn,
        TextColumn,
        TimeRemainingColumn,
    )

    width = max(map(len, labels))
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TaskProgressColumn(),
               TextColumn("{task.fields[rate]}"), TimeRemainingColumn())
    bar = Progress(*columns, console=err_console, transient=False)
    tasks = [bar.add_task(label.ljust(width), total=None, rate="", visible=False) for label in labels]
    started = [time.perf_counter()] * len(tasks)

    def stage(k: int):
        def advance(done: int, total: int) -> None:
            if not bar.live.is_started:
                bar.start()
            rate = done / max(time.perf_counter() - started[k], 1e-9)
            bar.update(tasks[k], completed=done, total=total, visible=True,
                       rate=f"{rate:,.1f}/s" if rate < 10 else f"{rate:,.0f}/s")
            if done == total and k + 1 < len(tasks):
                started[k + 1] = time.perf_counter()
        return advance

    try:
        yield tuple(stage(k) for k in range(len(tasks)))
    finally:
        if bar.live.is_started:
            bar.stop()


def _interruptible(work, out: Path):
    """Run; on Ctrl-C or a dead worker, say what is saved and how to finish."""
    from concurrent.futures.process import BrokenProcessPool

    try:
        return work()
    except KeyboardInterrupt:
        err_console.print(f"interrupted: finished chunks are saved in {out}; run the same command with --resume")
        sys.exit(130)
    except BrokenProcessPool:
        err_console.print(f"a worker process died: finished chunks are saved in {out}; run again with --resume")
        sys.exit(1)


def _print_many(summary: dict, plan, lang: str) -> None:
    from drillsim.reports.batch import print_many

    print_many(summary, plan, out_console, lang)


def _finish(output) -> None:
    from drillsim.reports.terminal import print_scorecard

    print_scorecard(output.scorecard, out_console)
    out_console.print(f"report: {output.files['report']}")
    out_console.print(f"scorecard: {output.files['scorecard']}  event log: {output.files['log_csv']}")


@app.command()
def run(plan: PlanArg, scenario: ScenarioArg,
        seed: SeedOpt = 0,
        out: OutOpt = Path("out/run"),
        reps: Annotated[int, typer.Option(min=1, help="replications; more than 1 gives distributions")] = 1,
        workers: WorkersOpt = None,
        scheduler: SchedulerOpt = None,
        resume: ResumeOpt = False,
        replication: Annotated[int | None, typer.Option(
            min=0, help="re-run replication I of a --reps run alone (without --reps)")] = None,
        examples: Annotated[int | None, typer.Option(
            min=0, help="with --reps: write the N worst late runs with their report and timeline (about "
                        "half a second each) [default: 1]")] = None,
        force: ForceOpt = False,
        lang: Annotated[str | None, typer.Option(
            "--lang", help="with --reps: language of the report and the tables, en or zh [default: en]")] = None,
        params: ParamsOpt = None,
        ) -> None:
    """Simulate SCENARIO under PLAN and score it: one drill with its report, or --reps many."""
    import drillsim
    from drillsim.many_runs import EXAMPLES, check_language, run_many
    from drillsim.runner import remove_batch_results
    from drillsim.sim.seeds import replication_seed

    if lang is not None:
        check_language(lang)
    if replication is not None and reps > 1:
        raise InputError("--replication", f"re-runs one replication of a --reps run alone; it cannot be given "
                         f"with --reps {reps} (drop --reps, keep --seed)")
    if reps == 1:
        for name, given in (("--workers", workers is not None), ("--scheduler", scheduler is not None),
                            ("--resume", resume), ("--examples", examples is not None), ("--lang", lang is not None)):
            if given:
                raise InputError(name, "applies only to many replications (--reps N)")
    _out_folder(out, force, resume)
    p = drillsim.load_plan(plan)
    sc = drillsim.load_scenario(scenario, p, params)
    if reps == 1:
        if force:
            remove_batch_results(out)
        _finish(drillsim.run_drill(p, sc, seed if replication is None else replication_seed(seed, replication), out))
        return
    with _progress_bars("replications", "examples") as (advance, advance_examples):
        result = _interruptible(lambda: run_many(p, sc, reps, seed, out, workers, scheduler, resume, advance,
                                                 examples=EXAMPLES if examples is None else examples, overwrite=force,
                                                 example_progress=advance_examples, lang=lang or "en"), out)
    _print_many(result.summary, p, lang or "en")
    out_console.print(f"report: {result.files['report']}\nsummary: {result.files['summary']}  "
                      f"table: {result.files['results']} (Parquet)")


@app.command()
def demo(out: OutOpt = Path("out/demo"), force: ForceOpt = False) -> None:
    """The built-in demo: an armed robbery with an injured customer, seed 7, with its After-Action Report."""
    import drillsim
    from drillsim.reports.aar import write_aar
    from drillsim.runner import remove_batch_results
    from drillsim.scoring.evaluation import Evaluation, Exercise

    _out_folder(out, force)
    if force:
        remove_batch_results(out)
    p = drillsim.load_plan(DEMO_PLAN)
    sc = drillsim.load_scenario(DEMO_SCENARIO, p)
    output = drillsim.run_drill(p, sc, DEMO_SEED, out)
    _finish(output)
    exercise = Exercise(f"{sc.title} (simulated, seed {DEMO_SEED})", scenario=sc.id,
                        branch=", ".join(b.name or b.id for b in sc.branches))
    files = write_aar(p, output.log, Evaluation(output.scorecard, exercise), out)
    out_console.print(f"after-action report: {files['aar_html']}  PDF: {files['aar_pdf']}", highlight=False,
                      markup=False)


LangOpt = Annotated[str, typer.Option("--lang", help="language of the sheet's headers and names, or of the report: "
                                                    "en or zh")]


@app.command()
def score(plan: PlanArg,
          log: Annotated[list[Path], typer.Argument(
              help="the drill's log (CSV, see docs/drill-logs.md), or its evaluators' log sheets (xlsx or CSV, "
                   "several merged into one: docs/log-sheets.md)", exists=True, dir_okay=False, readable=True)],
          out: OutOpt = Path("out/drill"),
          incident_type: Annotated[str | None, typer.Option("--type", help="incident type of the drill")] = None,
          day: Annotated[str | None, typer.Option("--date", help="date for rows that give only a time")] = None,
          scenario: Annotated[str | None, typer.Option(
              help="the scenario the drill played (file or built-in id): its injects and branches are checked too")]
          = None,
          force: ForceOpt = False,
          lang: LangOpt = "en",
          against: Annotated[str | None, typer.Option(
              help="place the drill among simulated runs of --scenario: a number of runs to simulate, or the "
                   "folder of a `drillsim run … --reps N`")] = None,
          db: DbOpt = None,
          keep: Annotated[bool, typer.Option("--history/--no-history",
                                             help="keep the scored drill in the history (--db)")] = True,
          ) -> None:
    """Score a real drill's log, or its evaluators' sheets, against PLAN, exactly as a simulated drill is
    scored, and write its After-Action Report."""
    import drillsim

    when = _day(day, "--date")
    runs: int | Path | None = None
    if against is not None:
        runs = int(against) if against.isdigit() else Path(against)
        if isinstance(runs, Path) and not runs.is_dir():
            raise InputError("--against", f"{against!r} is neither a number of runs nor a folder of runs")
    _out_folder(out, force)
    p = drillsim.load_plan(plan)
    sc = None if scenario is None else drillsim.load_scenario(scenario, p)
    output = drillsim.score_drill(p, log[0] if len(log) == 1 else log, out, incident_type, when, sc, lang, runs, db,
                                  keep)
    _finish(output)
    out_console.print(coverage_line(output.scorecard.coverage()), highlight=False, markup=False)
    if output.conflicts:
        out_console.print(f"conflicting stamps: {len(output.conflicts)} (each named in a warning above)",
                          highlight=False, markup=False)
    for placement in output.placements or ():
        out_console.print(placement.text, highlight=False,
                          markup=False)
    out_console.print(f"after-action report: {output.files['aar_html']}  PDF: {output.files['aar_pdf']}  "
                      f"improvement plan: {output.files['improvement_plan']}", highlight=False, markup=False)
    if output.history:
        out_console.print(output.history, highlight=False, markup=False)


def coverage_line(coverage: dict) -> str:
    """``coverage: 8 of 10 requirements evaluated (80 %); not evaluated: R3, R7``."""
    evaluated, total, missing = coverage["evaluated"], coverage["total"], coverage["not_evaluated"]
    share = f" ({100 * evaluated / total:.0f} %)" if total else ""
    rest = f"; not evaluated: {', '.join(missing)}" if missing else ""
    return f"coverage: {evaluated} of {total} requirements evaluated{share}{rest}"


@app.command()
def sheet(plan: PlanArg, scenario: ScenarioArg,
          out: Annotated[Path, typer.Option("--out", "-o", help="the blank sheet: .xlsx (with drop-downs and the "
                                            "exercise, observed, ratings and notes sheets) or .csv")]
          = Path("out/sheet.xlsx"),
          lang: LangOpt = "en",
          roles: Annotated[str | None, typer.Option(
              help="the roles this evaluator watches, by id or name, comma-separated (default: all)")] = None,
          force: ForceOpt = False,
          ) -> None:
    """Write a blank log sheet for an evaluator of a drill of SCENARIO under PLAN (docs/log-sheets.md)."""
    import drillsim

    if out.is_dir():
        raise InputError("--out", f"{out} is a folder; name the sheet to write, e.g. {out / 'sheet.xlsx'}")
    if out.exists() and not force:
        raise InputError("--out", f"{out} exists (perhaps filled in already): add --force to replace it, or "
                         "choose another name")
    p = drillsim.load_plan(plan)
    sc = drillsim.load_scenario(scenario, p)
    watched = None
    if roles is not None:
        from drillsim.log.drill_log import suggest

        watched = set()
        labels = {n: f"{r} ({p.roles[r].name})" for n, r in p.role_names.items()}
        for name in (r.strip() for r in roles.replace("，", ",").split(",")):
            if name not in p.role_names:
                raise InputError("--roles", f"unknown role {name!r}" + suggest(name, labels))
            watched.add(p.role_names[name])
    _writable_folder(out.parent, "--out")
    out.parent.mkdir(parents=True, exist_ok=True)
    out_console.print(f"sheet: {drillsim.write_sheet(p, sc, out, lang, watched)}", highlight=False, markup=False)


@app.command()
def experiment(ref: Annotated[str, typer.Argument(help="experiment file, or the id of a built-in experiment")],
               out: OutOpt = Path("out/experiment"),
               workers: WorkersOpt = None,
               scheduler: SchedulerOpt = None,
               resume: ResumeOpt = False,
               force: ForceOpt = False,
               params: ParamsOpt = None) -> None:
    """Run every configuration of an experiment on common random numbers and compare them."""
    from drillsim.experiment_runs import run_experiment
    from drillsim.spec import catalog
    from drillsim.spec.experiment import load_experiment

    _out_folder(out, force, resume)
    source = catalog.resolve(ref, "experiment")
    _expect_kind(source, "drillsim.experiment")
    exp, _ = load_experiment(source, params)
    with _progress_bars("replications") as (advance,):
        result = _interruptible(lambda: run_experiment(ref, out, workers, scheduler, resume, advance,
                                                       overwrite=force, params=params), out)
    from rich.table import Table

    table = Table(title=f"{exp.title} — ranking by mean score (baseline {result.comparison['baseline']})")
    for col in ("rank", "configuration", "mean score", "95% CI", "vs baseline (paired)"):
        table.add_column(col)
    diffs = {d["configuration"]: d for d in result.comparison["differences"] if d["measure"] == "score"}
    for r in result.comparison["ranking"]:
        d = diffs.get(r["configuration"])
        vs = f"{d['mean']:+.2f} ({d['ci95'][0]:+.2f} … {d['ci95'][1]:+.2f})" if d and d["ci95"] else "baseline"
        table.add_row(str(r["rank"]), r["configuration"], f"{r['mean_score']:.2f}",
                      f"{r['ci95'][0]:.2f}–{r['ci95'][1]:.2f}", vs)
    out_console.print(table)
    out_console.print(f"report: {result.files['report']}\ncomparison: {result.files['comparison']}  "
                      f"table: {result.files['results']} (Parquet)")


@app.command()
def stress(plan: PlanArg, scenario: ScenarioArg,
           out: OutOpt = Path("out/stress"),
           reps: Annotated[int, typer.Option(min=2, help="replications of each change")] = 200,
           seed: SeedOpt = 0,
           only: Annotated[str | None, typer.Option(
               help="parts to run, comma-separated: absent, channel, staffing, combined, load, sensitivity")] = None,
           branches: Annotated[str, typer.Option(help="numbers of branches at once for the load curve")] = "1,5,20,100",
           with_: Annotated[str | None, typer.Option(
               "--with", help="scenario of a second incident at the same time (default: another of the plan)")] = None,
           sobol: Annotated[int, typer.Option(min=2, help="Sobol base samples N: N × (parameters + 2) points")] = 32,
           lang: Annotated[str, typer.Option("--lang", help="language of the report and memo: en or zh")] = "en",
           workers: WorkersOpt = None,
           scheduler: SchedulerOpt = None,
           force: ForceOpt = False,
           params: ParamsOpt = None) -> None:
    """Where the design breaks: each role absent, each channel down, reduced staffing, two incidents at
    once, load at many branches and sensitivity, each against the drill as planned on common random
    numbers."""
    from drillsim.reports.i18n import Translator
    from drillsim.stress_runs import FAMILIES, StressOptions, run_stress

    Translator(lang)  # a bad --lang is refused before any work
    families = FAMILIES if only is None else tuple(f.strip() for f in only.split(",") if f.strip())
    try:
        counts = tuple(int(n) for n in branches.split(","))
    except ValueError:
        raise InputError("--branches", f"{branches!r} is not a list of whole numbers such as 1,5,20,100") from None
    if not counts or min(counts) < 1 or max(counts) > 1000 or list(counts) != sorted(set(counts)):
        raise InputError("--branches", f"{branches!r}: give increasing numbers of branches from 1 to 1000")
    _out_folder(out, force)
    options = StressOptions(reps=reps, seed=seed, families=families, branches=counts, sobol_samples=sobol,
                            workers=workers, scheduler=scheduler, other=with_, params=params)
    with _progress_bars("replications") as (advance,):
        result = _interruptible(lambda: run_stress(plan, scenario, options, advance), out)
    files = result.write(out, lang)
    out_console.print((out / "summary.md").read_text(encoding="utf-8"), highlight=False, markup=False)
    out_console.print(f"report: {files['report']}\nsummary: {files['summary']}  results: {files['json']}",
                      highlight=False, markup=False)


@app.command()
def design(plan: PlanArg,
           space: Annotated[Path, typer.Argument(help="design file: choices, costs, scenarios, target")],
           out: OutOpt = Path("out/design"),
           lang: Annotated[str, typer.Option("--lang", help="language of the plot and memo: en or zh")] = "en",
           workers: WorkersOpt = None,
           scheduler: SchedulerOpt = None,
           force: ForceOpt = False,
           params: ParamsOpt = None) -> None:
    """The cheapest design that meets the target: designs screened on common random numbers, more
    replications only where they decide (docs/design.md)."""
    from drillsim.design_search import run_design
    from drillsim.reports.i18n import Translator

    Translator(lang)  # a bad --lang is refused before any work
    _out_folder(out, force, own=("design.json",))
    with _progress_bars("replications") as (advance,):
        result = run_design(plan, space, workers, scheduler, advance, params)
    files = result.write(out, lang)
    out_console.print(files["summary"].read_text(encoding="utf-8"), highlight=False, markup=False)
    out_console.print(f"front: {files['plot']}  table: {files['table']}  results: {files['json']}",
                      highlight=False, markup=False)


@app.command()
def calibrate(plan: PlanArg,
              db: DbOpt = None,
              out: Annotated[Path, typer.Option("--out", "-o", help="folder for the overlay (params.yaml), the memo "
                                                "and the PIT plot")] = Path("out/calibration"),
              scenario: Annotated[str | None, typer.Option(
                  help="use only the drills of this scenario (a file, or a built-in id) [default: every drill "
                       "whose scenario is built in]")] = None,
              reps: Annotated[int, typer.Option(min=50, max=100_000,
                                                help="replications at each point the fit tries")] = 400,
              seed: SeedOpt = 0,
              by_role: Annotated[bool, typer.Option(
                  "--by-role", help="fit each staff and office role's reaction on its own, not everyone's "
                                    "together (needs more drills)")] = False,
              prior_factor: Annotated[float, typer.Option(
                  min=1.01, max=100.0, help="the prior: each default is right within this factor, with 95 %")] = 2.0,
              lang: Annotated[str, typer.Option("--lang", help="language of the memo and the plot: en or zh")] = "en",
              workers: WorkersOpt = None,
              scheduler: SchedulerOpt = None,
              force: ForceOpt = False) -> None:
    """Fit the plan's timing parameters to the drills in the history, censored latencies and all; write
    an overlay for --params (docs/calibration.md)."""
    from drillsim.calibration import Options
    from drillsim.calibration import calibrate as fit
    from drillsim.reports.i18n import Translator

    Translator(lang)  # a bad --lang is refused before any work
    _out_folder(out, force, own=("calibration.json",))
    options = Options(reps=reps, seed=seed, prior_factor=prior_factor, scenario=scenario, by_role=by_role,
                      workers=workers, scheduler=scheduler)
    with _progress_bars("replications") as (advance,):
        result = fit(plan, db, options, lambda done, _: advance(done, None))  # the rounds needed are not known
    files = result.write(out, lang)
    out_console.print(files["summary"].read_text(encoding="utf-8"), highlight=False, markup=False)
    out_console.print(f"overlay: {files['params']}  PIT: {files['plot']}  results: {files['json']}",
                      highlight=False, markup=False)


@app.command()
def programme(ref: Annotated[str, typer.Argument(help="programme file, or the id of a built-in programme")],
              out: OutOpt = Path("out/programme"), force: ForceOpt = False) -> None:
    """Play every drill of a year's programme on its date; write the calendar with each drill's result."""
    import drillsim
    from drillsim.spec import catalog

    _out_folder(out, force)
    _expect_kind(catalog.resolve(ref, "programme"), "drillsim.programme")
    result = drillsim.run_programme(ref, out)
    for row in result.rows:
        score = f"{row['score']:5.1f} {row['rating']}" if row.get("score") is not None else ""
        out_console.print(f"{row['date']}  {row['kind']:10} {score:8} {row['title']}", highlight=False)
    out_console.print(f"programme: {result.files['page']}")


SCHEMAS = ("drillsim.plan", "drillsim.scenario", "drillsim.programme", "drillsim.experiment", "drillsim.overlay")


def _file_kind(path: Path) -> str:
    """The kind of drillsim file its ``schema`` key names: one of :data:`SCHEMAS`."""
    from drillsim.spec.yamlio import load_yaml

    data, positions = load_yaml(path)
    schema = data.get("schema") if isinstance(data, dict) else None
    known = ", ".join(f"{k}/1" for k in SCHEMAS)
    if schema is None:
        raise InputError(str(path), f"no schema key: a drillsim file says what it is in its first line, "
                         f"schema: one of {known}", "schema", 1)
    kind = str(schema).split("/")[0]
    if kind not in SCHEMAS:
        raise InputError(str(path), f"unknown schema {schema!r}; known: {known}", "schema",
                         positions.get(("schema",)))
    return kind


def _expect_kind(path: Path, kind: str) -> None:
    found = _file_kind(path)
    if found != kind:
        raise InputError(str(path), f"this is a {found}/1 file; a {kind}/1 file is needed here", "schema", 1)


@app.command()
def validate(files: Annotated[list[Path], typer.Argument(
                 help="plan, scenario, programme, experiment and overlay files")]) -> None:
    """Check files by the kind their `schema:` names; scenarios are checked against their plan, and an
    overlay against every scenario of its plan, built in or given."""
    from drillsim.spec.catalog import builtin_plans, builtin_scenarios
    from drillsim.spec.experiment import load_experiment
    from drillsim.spec.lint import plan_warnings, scenario_warnings
    from drillsim.spec.overlay import load_overlay
    from drillsim.spec.plan import load_plan
    from drillsim.spec.programme import load_programme
    from drillsim.spec.scenario import load_scenario
    from drillsim.spec.yamlio import load_yaml

    plans: dict[str, object] = {}
    scenarios: dict[str, list[Path]] = {}  # the scenario files given, by plan

    warnings: list = []

    def plan_file(path: Path) -> str:
        plan = load_plan(path)
        plans[plan.id] = plan
        warnings.extend(plan_warnings(plan, str(path)))
        return f"plan {plan.id}"

    def scenario_file(path: Path) -> str:
        sc = load_scenario(path)
        if sc.plan not in plans:
            if sc.plan not in builtin_plans():
                raise InputError(str(path), f"its plan {sc.plan!r} is neither among the files given nor built in",
                                 "plan")
            plans[sc.plan] = load_plan(builtin_plans()[sc.plan])
        sc = load_scenario(path, plans[sc.plan])
        warnings.extend(scenario_warnings(sc, plans[sc.plan], str(path)))
        scenarios.setdefault(sc.plan, []).append(path)
        return f"scenario {sc.id}, plan {sc.plan}"

    def programme_file(path: Path) -> str:
        return f"programme {load_programme(path).id}"  # loading plays each drill's plan and scenario

    def experiment_file(path: Path) -> str:
        exp, configs = load_experiment(path)
        return f"experiment {exp.id}, {len(configs)} configurations"

    def overlay_file(path: Path) -> str:
        overlay = load_overlay(path)
        plan_id = overlay.file.plan
        if plan_id not in plans and plan_id in builtin_plans():
            plans[plan_id] = load_plan(builtin_plans()[plan_id])
        given = scenarios.get(plan_id, [])
        if plan_id in builtin_plans():
            given = given + [p for p in builtin_scenarios().values() if load_scenario(p).plan == plan_id]
        if plan_id not in plans or not given:
            raise InputError(str(path), f"its plan {plan_id!r} is neither built in nor among the files given with "
                             "a scenario: give them, so that the overlay can be checked against a scenario", "plan",
                             overlay.positions.get(("plan",)))
        for scenario_path in given:
            overlay.apply(plans[plan_id], load_yaml(scenario_path)[0], str(scenario_path))
        return f"overlay of plan {plan_id}, {len(overlay.file.set)} values, checked against {len(given)} scenarios"

    checks = dict(zip(SCHEMAS, (plan_file, scenario_file, programme_file, experiment_file, overlay_file),
                      strict=True))

    # plans first, so that scenarios are checked against the plans given
    order = {check: i for i, check in enumerate(checks.values())}
    found: list[tuple[int, Path, Callable[[Path], str] | InputError]] = []
    for path in files:
        try:
            check = checks[_file_kind(path)]
            found.append((order[check], path, check))
        except InputError as err:
            found.append((-1, path, err))
    failed = 0
    for _, path, check in sorted(found, key=lambda f: f[0]):
        try:
            if isinstance(check, InputError):
                raise check
            out_console.print(f"[green]ok[/]   {escape(str(path))}  ({escape(check(path))})")
            for warning in warnings:
                out_console.print(f"[yellow]warn[/] {escape(str(warning))}", highlight=False)
            warnings.clear()
        except InputError as err:
            failed += 1
            err_console.print(f"[red]FAIL[/] {escape(str(err))}", highlight=False)
    if failed:
        raise typer.Exit(1)


QUICK_REPS = 200
"""The runs of ``graph --scenario``'s quick simulation unless ``--reps`` says."""


@app.command()
def graph(plan: PlanArg, out: Annotated[Path, typer.Option(
        "--out", "-o", help="folder for escalation.png, escalation.svg, findings.md and findings.json; a file "
                            "ending in .png or .svg: the drawing alone")] = Path("out/graph"),
          scenario: Annotated[str | None, typer.Option(
              help="also run this scenario a few times and list the requirements met in under half the runs")] = None,
          reps: Annotated[int | None, typer.Option(
              min=1, help=f"runs of the quick simulation, with --scenario (default {QUICK_REPS})")] = None,
          seed: SeedOpt = 0) -> None:
    """Analyse PLAN's escalation design without simulating it: the drawing, best-case bounds of the
    reporting deadlines, single points of failure, unreached roles, dead fallbacks, loops (docs/graph-analysis.md)."""
    import drillsim
    from drillsim.reports.graph_plot import FORMATS, plot_escalation_graph

    drawing = out.suffix.lower() in FORMATS
    if not drawing and out.suffix:
        raise InputError("--out", f"{out}: name a folder (no suffix) for the drawing and the findings, or a file "
                         f"ending in {' or '.join(FORMATS)} for the drawing alone")
    if drawing and out.is_dir():
        raise InputError("--out", f"{out} is a folder; name the file to draw, e.g. {out / 'escalation.png'}, "
                         "or give the folder without a suffix for the drawing and the findings")
    if drawing and scenario is not None:
        raise InputError("--scenario", f"the quick simulation goes with the findings; give --out a folder, not {out}")
    if reps is not None and scenario is None:
        raise InputError("--reps", "is the number of runs of the quick simulation: give --scenario too")
    _writable_folder(out.parent if drawing else out, "--out")
    p = drillsim.load_plan(plan)
    if drawing:
        for rep in p.escalation:
            fallback = f"  then {', '.join(rep.fallback)}" if rep.fallback else ""
            when = f"  when {rep.when}" if rep.when else ""
            out_console.print(f"{rep.id:24} {rep.from_} -> {rep.to} by {rep.channel}{fallback}{when}",
                              highlight=False, markup=False)
        out.parent.mkdir(parents=True, exist_ok=True)
        out_console.print(f"drawn: {plot_escalation_graph(p, out)}", highlight=False, markup=False)
        return
    from drillsim.reports.graph_findings import print_findings, write_folder
    from drillsim.spec.graph_analysis import analyse

    sc = drillsim.load_scenario(scenario, p) if scenario is not None else None
    analysis = analyse(p)
    if sc is not None:
        reps = reps or QUICK_REPS
        runs = drillsim.replicate(p, sc, reps, seed)
        p_met = {row.requirement: None if row.applicable == 0 else float(row.p_met)
                 for row in runs.summary.itertuples()}
        analysis.add_simulation(sc.id, reps, p_met)
    files = write_folder(analysis, out)
    print_findings(analysis, out_console)
    out_console.print(f"written: {', '.join(str(f) for f in files)}", highlight=False, markup=False)


@app.command()
def msel(plan: PlanArg, scenario: ScenarioArg, out: Annotated[Path, typer.Option(
        "--out", "-o", help="folder for msel.html and msel.xlsx")] = Path("out/msel"),
         lang: Annotated[str, typer.Option(help="language of the headings: en or zh")] = "en",
         force: Annotated[bool, typer.Option("--force", help="replace an earlier MSEL in --out")] = False) -> None:
    """Write the Master Scenario Events List of SCENARIO for the drill's controllers (HTML and xlsx)."""
    import drillsim
    from drillsim.reports.i18n import Translator
    from drillsim.reports.msel import write_msel

    Translator(lang)  # a bad --lang is refused before any work
    _out_folder(out, force, own=("msel.html", "msel.xlsx"))
    p = drillsim.load_plan(plan)
    files = write_msel(p, drillsim.load_scenario(scenario, p), out, lang)
    out_console.print(f"MSEL: {files['html']}  workbook: {files['xlsx']}", highlight=False, markup=False)
history_app = typer.Typer(help="The drill history: drills so far, trends, open and overdue actions, re-tests "
                          "(docs/history.md).")
app.add_typer(history_app, name="history")
ActionArg = Annotated[int, typer.Argument(help="the action's number (drillsim history lists them)")]
def _history(db: Path | None, ctx: typer.Context | None = None):
    """The history named by ``--db`` (after the command, or before it), else the default one; it must exist."""
    from drillsim.history import History, default_path

    db = db if db is not None or ctx is None else ctx.obj
    return History(default_path() if db is None else db, create=False)


@history_app.callback(invoke_without_command=True)
def history(ctx: typer.Context, db: DbOpt = None,
            plan: Annotated[str | None, typer.Option(help="only the drills of this plan (its id)")] = None,
            branch: Annotated[str | None, typer.Option(help="only the drills of this branch")] = None,
            plot: Annotated[Path | None, typer.Option(
                help="draw the ratings per capability over the drills, per branch (PNG or SVG)")] = None,
            today: Annotated[str | None, typer.Option(
                help="the day an action is overdue after its due date (default: today)")] = None,
            every: Annotated[bool, typer.Option(
                "--all", help="list every drill, open action and re-test (default: the latest 20 drills and "
                              "re-tests, every overdue action and others up to 20)")] = False) -> None:
    """The drills so far, the trends per capability and requirement, open and overdue actions, re-tests."""
    if ctx.invoked_subcommand is not None:
        given = [name for name, value in (("--plan", plan), ("--branch", branch), ("--plot", plot),
                                          ("--today", today), ("--all", every or None)) if value is not None]
        if given:
            raise InputError(given[0], f"applies to the listing, not to `history {ctx.invoked_subcommand}`; "
                             f"see drillsim history {ctx.invoked_subcommand} --help")
        ctx.obj = db  # `history --db PATH close …` works as `history close … --db PATH`
        return
    from drillsim.history import default_path, queries
    from drillsim.reports import history_tables as tables
    from drillsim.reports.history_plot import FORMATS

    day = _day(today, "--today")
    path = default_path() if db is None else db
    if plot is not None:
        if plot.suffix.lower() not in FORMATS:
            raise InputError("--plot", f"{plot}: cannot draw a {plot.suffix or 'file without a suffix'}; name a file "
                             f"ending in {' or '.join(FORMATS)}")
        _writable_folder(plot.parent, "--plot")
    if not path.exists():
        out_console.print(f"no drills kept in {path} yet: each drill is kept there as it is scored", markup=False,
                          highlight=False)
        return
    with _history(path) as h:
        drills = queries.drills(h, plan, branch)
        if drills.empty:
            out_console.print(f"no drills in {path}" + (" with these filters" if plan or branch else ""),
                              markup=False, highlight=False)
            return
        capabilities = queries.capability_trends(h, plan, branch)
        limit = None if every else tables.MAX_LISTED
        tables.print_drills(drills, out_console, limit)
        tables.print_capability_trends(capabilities, drills, out_console)
        tables.print_requirement_trends(queries.requirement_trends(h, plan, branch), drills, out_console)
        tables.print_open_actions(queries.open_actions(h, day, plan, branch), out_console, limit)
        tables.print_retested(queries.retested(h, plan, branch), out_console, limit)
    if plot is not None:
        from drillsim.reports.history_plot import plot_capability_trends

        out_console.print(f"plot: {plot_capability_trends(capabilities, plot)}", markup=False, highlight=False)


def _print_action(action: dict, done: str) -> None:
    owner = f", owner {action['owner']}" if action["owner"] else ""
    due = f", due {action['due']}" if action["due"] else ""
    out_console.print(f"action {action['id']} ({action['requirement']}, drill {action['drill']}) {done}{owner}{due}",
                      markup=False, highlight=False)


@history_app.command("close")
def history_close(ctx: typer.Context, action: ActionArg,
                  note: Annotated[str, typer.Option(help="what was done")],
                  db: DbOpt = None,
                  today: Annotated[str | None, typer.Option(help="the day it was closed (default: today)")] = None,
                  ) -> None:
    """Close a corrective action, with a note saying what was done."""
    from drillsim.history.actions import close_action

    day = _day(today, "--today")
    with _history(db, ctx) as h:
        closed = close_action(h, action, note, day)
    _print_action(closed, f"closed on {closed['closed_at']}: {closed['closing_note']}")


@history_app.command("update")
def history_update(ctx: typer.Context, action: ActionArg,
                   db: DbOpt = None,
                   owner: Annotated[str | None, typer.Option(help="who sees it done")] = None,
                   due: Annotated[str | None, typer.Option(help="the day it is due, 2026-06-30")] = None,
                   start: Annotated[str | None, typer.Option(help="the day work on it starts")] = None,
                   corrective_action: Annotated[str | None, typer.Option(help="what is to be done")] = None,
                   capability_element: Annotated[str | None, typer.Option(
                       help="planning, organising, equipment, training or exercises")] = None,
                   organisation: Annotated[str | None, typer.Option(help="the organisation that does it")] = None,
                   ) -> None:
    """Complete a corrective action: its owner, due date, the action itself …"""
    from drillsim.history.actions import update_action

    fields = {"owner": owner, "due": _day(due, "--due"), "start": _day(start, "--start"),
              "corrective_action": corrective_action, "capability_element": capability_element,
              "organisation": organisation}
    with _history(db, ctx) as h:
        updated = update_action(h, action, **fields)
    _print_action(updated, "updated" + (f": {updated['corrective_action']}" if updated["corrective_action"] else ""))


@history_app.command("retest")
def history_retest(ctx: typer.Context, action: ActionArg,
                   drill: Annotated[str, typer.Option(help="the later drill that met the requirement (its key, "
                                                           "or its first digits)")],
                   db: DbOpt = None) -> None:
    """Record that a later drill of the same plan met the requirement an action was for."""
    from drillsim.history.actions import record_retest

    with _history(db, ctx) as h:
        linked = record_retest(h, action, drill)
    _print_action(linked, f"re-tested: met in drill {linked['retest_drill']}")


@app.command()
def live(plan: PlanArg, scenario: ScenarioArg, db: DbOpt = None,
         host: Annotated[str, typer.Option(help="address to listen on; other than the loopback address, the drill "
                                                "is reachable from the network")] = "127.0.0.1",
         port: Annotated[int, typer.Option(min=0, max=65535, help="port to listen on (0: a free one)")] = 8000,
         lang: Annotated[str, typer.Option("--lang", help="language of the pages and the report: en or zh")] = "en",
         evaluator: Annotated[list[str] | None, typer.Option(
             help="NAME=ROLE,ROLE: an evaluator and the roles they watch (repeatable; default: one per kind of "
                  "role with work in the scenario)")] = None,
         new: Annotated[bool, typer.Option("--new", help="start another drill, not the unfinished one in --db")]
         = False,
         out: Annotated[Path | None, typer.Option(
             "--out", "-o", help="folder for the exported sheet, scorecard and AAR (default: out/live/<drill>)")]
         = None,
         ) -> None:
    """Run a live drill of SCENARIO under PLAN: the controller's console and the evaluators' pages (docs/live.md)."""
    from drillsim.live.server import serve

    serve(plan, scenario, db, host, port, lang, evaluator or [], new, out)


@app.command("list")
def list_builtins() -> None:
    """The built-in programmes, experiments, plans and scenarios, one line each."""
    from drillsim.spec import catalog
    from drillsim.spec.yamlio import load_yaml

    kinds = (("programme", catalog.builtin_programmes), ("experiment", catalog.builtin_experiments),
             ("plan", catalog.builtin_plans), ("scenario", catalog.builtin_scenarios))
    for kind, found in kinds:
        for fid, path in found().items():
            data, _ = load_yaml(path)
            plan = f"[{data.get('plan', '')}] " if kind in ("scenario", "experiment") else ""
            out_console.print(f"{kind:10} {fid:34} {plan}{data.get('title', '')}", highlight=False, markup=False)


def _report_bug(err: BaseException, args: Sequence[str]) -> None:
    """Say that an unexpected exception is a bug, and keep its traceback in a file for the report."""
    from drillsim import __version__

    with tempfile.NamedTemporaryFile("w", prefix="drillsim-bug-", suffix=".txt", delete=False,
                                     encoding="utf-8") as f:
        f.write(f"drillsim {__version__}, python {sys.version.split()[0]}\ncommand: drillsim "
                f"{' '.join(args)}\n\n")
        traceback.print_exception(err, file=f)
    err_console.print(f"[red]error:[/] this is a bug in drillsim {__version__}, not a mistake of yours: "
                      f"{escape(type(err).__name__)}: {escape(str(err))}", highlight=False)
    err_console.print(f"please report it to the drillsim maintainers with the command and the details written "
                      f"to {escape(f.name)}", highlight=False)


def _error(message: str) -> None:
    for line in message.splitlines() or [""]:
        err_console.print(f"[red]error:[/] {escape(line)}", highlight=False)


def _one_line_summaries(*groups: typer.Typer) -> None:
    """Give each command of ``groups`` its summary in ``--help``'s list of commands: its docstring's first
    paragraph on one line. Typer's rich mode keeps that paragraph's line breaks there, so a docstring
    broken at 100 columns showed as ragged lines (fastapi/typer#1844, open)."""
    for group in groups:
        for info in group.registered_commands:
            first = (inspect.getdoc(info.callback) or "").split("\n\n")[0]
            info.short_help = " ".join(first.split())


_one_line_summaries(app, history_app)


def run_command(args: Sequence[str] | None = None) -> int:
    """Run the ``drillsim`` command with ``args`` (default: the process's) and return its exit status.

    Every ordinary mistake is reported as an ``error:`` line; an unexpected exception as a bug.
    """
    from drillsim.reports.fonts import MissingCJKFont

    try:
        with few_collections():  # a command makes much that lives on: a long log's rows, a batch's runs
            status = app(args=None if args is None else list(args), prog_name="drillsim", standalone_mode=False)
        return status if isinstance(status, int) else 0
    except click_errors.NoArgsIsHelpError as err:
        err.show()
        return err.exit_code
    except click_errors.UsageError as err:
        _error(err.format_message())
        if err.ctx is not None:
            err_console.print(f"see: {err.ctx.command_path} --help", highlight=False, markup=False)
        return err.exit_code
    except click_errors.ClickException as err:
        _error(err.format_message())
        return err.exit_code
    except InputError as err:
        _error(str(err))
        return 2
    except MissingCJKFont as err:
        _error(str(err))
        return 3
    except (KeyboardInterrupt, typer.Abort):
        err_console.print("interrupted")
        return 130
    except OSError as err:  # the disk is full, a file vanished, ... — the machine's trouble, not drillsim's
        where = f"{err.filename}: " if err.filename else ""
        _error(f"{where}{err.strerror or err}")
        return 1
    except Exception as err:
        _report_bug(err, sys.argv[1:] if args is None else args)
        return 1


def main() -> None:
    """The ``drillsim`` program."""
    sys.exit(run_command())
