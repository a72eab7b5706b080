"""Bad drill logs: each is refused (or accepted with a warning) with its file, row, column and what is wrong."""

from __future__ import annotations

import json
import re

import pytest
from markupsafe import escape

import drillsim
from drillsim.log.drill_log import read_drill_log
from drillsim.spec.catalog import builtin_plans
from drillsim.spec.errors import InputError
from drillsim.spec.plan import load_plan
from tests.conftest import ROOT

ROBBERY = (ROOT / "examples" / "drill-log-robbery.csv").read_text("utf-8").splitlines()
"""The example log: line 1 the header, line n the (n-1)th row."""
IT = [
    "时间,事件,执行人,事项,对象,渠道,报告要素,值",
    "2026-06-16 10:00:00,inject,,outage-starts,,,,",  # line 2
    "10:00:00,fact,,outage,,,,true",  # 3
    "10:00:00,fact,,provinces,,,,2",  # 4
    "13:30:00,inject,,service-restored,,,,",  # 5
    "13:30:00,fact,,outage,,,,false",  # 6
]
BANK_RUN = [
    "time,event,actor,what,target,channel,site",
    "2026-03-12 10:00:00,inject,,run-east,,,east",  # 2
    "10:01:00,action,east/大堂经理,keep_order,,,east",  # 3
]


def edit(lines: list[str], line: int, text: str | None) -> list[str]:
    """``lines`` with file line ``line`` replaced by ``text`` (or removed if None)."""
    out = list(lines)
    if text is None:
        del out[line - 1]
    else:
        out[line - 1] = text
    return out


def insert(lines: list[str], line: int, text: str) -> list[str]:
    """``lines`` with ``text`` inserted as file line ``line``."""
    return [*lines[:line - 1], text, *lines[line - 1:]]


