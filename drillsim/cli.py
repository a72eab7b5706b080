"""The ``drillsim`` command: parses arguments and calls the API, nothing more."""

from __future__ import annotations

import sys
import time
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from drillsim.sim.errors import InputError

app = typer.Typer(add_completion=False, pretty_exceptions_enable=False, no_args_is_help=True,
                  help="Play bank-branch emergency drills as simulations and score drills against the plan.")
out_console = Console(soft_wrap=True)
err_console = Console(stderr=True, soft_wrap=True)

DEMO_PLAN, DEMO_SCENARIO, DEMO_SEED = "counter-robbery", "armed-robbery-injured", 7

PlanArg = Annotated[str, typer.Argument(help="plan file, or the id of a built-in plan")]
ScenarioArg = Annotated[str, typer.Argument(help="scenario file, or the id of a built-in scenario")]
OutOpt = Annotated[Path, typer.Option("--out", "-o", help="folder for the log, scorecard and report")]


@contextmanager
def _progress_bar(total: int):
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TaskProgressColumn,
        TextColumn,
        TimeRemainingColumn,
    )

    columns = (TextColumn("replications"), BarColumn(), MofNCompleteColumn(), TaskProgressColumn(),
               TextColumn("{task.fields[rate]}"), TimeRemainingColumn())
    with Progress(*columns, console=err_console, transient=False) as bar:
        task = bar.add_task("run", total=total, rate="")
        started = time.perf_counter()

        def advance(done: int, _total: int) -> None:
            rate = done / max(time.perf_counter() - started, 1e-9)
            bar.update(task, completed=done, rate=f"{rate:,.0f}/s")

        yield advance


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


def _print_many(summary: dict) -> None:
    from rich.table import Table

    table = Table(title=f"{summary['reps']} replications — probability each requirement is met")
    for col in ("id", "requirement", "applicable", "P(met)", "95% CI", "median", "p90", "p99"):
        table.add_column(col, overflow="fold")
    for r in summary["requirements"]:
        lat = r["latency_min"]
        ci = f"{r['p_met_ci95'][0]:.3f}–{r['p_met_ci95'][1]:.3f}" if r["p_met_ci95"] else ""
        table.add_row(r["id"] + (" ★" if r["critical"] else ""), r["title"].split(" (")[0], str(r["applicable"]),
                      "" if r["p_met"] is None else f"{r['p_met']:.3f}", ci,
                      *("" if lat[k] is None else f"{lat[k]:.2f}" for k in ("median", "p90", "p99")))
    out_console.print(table)
    s = summary["score"]
    out_console.print(f"score: mean {s['mean']}, median {s['median']}, p90 {s['p90']}")


def _finish(output) -> None:
    from drillsim.reports.terminal import print_scorecard

    print_scorecard(output.scorecard, out_console)
    out_console.print(f"report: {output.files['report']}")
    out_console.print(f"scorecard: {output.files['scorecard']}  event log: {output.files['log_csv']}")


@app.command()
def run(plan: PlanArg, scenario: ScenarioArg,
        seed: Annotated[int, typer.Option(help="seed of the random numbers; the same seed gives the same run")] = 0,
        out: OutOpt = Path("out/run"),
        reps: Annotated[int, typer.Option(min=1, help="replications; more than 1 gives distributions")] = 1,
        workers: Annotated[int | None, typer.Option(min=1, help="local worker processes (default: every core)")]
        = None,
        scheduler: Annotated[str | None, typer.Option(help="address of a Dask scheduler, tcp://host:8786")] = None,
        resume: Annotated[bool, typer.Option(help="finish an interrupted run in --out")] = False,
        replication: Annotated[int | None, typer.Option(help="re-run replication I of a --reps run alone")] = None,
        ) -> None:
    """Simulate SCENARIO under PLAN and score it: one drill with its report, or --reps many."""
    import drillsim
    from drillsim.sim.seeds import replication_seed

    p = drillsim.load_plan(plan)
    sc = drillsim.load_scenario(scenario, p)
    if reps == 1:
        _finish(drillsim.run_drill(p, sc, seed if replication is None else replication_seed(seed, replication), out))
        return
    from drillsim.batch import run_many

    with _progress_bar(reps) as advance:
        result = _interruptible(lambda: run_many(p, sc, reps, seed, out, workers, scheduler, resume, advance), out)
    _print_many(result.summary)
    out_console.print(f"report: {result.files['report']}\nsummary: {result.files['summary']}  "
                      f"table: {result.files['results']} (Parquet)")


