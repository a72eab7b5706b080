"""A long fuzz campaign over every built-in file, outside the test suite (which runs a few dozen cases).

    .venv/bin/python scripts/fuzz.py                      # 100 mutations of every target
    .venv/bin/python scripts/fuzz.py --examples 400 --only atm,power-outage
    .venv/bin/python scripts/fuzz.py --kinds design,overlay,log --seed 7

The targets: every built-in plan (played against its first scenario) and every built-in scenario
(played against its plan), every built-in experiment and programme, the example design space, a
parameter overlay, the example drill log and the example's two log sheets. Each is mutated as
``tests/test_fuzz_files.py`` and ``tests/test_fuzz_drill_log.py`` mutate them (a scalar replaced by
another type or an extreme value, a key or row deleted, a line duplicated, an alias inserted, the
file truncated; cells edited, rows swapped), the sheets by setting any cell of any of their sheets
to a text, number, date, time, formula or nothing, and each is held to the suite's rule: refused
with an error naming the file and a place, or loaded, built, simulated and scored without an
exception. A mutated plan that no longer fits its scenario is refused there, and passes.

A failure's traceback is written to ``out/fuzz/<target>.txt`` (with Hypothesis's falsifying
example) and, for a file target, the file that failed beside it as ``<target>.yaml``; the exit
status is the number of targets that failed (0: none). Hypothesis draws the examples from
``--seed``, so a campaign is repeatable; its database is not used.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import traceback
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the tests' strategies and rules

from hypothesis import HealthCheck, given, seed, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

import drillsim  # noqa: E402
from drillsim.spec.catalog import (  # noqa: E402
    builtin_experiments,
    builtin_plans,
    builtin_programmes,
    builtin_scenarios,
)
from drillsim.spec.design import load_design_space  # noqa: E402
from drillsim.spec.errors import InputError  # noqa: E402
from drillsim.spec.yamlio import load_yaml  # noqa: E402
from tests import test_fuzz_drill_log as fuzz_log  # noqa: E402
from tests.test_fuzz_files import check, mutated, play_experiment, play_programme, runs_and_scores  # noqa: E402

KINDS = ("plan", "scenario", "experiment", "programme", "design", "overlay", "log", "sheet")
SHEETS = [ROOT / "examples" / "sheets" / f"{name}.xlsx" for name in ("hall", "office")]
CELLS = st.one_of(st.none(), st.sampled_from(["", "x", "是", "否", "-1", "10:61", "2026-02-30", "临柜人员-9", "东区",
                                              "III", "=1+1", "sent", "情景", "观察"]),
                  st.integers(-10, 10**6), st.floats(allow_nan=True, allow_infinity=True), st.datetimes(), st.times(),
                  st.dates(), st.booleans())
"""What a person (or a spreadsheet) may leave in a cell of a log sheet."""
OVERLAY = """schema: drillsim.overlay/1
plan: counter-robbery
set:
  scenario.parameters.human.reaction: {lognormal: {median: 3.0, p90: 6.0}}
  scenario.parameters.human.handling: 2min
  scenario.parameters.human.omission.default: 0.1
  scenario.parameters.agencies.police.travel: {uniform: [3, 9]}
  scenario.parameters.channels.phone.failure: 0.2
