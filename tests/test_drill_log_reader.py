"""The drill-log reader fed one row at a time, as a live drill console feeds it."""

from __future__ import annotations

import csv
from datetime import datetime

import pytest

import drillsim
from drillsim.log.drill_log import HEADERS, DrillLogReader, read_drill_log
from drillsim.spec.errors import InputError
from tests.conftest import ROOT

EXAMPLE = ROOT / "examples" / "drill-log-robbery.csv"
COLUMNS = ("time", "event", "actor", "what", "target", "channel", "fields", "value")


@pytest.fixture(scope="module")
def plan():
    return drillsim.load_plan("counter-robbery")


def _rows(path=EXAMPLE) -> list[tuple[int, dict[str, str]]]:
    with open(path, encoding="utf-8-sig", newline="") as f:
        lines = list(csv.reader(f))[1:]
    return [(i + 2, dict(zip(COLUMNS, cells, strict=True))) for i, cells in enumerate(lines)]


def _same(a, b) -> None:
    assert (a.rows, a.origin, a.meta) == (b.rows, b.origin, b.meta)
    assert [str(w) for w in a.warnings] == [str(w) for w in b.warnings]


def test_rows_fed_one_at_a_time_give_the_log_reading_the_file_gives(plan):
    reader = DrillLogReader(plan, source=str(EXAMPLE))
    events = [reader.add(cells, line) for line, cells in _rows()]
    log = reader.finish()
    _same(log, read_drill_log(EXAMPLE, plan))
    assert events[0].t == 0.0 and events[0].event == "inject" and events[0].what == "robbers-enter"
    assert events[2] == log.rows[2] and events[2].target_role == "police" and events[2].channel == "alarm_button"
    assert log.origin == datetime(2026, 3, 12, 10, 2, 10)


def test_a_wrong_row_raises_at_once_naming_its_place_and_again_at_finish(plan):
    reader = DrillLogReader(plan, source="console")
    reader.add({"time": "2026-03-12 10:02:10", "event": "inject", "what": "robbers-enter"}, 2)
    with pytest.raises(InputError) as err:
        reader.add({"time": "10:03:00", "event": "action", "actor": "现金柜员", "what": "lock_cahs"}, 3)
    assert str(err.value).startswith("console:3: at column 'what' unknown action 'lock_cahs'")
    with pytest.raises(InputError) as err:
        reader.add({"time": "10:02:00", "event": "action", "actor": "现金柜员", "what": "lock_cash"}, 4)
    assert "console:4: at column 'time' '10:02:00' is earlier than the row above" in str(err.value)
    with pytest.raises(InputError) as err:
        reader.finish()
    assert str(err.value).splitlines() == [
        "console:4: at column 'time' '10:02:00' is earlier than the row above (2026-03-12 10:03:00): a time after "
        "midnight needs its date (write 2026-03-13 10:02:00), and a row out of order its full date and time",
        "console:3: at column 'what' unknown action 'lock_cahs': did you mean lock_cash (现金入柜上锁)?"]


def test_an_earlier_dated_row_is_accepted_and_finish_moves_the_origin_back_to_it(plan):
    reader = DrillLogReader(plan, source="console")
    first = reader.add({"time": "2026-03-12 10:02:10", "event": "inject", "what": "robbers-enter"}, 2)
    early = reader.add({"time": "2026-03-12 10:01:10", "event": "action", "actor": "现金柜员",
                        "what": "lock_cash"}, 3)
    assert (first.t, early.t) == (0.0, -1.0)
    log = reader.finish()
    assert log.origin == datetime(2026, 3, 12, 10, 1, 10)
    assert [(r.t, r.event) for r in log.rows] == [(0.0, "action"), (1.0, "inject")]
    assert [str(w) for w in log.warnings] == [
        "console:3: at column 'time' row 3 is earlier than a row above; the log is scored in time order"]


def test_a_given_origin_is_minute_zero(plan):
    reader = DrillLogReader(plan, origin=datetime(2026, 3, 12, 10, 0, 0))
    assert reader.add({"time": "2026-03-12 10:02:30", "event": "inject", "what": "robbers-enter"}, 2).t == 2.5
    reader.add({"time": "2026-03-12 10:01:00", "event": "fact", "what": "armed", "value": "true"}, 3)
    log = reader.finish()
    assert log.origin == datetime(2026, 3, 12, 10, 0, 0) and [r.t for r in log.rows] == [1.0, 2.5]


def test_a_repeated_row_gives_the_first_rows_event_and_is_counted_once(plan):
    reader = DrillLogReader(plan, source="console")
    cells = {"time": "2026-03-12 10:02:10", "event": "inject", "what": "robbers-enter"}
    assert reader.add(cells, 2) is reader.add(dict(cells), 3)
    log = reader.finish()
    assert len(log.rows) == 1 and [w.line for w in log.warnings] == [3]


def test_a_repeat_with_its_cells_in_another_order_is_the_same_row(plan):
    reader = DrillLogReader(plan, source="console")
    cells = {"time": "2026-03-12 10:02:10", "event": "inject", "what": "robbers-enter"}
    first = reader.add(cells, 2)
    assert reader.add(dict(reversed(cells.items())), 3) is first
    assert [str(w) for w in reader.warnings] == [
        "console:3: the row repeats row 2 exactly and is counted once; if it happened twice, tell the rows apart "
        "(by the seconds)"]


