"""``drillsim sheet`` and ``drillsim score`` of evaluators' sheets, as a user runs them."""

from __future__ import annotations

import json

import pytest
from openpyxl import load_workbook

import drillsim
from drillsim.scoring.checks import compile_check
from tests.clirun import drillsim as run
from tests.conftest import ROOT

PLAN, SCENARIO = "counter-robbery", "armed-robbery-injured"


def test_sheet_writes_a_chinese_sheet_with_the_roles_this_evaluator_watches(tmp_path):
    out = tmp_path / "sheets" / "hall.xlsx"
    ran = run("sheet", PLAN, SCENARIO, "--out", out, "--lang", "zh", "--roles", "临柜人员，cash_teller")
    assert ran.code == 0, ran.text
    assert ran.out.strip() == f"sheet: {out}"
    watched = {r[0].value: r[1].value for r in load_workbook(out)["观察角色"].iter_rows(min_row=2)}
    assert {name for name, said in watched.items() if said == "是"} == {"临柜人员", "现金柜员"}
    assert len(watched) == len(drillsim.load_plan(PLAN).roles)


@pytest.mark.parametrize("args, says", [
    (("--out", "{tmp}/s.ods"), "error: --out: {tmp}/s.ods: a log sheet is .xlsx or .csv, not .ods"),
    (("--out", "{tmp}/s.xlsx", "--lang", "fr"), "error: --lang: unknown language 'fr'; one of en, zh"),
    (("--out", "{tmp}/s.xlsx", "--roles", "出纳"), "error: --roles: unknown role '出纳'; known:"),
    (("--out", "{tmp}/s.xlsx", "--roles", "现金柜圆"), "error: --roles: unknown role '现金柜圆': did you mean "
                                                      "cash_teller (现金柜员)?"),
    (("--out", "{tmp}"), "error: --out: {tmp} is a folder; name the sheet to write"),
])
def test_sheet_refuses_a_bad_argument_in_one_line(tmp_path, args, says):
    ran = run("sheet", PLAN, SCENARIO, *(a.format(tmp=tmp_path) for a in args))
    assert ran.code == 2
    assert ran.err.startswith(says.format(tmp=tmp_path))
    assert not (tmp_path / "s.xlsx").exists()


def test_sheet_does_not_overwrite_a_sheet_unless_forced(tmp_path):
    out = tmp_path / "s.csv"
    assert run("sheet", PLAN, SCENARIO, "--out", out).code == 0
    out.write_text(out.read_text("utf-8-sig") + "2026-03-12 10:00:00,inject,,robbers-enter,,,,\n", "utf-8")
    again = run("sheet", PLAN, SCENARIO, "--out", out)
    assert again.code == 2 and "exists (perhaps filled in already): add --force" in again.err
    assert "robbers-enter" in out.read_text("utf-8")
    assert run("sheet", PLAN, SCENARIO, "--out", out, "--force").code == 0
    assert out.read_text("utf-8-sig") == "time,event,actor,what,target,channel,fields,value\n"


def test_score_of_one_csv_log_reads_it_as_wholly_observed_and_writes_the_after_action_report(tmp_path):
    ran = run("score", PLAN, ROOT / "examples" / "drill-log-robbery.csv", "--type", "armed_robbery",
              "--out", tmp_path / "drill")
    assert ran.code == 0, ran.text
    assert "coverage: 17 of 17 requirements evaluated (100 %)\n" in ran.out
    assert {"aar.html", "aar.pdf", "improvement-plan.xlsx"} <= {f.name for f in (tmp_path / "drill").iterdir()}
    card = json.loads((tmp_path / "drill" / "scorecard.json").read_text("utf-8"))
    assert "coverage" not in card and card["drill"]["source"].endswith("drill-log-robbery.csv")


def test_score_of_csv_sheets_merges_them_and_prints_the_coverage(tmp_path):
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    a.write_text("时间,事件,执行人,事项\n2026-03-12 10:00:00,情景,,robbers-enter\n"
                 "10:00:40,动作,现金柜员,现金入柜上锁\n", "utf-8-sig")
    b.write_text("time,event,actor,what\n2026-03-12 10:00:40,action,cash_teller,lock_cash\n", "utf-8")
    ran = run("score", PLAN, a, b, "--scenario", SCENARIO, "--out", tmp_path / "drill", "--lang", "zh")
    assert ran.code == 0, ran.text
    assert "coverage: 17 of 17 requirements evaluated (100 %)" in ran.out
    assert "conflicting stamps" not in ran.out


def test_score_refuses_an_unknown_language(tmp_path):
    ran = run("score", PLAN, ROOT / "examples" / "drill-log-robbery.csv", "--lang", "de", "--out", tmp_path / "d")
    assert ran.code == 2 and "error: --lang: unknown language 'de'" in ran.err


def test_the_roles_each_requirement_judges_come_from_its_selectors_and_the_plan():
    plan = drillsim.load_plan(PLAN)
    judged = {req.id: compile_check(req, plan).judged for req in plan.requirements}
    assert judged["ROB-01"] == (frozenset({"teller"}),)  # a report of the plan's: its sender
    assert judged["ROB-03"] == (frozenset({"cash_teller"}),)  # an action: the role whose duty does it
    assert judged["ROB-04"] == (frozenset({"lobby_manager"}),)
    assert judged["ROB-06"] == (frozenset({"teller", "cash_teller"}),)  # the actors the selector names
    assert judged["ROB-07"] == (frozenset({"teller"}),)  # an action a botched duty does
    assert judged["ROB-11"] == (frozenset({"branch_head", "duty_leader"}),) * 2  # an order: both steps
    assert judged["ROB-13"] == (frozenset({"branch_head"}),)  # an arrival: who arrived
    assert judged["ROB-14"] == (frozenset({"upper_office"}),)  # a classification: the grading role
    assert judged["ROB-15"] == (frozenset({"upper_office"}),)  # a deadline: its response, not its trigger


def test_a_step_of_an_order_nobody_watched_leaves_it_not_evaluated():
    plan = drillsim.load_plan(PLAN)
    check = compile_check(next(r for r in plan.requirements if r.id == "ROB-11"), plan)
    assert check.unobserved(frozenset({"duty_leader"})) is None
    said = check.unobserved(frozenset({"teller"}))
    assert said.outcome.value == "not_evaluated"
    assert said.detail == "not evaluated: no evaluator observed branch_head (网点负责人), duty_leader (带班领导)"