R, ROB = "counter-robbery", ROBBERY
# (case id, plan, scenario, lines, line, place, what the message says)
ERRORS = [
    ("action-typo", R, None, edit(ROB, 6, "10:02:40,action,现金柜员,lock_cashh,,,,"), 6, "column 'what'",
     "unknown action 'lock_cashh': did you mean lock_cash (现金入柜上锁)?"),
    ("action-chinese-typo", R, None, edit(ROB, 6, "10:02:40,action,现金柜员,现金入柜上琐,,,,"), 6, "column 'what'",
     "did you mean lock_cash (现金入柜上锁)?"),
    ("action-unknown", R, None, edit(ROB, 6, "10:02:40,action,现金柜员,dance,,,,"), 6, "column 'what'",
     "unknown action 'dance'; known:"),
    ("event-typo", R, None, edit(ROB, 4, "10:02:35,sned,临柜人员-1,,110公安机关,110报警按钮,,"), 4, "column 'event'",
     "unknown event 'sned': did you mean sent?"),
    ("learned-how-unknown", R, None, edit(ROB, 6, "10:02:40,learned,现金柜员,,,,,heard"), 6, "column 'value'",
     "how the person learned is one of perceived, told, arrived (got 'heard')"),
    ("learned-what-not-incident", R, None, edit(ROB, 6, "10:02:40,learned,现金柜员,lock_cash,,,,"), 6,
     "column 'what'", "a 'learned' row is of the incident: leave `what` empty or write incident (got 'lock_cash')"),
    ("event-empty", R, None, edit(ROB, 6, "10:02:40,,现金柜员,lock_cash,,,,"), 6, "column 'event'",
     "the event is empty"),
    ("role-unknown", R, None, edit(ROB, 6, "10:02:40,action,出纳,lock_cash,,,,"), 6, "column 'actor'",
     "unknown role '出纳'"),
    ("role-typo", R, None, edit(ROB, 6, "10:02:40,action,现金柜圆,lock_cash,,,,"), 6, "column 'actor'",
     "did you mean cash_teller (现金柜员)?"),
    ("instance-beyond-count", R, None, edit(ROB, 4, "10:02:35,sent,临柜人员-9,,110公安机关,110报警按钮,,"), 4,
     "column 'actor'", "'临柜人员-9': the plan has 2 teller (临柜人员), numbered 1 to 2"),
    ("instance-zero", R, None, edit(ROB, 4, "10:02:35,sent,临柜人员-0,,110公安机关,110报警按钮,,"), 4,
     "column 'actor'", "numbered 1 to 2"),
    ("agency-instance", R, None, edit(ROB, 18, "10:09:00,arrived,110公安机关-2,police,,,,"), 18, "column 'actor'",
     "the plan has 1 police"),
    ("target-typo", R, None, edit(ROB, 4, "10:02:35,sent,临柜人员-1,,110公安机,110报警按钮,,"), 4, "column 'target'",
     "did you mean police (110公安机关)?"),
    ("channel-typo", R, None, edit(ROB, 7, "10:02:50,sent,大堂经理,,110公安机关,电活,地点,"), 7, "column 'channel'",
     "unknown channel '电活'"),
    ("field-typo", R, None, edit(ROB, 7, "10:02:50,sent,大堂经理,,110公安机关,电话,地点、时问,"), 7, "column 'fields'",
     "unknown report field '时问'"),
    ("field-id-typo", R, None, edit(ROB, 7, "10:02:50,sent,大堂经理,,110公安机关,电话,place;natur,"), 7,
     "column 'fields'", "did you mean nature (性质)?"),
    ("fact-typo", R, None, edit(ROB, 3, "10:02:10,fact,,armd,,,,true"), 3, "column 'what'",
     "unknown fact 'armd': did you mean armed (持械)?"),
    ("bool-one", R, None, edit(ROB, 3, "10:02:10,fact,,armed,,,,1"), 3, "column 'value'", "'1' is not a boolean"),
    ("bool-you", R, None, edit(ROB, 3, "10:02:10,fact,,armed,,,,有"), 3, "column 'value'", "'有' is not a boolean"),
    ("bool-empty", R, None, edit(ROB, 3, "10:02:10,fact,,armed,,,,"), 3, "column 'value'",
     "a fact row needs the fact's new value (armed: true or false)"),
    ("int-word", R, None, edit(ROB, 9, "10:03:30,fact,,injured,,,,two"), 9, "column 'value'",
     "injured: 'two' is not a whole number"),
    ("int-negative", R, None, edit(ROB, 9, "10:03:30,fact,,injured,,,,-1"), 9, "column 'value'",
     "injured: '-1' is negative: a number fact (a count, an amount, hours) is never below 0"),
    ("level-unknown", R, None, edit(ROB, 19, "10:12:00,level,上级应急处理办事机构,IV,,,,"), 19, "column 'what'",
     "unknown level 'IV'"),
    ("level-twice", R, None, edit(ROB, 19, "10:12:00,level,上级应急处理办事机构,II,,,,I"), 19, "column 'value'",
     "the level is given twice and differs"),
    ("level-empty", R, None, edit(ROB, 19, "10:12:00,level,上级应急处理办事机构,,,,,"), 19, "column 'what'",
     "a 'level' row needs the level declared"),
    ("minute-61", R, None, edit(ROB, 6, "10:61:00,action,现金柜员,lock_cash,,,,"), 6, "column 'time'",
     "'10:61:00' is not a time of day"),
    ("not-a-time", R, None, edit(ROB, 6, "noon,action,现金柜员,lock_cash,,,,"), 6, "column 'time'",
     "'noon' is not a time"),
    ("empty-time", R, None, edit(ROB, 6, ",action,现金柜员,lock_cash,,,,"), 6, "column 'time'", "the time is empty"),
    ("after-midnight", R, None, [*ROB[:2], "23:58:00,fact,,armed,,,,true", "00:05:00,action,现金柜员,lock_cash,,,,"],
     4, "column 'time'", "a time after midnight needs its date (write 2026-03-13 00:05:00)"),
    ("no-date", R, None, edit(ROB, 2, "10:02:10,inject,,robbers-enter,,,,"), 2, "column 'time'",
     "has no date and no earlier row gives one"),
    ("time-only-out-of-order", R, None, edit(ROB, 6, "10:01:40,action,现金柜员,lock_cash,,,,"), 6,
     "column 'time'", "is earlier than the row above"),
    ("bad-date", R, None, edit(ROB, 2, "2026-02-30 10:02:10,inject,,robbers-enter,,,,"), 2, "column 'time'",
     "is not a time"),
    ("unquoted-comma", R, None, edit(ROB, 7, "10:02:50,sent,大堂经理,,110公安机关,电话,地点,时间,性质"), 7, "cell 9",
     "the row has 9 cells but the header has 8"),
    ("sent-no-target", R, None, edit(ROB, 4, "10:02:35,sent,临柜人员-1,,,110报警按钮,,"), 4, "column 'target'",
     "a 'sent' row needs the target"),
    ("sent-no-actor", R, None, edit(ROB, 4, "10:02:35,sent,,,110公安机关,110报警按钮,,"), 4, "column 'actor'",
     "a 'sent' row needs the sender of the message in 'actor'"),
    ("short-sent-row", R, None, edit(ROB, 4, "10:02:35,sent,临柜人员-1"), 4, "column 'target'",
     "a 'sent' row needs the target"),
    ("action-no-what", R, None, edit(ROB, 6, "10:02:40,action,现金柜员,,,,,"), 6, "column 'what'",
     "this 'action' row needs the name of the action"),
    ("fact-no-what", R, None, edit(ROB, 3, "10:02:10,fact,,,,,,true"), 3, "column 'what'",
     "this 'fact' row needs the name of the fact"),
    ("inject-no-what", R, None, edit(ROB, 8, "10:03:30,inject,,,,,,"), 8, "column 'what'",
     "this 'inject' row needs the name of the inject"),
    ("inject-unknown-in-scenario", R, "armed-robbery-injured", edit(ROB, 8, "10:03:30,inject,,customer-hurt,,,,"), 8,
     "column 'what'", "unknown inject 'customer-hurt' of scenario 'armed-robbery-injured'"),
    ("value-on-action", R, None, edit(ROB, 6, "10:02:40,action,现金柜员,lock_cash,,,,yes"), 6, "column 'value'",
     "an 'action' row takes no value"),
    ("attempt-not-number", R, None, edit(ROB, 7, "10:02:50,sent,大堂经理,,110公安机关,电话,地点,again"), 7,
     "column 'value'", "'again' is not an attempt number"),
    ("report-id-typo", R, None, edit(ROB, 4, "10:02:35,sent,临柜人员-1,teler-alarm,110公安机关,110报警按钮,,"), 4,
     "column 'what'", "unknown report 'teler-alarm'"),
    ("arrived-unknown", R, None, edit(ROB, 18, "10:09:00,arrived,110公安机关,polise,,,,"), 18, "column 'what'",
     "did you mean police (110公安机关)?"),
    ("arrived-not-the-actor", R, None, edit(ROB, 18, "10:09:00,arrived,110公安机关,ambulance,,,,"), 18,
     "column 'what'", "'ambulance' arrived, but the actor is police (110公安机关): who arrived is the actor"),
    ("date-without-time", R, None, edit(ROB, 6, "2026-03-12,action,现金柜员,lock_cash,,,,"), 6, "column 'time'",
     "'2026-03-12' is a date without a time (write 2026-03-12 10:02:30)"),
    ("type-unknown", R, None, [ROB[0] + ",事件类别", ROB[1] + ",armed_robery", *ROB[2:]], 2, "column 'incident_type'",
     "unknown incident type 'armed_robery': did you mean armed_robbery"),
    ("type-scenario-mismatch", R, "explosive-robbery",
     [ROB[0] + ",incident_type", ROB[1] + ",armed_robbery", *ROB[2:]], 2, "column 'incident_type'",
     "is not the scenario's ('explosive_robbery')"),
    ("tz-mix", R, None, edit(ROB, 3, "2026-03-12T10:02:10+08:00,fact,,armed,,,,true"), 3, "column 'time'",
     "has a time zone and the rows above have none"),
    ("ref-word", R, None, [ROB[0] + ",ref", ROB[1] + ",", ROB[2] + ",", ROB[3] + ",one", *ROB[4:]], 4, "column 'ref'",
     "'one' is not a message number"),
    ("header-typo", R, None, edit(ROB, 1, "时间,事件,actr,事项,对象,渠道,报告要素,值"), 1, "header column 3",
     "unknown column 'actr': did you mean actor"),
    ("header-twice", R, None, edit(ROB, 1, "时间,事件,执行人,事项,对象,渠道,报告要素,time"), 1, "header column 8",
     "column 'time' is given twice (also column 1)"),
    ("header-no-event", R, None, [row.split(",", 2)[0] + "," + row.split(",", 2)[2] for row in ROB], 1, "header",
     "missing column 'event'"),
    ("header-blank", R, None, edit(ROB, 1, "时间,事件,,事项,对象,渠道,报告要素,值"), 1, "header column 3",
     "a column of the header has no name"),
    ("branch-unknown", "service-incidents", "service-incidents-bank-run",
     edit(BANK_RUN, 3, "10:01:00,action,north/大堂经理,keep_order,,,east"), 3, "column 'actor'",
     "unknown branch 'north'"),
    ("site-unknown", "service-incidents", "service-incidents-bank-run",
     edit(BANK_RUN, 3, "10:01:00,action,east/大堂经理,keep_order,,,easr"), 3, "column 'site'",
     "unknown branch 'easr': did you mean east (城东支行营业室)?"),
    ("site-missing-of-several", "service-incidents", "service-incidents-bank-run",
     edit(BANK_RUN, 3, "10:01:00,action,大堂经理,keep_order,,,"), 3, "column 'site'",
     "the drill has 3 branches (east, west, south): say which this row happened at"),
    ("inject-site-missing-of-several", "service-incidents", "service-incidents-bank-run",
     edit(BANK_RUN, 2, "2026-03-12 10:00:00,inject,,run-east,,,"), 2, "column 'site'", "the drill has 3 branches"),
    ("site-unknown-of-one", R, "armed-robbery-injured",
     [ROB[0] + ",site", *(row + ",branch" for row in ROB[1:3]), ROB[3] + ",东区"], 4, "column 'site'",
     "unknown branch '东区'; known: branch"),
    ("elapsed-contradicts", "it-incident-grading", None, [*IT, "13:30:00,fact,,outage_hours,,,,5"], 7,
     "column 'value'", "outage_hours = 5 h contradicts the log: outage rows give 3.5 h"),
    ("elapsed-without-its-fact", "it-incident-grading", None,
     [*IT[:2], IT[3], "13:30:00,fact,,outage_hours,,,,3.5"], 4, "column 'value'",
     "outage_hours = 3.5 h contradicts the log: outage rows give 0 h"),
    ("elapsed-not-a-number", "it-incident-grading", None, [*IT, "13:30:00,fact,,outage_hours,,,,long"], 7,
     "column 'value'", "outage_hours: 'long' is not a number"),
]


