"""Evaluators' log sheets, filled as a person would, read back, merged and scored (docs/log-sheets.md)."""

from __future__ import annotations

import json
import sys
import tempfile
from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

import drillsim
from drillsim.log.drill_log import MINUTE
from drillsim.log.sheets import read_sheet_file, write_sheet
from drillsim.scoring.outcomes import Outcome
from drillsim.scoring.scorecard import Scorer
from drillsim.sheets import read_sheets
from drillsim.spec.catalog import builtin_plans
from drillsim.spec.errors import InputError
from drillsim.spec.plan import parse_plan
from drillsim.spec.yamlio import load_yaml
from tests.clirun import drillsim as run_cli

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))

from example_sheets import HALL, OFFICE, fill, two_sheets


@pytest.fixture(scope="module")
def plan():
    return drillsim.load_plan("counter-robbery")


@pytest.fixture(scope="module")
def scenario(plan):
    return drillsim.load_scenario("armed-robbery-injured", plan)


def test_filled_sheets_as_a_person_fills_them_report_every_row_that_cannot_be_understood(tmp_path, plan, scenario):
    hall, office = two_sheets(tmp_path, plan, scenario)
    with pytest.raises(InputError) as caught:
        read_sheets([hall, office], plan)
    said = [str(e) for e in caught.value.errors]
    assert said == [
        f"{hall} [记录]:15: at column 'what' unknown action '实施应急求护': did you mean first_aid (实施应急救护)?",
        f"{hall} [记录]:16: at column 'time' '10:75' is not a time of day",
    ]
    ran = run_cli("score", "counter-robbery", hall, office, "--out", tmp_path / "drill")
    assert ran.code == 2
    assert ran.err.count("error:") == 2 and "[记录]:15: at column 'what' unknown action" in ran.err
    assert not (tmp_path / "drill" / "scorecard.json").exists()


def test_two_evaluators_sheets_merge_into_one_scored_drill_with_honest_coverage(tmp_path, plan, scenario):
    hall, office = two_sheets(tmp_path, plan, scenario, fixed=True)
    ran = run_cli("score", "counter-robbery", hall, office, "--out", tmp_path / "drill", "--lang", "zh")
    assert ran.code == 0, ran.text
    assert "coverage: 16 of 17 requirements evaluated (94 %); not evaluated: ROB-16" in ran.out
    assert "conflicting stamps: 1" in ran.out
    card = json.loads((tmp_path / "drill" / "scorecard.json").read_text("utf-8"))
    outcomes = {r["id"]: r["outcome"] for r in card["requirements"]}
    assert outcomes == {
        "ROB-01": "met", "ROB-02": "met", "ROB-03": "met", "ROB-04": "met", "ROB-05": "met", "ROB-06": "met",
        "ROB-07": "met", "ROB-08": "not_applicable", "ROB-09": "not_applicable", "ROB-10": "met",
        "ROB-11": "met", "ROB-12": "met", "ROB-13": "met", "ROB-14": "met", "ROB-15": "met",
        "ROB-16": "not_evaluated", "ROB-17": "met"}
    rob16 = next(r for r in card["requirements"] if r["id"] == "ROB-16")
    assert rob16["detail"] == "not evaluated: no evaluator observed leadership_group (应急处理领导小组)"
    assert card["coverage"] == {"evaluated": 16, "total": 17, "not_evaluated": ["ROB-16"],
                                "observed_roles": sorted({*HALL, *OFFICE})}
    # the head's arrival: the office's stamp (its evaluator watched the head), the hall's listed beside it
    rob13 = next(r for r in card["requirements"] if r["id"] == "ROB-13")
    assert rob13["latency_min"] == pytest.approx(17 + 20 / 60, abs=1e-3)
    warnings = [w["text"] for w in card["warnings"]]
    conflict = next(w for w in warnings if "conflicting stamps" in w)
    assert conflict == (f"{office} [log]:8: at column 'time' conflicting stamps of arrived branch_head by "
                        f"branch_head-1: {hall} [记录]:18 '10:21'; {office} [log]:8 '10:19:30' — used {office} "
                        "[log]:8 '10:19:30' (its evaluator watched branch_head (网点负责人))")
    # the cash locked at "10:03": met read at 10:03:00, late at 10:03:59 — said, not guessed
    minute = next(w for w in warnings if "ROB-03" in w)
    assert minute.startswith(f"{hall} [记录]:6: at column 'time' ROB-03: the verdict depends on the second")
    assert "latency is 0m50s, met; at the latest 1m49s, late by 0m49s; scored as typed" in minute
    assert any("row 7 is earlier than a row above" in w for w in warnings)
    # the lobby manager's call to the head, on both sheets within their resolution: one row, the finer stamp
    calls = [r for r in drillsim.read_sheets([hall, office], plan).log.rows
             if r.event == "sent" and r.target_role == "branch_head"]
    assert len(calls) == 1 and calls[0].t == pytest.approx(2 + 45 / 60)