@app.command()
def demo(out: OutOpt = Path("out/demo")) -> None:
    """The built-in demo: an armed robbery with an injured customer, seed 7."""
    run(DEMO_PLAN, DEMO_SCENARIO, DEMO_SEED, out)


@app.command()
def score(plan: PlanArg,
          log: Annotated[Path, typer.Argument(help="the drill's log, CSV (see docs/drill-logs.md)")],
          out: OutOpt = Path("out/drill"),
          incident_type: Annotated[str | None, typer.Option("--type", help="incident type of the drill")] = None,
          day: Annotated[str | None, typer.Option("--date", help="date for rows that give only a time")] = None,
          ) -> None:
    """Score a real drill's log against PLAN, exactly as a simulated drill is scored."""
    import drillsim

    when = None
    if day is not None:
        try:
            when = date.fromisoformat(day)
        except ValueError:
            raise InputError("--date", f"{day!r} is not a date (write 2026-03-12)") from None
    _finish(drillsim.score_drill(drillsim.load_plan(plan), log, out, incident_type, when))


@app.command()
def experiment(ref: Annotated[str, typer.Argument(help="experiment file, or the id of a built-in experiment")],
               out: OutOpt = Path("out/experiment"),
               workers: Annotated[int | None, typer.Option(min=1, help="local worker processes (default: every core)")]
               = None,
               scheduler: Annotated[str | None, typer.Option(help="address of a Dask scheduler, tcp://host:8786")]
               = None,
               resume: Annotated[bool, typer.Option(help="finish an interrupted run in --out")] = False) -> None:
    """Run every configuration of an experiment on common random numbers and compare them."""
    from drillsim.batch import run_experiment
    from drillsim.sim import catalog
    from drillsim.sim.experiment import load_experiment

    exp, configs = load_experiment(catalog.resolve(ref, "experiment"))
    with _progress_bar(exp.reps * len(configs)) as advance:
        result = _interruptible(lambda: run_experiment(ref, out, workers, scheduler, resume, advance), out)
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
def programme(ref: Annotated[str, typer.Argument(help="programme file, or the id of a built-in programme")],
              out: OutOpt = Path("out/programme")) -> None:
    """Play every drill of a year's programme on its date; write the calendar with each drill's result."""
    import drillsim

    result = drillsim.run_programme(ref, out)
    for row in result.rows:
        score = f"{row['score']:5.1f} {row['rating']}" if row.get("score") is not None else ""
        out_console.print(f"{row['date']}  {row['kind']:10} {score:8} {row['title']}", highlight=False)
    out_console.print(f"programme: {result.files['page']}")