def _write(tmp_path, lines: list[str]):
    path = tmp_path / "drill.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _load(plan_id: str, scenario_id: str | None):
    plan = drillsim.load_plan(plan_id)
    return plan, (drillsim.load_scenario(scenario_id, plan) if scenario_id else None)


def test_the_corpus_has_at_least_45_distinct_cases():
    assert len({c[0] for c in ERRORS} | {c[0] for c in WARNINGS}) == len(ERRORS) + len(WARNINGS) >= 45
    assert len({"\n".join(c[3]) for c in ERRORS}) == len(ERRORS)


@pytest.mark.parametrize(("case", "plan_id", "scenario_id", "lines", "line", "place", "message"), ERRORS,
                         ids=[c[0] for c in ERRORS])
def test_a_bad_drill_log_is_refused_naming_file_row_column_and_problem(
        tmp_path, case, plan_id, scenario_id, lines, line, place, message):
    plan, scenario = _load(plan_id, scenario_id)
    path = _write(tmp_path, lines)
    with pytest.raises(InputError) as err:
        read_drill_log(path, plan, scenario=scenario)
    text = str(err.value)
    assert f"{path}:{line}: at {place} " in text, text
    assert message in text, text
    assert "Traceback" not in text


# (case id, plan, lines, line, what the warning says)
WARNINGS = [
    ("repeated-row", R, insert(ROB, 7, ROB[5]), 7, "the row repeats row 6 exactly and is counted once"),
    ("rows-out-of-order", R, [*ROB[:3], "2026-03-12 10:01:00,action,现金柜员,lock_cash,,,,", *ROB[3:]], 4,
     "row 4 is earlier than a row above; the log is scored in time order"),
    ("sent-not-received-async", R, edit(ROB, 5, None), 4,
     "the message by alarm_button to police has no 'received' row: taken as received when sent"),
]


