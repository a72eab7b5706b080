"""A long log gives a report of bounded size (issue #13): the timeline aggregates what cannot be read one by
one, the report's event log lists its first and last rows and says how many it left out.

Counted on the matplotlib objects and the HTML, not timed: each bound is pinned by a count that a log of
thousands of rows and hundreds of people would exceed many times without it.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime

import pytest
from matplotlib.patches import FancyArrowPatch
from matplotlib.text import Text

import drillsim
from benchmarks.drills import at_branches, demo
from drillsim.reports.bounds import HEAD_ROWS, MAX_EVENT_ROWS, MAX_WARNINGS, TAIL_ROWS
from drillsim.reports.html import write_report
from drillsim.reports.timeline import (
    BINS,
    MARKERS,
    MAX_ARROWS,
    MAX_DETAILED_ROWS,
    MAX_KEY_LABELS,
    MAX_LANES,
    bin_step,
    incident_start,
    timeline_figure,
)
from drillsim.spec.errors import InputWarning
from tests.conftest import make_log
from tests.test_plots import overlapping


@pytest.fixture(scope="module")
def long_drill():
    """The demo's incident at 140 branches at once: about 6,700 rows, 840 people."""
    plan, scenario = demo()
    log = drillsim.simulate(drillsim.build(plan, at_branches(scenario, 140)), seed=1)
    assert len(log.rows) > 5_000
    return plan, log, drillsim.score(plan, log)


def drawn(log):
    t0 = incident_start(log)
    return [r for r in log.rows if r.event != "unfinished" and r.t >= t0 - 1e-9]


def texts(fig) -> list[Text]:
    return [t for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]


def marker_points(ax) -> int:
    return sum(len(line.get_xdata()) for line in ax.lines)


def test_the_timeline_of_a_long_log_has_a_bounded_number_of_texts_rows_and_markers(long_drill):
    plan, log, card = long_drill
    fig = timeline_figure(plan, log, card)
    top = fig.axes[0]
    people = {r.actor for r in log.rows if r.actor}
    assert len(people) > 800
    assert len(top.get_yticks()) <= MAX_LANES  # a row per role, not per person
    assert {t.get_text() for t in top.get_yticklabels()} >= {"临柜人员 ×280", "现金柜员 ×140"}
    assert 10 <= len([t for t in top.texts if t.get_text()]) <= MAX_KEY_LABELS
    assert len(texts(fig)) <= MAX_KEY_LABELS + MAX_LANES + 2 * len(card.results) + 40  # + ticks, title, caption
    kinds = len(MARKERS) + 1
    assert marker_points(top) <= MAX_LANES * (BINS + 2) * kinds + MAX_KEY_LABELS
    assert marker_points(top) < len(drawn(log)) / 10
    assert len([p for p in top.patches if isinstance(p, FancyArrowPatch)]) <= MAX_ARROWS
    assert fig.get_size_inches()[1] < 30
    assert overlapping(fig) == []


def test_the_caption_says_what_the_timeline_aggregated(long_drill):
    plan, log, card = long_drill
    caption = timeline_figure(plan, log, card).axes[1].get_xlabel()
    step = bin_step(max(r.t for r in log.rows) - incident_start(log))
    assert f"{len(drawn(log))} log rows drawn together" in caption
    assert re.search(r"shaded by its log rows per \dm\d\ds \(darkest: \d+\)", caption)
    left_out = int(re.search(r"(\d+) event labels left out", caption)[1])
    assert left_out > 2_000  # of the drill's thousands of events, all but a hundred
    assert step >= 1.0 and "events.csv lists every event" in caption


def test_the_caption_of_the_aar_timeline_is_in_the_reports_language(long_drill):
    from drillsim.reports.i18n import Translator

    plan, log, card = long_drill
    caption = timeline_figure(plan, log, card, Translator("zh").gettext).axes[1].get_xlabel()
    assert f"共 {len(drawn(log))} 条日志记录汇总绘制" in caption and "个事件标签" in caption


def test_hundreds_of_roles_are_drawn_in_a_bounded_number_of_rows(robbery_plan):
    events = [(0, "inject", "robbers-enter")]
    events += [(i * 0.1, "action", "alarm-110", f"role{i % 300}") for i in range(900)]
    log = make_log(*events)
    fig = timeline_figure(robbery_plan, log, drillsim.score(robbery_plan, log))
    names = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert len(names) == MAX_LANES
    assert names[-1] == f"{300 - (MAX_LANES - 2)} other roles"
    assert overlapping(fig) == []


def test_a_log_just_long_enough_is_drawn_row_by_row(robbery_plan):
    actions = sorted(robbery_plan.actions)
    events = [(0, "inject", "robbers-enter")]
    events += [(i * 0.5, "action", actions[i % len(actions)], "teller") for i in range(MAX_DETAILED_ROWS - 1)]
    log = make_log(*events)
    fig = timeline_figure(robbery_plan, log, drillsim.score(robbery_plan, log))
    assert marker_points(fig.axes[0]) == MAX_DETAILED_ROWS  # a marker for every row
    assert "drawn together" not in fig.axes[1].get_xlabel()
    longer = make_log(*events, (MAX_DETAILED_ROWS, "action", actions[0], "teller"))
    fig = timeline_figure(robbery_plan, longer, drillsim.score(robbery_plan, longer))
    assert f"{MAX_DETAILED_ROWS + 1} log rows drawn together" in fig.axes[1].get_xlabel()


