"""The drill history: one row per drill however often it is scored, the evaluator's work on its
actions kept, trends across drills and branches, open and overdue actions, re-tests."""

from __future__ import annotations

import dataclasses
import sqlite3
import tempfile
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import drillsim
from drillsim.history import History, drill_key, record_drill
from drillsim.history import queries as q
from drillsim.history.actions import close_action, find_drill, record_retest, update_action
from drillsim.scoring.evaluation import Evaluation, Exercise, ImprovementItem, Note
from drillsim.spec.errors import InputError
from tests import history_drills as drills
from tests.history_drills import FAILS_ROB_04, FAILS_ROB_12, MET_ROB_12, evaluation, record


@pytest.fixture
def history(tmp_path):
    with History(tmp_path / "history.sqlite") as h:
        yield h


def _action(history, key, requirement):
    found = q.actions(history)
    return found[(found["drill"] == key) & (found["requirement"] == requirement)].iloc[0]


def test_the_seeds_give_the_outcomes_the_tests_rest_on():
    outcome = {seed: {r.id: r.outcome.value for r in drillsim.score(drills.plan(), drills.log(seed)).results}
               for seed in (MET_ROB_12, FAILS_ROB_12, FAILS_ROB_04)}
    assert outcome[MET_ROB_12]["ROB-12"] == "met" and outcome[FAILS_ROB_12]["ROB-12"] == "incomplete"
    assert outcome[FAILS_ROB_04]["ROB-04"] == "late" and outcome[FAILS_ROB_12]["ROB-04"] == "met"


def test_the_same_drill_scored_twice_is_kept_once(history):
    first = history.record(drills.plan(), drills.log(1), evaluation(1))
    again = history.record(drills.plan(), drills.log(1), evaluation(1))
    assert first.key == again.key and again.replaced and not first.replaced
    kept = q.drills(history)
    assert len(kept) == 1 and kept.loc[0, "times_scored"] == 2
    assert len(q.actions(history)) == len(evaluation(1).improvement_items())
    assert len(q.capability_trends(history)) == len(drills.plan().capabilities)


def test_a_drill_is_told_apart_by_plan_exercise_date_and_branch(history):
    keys = {record(history, 1), record(history, 1, branch="上海分行"), record(history, 1, day="2026-03-13"),
            record(history, 1, name="另一次演练")}
    assert len(keys) == 4 and len(q.drills(history)) == 4
    ev = evaluation(1)
    assert drill_key(drills.PLAN, ev.exercise, drills.log(0)) == drill_key(drills.PLAN, ev.exercise, drills.log(1))


def test_a_drill_without_the_exercise_date_takes_the_log_s_and_one_with_no_date_at_all_is_refused(history):
    card = drillsim.score(drills.plan(), drills.log(1))
    key = history.record(drills.plan(), drills.log(1), Evaluation(card, Exercise("演练"))).key
    assert q.drills(history).set_index("drill").loc[key, "date"] == drills.log(1).origin.date().isoformat()
    undated = dataclasses.replace(drills.log(1), origin=None)
    with pytest.raises(InputError, match="has no date"):
        history.record(drills.plan(), undated, Evaluation(card, Exercise("演练")))
    assert len(q.drills(history)) == 1


def test_the_drill_keeps_its_log_scorecard_ratings_overrides_and_notes(history):
    ev = evaluation(1, overrides={"medical": ("P", "伤员救护及时，日志漏记")})
    ev.notes.append(Note("保安反应迅速", by="李"))
    key = history.record(drills.plan(), drills.log(1), ev).key
    row = history.db.execute("SELECT scorecard_json, log_csv FROM drills WHERE key = ?", (key,)).fetchone()
    assert '"plan": {\n    "id": "counter-robbery"' in row[0] and row[1].count("\n") == len(drills.log(1).rows) + 1
    medical = q.capability_trends(history).set_index("capability").loc["medical"]
    assert (medical["proposed"], medical["rating"], medical["overridden"]) == ("S", "P", True)
    assert medical["justification"] == "伤员救护及时，日志漏记"
    assert history.db.execute("SELECT text, by FROM notes").fetchall() == [("保安反应迅速", "李")]
    results = q.requirement_trends(history).set_index("requirement")
    assert results.loc["ROB-12", "outcome"] == "incomplete" and results.loc["ROB-05", "late_by"] > 0


