"""``drillsim history`` and its commands, as a user sees them: the tables, the plot, the refusals."""

from __future__ import annotations

import warnings

import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from rich.console import Console

from drillsim.history import History
from drillsim.history import queries as q
from drillsim.reports.history_plot import capability_trend_figure
from tests.clirun import drillsim
from tests.history_drills import FAILS_ROB_04, FAILS_ROB_12, MET_ROB_12, record


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "history.sqlite"
    with History(path) as h:
        record(h, FAILS_ROB_12, day="2026-03-12", branch="北京分行[一]")
        record(h, MET_ROB_12, day="2026-04-12", branch="上海分行", overrides={"medical": ("P", "现场救护及时")})
        record(h, FAILS_ROB_04, day="2026-05-01", branch="北京分行[一]")
    return path


def _ids(path, requirement, day):
    with History(path) as h:
        found = q.actions(h)
        drills = q.drills(h).set_index("date")["drill"]
    row = found[(found["requirement"] == requirement) & (found["date"] == day)].iloc[0]
    return str(row["action"]), drills


def test_history_shows_drills_trends_open_actions_and_re_tests(db, monkeypatch):
    # wide enough for every cell on one line, whatever width an earlier test left the console at
    monkeypatch.setattr("drillsim.cli.out_console", Console(width=200, soft_wrap=True, emoji=False))
    action, _ = _ids(db, "ROB-12", "2026-03-12")
    assert drillsim("history", "update", action, "--db", db, "--due", "2026-04-01", "--owner", "张主任").code == 0
    ran = drillsim("history", "--db", db, "--today", "2026-04-02")
    assert ran.code == 0, ran.err
    assert "drills so far (3)" in ran.out and ran.out.count("北京分行[一]") >= 2  # brackets shown, not read as markup
    medical = next(line for line in ran.out.splitlines() if "伤员救护 (medical)" in line)
    assert [cell.strip() for cell in medical.split("│")[2:5]] == ["S", "P*", "M"]
    rob12 = next(line for line in ran.out.splitlines() if "ROB-12 书面报告内容完整" in line)
    assert [cell.strip() for cell in rob12.split("│")[2:5]] == ["incomplete", "met", "incomplete"]
    assert "open corrective actions (6, 1 overdue)" in ran.out
    assert "2026-04-01 overdue" in ran.out and "张主任" in ran.out
    assert "failed requirements met in a later drill (1 of 6)" in ran.out


def test_close_update_and_retest_commands_say_what_they_did(db):
    action, drills = _ids(db, "ROB-12", "2026-03-12")
    later = drills["2026-04-12"]
    ran = drillsim("history", "update", action, "--db", db, "--owner", "张主任", "--due", "2026-06-30",
                   "--corrective-action", "书面报告要素培训")
    assert ran.code == 0 and ran.out.strip() == (f"action {action} (ROB-12, drill {drills['2026-03-12']}) updated: "
                                                 "书面报告要素培训, owner 张主任, due 2026-06-30")
    ran = drillsim("history", "retest", action, "--db", db, "--drill", later[:5])
    assert ran.code == 0 and f"re-tested: met in drill {later}" in ran.out
    ran = drillsim("history", "close", action, "--db", db, "--note", "已培训并复测", "--today", "2026-05-02")
    assert ran.code == 0 and "closed on 2026-05-02: 已培训并复测" in ran.out
    assert "open corrective actions (5, 0 overdue)" in drillsim("history", "--db", db, "--today", "2026-05-03").out


@pytest.mark.parametrize("args, says", [
    (("close", "{action}", "--note", "again"), "action {action}: is closed already"),
    (("close", "999", "--note", "x"), "action 999: there is no such action in"),
    (("retest", "{action}", "--drill", "{failing}"), "did not meet ROB-12 (incomplete)"),
    (("update", "{action}"), "nothing to change: give at least one of --corrective-action"),
    (("update", "{action}", "--due", "30/6"), "--due: '30/6' is not a date"),
])
def test_a_refused_command_says_why_in_one_line_and_changes_nothing(db, args, says):
    action, drills = _ids(db, "ROB-12", "2026-03-12")
    assert drillsim("history", "close", action, "--db", db, "--note", "已培训", "--today", "2026-05-02").code == 0
    before = db.read_bytes()
    fill = {"action": action, "failing": drills["2026-05-01"]}
    ran = drillsim("history", *(a.format(**fill) for a in args), "--db", db)
    assert ran.code == 2 and ran.err.startswith("error: ") and says.format(**fill) in ran.err
    assert len(ran.err.strip().splitlines()) == 1 and db.read_bytes() == before