def test_the_evaluation_keeps_the_exercise_the_override_beside_the_proposal_and_the_notes(tmp_path, plan, scenario):
    hall, office = two_sheets(tmp_path, plan, scenario, fixed=True)
    drill = read_sheets([hall, office], plan)
    assert drill.exercise.date.isoformat() == "2026-03-12"
    assert drill.exercise.evaluators == ("王芳", "李明")
    assert drill.exercise.scenario == "armed-robbery-injured" and drill.exercise.branch == "城东支行营业室"
    assert drill.observed_roles == frozenset({*HALL, *OFFICE})
    ev = drill.evaluation(drill.score())
    reporting = next(r for r in ev.ratings if r.capability == "reporting")
    assert (reporting.proposed, reporting.rating, reporting.override.by) == ("P", "S", "李明")
    assert [n.text for n in ev.notes] == ["大堂经理先报警后救护"]
    assert (ev.coverage.evaluated, ev.coverage.total, ev.coverage.not_evaluated) == (16, 17, ("ROB-16",))


def test_a_blank_sheet_round_trips_with_drop_downs_of_the_plans_names(tmp_path, plan, scenario):
    path = write_sheet(plan, scenario, tmp_path / "blank.xlsx", lang="zh", observer_roles={"teller"})
    book = load_workbook(path)
    assert book.sheetnames == ["记录", "演练概况", "观察角色", "评级", "备注", "选项"]
    assert book["选项"].sheet_state == "hidden"
    assert [c.value for c in book["记录"][1]] == ["时间", "事件", "执行人", "事项", "对象", "渠道", "报告要素", "值"]
    lists = {col[0].value: [c.value for c in col[1:] if c.value] for col in book["选项"].iter_cols()}
    assert {"临柜人员-1", "临柜人员-2", "现金柜员", "110公安机关"} <= set(lists["role"])
    assert "现金入柜上锁" in lists["what"] and "robbers-enter" in lists["what"]
    assert lists["event"][:3] == ["情景", "事实", "动作"] and "电话" in lists["channel"]
    formulas = {str(dv.sqref).split(":")[0]: dv.formula1 for dv in book["记录"].data_validations.dataValidation}
    assert formulas["C2"] == formulas["E2"] == "'选项'!$B$2:$B$15"  # 14 names
    blank = read_sheet_file(path, plan)
    assert blank.rows == [] and blank.observed == frozenset({"teller"})
    assert blank.exercise["scenario"].cells["value"] == "armed-robbery-injured"
    fill(path, [("2026-03-12 10:00:00", "情景", None, "robbers-enter"),
                ("10:00:20", "动作", "现金柜员", "现金入柜上锁")])
    drill = read_sheets([path], plan)
    assert [(r.event, r.what, r.actor) for r in drill.log.rows] == [
        ("inject", "robbers-enter", None), ("action", "lock_cash", "cash_teller-1")]


def test_english_sheet_has_english_headers_and_ids(tmp_path, plan, scenario):
    book = load_workbook(write_sheet(plan, scenario, tmp_path / "en.xlsx"))
    assert book.sheetnames[:5] == ["log", "exercise", "observed", "ratings", "notes"]
    assert [c.value for c in book["log"][1]][:4] == ["time", "event", "actor", "what"]
    assert [r[1].value for r in book["observed"].iter_rows(min_row=2)] == ["yes"] * len(plan.roles)


