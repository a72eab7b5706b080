"""The two evaluators' filled log sheets of examples/sheets/, as a person would fill them (the
README's evaluator's path scores them; tests/test_log_sheets.py fills the same rows, mistakes left in).

    .venv/bin/python scripts/example_sheets.py      # writes examples/sheets/hall.xlsx and office.xlsx
"""

from __future__ import annotations

from datetime import datetime, time
from pathlib import Path

from openpyxl import load_workbook

import drillsim
from drillsim.log.sheets import write_sheet

HALL = ("teller", "cash_teller", "lobby_manager", "guard", "police", "ambulance")
OFFICE = ("branch_head", "upper_office", "duty_leader")


def fill(path, rows, exercise=None, ratings=(), notes=()):
    """Type rows into a blank sheet's log as a person would: text, or (value, number format) for a
    cell the spreadsheet holds as a time; ``exercise`` values by row label."""
    book = load_workbook(path)
    log = book.worksheets[0]
    for row in rows:
        r = log.max_row + 1
        for col, value in enumerate(row, start=1):
            if isinstance(value, tuple):
                cell = log.cell(r, col, value[0])
                cell.number_format = value[1]
            elif value is not None:
                log.cell(r, col, value)
    sheets = {ws.title: ws for ws in book.worksheets}
    ex = sheets.get("演练概况") or sheets["exercise"]
    for label, value in (exercise or {}).items():
        row = next(r for r in ex.iter_rows(min_row=2) if r[0].value == label)
        row[1].value = value
    rt = sheets.get("评级") or sheets["ratings"]
    for cid, rating, why, by in ratings:
        row = next(r for r in rt.iter_rows(min_row=2) if r[0].value == cid)
        row[2].value, row[3].value, row[4].value = rating, why, by
    nt = sheets.get("备注") or sheets["notes"]
    for by, text in notes:
        nt.append([by, text])
    book.save(path)
    return path


HALL_ROWS = [  # the hall evaluator's sheet, Chinese headers and names, times as people type them
    ((datetime(2026, 3, 12, 10, 2, 10), "yyyy-mm-dd h:mm:ss"), "情景", None, "robbers-enter"),  # row 2
    ("10:02:10", "事实", None, "armed", None, None, None, "是"),  # 3
    ("10:02:35", "发送", "临柜人员-1", None, "110公安机关", "110报警按钮"),  # 4
    ("10:02:35", "收到", "临柜人员-1", None, "110公安机关", "110报警按钮"),  # 5
    ((time(10, 3), "h:mm"), "动作", "现金柜员", "现金入柜上锁"),  # 6: typed 10:03, to the minute
    ("2026-03-12 10:02:50", "发送", "大堂经理", None, "110公安机关", "电话", "地点、时间、性质"),  # 7: out of order
    ("10:03:30", "情景", None, "customer-injured"),  # 8
    ("10:03:30", "事实", None, "injured", None, None, None, "1"),  # 9
    ("10:04:10", "发送", "大堂经理", None, "120急救", "电话", "地点、涉及人数、主要危害"),  # 10
    ("10:04:55", "发送", "大堂经理", None, "网点负责人", "电话", "地点、时间、性质"),  # 11
    ("10:05", "情景", None, "robbers-flee"),  # 12
    ("10:05", "事实", None, "suspects_fled", None, None, None, "是"),  # 13
    ("10:05:40", "动作", "大堂保安", "弄清犯罪嫌疑人特征"),  # 14
    ("10:07:00", "动作", "大堂经理", "实施应急求护"),  # 15: a typo — an unknown action
    ("10:75", "到达", "110公安机关", "police"),  # 16: a bad row — no such time
    ("10:16:30", "到达", "120急救", "ambulance"),  # 17
    ("10:21", "到达", "网点负责人", "branch_head"),  # 18: the hall saw the head come in at 10:21
]
OFFICE_ROWS = [  # the office evaluator's sheet, English headers, Chinese names
    ("10:04", "sent", "大堂经理", None, "网点负责人", "电话", "地点、时间、性质"),  # 2: the same call, to the minute
    ("10:06:30", "sent", "网点负责人", None, "上级应急处理办事机构", "电话", "营业网点名称、地点、时间、性质"),  # 3
    ("10:06:50", "received", "网点负责人", None, "上级应急处理办事机构", "电话", "营业网点名称、地点、时间、性质"),  # 4
    ("10:12", "level", "上级应急处理办事机构", "II"),  # 5
    ("10:15:00", "sent", "上级应急处理办事机构", None, "应急处理领导小组", "电话"),  # 6
    ("10:15:30", "received", "上级应急处理办事机构", None, "应急处理领导小组", "电话"),  # 7
    ("10:19:30", "arrived", "网点负责人", "branch_head"),  # 8: the office's evaluator, with the head, says 10:19:30
    ("10:25:00", "action", "网点负责人", "保护现场、保存监控录像"),  # 9
    ("2026-03-12 10:52:00", "sent", "网点负责人", None, "上级应急处理办事机构", "电子传输系统",
     "营业网点名称、地点、时间、原因、性质、涉及金额、涉及人数、主要危害、应对措施、事态发展趋势"),  # 10
    ("2026-03-12 10:58", "received", "网点负责人", None, "上级应急处理办事机构", "电子传输系统",
     "营业网点名称、地点、时间、原因、性质、涉及金额、涉及人数、主要危害、应对措施、事态发展趋势"),  # 11
]


def two_sheets(tmp_path, plan, scenario, fixed=False, head_late=False):
    """The hall's and the office's sheets; ``fixed``: as corrected after the error report; ``head_late``:
    the branch head comes in at 10:38 (past the plan's half hour; the office says 10:36:40), as in examples/sheets/."""
    hall = write_sheet(plan, scenario, tmp_path / "hall.xlsx", lang="zh", observer_roles=set(HALL))
    office = write_sheet(plan, scenario, tmp_path / "office.xlsx", lang="en", observer_roles=set(OFFICE))
    rows, office_rows = list(HALL_ROWS), list(OFFICE_ROWS)
    if fixed:  # what the evaluator corrects after reading the error report
        rows[13] = ("10:07:00", "动作", "大堂经理", "实施应急救护")
        rows[14] = ("10:09:00", "到达", "110公安机关", "police")
    if head_late:
        rows[16] = ("10:38", "到达", "网点负责人", "branch_head")
        del office_rows[6]  # the office's evaluator types the arrival after the 10:25 row
        office_rows.insert(7, ("10:36:40", "arrived", "网点负责人", "branch_head"))
    fill(hall, rows, {"演练日期": "2026-03-12", "评估人员": "王芳"}, notes=[("王芳", "大堂经理先报警后救护")])
    fill(office, office_rows, {"date": "2026-03-12", "evaluators": "李明"},
         ratings=[("reporting", "S", "书面报告在电话后及时送达, 领导小组的报告未能观察", "李明")])
    return hall, office


def main() -> None:
    plan = drillsim.load_plan("counter-robbery")
    folder = Path(__file__).resolve().parent.parent / "examples" / "sheets"
    folder.mkdir(parents=True, exist_ok=True)
    for path in two_sheets(folder, plan, drillsim.load_scenario("armed-robbery-injured", plan), fixed=True,
                           head_late=True):
        print(path)


if __name__ == "__main__":
    main()
