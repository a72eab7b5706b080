"""Scoring a drill under way: ``Scorer.score(log, now=t)`` reads the rows up to minute ``t`` and
calls a requirement that can still be met pending, left out of the score and the ratings."""

from __future__ import annotations

import pytest
from rich.console import Console

import drillsim
from drillsim.reports.terminal import print_scorecard
from drillsim.scoring.scorecard import Scorer
from tests.conftest import make_log
from tests.test_scoring_rules import INJECT, call, deadline, fact, make_plan

HEAD_REPORT = {"event": "sent", "actor": "head"}
PLAN = make_plan(deadline(within="10min", critical=True),
                 deadline("E", capability="report", response=HEAD_REPORT, within="1min"))


def head_report(t: float, fields: tuple[str, ...] | None = None) -> tuple:
    return (t, "sent", "report", "head", "office", "phone", None, fields)


def scored(*events: tuple, now: float | None = None, plan=PLAN) -> dict:
    return Scorer(plan).score(make_log(*events, incident_type="fire"), now=now).to_dict()


def outcome(c: dict, rid: str = "D") -> str:
    return next(r["outcome"] for r in c["requirements"] if r["id"] == rid)


def test_a_deadline_is_pending_while_open_missed_past_its_limit_and_met_after_the_response():
    early = scored(INJECT, head_report(0.5), now=5)
    d = early["requirements"][0]
    assert (d["outcome"], d["credit"], d["trigger_at_min"], d["deadline_min"]) == ("pending", 0, 0, 10)
    assert d["detail"] == "still open: 5m00s left"
    assert early["pending"] == ["D"] and early["drill"]["as_of_min"] == 5
    # left out of the score, the ratings and the critical failures
    assert (early["score"], early["rating"], early["critical_failures"]) == (100, "P", [])
    alarm = next(c for c in early["capabilities"] if c["id"] == "alarm")
    assert (alarm["rating"], alarm["applicable"]) == (None, 0)

    past = scored(INJECT, head_report(0.5), now=20)
    assert outcome(past) == "missed" and past["pending"] == [] and past["critical_failures"] == ["D"]
    assert past["score"] == 50

    answered = scored(INJECT, head_report(0.5), call(8), now=9)
    assert outcome(answered) == "met" and answered["score"] == 100


def test_rows_after_now_do_not_count():
    c = scored(INJECT, call(8), head_report(30), now=20)
    assert (outcome(c), outcome(c, "E")) == ("met", "missed")  # the report at 30 is not yet in the log
    assert outcome(scored(INJECT, call(8), now=7)) == "pending"


def test_a_row_at_now_counts():
    assert outcome(scored(INJECT, call(8), now=8)) == "met"


def test_without_now_the_scorecard_is_that_of_a_finished_drill():
    c = scored(INJECT, head_report(0.5))
    assert outcome(c) == "missed" and "pending" not in c and "as_of_min" not in c["drill"]
    late = scored(INJECT, head_report(0.5), now=1e9)
    assert late.pop("pending") == [] and late["drill"].pop("as_of_min") == 1e9
    assert late == c


def test_a_report_not_yet_sent_is_pending_and_its_fields_are_judged_once_sent():
    plan = make_plan({"id": "C", "title": "内容", "clause": "c", "capability": "report", "kind": "content",
                      "report": HEAD_REPORT, "fields": ["place", "time"]})
    assert outcome(scored(INJECT, now=5, plan=plan), "C") == "pending"
    assert outcome(scored(INJECT, plan=plan), "C") == "missed"
    assert outcome(scored(INJECT, head_report(3, ("place",)), now=5, plan=plan), "C") == "incomplete"


def test_an_order_whose_first_step_is_done_is_pending_until_the_second():
    plan = make_plan({"id": "O", "title": "顺序", "clause": "c", "capability": "alarm", "kind": "order",
                      "first": {"event": "sent", "actor": "guard"}, "then": HEAD_REPORT})
    assert outcome(scored(INJECT, call(1), now=5, plan=plan), "O") == "pending"
    assert outcome(scored(INJECT, now=5, plan=plan), "O") == "not_applicable"  # nothing begun
    assert outcome(scored(INJECT, call(1), plan=plan), "O") == "not_applicable"
    assert outcome(scored(INJECT, call(1), head_report(2), now=5, plan=plan), "O") == "met"


def test_a_level_not_yet_declared_or_not_yet_regraded_is_pending():
    plan = make_plan({"id": "G", "title": "定级", "clause": "c", "capability": "report", "kind": "classification"})
    assert outcome(scored(INJECT, fact(1, "injured", 1), now=5, plan=plan), "G") == "pending"
    assert outcome(scored(INJECT, fact(1, "injured", 1), plan=plan), "G") == "missed"
    regrade = (INJECT, fact(1, "injured", 1), (2, "level", "II", "office"), fact(3, "injured", 3))
    assert outcome(scored(*regrade, now=5, plan=plan), "G") == "pending"
    assert outcome(scored(*regrade, plan=plan), "G") == "missed"
    wrong = (INJECT, fact(1, "injured", 1), (2, "level", "I", "office"))
    assert outcome(scored(*wrong, now=5, plan=plan), "G") == "violated"


def test_the_terminal_lists_what_is_still_open():
    card = Scorer(PLAN).score(make_log(INJECT, head_report(0.5), incident_type="fire"), now=5)
    console = Console(record=True, width=200)
    print_scorecard(card, console)
    assert "as of minute 5: pending (still open, not scored): D" in console.export_text()
    finished = Scorer(PLAN).score(make_log(INJECT, head_report(0.5), incident_type="fire"))
    console = Console(record=True, width=200)
    print_scorecard(finished, console)
    assert "pending" not in console.export_text()


def test_many_runs_count_a_pending_outcome_only_if_some_run_had_it_and_not_as_applicable():
    import numpy as np

    from drillsim.scoring.aggregate import CODES, Aggregator
    from drillsim.scoring.compare import met_indicator
    from drillsim.scoring.outcomes import Outcome

    codes = np.array([[CODES[Outcome.MET]], [CODES[Outcome.PENDING]], [CODES[Outcome.MISSED]]])
    agg = Aggregator(["D"])
    agg.add(np.arange(3), codes, np.array([[1.0], [np.nan], [np.nan]]), np.array([100.0, 100.0, 0.0]))
    d = agg.summary()["requirements"][0]
    assert (d["outcomes"]["pending"], d["applicable"], d["p_met"]) == (1, 2, 0.5)
    assert np.isnan(met_indicator(codes)[1, 0])
    finished = Aggregator(["D"])
    finished.add(np.arange(1), codes[:1], np.array([[1.0]]), np.array([100.0]))
    assert "pending" not in finished.summary()["requirements"][0]["outcomes"]


def test_the_public_score_takes_now():
    plan = drillsim.load_plan("counter-robbery")
    log = drillsim.simulate(plan, drillsim.load_scenario("armed-robbery-injured", plan), seed=7)
    start = next(r.t for r in log.rows if r.event == "inject")
    early = drillsim.score(plan, log, now=start + 0.01).to_dict()
    assert early["pending"] and early["drill"]["as_of_min"] == pytest.approx(start + 0.01)
    assert "pending" not in drillsim.score(plan, log).to_dict()
