"""The drill-log reader's rules, pinned as what a user sees: the exact message, the rows read, the file written.

Each test states one rule of log/drill_log.py or log/eventlog.py that the tests of
test_drill_log_checks.py leave open (the mutation run of docs/testing.md found them): the wording
and place of a message, the rows an elapsed fact's clock adds, times without seconds, Parquet
files, the log's metadata and the files a log is written to.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import drillsim
from drillsim.log.drill_log import read_drill_log, suggest
from drillsim.log.eventlog import Event, EventLog
from drillsim.spec.errors import InputError
from tests.conftest import ROOT

ROB = (ROOT / "examples" / "drill-log-robbery.csv").read_text("utf-8").splitlines()
"""The example log: line 1 the header, line n the (n-1)th row."""


def _write(tmp_path, lines: list[str], name: str = "drill.csv"):
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _refusal(path, plan, **kw) -> str:
    with pytest.raises(InputError) as err:
        read_drill_log(path, plan, **kw)
    return str(err.value)


@pytest.fixture(scope="module")
def robbery():
    return drillsim.load_plan("counter-robbery")


@pytest.fixture(scope="module")
def it_plan():
    return drillsim.load_plan("it-incident-grading")


# Files that cannot be read ---------------------------------------------------------------------------


def test_a_missing_file_and_a_folder_are_refused_by_name(tmp_path, robbery):
    missing = tmp_path / "nowhere.csv"
    assert _refusal(missing, robbery) == f"{missing}: no such file"
    assert _refusal(tmp_path, robbery) == f"{tmp_path}: is a folder, not a drill log"


def test_a_log_without_an_inject_row_is_refused_with_the_reason(tmp_path, robbery):
    path = _write(tmp_path, [ROB[0], "2026-03-12 10:02:40,action,现金柜员,lock_cash,,,,"])
    assert _refusal(path, robbery) == (f"{path}: no row has event 'inject': record when the incident began, so "
                                       "deadlines have a start")


def test_a_row_with_extra_cells_names_them(tmp_path, robbery):
    path = _write(tmp_path, [*ROB[:6], "10:02:50,sent,大堂经理,,110公安机关,电话,地点,时间,性质,x"])
    assert _refusal(path, robbery) == (
        f"{path}:7: at cell 9 the row has 10 cells but the header has 8 (extra: '性质', 'x'); a cell holding a "
        "comma must be quoted (\"a, b\")")
    # the rows after it are read on, and their problems reported with it
    path = _write(tmp_path, [*ROB[:6], "10:02:50,sent,大堂经理,,110公安机关,电话,地点,时间,性质,x",
                             "10:03:00,bogus,,,,,,"])
    assert f"{path}:8: at column 'event' unknown event 'bogus'" in _refusal(path, robbery)


def test_a_row_with_fewer_cells_than_the_header_has_the_rest_empty(tmp_path, robbery):
    # a spreadsheet leaves off a row's empty cells at its end: the row is read as if they were there
    full = read_drill_log(_write(tmp_path, ROB, "full.csv"), robbery)
    short = [ROB[0], *(line.rstrip(",") for line in ROB[1:])]
    assert any(line != cut for line, cut in zip(ROB[1:], short[1:], strict=True))
    assert read_drill_log(_write(tmp_path, short, "short.csv"), robbery).rows == full.rows


def test_a_blank_row_between_rows_holds_nothing_and_the_rows_after_it_are_read(tmp_path, robbery):
    full = read_drill_log(_write(tmp_path, ROB, "full.csv"), robbery)
    gapped = [*ROB[:4], "", ",,,,,,,", *ROB[4:]]
    assert read_drill_log(_write(tmp_path, gapped, "gapped.csv"), robbery).rows == full.rows


def test_a_log_whose_first_row_gives_only_a_time_takes_the_day_it_is_given(tmp_path, robbery):
    clock_only = [ROB[0], ROB[1].replace("2026-03-12 ", ""), *ROB[2:]]
    log = read_drill_log(_write(tmp_path, clock_only), robbery, day=date(2026, 3, 12))
    assert log.origin == datetime(2026, 3, 12, 10, 2, 10)
    assert log.rows == read_drill_log(_write(tmp_path, ROB, "full.csv"), robbery).rows


def test_a_log_naming_a_built_in_scenario_is_checked_against_its_injects(tmp_path, robbery):
    # a log drillsim wrote names its scenario in a column: read without one, the reader checks its injects
    sc = drillsim.load_scenario("armed-robbery-injured", robbery)
    drillsim.run_drill(robbery, sc, 7, tmp_path / "run")
    text = (tmp_path / "run" / "events.csv").read_text("utf-8")
    path = _write(tmp_path, text.replace("robbers-enter", "robbers-entre", 1).splitlines(), "renamed.csv")
    assert "unknown inject 'robbers-entre' of scenario 'armed-robbery-injured': did you mean robbers-enter?" in \
        _refusal(path, robbery)


def test_two_incident_types_in_one_log_are_refused(tmp_path, robbery):
    lines = [ROB[0] + ",事件类别", ROB[1] + ",armed_robbery", ROB[2] + ",explosive_robbery"]
    path = _write(tmp_path, lines)
    assert _refusal(path, robbery) == (f"{path}:3: at column 'incident_type' incident type 'explosive_robbery' "
                                       "differs from 'armed_robbery' (row 2): a drill log records one incident")


# Times -----------------------------------------------------------------------------------------------


def test_a_report_field_whose_name_holds_a_separator_is_read_whole(tmp_path):
    # 投诉事由(主张、意见) holds 、, on which the fields cell is split: it was read as two unknown fields
    plan = drillsim.load_plan("customer-complaints")
    lines = [ROB[0], "2026-06-12 10:00:00,inject,,complaint-made,,,,",
             "10:03:00,sent,大堂经理,report-head,网点负责人,电话,地点、投诉事由(主张、意见)、时间,"]
    log = read_drill_log(_write(tmp_path, lines), plan)
    assert log.rows[-1].fields == ("place", "complaint_matter", "time")


def test_a_time_without_seconds_is_on_the_minute_and_hours_run_to_23(tmp_path, robbery):
    lines = [ROB[0], "2026-03-12 22:58:00,inject,,robbers-enter,,,,", "23:02,action,现金柜员,lock_cash,,,,",
             "23:59:59,action,大堂经理,first_aid,,,,"]
    log = read_drill_log(_write(tmp_path, lines), robbery)
    assert [(r.t, r.what) for r in log.rows] == [(0.0, "robbers-enter"), (4.0, "lock_cash"),
                                                 (pytest.approx(61 + 59 / 60), "first_aid")]


def test_a_time_to_the_minute_after_a_second_within_it_is_held_there_and_an_earlier_minute_is_refused(
        tmp_path, robbery):
    lines = [ROB[0], "2026-03-12 10:02:10,inject,,robbers-enter,,,,", "10:02:35,fact,,armed,,,,true",
             "10:02,action,现金柜员,lock_cash,,,,", "10:02:50,action,大堂经理,first_aid,,,,"]
    log = read_drill_log(_write(tmp_path, lines), robbery)
    assert [(r.t, r.what) for r in log.rows] == [
        (0.0, "robbers-enter"), (pytest.approx(25 / 60), "armed"), (pytest.approx(25 / 60), "lock_cash"),
        (pytest.approx(40 / 60), "first_aid")]
    assert log.warnings == []
    path = _write(tmp_path, [*lines[:3], "10:01,action,现金柜员,lock_cash,,,,"])
    assert _refusal(path, robbery).startswith(f"{path}:4: at column 'time' '10:01' is earlier than the row above "
                                              "(2026-03-12 10:02:35)")


@pytest.mark.parametrize("clock", ["10:60:00", "24:00:00", "24:00", "10:02:60"])
def test_minute_60_hour_24_and_second_60_are_no_time_of_day(tmp_path, robbery, clock):
    path = _write(tmp_path, [*ROB[:5], f"{clock},action,现金柜员,lock_cash,,,,"])
    assert _refusal(path, robbery) == f"{path}:6: at column 'time' '{clock}' is not a time of day"


def test_the_last_days_a_date_can_hold_are_refused_and_the_day_before_is_read(tmp_path, robbery):
    # 9999-12-31 23:59:10 then 10:02:10 crashed: the advice to date it the next day overflowed
    lines = [ROB[0], "9999-12-31 23:59:10,inject,,robbers-enter,,,,", "10:02:10,fact,,armed,,,,true"]
    path = _write(tmp_path, lines)
    assert _refusal(path, robbery).startswith(
        f"{path}:2: at column 'time' '9999-12-31 23:59:10' is dated past 9999-12-30, the last day a drill log "
        "may give\n")
    lines = [ROB[0], "9999-12-30 23:59:10,inject,,robbers-enter,,,,", "10:02:10,fact,,armed,,,,true"]
    path = _write(tmp_path, lines)
    assert _refusal(path, robbery).startswith(
        f"{path}:3: at column 'time' '10:02:10' is earlier than the row above (9999-12-30 23:59:10): "
        "a time after midnight needs its date (write 9999-12-31 10:02:10)")
    path = _write(tmp_path, [ROB[0], "10:02:10,inject,,robbers-enter,,,,"])
    assert _refusal(path, robbery, day=date(9999, 12, 31)) == (
        f"{path}:2: at column 'time' '10:02:10' is dated past 9999-12-30, the last day a drill log may give")


def test_a_clock_time_after_a_full_time_with_a_zone_takes_its_zone(tmp_path, robbery):
    lines = [ROB[0], "2026-03-12T10:02:10+08:00,inject,,robbers-enter,,,,", "10:03:10,action,现金柜员,lock_cash,,,,"]
    log = read_drill_log(_write(tmp_path, lines), robbery)
    assert [r.t for r in log.rows] == [0.0, 1.0] and not log.warnings


def test_times_all_with_a_time_zone_are_read_and_a_later_one_without_is_refused(tmp_path, robbery):
    lines = [ROB[0], "2026-03-12T10:02:10+08:00,inject,,robbers-enter,,,,",
             "2026-03-12T10:03:10+08:00,action,现金柜员,lock_cash,,,,"]
    log = read_drill_log(_write(tmp_path, lines), robbery)
    assert [r.t for r in log.rows] == [0.0, 1.0]
    assert log.origin is not None and log.origin.utcoffset().total_seconds() == 8 * 3600
    path = _write(tmp_path, [*lines, "2026-03-12 10:04:10,action,大堂经理,first_aid,,,,"])
    assert _refusal(path, robbery) == (f"{path}:4: at column 'time' '2026-03-12 10:04:10' has no time zone and "
                                       "the rows above have one: write all times alike")


def test_a_full_date_written_with_slashes_or_one_digit_fields_is_a_date_out_of_order_allowed(tmp_path, robbery):
    """Times ISO 8601 does not take are still full dates: a row before the one above is out of order
    (a warning), not a clock time past midnight that needs its date."""
    lines = [*ROB[:3], "2026/03/12 10:01,action,现金柜员,lock_cash,,,,",
             "2026-3-12 10:01:30,action,大堂经理,first_aid,,,,", *ROB[3:]]
    path = _write(tmp_path, lines)
    log = read_drill_log(path, robbery)
    assert [str(w) for w in log.warnings] == [
        f"{path}:4: at column 'time' rows 4, 5 are earlier than a row above; the log is scored in time order"]
    assert [r.what for r in log.rows][:3] == ["lock_cash", "first_aid", "robbers-enter"]


# Warnings --------------------------------------------------------------------------------------------


def test_rows_out_of_order_are_named_in_one_warning_at_the_time_column(tmp_path, robbery):
    lines = [*ROB[:3], "2026-03-12 10:01:00,action,现金柜员,lock_cash,,,,",
             "2026-03-12 10:01:30,action,大堂经理,first_aid,,,,", *ROB[3:]]
    path = _write(tmp_path, lines)
    log = read_drill_log(path, robbery)
    assert [str(w) for w in log.warnings] == [
        f"{path}:4: at column 'time' rows 4, 5 are earlier than a row above; the log is scored in time order"]


def test_a_repeated_row_is_named_with_the_row_it_repeats(tmp_path, robbery):
    path = _write(tmp_path, [*ROB[:6], ROB[5]])
    log = read_drill_log(path, robbery)
    assert [str(w) for w in log.warnings] == [
        f"{path}:7: the row repeats row 6 exactly and is counted once; if it happened twice, tell the rows apart "
        "(by the seconds)"]
    assert log.warnings[0].to_dict() == {"source": str(path), "line": 7, "place": "", "message":
                                         log.warnings[0].message}


def test_no_known_names_are_listed_as_none():
    assert suggest("x", {}) == "; known: (none)"
    assert suggest("zzz", {"a": "a (甲)"}) == "; known: a (甲)"


# The rows read ---------------------------------------------------------------------------------------


def test_rows_of_several_branches_take_their_site_and_an_attempt_number(tmp_path):
    plan = drillsim.load_plan("service-incidents")
    scenario = drillsim.load_scenario("service-incidents-bank-run", plan)
    lines = ["time,event,actor,what,target,channel,site,value",
             "2026-03-12 10:00:00,inject,,run-east,,,east,",
             "10:01:00,action,west/大堂经理,keep_order,,,,",  # no site cell: the actor's branch
             "10:02:00,sent,east/大堂经理,,网点负责人,电话,,2"]
    log = read_drill_log(_write(tmp_path, lines), plan, scenario=scenario)
    assert log.rows == [
        (0.0, "east", "", "inject", "run-east", None, None, None, None, None, None, None, None),
        (1.0, "west", "", "action", "keep_order", "lobby_manager", "west/lobby_manager-1", None, None, None, None,
         None, None),
        (2.0, "east", "", "sent", "", "lobby_manager", "east/lobby_manager-1", "branch_head", "branch_head-1",
         "phone", None, 2, None),
        (2.0, "east", "", "received", "", "lobby_manager", "east/lobby_manager-1", "branch_head", "branch_head-1",
         "phone", None, 2, None),
    ]
    assert log.warnings == []
    assert log.meta == {"plan": "service-incidents", "source": str(tmp_path / "drill.csv"), "drill": "real",
                        "scenario": "service-incidents-bank-run", "type": "bank_run"}
    assert set(log.to_frame()["scenario"]) == {"service-incidents-bank-run"}


def test_a_person_numbered_beyond_their_own_branch_s_staff_is_refused(tmp_path):
    # west has three tellers, east the plan's two and south none: each is counted at its own branch
    plan = drillsim.load_plan("service-incidents")
    scenario = drillsim.load_scenario("service-incidents-bank-run", plan)
    staffed = {"west": {"teller": 3}, "south": {"teller": 0}}
    scenario = scenario.model_copy(update={"branches": tuple(
        b.model_copy(update={"staffing": staffed.get(b.id, {})}) for b in scenario.branches)})
    lines = ["time,event,actor,what,target,channel,site,value", "2026-03-12 10:00:00,inject,,run-east,,,east,",
             "10:01:00,action,west/临柜人员-3,keep_order,,,,"]
    assert read_drill_log(_write(tmp_path, lines), plan, scenario=scenario).rows[1].actor == "west/teller-3"
    for actor, said in (("east/临柜人员-3", "the plan has 2 teller (临柜人员), numbered 1 to 2"),
                        ("south/临柜人员-1", "there is no teller (临柜人员) here")):
        path = _write(tmp_path, [*lines[:2], f"10:01:00,action,{actor},keep_order,,,,"], "bad.csv")
        assert f"{path}:3: at column 'actor' '{actor}': {said}" in _refusal(path, plan, scenario=scenario)


# An elapsed fact's clock -----------------------------------------------------------------------------

CLOCK = [
    "time,event,what,value",
    "2026-06-16 10:00:00,inject,outage-starts,",  # t = 0
    "10:05:00,fact,outage,false",  # 5: the clock is not running; nothing happens
    "10:10:00,fact,outage,true",  # 10: starts at 0 h; the 0.5 h mark at 40
    "10:50:00,fact,outage_hours,0.67",  # 50: typed, as the clock gives it (40 min = 0.667 h)
    "10:50:00,fact,outage,false",  # 50: stops at 0.667 h (the typed row stands for it)
    "11:00:00,fact,outage_hours,0.67",  # 60: the clock stands at 0.667 h
    "11:40:00,fact,outage,true",  # 100: runs again from 0.667 h: the 3 h mark at 100 + 140 = 240
    "12:00:00,fact,outage,true",  # 120: already running; nothing happens
    "14:10:00,inject,service-restored,",  # 250: the log's last row; the clock is still running
]


def _fact(t: float, what: str, value) -> Event:
    return Event(t, "branch", "", "fact", what, value=value)


def test_an_elapsed_fact_is_worked_out_over_two_spans_and_agrees_with_typed_rows(tmp_path, it_plan):
    log = read_drill_log(_write(tmp_path, CLOCK), it_plan)
    assert log.rows == [
        Event(0.0, "branch", "", "inject", "outage-starts"),
        _fact(5.0, "outage", False),
        _fact(10.0, "outage", True),
        _fact(40.0, "outage_hours", 0.5),
        _fact(50.0, "outage_hours", 0.67),
        _fact(50.0, "outage", False),
        _fact(60.0, "outage_hours", 0.67),
        _fact(100.0, "outage", True),
        _fact(120.0, "outage", True),
        _fact(240.0, "outage_hours", 3),
        Event(250.0, "branch", "", "inject", "service-restored"),
    ]
    assert log.warnings == []


@pytest.mark.parametrize(("line", "typed", "expected"), [(5, "0.9", "0.6667"), (7, "0.9", "0.6667")])
def test_a_typed_elapsed_value_that_the_clock_contradicts_is_refused(tmp_path, it_plan, line, typed, expected):
    lines = list(CLOCK)
    lines[line - 1] = lines[line - 1].rsplit(",", 1)[0] + "," + typed
    path = _write(tmp_path, lines)
    assert _refusal(path, it_plan) == (
        f"{path}:{line}: at column 'value' outage_hours = {typed} h contradicts the log: outage rows give "
        f"{expected} h at this time (elapsed facts are worked out from the rows of 'outage'; leave this row out or "
        "correct it)")


# Parquet ---------------------------------------------------------------------------------------------


def test_a_log_written_as_parquet_and_csv_reads_back_as_the_same_rows(tmp_path, robbery):
    log = read_drill_log(ROOT / "examples" / "drill-log-robbery.csv", robbery)
    for name, write in (("events.parquet", log.write_parquet), ("events.csv", log.write_csv)):
        assert write(tmp_path / name) == tmp_path / name
        again = read_drill_log(tmp_path / name, robbery)
        assert again.rows == log.rows, name
        assert again.warnings == []


def test_the_written_csv_joins_fields_and_rounds_values(tmp_path):
    rows = [Event(0.0, "branch", "", "fact", "share", value=1 / 3),
            Event(1.5, "branch", "", "sent", "", "a", "a-1", "b", "b-1", "phone", 3, 2, ("place", "time"))]
    path = EventLog(rows).write_csv(tmp_path / "events.csv")
    lines = path.read_text("utf-8-sig").splitlines()
    assert lines == ["time,t,site,incident,incident_type,scenario,event,what,actor_role,actor,target_role,target,"
                     "channel,ref,value,fields",
                     ",0.0,branch,,,,fact,share,,,,,,,0.333333,",
                     ",1.5,branch,,,,sent,,a,a-1,b,b-1,phone,3,2,place;time"]


def test_the_written_files_round_minutes_and_a_log_of_no_rows_writes_its_columns(tmp_path):
    origin = datetime(2026, 3, 12, 10, 0, tzinfo=timezone(timedelta(hours=8)))
    log = EventLog([Event(1 / 3, "branch", "ROB-1", "inject", "x")], origin, {"type": "armed_robbery"})
    lines = log.write_csv(tmp_path / "events.csv").read_text("utf-8-sig").splitlines()
    assert lines[1] == "2026-03-12T10:00:20.000+08:00,0.3333,branch,ROB-1,armed_robbery,,inject,x,,,,,,,,"
    header = ("time,t,site,incident,incident_type,scenario,event,what,actor_role,actor,target_role,target,"
              "channel,ref,value,fields")
    empty = EventLog([], origin)
    assert empty.write_csv(tmp_path / "empty.csv").read_text("utf-8-sig").splitlines() == [header]
    table = pq.read_table(empty.write_parquet(tmp_path / "empty.parquet"))
    assert (table.num_rows, ",".join(table.column_names)) == (0, header)
    # the same column types with rows or none: text, but the minute (float) and the message number (int)
    types = {f.name: str(f.type) for f in pq.read_schema(log.write_parquet(tmp_path / "events.parquet"))}
    assert types == {f.name: str(f.type) for f in table.schema} == {
        c: {"t": "double", "ref": "int64"}.get(c, "string") for c in header.split(",")}
    # and the file says what it is, where minute 0 is, and the log's own facts (Chinese as written), beside
    # pandas' own description of the table
    named = EventLog(log.rows, origin, {"type": "armed_robbery", "branch": "东门支行"})
    written = pq.read_schema(named.write_parquet(tmp_path / "named.parquet"))
    assert "东门支行".encode() in written.metadata[b"drillsim"] and b"pandas" in written.metadata
    assert json.loads(written.metadata[b"drillsim"].decode("utf-8")) == {
        "schema": "drillsim.eventlog/1", "origin": "2026-03-12T10:00:00+08:00", "type": "armed_robbery",
        "branch": "东门支行"}


def test_records_give_the_wall_clock_time_and_t_rounded(tmp_path, robbery):
    log = read_drill_log(_write(tmp_path, [*ROB[:2], "2026-03-12 10:02:30,action,现金柜员,lock_cash,,,,"]), robbery)
    assert [(r["time"], r["t"], r["fields"]) for r in log.records()] == [
        ("2026-03-12T10:02:10.000", 0.0, None), ("2026-03-12T10:02:30.000", 0.3333, None)]
    assert EventLog([Event(2.5, "branch", "", "inject", "x")]).records() \
        == [{"time": None, "t": 2.5, "site": "branch", "incident": "", "event": "inject", "what": "x",
             "actor_role": None, "actor": None, "target_role": None, "target": None, "channel": None, "ref": None,
             "value": None, "fields": None}]


def test_a_parquet_file_made_elsewhere_reads_whole_floats_as_numbers_and_nulls_as_empty(tmp_path, robbery):
    table = pa.table({"time": ["2026-03-12 10:02:10", "2026-03-12 10:03:30", "2026-03-12 10:04:00"],
                      "event": ["inject", "fact", "action"], "what": ["robbers-enter", "injured", "lock_cash"],
                      "actor": [None, None, "现金柜员"], "value": [None, 2.0, None]})
    pq.write_table(table, tmp_path / "log.parquet")
    log = read_drill_log(tmp_path / "log.parquet", robbery)
    assert [(r.event, r.what, r.actor, r.value) for r in log.rows] == [
        ("inject", "robbers-enter", None, None), ("fact", "injured", None, 2), ("action", "lock_cash", "cash_teller-1",
                                                                                None)]


def test_a_file_named_parquet_that_is_not_one_is_refused(tmp_path, robbery):
    path = _write(tmp_path, ROB, "log.parquet")
    text = _refusal(path, robbery)
    assert text.startswith(f"{path}: not a Parquet file (") and text.endswith(")"), text


def test_every_problem_is_reported_and_the_error_names_the_first_s_place(tmp_path, robbery):
    path = _write(tmp_path, [*ROB[:5], "10:02:40,action,现金柜员,dance,,,,", "10:02:45,action,出纳,lock_cash,,,,"])
    with pytest.raises(InputError) as err:
        read_drill_log(path, robbery)
    assert [line.split(" ", 3)[:3] for line in str(err.value).splitlines()] == [
        [f"{path}:6:", "at", "column"], [f"{path}:7:", "at", "column"]]
    assert (err.value.source, err.value.line, err.value.place) == (str(path), 6, "column 'what'")


def test_a_row_naming_no_site_happened_at_the_scenarios_one_branch_or_at_branch_without_a_scenario(tmp_path):
    plan = drillsim.load_plan("atm")
    lines = ["time,event,actor,what,target,channel,value", "2026-03-12 10:00:00,inject,,card-swallowed,,,"]
    path = _write(tmp_path, lines)
    with_scenario = read_drill_log(path, plan, scenario=drillsim.load_scenario("atm-card-swallowed", plan))
    assert [r.site for r in with_scenario.rows] == ["atm"]  # as a simulated log of the scenario has it
    assert [r.site for r in read_drill_log(path, plan).rows] == ["branch"]


def test_a_row_whose_actor_and_target_are_at_different_branches_happened_at_the_actors(tmp_path):
    plan = drillsim.load_plan("service-incidents")
    scenario = drillsim.load_scenario("service-incidents-bank-run", plan)
    lines = ["time,event,actor,what,target,channel,site", "2026-03-12 10:00:00,inject,,run-east,,,east",
             "10:02:00,sent,east/大堂经理,,west/网点负责人,电话,"]  # as a simulated log puts a message: at the sender
    log = read_drill_log(_write(tmp_path, lines), plan, scenario=scenario)
    assert [(r.event, r.site) for r in log.rows] == [("inject", "east"), ("sent", "east"), ("received", "east")]


def test_a_branch_may_be_written_by_its_name_in_the_site_cell_and_the_prefix(tmp_path):
    plan = drillsim.load_plan("service-incidents")
    scenario = drillsim.load_scenario("service-incidents-bank-run", plan)
    east, west = (b.name for b in scenario.branches[:2])
    lines = ["time,event,actor,what,target,channel,site", f"2026-03-12 10:00:00,inject,,run-east,,,{east}",
             f"10:01:00,action,{west}/大堂经理,guide_customers,,,"]
    log = read_drill_log(_write(tmp_path, lines), plan, scenario=scenario)
    assert [(r.site, r.actor) for r in log.rows] == [("east", None), ("west", "west/lobby_manager-1")]
    with pytest.raises(InputError, match=r"unknown branch '城东支行' in '城东支行/大堂经理': did you mean east \(城东"):
        read_drill_log(_write(tmp_path, [*lines[:2], "10:01:00,action,城东支行/大堂经理,guide_customers,,,"]), plan,
                       scenario=scenario)