@pytest.mark.parametrize("typed, read", [
    ("10:03", "10:03"), ("10:03:40", "10:03:40"), ("2026-03-12 10:03", "2026-03-12 10:03"),
    ((time(10, 3), "h:mm"), "10:03"), ((time(10, 3), "h:mm:ss"), "10:03:00"),
    ((time(10, 3, 20), "h:mm"), "10:03:20"),  # seconds held, though the cell's format hides them
    ((datetime(2026, 3, 12, 10, 3), "yyyy-mm-dd h:mm"), "2026-03-12 10:03"),
])
def test_the_resolution_typed_is_kept(tmp_path, plan, scenario, typed, read):
    # a time read with its seconds is to the second, one without them to the minute (the readings below)
    path = write_sheet(plan, scenario, tmp_path / "s.xlsx")
    fill(path, [("2026-03-12 10:00:00", "inject", None, "robbers-enter"),
                (typed, "action", "cash_teller", "lock_cash")])
    assert read_sheet_file(path, plan).rows[1][1]["time"] == read


@pytest.mark.parametrize("start, typed, readings", [
    # 10:01 is 10:01:00–10:01:59: 0m30s to 1m29s after the robbers came in at 10:00:30, and 1 min is allowed
    ("2026-03-12 10:00:30", "10:01", "latency is 0m30s, met; at the latest 1m29s, late by 0m29s"),
    ("2026-03-12 10:00:30", "10:01:05", None),  # to the second: no doubt
    ("2026-03-12 10:00:30", "10:02", None),  # 1m30s to 2m29s: late at every reading
    ("2026-03-12 10:00:30", "10:00:50", None),
    # the trigger typed to the minute: 10:00:00–10:00:59, the response at 10:01:30 — 0m31s to 1m30s
    ("2026-03-12 10:00", "10:01:30", "latency is 0m31s, met; at the latest 1m30s, late by 0m30s"),
])
def test_a_deadline_open_within_a_typed_minute_is_warned_of_with_both_readings(tmp_path, plan, scenario, start,
                                                                               typed, readings):
    path = write_sheet(plan, scenario, tmp_path / "s.xlsx")
    fill(path, [(start, "inject", None, "robbers-enter"), (typed, "action", "cash_teller", "lock_cash")])
    card = read_sheets([path], plan).score()
    said = [str(w) for w in card.warnings if "ROB-03" in str(w)]
    assert len(said) == (readings is not None)
    if readings:
        assert readings in said[0] and said[0].startswith(f"{path} [log]:")


@pytest.mark.parametrize("typed", ["10:01", (time(10, 1), "h:mm")])
def test_a_minute_typed_after_a_second_within_it_is_the_rest_of_that_minute(tmp_path, plan, scenario, typed):
    path = write_sheet(plan, scenario, tmp_path / "s.xlsx")
    fill(path, [("2026-03-12 10:00:30", "inject", None, "robbers-enter"),
                ("10:01:20", "sent", "teller", None, "police", "alarm_button"),
                (typed, "action", "cash_teller", "lock_cash")])
    drill = read_sheets([path], plan)
    lock = next(r for r in drill.log.rows if r.what == "lock_cash")
    stamp = drill.merged.stamp_of(lock)
    assert lock.t == pytest.approx(50 / 60) and stamp.width == timedelta(seconds=39)
    card = drill.score()
    assert not any("earlier than" in str(w) for w in card.warnings)
    # 10:01:20–10:01:59: 0m50s to 1m29s after the robbers came in, and 1 min is allowed
    said = [str(w) for w in card.warnings if "ROB-03" in str(w)]
    assert len(said) == 1 and "latency is 0m50s, met; at the latest 1m29s, late by 0m29s" in said[0]