"""


def targets(kinds: set[str], only: set[str] | None) -> list[tuple[str, str, str, Callable[[Path], None]]]:
    """(name, kind, text, play) of every target: ``play`` loads a mutated file and runs it."""
    plans, scenarios = builtin_plans(), builtin_scenarios()
    of_plan: dict[str, list[str]] = {}
    for sid, path in scenarios.items():
        of_plan.setdefault(load_yaml(path)[0]["plan"], []).append(sid)
    out = []
    for pid in sorted(of_plan):
        if only is not None and pid not in only:
            continue
        plan = drillsim.load_plan(pid)
        if "plan" in kinds:
            out.append((pid, "plan", plans[pid].read_text("utf-8"), _plan_player(scenarios[of_plan[pid][0]])))
        if "scenario" in kinds:
            out += [(sid, "scenario", scenarios[sid].read_text("utf-8"), _scenario_player(plan))
                    for sid in sorted(of_plan[pid])]
    if "experiment" in kinds:
        out += [(eid, "experiment", path.read_text("utf-8"), play_experiment)
                for eid, path in sorted(builtin_experiments().items())]
    if "programme" in kinds:
        out += [(pid, "programme", path.read_text("utf-8"), play_programme)
                for pid, path in sorted(builtin_programmes().items())]
    if "design" in kinds:
        out.append(("design-robbery", "design", (ROOT / "examples" / "design-robbery.yaml").read_text("utf-8"),
                    _play_design))
    if "overlay" in kinds:
        out.append(("overlay", "overlay", OVERLAY, _play_overlay))
    return out


def _plan_player(scenario: Path) -> Callable[[Path], None]:
    def play(path: Path) -> None:
        plan = drillsim.load_plan(path)
        try:
            sc = drillsim.load_scenario(scenario, plan)
        except InputError:
            return  # the plan no longer fits its scenario, and the scenario's error says so
        runs_and_scores(plan, sc)
    return play


def _scenario_player(plan) -> Callable[[Path], None]:
    return lambda path: runs_and_scores(plan, drillsim.load_scenario(path, plan))


def _play_design(path: Path) -> None:
    _, _, designs = load_design_space("counter-robbery", path)
    for plan, scenario in designs[-1].drills:
        runs_and_scores(plan, scenario)


def _play_overlay(path: Path) -> None:
    plan = drillsim.load_plan("counter-robbery")
    runs_and_scores(plan, drillsim.load_scenario("armed-robbery-injured", plan, path))


def _checker(kind: str, play: Callable[[Path], None], kept: Path) -> Callable[[str], None]:
    """The rule for one mutated file of ``kind``; the file that breaks it is kept at ``kept``."""
    def rule(mutant: str) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            try:
                check(mutant, f"{kind}.yaml", Path(tmp), play)
            except Exception:
                kept.parent.mkdir(parents=True, exist_ok=True)
                kept.write_text(mutant, encoding="utf-8")
                raise
    return rule


def _sheets_rule(edits: list[tuple[int, int, int, int, object]]) -> None:
    """The example's two log sheets, cells of any of their sheets edited: refused naming a file, or scored."""
    from openpyxl import load_workbook

    plan = drillsim.load_plan("counter-robbery")
    with tempfile.TemporaryDirectory() as tmp:
        paths = []
        books = [load_workbook(path) for path in SHEETS]
        for book_no, sheet_no, row, column, value in edits:
            sheets = books[book_no].worksheets
            sheets[sheet_no % len(sheets)].cell(row, column).value = value
        for path, book in zip(SHEETS, books, strict=True):
            paths.append(Path(tmp) / path.name)
            book.save(paths[-1])
        try:
            drillsim.score_drill(plan, paths, Path(tmp) / "out", keep=False)
        except InputError as err:
            for problem in err.problems:
                assert any(str(problem).startswith(str(p)) for p in paths), str(problem)


def campaign(name: str, test: Callable[[], None], out: Path) -> bool:
    """Run one target's test; on a failure write its traceback beside the kept file in ``out``."""
    try:
        test()
    except Exception as err:
        out.mkdir(parents=True, exist_ok=True)
        lines = "".join(traceback.format_exception(err)).splitlines()
        (out / f"{name}.txt").write_text("\n".join(line[:500] for line in lines) + "\n", encoding="utf-8")
        print(f"FAILED {name}: {type(err).__name__}: {str(err)[:300]} (see {out / name}.*)", flush=True)
        return False
    print(f"ok {name}", flush=True)
    return True


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--examples", type=int, default=100, help="mutations of each target")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--only", help="comma-separated plan ids (their plan and scenarios)")
    parser.add_argument("--kinds", default=",".join(KINDS), help=f"comma-separated, of {', '.join(KINDS)}")
    parser.add_argument("--out", type=Path, default=ROOT / "out" / "fuzz")
    args = parser.parse_args()
    kinds = set(args.kinds.split(","))
    if kinds - set(KINDS):
        parser.error(f"unknown kind(s) {', '.join(sorted(kinds - set(KINDS)))}: choose from {', '.join(KINDS)}")
    only = set(args.only.split(",")) if args.only else None
    runs = settings(max_examples=args.examples, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    failures = 0
    for name, kind, text, play in targets(kinds, only):
        kept = args.out / f"{name}.yaml"
        test = seed(args.seed)(runs(given(mutant=mutated(text))(_checker(kind, play, kept))))
        failures += not campaign(name, test, args.out)
    if "log" in kinds:
        inner = fuzz_log.test_a_mutated_drill_log_is_refused_naming_a_row_or_scored_with_its_anomalies_warned

        @seed(args.seed)
        @runs
        @given(ops=fuzz_log.MUTATIONS, dated=st.booleans())
        def log_test(ops, dated) -> None:
            with tempfile.TemporaryDirectory() as tmp:
                inner.hypothesis.inner_test(Path(tmp), ops, dated)

        failures += not campaign("drill-log", log_test, args.out)
    if "sheet" in kinds:
        edits = st.lists(st.tuples(st.integers(0, 1), st.integers(0, 5), st.integers(1, 40), st.integers(1, 9), CELLS),
                         min_size=1, max_size=6)
        failures += not campaign("sheets", seed(args.seed)(runs(given(edits=edits)(_sheets_rule))), args.out)
    print(f"{failures} target(s) failed")
    return failures


if __name__ == "__main__":
    sys.exit(main())