def test_re_scoring_with_another_override_updates_the_drill_and_keeps_the_evaluator_s_work_on_its_actions(history):
    key = record(history, FAILS_ROB_12)
    rob12 = int(_action(history, key, "ROB-12")["action"])
    rob05 = int(_action(history, key, "ROB-05")["action"])
    update_action(history, rob12, owner="张主任", due=date(2026, 4, 30), corrective_action="培训书面报告要素")
    close_action(history, rob05, "演练脚本已修订", today=date(2026, 4, 1))
    record(history, FAILS_ROB_12, overrides={"reporting": ("M", "书面报告缺原因，影响上报")})
    assert q.capability_trends(history).set_index("capability").loc["reporting", "rating"] == "M"
    after = q.actions(history).set_index("action")
    assert sorted(after.index) == sorted([rob12, rob05])
    assert tuple(after.loc[rob12, ["owner", "due", "corrective_action", "status"]]) == (
        "张主任", "2026-04-30", "培训书面报告要素", "open")
    assert tuple(after.loc[rob05, ["status", "closed_at", "closing_note"]]) == (
        "closed", "2026-04-01", "演练脚本已修订")


def test_re_scoring_a_corrected_log_drops_untouched_actions_it_no_longer_needs_and_keeps_touched_ones(history):
    key = record(history, FAILS_ROB_04)  # ROB-04, ROB-05 and ROB-12 fail
    update_action(history, int(_action(history, key, "ROB-12")["action"]), owner="张主任")
    assert record(history, MET_ROB_12) == key  # the same drill, its log corrected: only ROB-05 fails
    after = q.actions(history).set_index("requirement")
    assert sorted(after.index) == ["ROB-05", "ROB-12"]
    assert after.loc["ROB-05", "current"] and not after.loc["ROB-12", "current"]
    assert after.loc["ROB-12", "owner"] == "张主任"


def test_a_scoring_that_fails_half_way_leaves_the_drill_as_it_was(history):
    key = record(history, FAILS_ROB_12)
    before = [history.db.execute(f"SELECT * FROM {t} ORDER BY 1, 2").fetchall()
              for t in ("drills", "ratings", "results", "actions")]
    ev = evaluation(MET_ROB_12, overrides={"medical": ("U", "无人施救")})
    broken = [*ev.improvement_items(), ImprovementItem("ROB-99", "medical", None)]  # fails at the last insert
    with pytest.raises(sqlite3.IntegrityError):
        history.record(drills.plan(), drills.log(MET_ROB_12), ev, broken)
    after = [history.db.execute(f"SELECT * FROM {t} ORDER BY 1, 2").fetchall()
             for t in ("drills", "ratings", "results", "actions")]
    assert after == before and q.drills(history)["drill"].tolist() == [key]


def test_record_drill_keeps_a_drill_in_the_file_named_or_the_default_one(tmp_path, monkeypatch):
    monkeypatch.setenv("DRILLSIM_HISTORY", str(tmp_path / "默认" / "history.sqlite"))
    key = record_drill(None, drills.plan(), drills.log(1), evaluation(1)).key
    named = record_drill(tmp_path / "other.sqlite", drills.plan(), drills.log(1), evaluation(1)).key
    assert key == named
    for path in (tmp_path / "默认" / "history.sqlite", tmp_path / "other.sqlite"):
        with History(path) as h:
            assert list(q.drills(h)["drill"]) == [key]


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(["春季演练", "秋季演练"]), st.sampled_from(["2026-03-12", "2026-09-01"]),
                          st.sampled_from(["北京分行", "上海分行", ""]), st.sampled_from([0, 1])),
                max_size=6))
def test_recording_any_sequence_of_drills_keeps_one_row_per_distinct_drill(sequence):
    with tempfile.TemporaryDirectory() as folder, History(Path(folder) / "h.sqlite") as h:
        keys = [record(h, seed, name=name, day=day, branch=branch) for name, day, branch, seed in sequence]
        assert sorted(q.drills(h)["drill"]) == sorted(set(keys))
        assert len(set(keys)) == len({(name, day, branch) for name, day, branch, _ in sequence})
        last = {k: seed for k, (*_, seed) in zip(keys, sequence, strict=True)}  # the latest scoring stands
        outcomes = q.requirement_trends(h).set_index(["drill", "requirement"])["outcome"]
        assert all(outcomes[(k, "ROB-12")] == ("met" if s == MET_ROB_12 else "incomplete") for k, s in last.items())


def test_trends_follow_each_capability_and_requirement_across_drills_and_branches(history):
    a = record(history, FAILS_ROB_12, day="2026-03-12", branch="北京分行")
    c = record(history, FAILS_ROB_04, day="2026-05-01", branch="北京分行")
    b = record(history, MET_ROB_12, day="2026-04-12", branch="上海分行")
    caps = q.capability_trends(history)
    medical = caps[caps["capability"] == "medical"]
    assert list(medical["drill"]) == [a, b, c]  # in the order they were held, not recorded
    assert list(medical["branch"]) == ["北京分行", "上海分行", "北京分行"]
    assert list(medical["rating"]) == ["S", "S", "M"]
    reqs = q.requirement_trends(history)
    assert list(reqs[reqs["requirement"] == "ROB-12"]["outcome"]) == ["incomplete", "met", "incomplete"]
    beijing = q.capability_trends(history, branch="北京分行")
    assert set(beijing["drill"]) == {a, c} and set(q.drills(history, plan="atm")["drill"]) == set()
    assert list(q.drills(history)["drill"]) == [a, b, c]