@app.command()
def validate(files: Annotated[list[Path], typer.Argument(help="plan, scenario and programme files")]) -> None:
    """Check plan, scenario and programme files; scenarios are checked against their plan."""
    import drillsim
    from drillsim.sim.catalog import builtin_plans
    from drillsim.sim.plan import load_plan
    from drillsim.sim.programme import load_programme
    from drillsim.sim.scenario import load_scenario
    from drillsim.sim.yamlio import load_yaml

    plans: dict[str, object] = {}

    def plan_file(path: Path) -> str:
        plan = load_plan(path)
        plans[plan.id] = plan
        return f"plan {plan.id}"

    def scenario_file(path: Path) -> str:
        sc = load_scenario(path)
        if sc.plan not in plans:
            if sc.plan not in builtin_plans():
                raise InputError(str(path), f"its plan {sc.plan!r} is neither among the files given nor built in",
                                 "plan")
            plans[sc.plan] = load_plan(builtin_plans()[sc.plan])
        load_scenario(path, plans[sc.plan])
        return f"scenario {sc.id}, plan {sc.plan}"

    def programme_file(path: Path) -> str:
        prog = load_programme(path)
        for i, item in enumerate(prog.items):
            if item.kind == "drill":
                try:
                    drillsim.load_scenario(item.scenario, drillsim.load_plan(item.plan))
                except InputError as err:
                    raise InputError(str(path), f"its drill cannot be played: {err}", f"items[{i}] ({item.id})") \
                        from None
        return f"programme {prog.id}"

    def kind(path: Path) -> str:
        try:
            data, _ = load_yaml(path)
        except InputError:
            return "drillsim.plan"  # reported when the plan is checked
        return str(data.get("schema", "")) if isinstance(data, dict) else ""

    # plans first, so that scenarios are checked against the plans given
    checks = [(plan_file, p) for p in files if not kind(p).startswith(("drillsim.scenario", "drillsim.programme"))]
    checks += [(scenario_file, p) for p in files if kind(p).startswith("drillsim.scenario")]
    checks += [(programme_file, p) for p in files if kind(p).startswith("drillsim.programme")]
    failed = 0
    for check_file, path in checks:
        try:
            out_console.print(f"[green]ok[/]   {path}  ({check_file(path)})")
        except InputError as err:
            failed += 1
            err_console.print(f"[red]FAIL[/] {err}", highlight=False)
    if failed:
        raise typer.Exit(1)


@app.command()
def graph(plan: PlanArg, out: Annotated[Path, typer.Option("--out", "-o", help="PNG file to draw")] = Path(
        "out/escalation.png")) -> None:
    """Draw PLAN's escalation graph and list its reports, one line each."""
    import drillsim
    from drillsim.reports.graph_plot import plot_escalation_graph

    p = drillsim.load_plan(plan)
    for rep in p.escalation:
        fallback = f"  then {', '.join(rep.fallback)}" if rep.fallback else ""
        when = f"  when {rep.when}" if rep.when else ""
        out_console.print(f"{rep.id:24} {rep.from_} -> {rep.to} by {rep.channel}{fallback}{when}", highlight=False)
    out.parent.mkdir(parents=True, exist_ok=True)
    out_console.print(f"drawn: {plot_escalation_graph(p, out)}")


@app.command("list")
def list_builtins() -> None:
    """The built-in programmes, plans and scenarios, one line each."""
    from drillsim.sim.catalog import builtin_plans, builtin_programmes, builtin_scenarios
    from drillsim.sim.yamlio import load_yaml

    for pid, path in builtin_programmes().items():
        data, _ = load_yaml(path)
        out_console.print(f"programme {pid:34} {data.get('title', '')}", highlight=False)
    for pid, path in builtin_plans().items():
        data, _ = load_yaml(path)
        out_console.print(f"plan      {pid:34} {data.get('title', '')}", highlight=False)
    for sid, path in builtin_scenarios().items():
        data, _ = load_yaml(path)
        out_console.print(f"scenario  {sid:34} [{data.get('plan', '')}] {data.get('title', '')}", highlight=False)


def main() -> None:
    from drillsim.reports.fonts import MissingCJKFont

    try:
        app()
    except InputError as err:
        err_console.print(f"[red]error:[/] {err}", highlight=False)
        sys.exit(2)
    except MissingCJKFont as err:
        err_console.print(f"[red]error:[/] {err}", highlight=False)
        sys.exit(3)
    except KeyboardInterrupt:
        err_console.print("interrupted")
        sys.exit(130)