@pytest.mark.parametrize(("case", "plan_id", "lines", "line", "message"), WARNINGS, ids=[c[0] for c in WARNINGS])
def test_an_odd_drill_log_is_scored_with_a_warning_on_the_scorecard(tmp_path, case, plan_id, lines, line, message):
    plan = drillsim.load_plan(plan_id)
    path = _write(tmp_path, lines)
    out = drillsim.score_drill(plan, path, tmp_path / "out", incident_type="armed_robbery")
    texts = [str(w) for w in out.scorecard.warnings]
    assert any(t.startswith(f"{path}:{line}:") and message in t for t in texts), texts
    card = json.loads((tmp_path / "out" / "scorecard.json").read_text("utf-8"))
    assert [w["text"] for w in card["warnings"]] == texts
    assert card["warnings"][0]["line"] is not None
    assert str(escape(message)) in (tmp_path / "out" / "report.html").read_text("utf-8")


def test_the_example_log_reads_without_warnings_and_takes_chinese_action_names():
    log = read_drill_log(ROOT / "examples" / "drill-log-robbery.csv", drillsim.load_plan(R))
    assert log.warnings == []
    assert next(r.what for r in log.rows if r.event == "action") == "lock_cash"  # written 现金入柜上锁


def test_a_drill_log_says_who_learned_of_the_incident_and_a_requirement_counts_from_it(tmp_path):
    plan = drillsim.load_plan("counter-robbery")
    lines = [*ROB[:3], "10:02:30,learned,现金柜员,,,,,perceived", "10:02:31,learned,网点负责人,,,电话,,told", *ROB[3:]]
    log = read_drill_log(_write(tmp_path, lines), plan)
    rows = [(r.actor_role, r.what, r.value, r.channel) for r in log.rows if r.event == "learned"]
    assert rows == [("cash_teller", "incident", "perceived", None), ("branch_head", "incident", "told", "phone")]