@pytest.mark.parametrize("first, second, conflict, used", [
    ("10:01", "10:01:30", False, "10:01:30"),  # within the minute: the finer stamp
    ("10:01:10", "10:01:10", False, "10:01:10"),
    ("10:01:10", "10:01:12", True, "10:01:10"),  # two points apart: the earlier, listed
    ("10:02", "10:01:30", True, "10:01:30"),  # beyond the minute: the finer, listed
])
def test_stamps_of_the_same_event_merge_within_their_resolution_and_conflict_beyond(tmp_path, plan, scenario, first,
                                                                                   second, conflict, used):
    paths = []
    for name, stamp in (("a", first), ("b", second)):
        path = write_sheet(plan, scenario, tmp_path / f"{name}.xlsx")
        fill(path, [("2026-03-12 10:00:00", "inject", None, "robbers-enter"),
                    (stamp, "action", "cash_teller", "lock_cash")])
        paths.append(path)
    drill = read_sheets(paths, plan)
    locks = [r for r in drill.log.rows if r.what == "lock_cash"]
    assert len(locks) == 1 and len([r for r in drill.log.rows if r.event == "inject"]) == 1
    assert drill.merged.stamp_of(locks[0]).text == used
    assert bool(drill.conflicts) == conflict


def test_csv_sheets_merge_too_and_say_nothing_of_who_was_watched(tmp_path, plan, scenario):
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    write_sheet(plan, scenario, a, lang="zh")
    assert a.read_text("utf-8-sig") == "时间,事件,执行人,事项,对象,渠道,报告要素,值\n"
    with a.open("a", encoding="utf-8") as f:
        f.write("2026-03-12 10:00:00,情景,,robbers-enter,,,,\n10:00:40,动作,现金柜员,现金入柜上锁,,,,\n")
    b.write_text("time,event,actor,what\n2026-03-12 10:00:40,action,cash_teller,lock_cash\n"
                 "10:01:30,sent,临柜人员-2,\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_sheets([a, b], plan, scenario)
    assert [str(e) for e in caught.value.errors] == [
        f"{b}:3: at column 'target' a 'sent' row needs the target the message went to"]
    b.write_text("time,event,actor,what\n2026-03-12 10:00:40,action,cash_teller,lock_cash\n", encoding="utf-8")
    drill = read_sheets([a, b], plan, scenario)
    assert drill.observed_roles is None and drill.conflicts == []
    card = drill.score()
    assert "coverage" not in card.to_dict()
    assert next(r for r in card.results if r.id == "ROB-03").outcome is Outcome.MET


def test_metadata_mistakes_are_named_with_their_sheet_and_row(tmp_path, plan, scenario):
    path = write_sheet(plan, scenario, tmp_path / "s.xlsx")
    fill(path, [("2026-03-12 10:00:00", "inject", None, "robbers-enter")], {"date": "12 March"},
         ratings=[("alarm", "S", "", "王芳"), ("grading", "X", "why", None)])
    book = load_workbook(path)
    book["observed"]["B2"] = "maybe"
    book.save(path)
    with pytest.raises(InputError) as caught:
        read_sheets([path], plan)
    said = [str(e) for e in caught.value.errors]
    assert said == [
        f"{path} [exercise]:3: at column 'value' '12 March' is not a date (write 2026-03-12)",
        f"{path} [observed]:2: at column 'watched' was teller watched? 'maybe' is not a boolean: write true / yes "
        "/ 是 or false / no / 否",
        f"{path} [ratings]:2: at column 'justification' the override of alarm to S needs a written justification",
        f"{path} [ratings]:7: at column 'rating' rating 'X' is not one of P, S, M, U",
    ]


def test_simulated_scorecards_have_no_coverage_and_observed_everything_changes_nothing(plan, scenario):
    log = drillsim.simulate(plan, scenario, seed=7)
    card = drillsim.score(plan, log)
    assert "coverage" not in card.to_dict()
    seen = Scorer(plan).score(log, observed=frozenset(plan.roles))
    assert [r.outcome for r in seen.results] == [r.outcome for r in card.results]
    assert seen.to_dict()["coverage"]["not_evaluated"] == []
    nobody = Scorer(plan).score(log, observed=frozenset())
    assert {r.id for r in nobody.results if r.outcome is Outcome.NOT_EVALUATED} == {
        r.id for r in card.results if r.outcome is not Outcome.NOT_APPLICABLE}


def test_a_file_that_is_not_a_workbook_or_has_no_log_sheet_is_named(tmp_path, plan):
    fake = tmp_path / "fake.xlsx"
    fake.write_text("not a workbook", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_sheets([fake], plan)
    assert [str(e) for e in caught.value.errors] == [f"{fake}: not an .xlsx workbook (File is not a zip file)"]
    from openpyxl import Workbook

    book = Workbook()
    book.active.title = "Sheet1"
    book.save(tmp_path / "other.xlsx")
    with pytest.raises(InputError, match=r"no sheet 'log' or '记录' \(the sheets are: Sheet1\)"):
        read_sheets([tmp_path / "other.xlsx"], plan)


def test_a_message_whose_sender_cell_is_merged_over_several_rows_is_refused_naming_row_and_column(
        tmp_path, plan, scenario):
    path = write_sheet(plan, scenario, tmp_path / "s.xlsx")
    fill(path, [("2026-03-12 10:00:00", "inject", None, "robbers-enter"),
                ("10:00:20", "sent", "teller", None, "police", "alarm_button"),
                ("10:00:40", "sent", None, None, "police", "phone")])
    book = load_workbook(path)
    book["log"].merge_cells("C3:C4")
    book.save(path)
    with pytest.raises(InputError) as caught:
        read_sheets([path], plan)
    assert [str(e) for e in caught.value.errors] == [
        f"{path} [log]:4: at column 'actor' cells C3:C4 are merged, so the rows below the first have no actor: "
        "unmerge them and write it on every row",
        f"{path} [log]:4: at column 'actor' a 'sent' row needs the sender of the message in 'actor'"]


@pytest.mark.parametrize("named, given, says", [
    ("no-such", None, "unknown scenario 'no-such' of plan 'counter-robbery'; known: armed-robbery-injured, "
     "explosive-robbery, robbers-flee (give a scenario file with --scenario)"),
    ("explosive-robbery", "armed-robbery-injured", "scenario 'explosive-robbery' is not the scenario given "
     "('armed-robbery-injured'): the sheet records another drill, or --scenario is wrong"),
])
def test_the_exercise_s_scenario_must_be_built_in_or_the_one_given(tmp_path, plan, scenario, named, given, says):
    path = write_sheet(plan, scenario, tmp_path / "s.xlsx")
    fill(path, [("2026-03-12 10:00:00", "inject", None, "robbers-enter")], {"scenario": named})
    with pytest.raises(InputError) as caught:
        read_sheets([path], plan, drillsim.load_scenario(given, plan) if given else None)
    assert f"{path} [exercise]:6: at column 'value' {says}" in [str(e) for e in caught.value.errors]


def test_a_date_cell_without_a_time_is_refused(tmp_path, plan, scenario):
    path = write_sheet(plan, scenario, tmp_path / "s.xlsx")
    fill(path, [("2026-03-12 10:00:00", "inject", None, "robbers-enter"),
                ((date(2026, 3, 12), "yyyy-mm-dd"), "action", "cash_teller", "lock_cash")])
    with pytest.raises(InputError) as caught:
        read_sheets([path], plan)
    assert [str(e) for e in caught.value.errors] == [
        f"{path} [log]:3: at column 'time' '2026-03-12' is a date without a time (write 2026-03-12 10:02:30)"]


def test_a_workbook_with_two_log_sheets_one_per_language_is_refused_naming_both(tmp_path, plan, scenario):
    path = write_sheet(plan, scenario, tmp_path / "s.xlsx", lang="zh")
    fill(path, [("2026-03-12 10:00:00", "inject", None, "robbers-enter"),
                ("10:00:40", "action", "cash_teller", "lock_cash")])
    book = load_workbook(path)
    book.create_sheet("log").append(["time", "event", "what"])
    book["log"].append(["2026-03-12 11:00", "inject", "robbers-enter"])
    book.save(path)
    with pytest.raises(InputError) as caught:
        read_sheets([path], plan)
    assert [str(e) for e in caught.value.errors] == [
        f"{path}: two log sheets, '记录' and 'log': a workbook has one (named 'log' or '记录'); put their rows on "
        "one sheet and delete the other"]


STAMP = st.tuples(st.integers(60, 300), st.booleans())
"""Seconds after 10:00 and whether the evaluator typed the seconds."""


def _typed(seconds: int, to_the_second: bool) -> str:
    at = datetime(2026, 3, 12, 10, 0) + timedelta(seconds=seconds)
    return f"{at:%H:%M:%S}" if to_the_second else f"{at:%H:%M}"


@settings(derandomize=True, max_examples=40, deadline=None)
@given(a=STAMP, b=STAMP)
def test_two_stamps_of_one_action_are_one_row_whatever_the_order_of_the_sheets(plan, a, b):
    with tempfile.TemporaryDirectory() as folder:
        paths = []
        for name, stamp in (("a", a), ("b", b)):
            path = Path(folder) / f"{name}.csv"
            path.write_text("time,event,actor,what\n2026-03-12 10:00:00,inject,,robbers-enter\n"
                            f"{_typed(*stamp)},action,cash_teller,lock_cash\n", "utf-8")
            paths.append(path)
        one, other = read_sheets(paths, plan), read_sheets(paths[::-1], plan)
    starts = [datetime.strptime(f"2026-03-12 {_typed(*s)}", "%Y-%m-%d %H:%M:%S" if s[1] else "%Y-%m-%d %H:%M")
              for s in (a, b)]
    ends = [t + (timedelta(0) if s[1] else MINUTE) for t, s in zip(starts, (a, b), strict=True)]
    for drill in (one, other):
        locks = [r for r in drill.log.rows if r.what == "lock_cash"]
        assert len(locks) == 1
        assert drill.log.wall_clock(locks[0].t) in starts
        assert bool(drill.conflicts) == (max(starts) > min(ends))
    assert [r.t for r in one.log.rows] == [r.t for r in other.log.rows]


@pytest.mark.parametrize(("watched", "evaluated"), [({"upper_office"}, True), ({"teller", "guard", "head"}, False)])
def test_a_requirement_on_a_declared_level_is_the_grading_role_s_doing(watched, evaluated):
    # the level is declared by the plan's grading role (the upper office): a requirement on it is judged
    # when its evaluators watched that office, and not evaluated when they watched only the branch
    data, _ = load_yaml(builtin_plans()["counter-robbery"])
    data["requirements"].append({
        "id": "LEVEL-SAID", "title": "事发三十分钟内定级", "clause": "test", "capability": "alarm", "kind": "deadline",
        "trigger": {"event": "inject"}, "response": {"event": "level"}, "within": "30min"})
    plan = parse_plan(data)
    log = drillsim.simulate(plan, drillsim.load_scenario("armed-robbery-injured", plan), seed=7)
    (said,) = [r for r in Scorer(plan).score(log, observed=frozenset(watched)).results if r.id == "LEVEL-SAID"]
    assert (said.outcome is not Outcome.NOT_EVALUATED) is evaluated
    assert said.outcome in ({Outcome.MET, Outcome.LATE} if evaluated else {Outcome.NOT_EVALUATED})


def test_a_chinese_sheet_of_several_branches_offers_and_reads_the_branches_by_name(tmp_path):
    plan = drillsim.load_plan("service-incidents")
    scenario = drillsim.load_scenario("service-incidents-bank-run", plan)
    path = write_sheet(plan, scenario, tmp_path / "blank.xlsx", lang="zh")
    book = load_workbook(path)
    assert [c.value for c in book["记录"][1]][-1] == "地点"
    lists = {col[0].value: [c.value for c in col[1:] if c.value] for col in book["选项"].iter_cols()}
    assert lists["site"] == [b.name for b in scenario.branches]
    east = scenario.branches[0].name
    fill(path, [("2026-03-12 10:00:00", "情景", None, "run-east", None, None, None, None, east)])
    assert [(r.event, r.site) for r in read_sheets([path], plan, scenario).log.rows] == [("inject", "east")]