def test_no_row_can_be_added_after_finish_nor_finish_called_twice(plan):
    reader = DrillLogReader(plan)
    reader.add({"time": "2026-03-12 10:02:10", "event": "inject", "what": "robbers-enter"}, 2)
    reader.finish()
    with pytest.raises(RuntimeError, match=r"^the drill log is finished: no row can be added after finish\(\)$"):
        reader.add({"time": "10:03:00", "event": "inject", "what": "robbers-flee"}, 3)
    with pytest.raises(RuntimeError, match="finished already"):
        reader.finish()


def test_a_cell_of_no_known_column_is_a_mistake_of_the_caller(plan):
    with pytest.raises(ValueError) as err:
        DrillLogReader(plan).add({"when": "10:00", "time": "2026-03-12 10:02:10", "event": "inject"}, 2)
    assert str(err.value) == f"unknown columns ['when']; the columns are {', '.join(HEADERS)}"


def test_a_row_with_no_event_is_refused_saying_so(plan):
    with pytest.raises(InputError) as err:
        DrillLogReader(plan, source="console").add({"time": "2026-03-12 10:02:10", "event": ""}, 2)
    assert str(err.value).startswith("console:2: at column 'event' the event is empty")


def test_each_reply_goes_to_the_first_sent_row_it_fits_in_log_order(plan, tmp_path):
    lines = ["time,event,actor,what,target,channel,fields,value", "2026-03-12 10:00:00,inject,,robbers-enter,,,,"]
    for i in range(300):  # two sent rows, then one received row, each minute
        at = f"{10 + i // 60:02d}:{i % 60:02d}:"
        lines += [f"{at}10,sent,临柜人员-1,,110公安机关,110报警按钮,,", f"{at}20,sent,临柜人员-1,,110公安机关,,,",
                  f"{at}30,received,临柜人员-1,,110公安机关,110报警按钮,,"]
    path = tmp_path / "log.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    log = read_drill_log(path, plan)
    # the k-th reply goes to the k-th sent row: the sent rows of the last 150 minutes are assumed received
    assert [w.line for w in log.warnings] == [n for i in range(150, 300) for n in (3 + 3 * i, 4 + 3 * i)]
    assert "the message by alarm_button to police" in str(log.warnings[0])
    assert "the message on no channel to police" in str(log.warnings[1])
    assert sum(r.event == "received" for r in log.rows) == 600


def test_a_reply_on_no_channel_answers_a_message_sent_on_one(plan, tmp_path):
    path = tmp_path / "log.csv"
    path.write_text("time,event,actor,what,target,channel,fields,value\n2026-03-12 10:00:00,inject,,robbers-enter,,,,\n"
                    "10:00:10,sent,大堂经理,,120急救,电话,,\n10:00:15,sent,大堂经理,,110公安机关,电话,,\n"
                    "10:00:20,unanswered,大堂经理,,120急救,,,\n", encoding="utf-8")
    log = read_drill_log(path, plan)
    assert [(r.event, r.target_role) for r in log.rows[1:]] == [
        ("sent", "ambulance"), ("sent", "police"), ("received", "police"), ("unanswered", "ambulance")]


def test_a_row_and_a_given_origin_must_both_have_a_time_zone_or_neither(plan):
    reader = DrillLogReader(plan, origin=datetime.fromisoformat("2026-03-12T10:00:00+08:00"), source="console")
    with pytest.raises(InputError) as err:
        reader.add({"time": "2026-03-12 10:02:10", "event": "inject", "what": "robbers-enter"}, 2)
    assert str(err.value) == ("console:2: at column 'time' '2026-03-12 10:02:10' has no time zone and the origin "
                              "(2026-03-12T10:00:00+08:00) has one: write all times alike")
    assert reader.add({"time": "2026-03-12T10:02:30+08:00", "event": "inject", "what": "robbers-enter"}, 3).t == 2.5
    naive = DrillLogReader(plan, origin=datetime(2026, 3, 12, 10, 0, 0), source="console")
    with pytest.raises(InputError) as err:
        naive.add({"time": "2026-03-12T10:02:10+08:00", "event": "inject", "what": "robbers-enter"}, 2)
    assert str(err.value) == ("console:2: at column 'time' '2026-03-12T10:02:10+08:00' has a time zone and the "
                              "origin (2026-03-12T10:00:00) has none: write all times alike")


def test_a_repeat_of_a_wrong_row_is_refused_and_the_problem_reported_once(plan):
    reader = DrillLogReader(plan, source="console")
    reader.add({"time": "2026-03-12 10:02:10", "event": "inject", "what": "robbers-enter"}, 2)
    wrong = {"time": "10:03:00", "event": "action", "actor": "现金柜员", "what": "lock_cahs"}
    with pytest.raises(InputError):
        reader.add(wrong, 3)
    with pytest.raises(InputError, match="console:4: the row repeats row 3, which is wrong"):
        reader.add(dict(wrong), 4)
    with pytest.raises(InputError) as err:
        reader.finish()
    assert [e.line for e in err.value.errors] == [3]