def event_rows(html: str) -> list[str]:
    table = html[html.index("Event log</h2>"):]
    table = table[:table.index("</table>")]
    return re.findall(r"<tr>(?:<td>.*?</td>\s*)+</tr>", table, re.S)


def test_the_reports_event_log_lists_the_first_and_last_rows_of_a_long_log(long_drill, tmp_path):
    plan, log, card = long_drill
    html = write_report(plan, log, card, tmp_path)["report"].read_text("utf-8")
    rows = event_rows(html)
    assert len(rows) == HEAD_ROWS + TAIL_ROWS
    left_out = len(log.rows) - HEAD_ROWS - TAIL_ROWS
    assert f"{left_out} rows not shown: events.csv lists every row" in html
    assert f"the first {HEAD_ROWS} and the last {TAIL_ROWS} of the drill's {len(log.rows)} rows" in html
    last = log.rows[-1]
    assert f"<td>{last.event}</td><td>{last.what}</td>" in rows[-1]
    assert len(html) < 500_000


def test_the_reports_event_log_lists_every_row_of_a_short_log(robbery_plan, tmp_path):
    events = [(i, "action", "alarm-110", "teller") for i in range(MAX_EVENT_ROWS - 1)]
    log = make_log((0, "inject", "robbers-enter"), *events)
    html = write_report(robbery_plan, log, drillsim.score(robbery_plan, log), tmp_path)["report"].read_text("utf-8")
    assert len(event_rows(html)) == MAX_EVENT_ROWS
    assert "not shown" not in html


def test_the_report_lists_a_bounded_number_of_warnings_and_says_how_many_more(robbery_plan, tmp_path):
    log = make_log((0, "inject", "robbers-enter"), (1, "action", "alarm-110", "teller"))
    card = drillsim.score(robbery_plan, log)
    many = [InputWarning("drill.csv", f"row {i} repeats another", "row", i) for i in range(MAX_WARNINGS + 7)]
    html = write_report(robbery_plan, log, replace(card, warnings=many), tmp_path)["report"].read_text("utf-8")
    assert html.count('<li class="warning">') == MAX_WARNINGS
    assert "7 more warnings not shown: scorecard.json lists every warning" in html


def test_the_terminal_lists_a_bounded_number_of_warnings_and_says_how_many_more(robbery_plan):
    from io import StringIO

    from rich.console import Console

    from drillsim.reports.terminal import print_scorecard

    log = make_log((0, "inject", "robbers-enter"), (1, "action", "alarm-110", "teller"))
    card = drillsim.score(robbery_plan, log)
    many = [InputWarning("drill.csv", f"row {i} repeats another", "row", i) for i in range(MAX_WARNINGS + 7)]
    out = StringIO()
    print_scorecard(replace(card, warnings=many), Console(file=out, width=200))
    text = out.getvalue()
    assert text.count("warning: ") == MAX_WARNINGS
    assert "and 7 more warnings" in text and "scorecard.json" in text


def test_a_drill_s_log_is_made_into_a_table_and_a_csv_once_for_its_files_and_the_history(tmp_path, monkeypatch):
    import pandas as pd

    from drillsim.history import History
    from drillsim.log.eventlog import EventLog

    plan, scenario = demo()
    written = drillsim.run_drill(plan, scenario, 3, tmp_path / "run")
    built, texts = [], []
    frame, text = EventLog._build_frame, pd.DataFrame.to_csv
    monkeypatch.setattr(EventLog, "_build_frame", lambda self: built.append(len(self.rows)) or frame(self))
    monkeypatch.setattr(pd.DataFrame, "to_csv", lambda self, *a, **kw: texts.append(len(self)) or text(self, *a, **kw))
    out = drillsim.score_drill(plan, written.files["log_csv"], tmp_path / "drill", db=tmp_path / "history.sqlite")
    assert {"log_csv", "log_parquet"} <= set(out.files) and "kept" in out.history
    assert built == texts == [len(written.log.rows)]
    with History(tmp_path / "history.sqlite") as history:
        (kept,) = history.db.execute("SELECT log_csv FROM drills").fetchall()
    assert "\ufeff" + kept[0] == out.files["log_csv"].read_text("utf-8")  # the file is the kept text, marked


def test_a_log_s_table_follows_the_log_and_is_the_caller_s_own():
    plan, scenario = demo()
    log = drillsim.simulate(drillsim.build(plan, scenario), seed=3)
    first = log.to_frame()
    assert set(first["incident_type"]) == {scenario.incident.type}
    first.loc[0, "what"] = "changed by the caller"
    assert log.to_frame().loc[0, "what"] == log.rows[0].what
    log.meta["type"] = "explosive_robbery"
    assert set(log.to_frame()["incident_type"]) == {"explosive_robbery"}
    shorter = replace(log, rows=log.rows[:5])
    assert len(shorter.to_frame()) == 5 and len(log.to_frame()) == len(log.rows)
    log.rows = [row._replace(what="swapped") for row in log.rows]  # other rows, as many
    assert set(log.to_frame()["what"]) == {"swapped"}
    log.origin = datetime(2026, 1, 2, 9, 0)
    assert log.to_frame()["time"][0].startswith("2026-01-02T")
    log.meta["scenario"] = "another"
    assert set(log.to_frame()["scenario"]) == {"another"}