def test_a_short_row_missing_only_optional_cells_is_fine(tmp_path):
    lines = edit(ROB, 6, "10:02:40,action,现金柜员,lock_cash")  # no target, channel, fields, value cells
    log = read_drill_log(_write(tmp_path, lines), drillsim.load_plan(R))
    assert log.warnings == [] and any(r.event == "action" and r.what == "lock_cash" for r in log.rows)


def test_repeated_and_reordered_rows_score_as_the_clean_log(tmp_path):
    plan = drillsim.load_plan(R)
    clean = drillsim.score(plan, read_drill_log(_write(tmp_path, ROB), plan), "armed_robbery")
    messy = [ROB[0], ROB[1], *("2026-03-12 " + row for row in reversed(ROB[2:])), "2026-03-12 " + ROB[5]]
    log = read_drill_log(_write(tmp_path, messy), plan)
    assert len(log.warnings) == 2
    again = drillsim.score(plan, log, "armed_robbery")
    outcomes = [(r.id, r.outcome, r.latency) for r in again.results]
    assert outcomes == [(r.id, r.outcome, r.latency) for r in clean.results]


def test_a_call_logged_only_as_sent_is_received_when_sent_without_a_warning(tmp_path):
    """Synchronous channel: the receiver hears it as it is said; the deadline counts from the send."""
    plan = drillsim.load_plan(R)
    lines = edit(ROB, 16, None)  # the phone report to the upper office now has no 'received' row
    log = read_drill_log(_write(tmp_path, lines), plan)
    assert log.warnings == []
    card = drillsim.score(plan, log, "armed_robbery")
    rob = {r.id: r for r in card.results}
    report = next(r for r in plan.requirements if r.kind == "deadline" and r.response.event == "received"
                  and r.response.target == ("upper_office",))
    assert rob[report.id].outcome.value in ("met", "late")
    assert rob[report.id].at == pytest.approx(4 + 20 / 60)  # 10:06:30, 4 min 20 s after the robbers came in