def test_the_database_may_be_named_before_the_command_and_listing_options_are_refused_after_it(db):
    action, _ = _ids(db, "ROB-12", "2026-03-12")
    ran = drillsim("history", "--db", db, "update", action, "--owner", "张主任")
    assert ran.code == 0 and "owner 张主任" in ran.out
    ran = drillsim("history", "--db", db, "--today", "2026-05-01", "close", action, "--note", "x")
    assert ran.code == 2 and ran.err.startswith("error: --today: applies to the listing, not to `history close`")
    ran = drillsim("history", "--db", db, "--all", "close", action, "--note", "x")
    assert ran.code == 2 and ran.err.startswith("error: --all: applies to the listing, not to `history close`")


def test_history_with_no_database_yet_says_so_and_a_damaged_one_is_an_error_naming_it(tmp_path):
    missing = tmp_path / "none.sqlite"
    ran = drillsim("history", "--db", missing)
    assert ran.code == 0 and f"no drills kept in {missing} yet" in ran.out and not missing.exists()
    bad = tmp_path / "bad.sqlite"
    bad.write_text("演练记录", encoding="utf-8")
    ran = drillsim("history", "--db", bad)
    assert ran.code == 2 and ran.err.startswith(f"error: {bad}: is not a drillsim history")
    ran = drillsim("history", "close", "1", "--note", "x", "--db", missing)
    assert ran.code == 2 and "no drill history here yet" in ran.err and not missing.exists()


def test_the_default_database_is_the_one_the_environment_names(db, monkeypatch):
    monkeypatch.setenv("DRILLSIM_HISTORY", str(db))
    assert "drills so far (3)" in drillsim("history").out


def test_the_plot_is_written_as_asked_and_a_wrong_suffix_is_refused(db, tmp_path):
    ran = drillsim("history", "--db", db, "--plot", tmp_path / "trend.png", "--branch", "上海分行")
    assert ran.code == 0 and (tmp_path / "trend.png").read_bytes()[:4] == b"\x89PNG"
    assert "drills so far (1)" in ran.out
    ran = drillsim("history", "--db", db, "--plot", tmp_path / "trend.pdf")
    assert ran.code == 2 and "--plot: " in ran.err and "PNG" not in ran.err and ".png or .svg" in ran.err


def test_the_plot_has_a_panel_per_capability_a_line_per_branch_and_shows_overrides(db):
    with History(db) as h:
        trends = q.capability_trends(h)
    fig = capability_trend_figure(trends)
    panels = [ax for ax in fig.axes if ax.get_visible() and ax.axison]
    assert [ax.get_title() for ax in panels][:3] == ["报警 (alarm)", "保人护款 (protection)", "伤员救护 (medical)"]
    assert len(panels) == 7
    medical = panels[2]
    assert [line.get_label() for line in medical.get_lines()] == ["北京分行[一]", "上海分行"]
    hollow = [c for c in medical.collections if len(c.get_offsets()) and (c.get_facecolor()[:, :3] == 1).all()]
    assert len(hollow) == 1 and hollow[0].get_offsets()[0][1] == 3  # the evaluator's P
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a missing glyph is a warning: Chinese must draw
        FigureCanvasAgg(fig).draw()


def test_a_long_history_lists_the_latest_drills_and_every_overdue_action_unless_all_are_asked(tmp_path, monkeypatch):
    monkeypatch.setattr("drillsim.cli.out_console", Console(width=200, soft_wrap=True, emoji=False))
    path = tmp_path / "history.sqlite"
    with History(path) as h:  # 25 weekly drills, each failing ROB-04 (three actions each)
        for week in range(25):
            record(h, FAILS_ROB_04, day=f"2026-{1 + week // 4:02d}-{1 + 7 * (week % 4):02d}", branch="北京分行")
        actions = q.open_actions(h)
        drills = q.drills(h)
        retests = q.retested(h)
    late = actions.iloc[-1]  # the latest drill's last action, overdue: listed though others come first
    assert drillsim("history", "update", str(late["action"]), "--db", path, "--due", "2026-07-01").code == 0
    ran = drillsim("history", "--db", path, "--today", "2026-07-02")
    assert ran.code == 0, ran.err
    n = len(actions)
    assert "drills so far (25; the latest 20 listed, --all lists every one)" in ran.out
    listed = [key for key in drills["drill"] if f"│ {key} │" in ran.out]
    assert listed == list(drills["drill"].iloc[5:])
    assert (f"open corrective actions ({n}, 1 overdue; 20 listed: every overdue one and the oldest others, "
            "--all lists every one)") in ran.out
    rows = [line for line in ran.out.split("open corrective actions")[1].split("failed requirements")[0].splitlines()
            if line.startswith("│ ") and line.split("│")[1].strip().isdigit()]
    assert [int(r.split("│")[1]) for r in rows] == [*actions["action"].iloc[:19], late["action"]]
    assert (f"failed requirements met in a later drill (0 of {len(retests)}; the latest 20 listed, --all lists every "
            "one)") in ran.out
    everything = drillsim("history", "--db", path, "--today", "2026-07-02", "--all")
    assert "drills so far (25)" in everything.out and f"open corrective actions ({n}, 1 overdue)" in everything.out
    assert all(f"│ {key} │" in everything.out for key in drills["drill"])