def test_open_actions_are_overdue_once_their_due_date_has_passed(history):
    key = record(history, FAILS_ROB_12)
    rob12 = int(_action(history, key, "ROB-12")["action"])
    rob05 = int(_action(history, key, "ROB-05")["action"])
    update_action(history, rob12, due=date(2026, 4, 30))
    update_action(history, rob05, due=date(2026, 4, 1))
    on_due_day = q.open_actions(history, today=date(2026, 4, 30)).set_index("action")["overdue"]
    assert on_due_day.to_dict() == {rob12: False, rob05: True}
    close_action(history, rob05, "已整改", today=date(2026, 4, 2))
    later = q.open_actions(history, today=date(2026, 5, 1)).set_index("action")["overdue"]
    assert later.to_dict() == {rob12: True}
    assert not q.actions(history, today=date(2026, 5, 1)).set_index("action").loc[rob05, "overdue"]


def test_a_failed_requirement_met_in_a_later_drill_of_the_plan_is_found_and_can_be_linked(history):
    first = record(history, FAILS_ROB_12, day="2026-03-12")
    earlier = record(history, MET_ROB_12, day="2026-02-01", branch="上海分行")
    failing_again = record(history, FAILS_ROB_04, day="2026-04-01")
    later = record(history, MET_ROB_12, day="2026-05-01", branch="上海分行")
    rob12 = int(_action(history, first, "ROB-12")["action"])
    found = q.retested(history).set_index("action")
    assert tuple(found.loc[rob12, ["outcome", "met_in", "met_on", "met_branch"]]) == (
        "incomplete", later, "2026-05-01", "上海分行")
    for wrong, says in ((earlier, "was not held after"), (failing_again, r"did not meet ROB-12 \(incomplete\)"),
                        (first, "was not held after")):
        with pytest.raises(InputError, match=says):
            record_retest(history, rob12, wrong)
    assert q.retested(history).set_index("action").loc[rob12, "retest_drill"] is None
    assert record_retest(history, rob12, later[:6])["retest_drill"] == later


def test_a_re_test_in_a_drill_of_another_plan_is_refused(history):
    key = record(history, FAILS_ROB_12)
    atm = drillsim.load_plan("atm")
    atm_log = drillsim.simulate(drillsim.build(atm, drillsim.load_scenario("atm-attack", atm)), seed=1)
    other = history.record(atm, atm_log, Evaluation(drillsim.score(atm, atm_log), Exercise("ATM", date(2026, 6, 1))))
    with pytest.raises(InputError, match="is of plan atm, not of counter-robbery"):
        record_retest(history, int(_action(history, key, "ROB-12")["action"]), other.key)


def test_closing_needs_a_note_and_an_open_action(history):
    key = record(history, FAILS_ROB_12)
    action = int(_action(history, key, "ROB-12")["action"])
    with pytest.raises(InputError, match="needs a note"):
        close_action(history, action, "  ")
    closed = close_action(history, action, "已培训", today=date(2026, 4, 2))
    assert (closed["status"], closed["closed_at"], closed["closing_note"]) == ("closed", "2026-04-02", "已培训")
    with pytest.raises(InputError, match="is closed already, on 2026-04-02: 已培训"):
        close_action(history, action, "again")
    with pytest.raises(InputError, match="action 999: there is no such action"):
        close_action(history, 999, "x")


def test_an_update_changes_only_what_is_given_and_needs_something(history):
    key = record(history, FAILS_ROB_12)
    action = int(_action(history, key, "ROB-12")["action"])
    update_action(history, action, owner="张主任", capability_element="training")
    updated = update_action(history, action, due=date(2026, 6, 30), organisation="保卫部")
    assert (updated["owner"], updated["capability_element"], updated["due"], updated["organisation"]) == (
        "张主任", "training", "2026-06-30", "保卫部")
    with pytest.raises(InputError, match="nothing to change"):
        update_action(history, action)


def test_a_drill_is_named_by_its_key_or_a_prefix_that_only_it_has(history):
    key = record(history, 1)
    assert find_drill(history, key.upper())["key"] == key and find_drill(history, key[:4])["key"] == key
    for wrong in (key[:3], "ffffffffffff", "____", key[:4] + "%"):
        with pytest.raises(InputError, match="no such drill"):
            find_drill(history, wrong)