def test_an_asynchronous_report_logged_only_as_sent_is_late_not_missed(tmp_path):
    plan = drillsim.load_plan(R)
    lines = [*edit(ROB, len(ROB), None)]  # the written report's 'received' row removed
    card = drillsim.score(plan, read_drill_log(_write(tmp_path, lines), plan), "armed_robbery")
    with_receipt = drillsim.score(plan, read_drill_log(_write(tmp_path, ROB), plan), "armed_robbery")
    assert [r.outcome for r in card.results if r.outcome.value == "missed"] == [
        r.outcome for r in with_receipt.results if r.outcome.value == "missed"]
    assert len(card.warnings) == 1 and "taken as received when sent" in str(card.warnings[0])


def test_an_outage_is_graded_from_its_logged_start_and_end_without_typing_its_duration(tmp_path):
    plan = drillsim.load_plan("it-incident-grading")
    lines = [*IT, "2026-06-16 10:40:00,level,it_head,II,,,,"]
    log = read_drill_log(_write(tmp_path, lines), plan)
    hours = [(round(r.t), r.value) for r in log.rows if r.event == "fact" and r.what == "outage_hours"]
    assert hours == [(30, 0.5), (180, 3.0), (210, 3.5)]  # the marks, and the value when it ended
    typed = read_drill_log(_write(tmp_path, [*IT, "13:30:00,fact,,outage_hours,,,,3.5"]), plan)
    assert [r for r in typed.rows if r.what == "outage_hours"][-1][11] == 3.5
    card = drillsim.score(plan, log, "system_outage")
    grading = next(r for r in card.results if r.kind == "classification")
    assert grading.outcome.value != "violated", grading.detail


def test_without_a_scenario_inject_names_are_not_checked(tmp_path):
    lines = edit(ROB, 8, "10:03:30,inject,,someone-hurt,,,,")
    assert read_drill_log(_write(tmp_path, lines), drillsim.load_plan(R)).warnings == []


def test_the_incident_type_column_spares_the_type_option(tmp_path):
    plan = drillsim.load_plan(R)
    lines = [ROB[0] + ",事件类别", ROB[1] + ",armed_robbery", *(row + "," for row in ROB[2:])]
    out = drillsim.score_drill(plan, _write(tmp_path, lines), tmp_path / "out")
    assert out.scorecard.incident_type == "armed_robbery"
    with pytest.raises(InputError, match="the log records incident type 'armed_robbery', not 'explosive_robbery'"):
        drillsim.score_drill(plan, _write(tmp_path, lines), tmp_path / "out", incident_type="explosive_robbery")


@pytest.mark.parametrize("plan_id", sorted(builtin_plans()))
def test_every_builtin_plan_names_all_its_actions_in_chinese(plan_id):
    plan = drillsim.load_plan(plan_id)
    unnamed = sorted(a for a, name in plan.action_labels.items() if not re.search(r"[\u4e00-\u9fff]", name))
    assert unnamed == []
    assert set(plan.action_names) == plan.actions - {"grade", "go_to_scene"}


def test_a_plan_naming_an_unknown_action_is_refused(tmp_path):
    text = (ROOT / "plans" / "counter-robbery.yaml").read_text("utf-8")
    path = tmp_path / "plan.yaml"
    path.write_text(text.replace("  lock_cash: 现金入柜上锁", "  lock_cahs: 现金入柜上锁"), encoding="utf-8")
    with pytest.raises(InputError, match=r"plan.yaml:\d+: at actions\.lock_cahs unknown action 'lock_cahs'"):
        load_plan(path)
