"""Every scoring rule pinned by what the scorecard shows (docs/scoring.md), on a small plan made here.

Each test changes one thing against a drill that otherwise meets its requirement, so a rule moved by
one line (a few seconds of slack, a cap that no longer caps, a band boundary) fails a test here.
"""

from __future__ import annotations

import copy
import math
from typing import Any

import numpy as np
import pytest

from drillsim.log.eventlog import Event, EventLog
from drillsim.scoring.aggregate import CODES, Aggregator, LogHistogram, wilson
from drillsim.scoring.compare import compare, met_indicator, paired, rank
from drillsim.scoring.flow import message_flow
from drillsim.scoring.outcomes import Outcome
from drillsim.scoring.scorecard import Scorer
from drillsim.spec.errors import InputError
from drillsim.spec.plan import Plan, parse_plan
from tests.conftest import make_log

SECOND = 1 / 60

BASE: dict[str, Any] = {
    "schema": "drillsim.plan/1", "id": "rules", "title": "规则",
    "levels": ["III", "II", "I"],
    "facts": {
        "closed": {"name": "停业", "type": "bool"},
        "urgent": {"name": "紧急", "type": "bool"},
        "injured": {"name": "受伤人数", "type": "int", "default": 0},
        "hours": {"name": "时长", "type": "float", "default": 0},
    },
    "report_fields": {"place": "地点", "time": "时间", "cause": "原因", "harm": "危害"},
    "incident_types": {"fire": {"name": "火灾"}, "flood": {"name": "水灾"}},
    "capabilities": {"alarm": "报警", "report": "报告", "protect": "保护"},
    "roles": {
        "guard": {"name": "保安", "kind": "staff"},
        "head": {"name": "行长", "kind": "staff"},
        "office": {"name": "办公室", "kind": "office"},
        "brigade": {"name": "消防", "kind": "agency", "service": "fire"},
    },
    "duties": [{"id": "door", "on": "incident", "role": "guard", "do": "open_door"}],
    "channels": {"phone": {"name": "电话", "synchronous": True}, "fax": {"name": "传真", "synchronous": False}},
    "grading": {"by": "office", "rules": [
        {"level": "I", "when": "injured >= 3"},
        {"level": "II", "when": "injured >= 1"},
        {"level": "III", "when": "closed"},
    ]},
    "scoring": {"late_credit": 0.3, "critical_cap": 55},
}

CALL = {"event": "sent", "actor": "guard", "target": "brigade", "channel": "phone"}
BY_HEAD = {"event": "sent", "actor": "head"}


def deadline(rid: str = "D", **kw: Any) -> dict[str, Any]:
    return {"id": rid, "title": "报警", "clause": "c", "capability": "alarm", "kind": "deadline",
            "response": CALL, "within": "1min", **kw}


def make_plan(*requirements: dict[str, Any], **top: Any) -> Plan:
    data = copy.deepcopy(BASE)
    data["requirements"] = list(requirements)
    data.update(top)
    return parse_plan(data, "rules.yaml")


def card(plan: Plan, *events: tuple, incident_type: str = "fire") -> dict[str, Any]:
    return Scorer(plan).score(make_log(*events, incident_type=incident_type)).to_dict()


def req(plan: Plan, *events: tuple, rid: str = "D", incident_type: str = "fire") -> dict[str, Any]:
    return next(r for r in card(plan, *events, incident_type=incident_type)["requirements"] if r["id"] == rid)


INJECT = (0, "inject", "start")


def call(t: float) -> tuple:
    return (t, "sent", "call", "guard", "brigade", "phone")


def fact(t: float, name: str, value: Any) -> tuple:
    return (t, "fact", name, None, None, None, value)


# deadlines ----------------------------------------------------------------------------------------

def test_a_response_exactly_at_the_deadline_is_met_and_one_second_later_is_late():
    plan = make_plan(deadline())
    on_time = req(plan, INJECT, call(1.0))
    assert (on_time["outcome"], on_time["credit"], on_time["latency_min"], on_time["deadline_min"]) == ("met", 1, 1, 1)
    late = req(plan, INJECT, call(1.0 + SECOND))
    assert late["outcome"] == "late" and late["credit"] == 0.3
    assert late["late_by_min"] == pytest.approx(SECOND, abs=1e-4) and late["detail"] == "late by 0m01s"


def test_late_credit_is_the_plans_and_counts_in_the_score():
    plan = make_plan(deadline(), deadline("E", capability="report"))
    c = card(plan, INJECT, call(5))
    assert [r["credit"] for r in c["requirements"]] == [0.3, 0.3]
    assert c["score"] == 30 and c["rating"] == "U"


def test_a_response_at_the_trigger_is_met_with_no_wait():
    r = req(make_plan(deadline()), INJECT, call(0))
    assert (r["outcome"], r["latency_min"], r["at_min"], r["trigger_at_min"]) == ("met", 0, 0, 0)


def test_no_response_is_missed():
    r = req(make_plan(deadline()), INJECT)
    assert (r["outcome"], r["credit"], r["detail"]) == ("missed", 0, "no response in the log")
    assert r["trigger_at_min"] == 0 and r["deadline_min"] == 1


def test_a_response_before_its_trigger_is_named_and_does_not_count_by_default():
    plan = make_plan(deadline(trigger={"event": "fact", "what": "closed"}))
    r = req(plan, INJECT, call(1.5), fact(2, "closed", True))
    assert r["outcome"] == "missed" and r["at_min"] == 1.5
    assert r["detail"] == "the response came 0m30s before the trigger; this requirement counts only responses after it"
    again = req(plan, INJECT, call(1.5), fact(2, "closed", True), call(2.5))
    assert again["outcome"] == "met" and again["latency_min"] == 0.5 and again["at_min"] == 2.5


def test_earlier_counts_makes_a_response_before_the_trigger_met():
    plan = make_plan(deadline(trigger={"event": "fact", "what": "closed"}, earlier_counts=True))
    r = req(plan, INJECT, call(1.5), fact(2, "closed", True))
    assert (r["outcome"], r["credit"], r["latency_min"], r["at_min"]) == ("met", 1, 0, 1.5)
    assert r["detail"] == "done 0m30s before the trigger"
    assert req(plan, INJECT, fact(2, "closed", True), call(3.5))["outcome"] == "late"


def test_a_deadline_named_by_a_choice():
    plan = make_plan(deadline(within="at_once"), choices={"at_once": {"value": "2min", "note": "立即"}})
    assert req(plan, INJECT, call(2))["outcome"] == "met"
    assert req(plan, INJECT, call(2 + SECOND))["outcome"] == "late"


def test_a_deadline_counts_from_the_first_trigger():
    plan = make_plan(deadline(trigger={"event": "fact", "what": "injured"}))
    r = req(plan, INJECT, fact(2, "injured", 1), fact(4, "injured", 2), call(4.5))
    assert r["outcome"] == "late" and r["trigger_at_min"] == 2 and r["latency_min"] == 2.5


def test_without_its_trigger_a_deadline_is_not_applicable():
    r = req(make_plan(deadline(trigger={"event": "fact", "what": "closed"})), INJECT, call(1))
    assert (r["outcome"], r["detail"]) == ("not_applicable", "the trigger did not occur")


def _site_log(*events: tuple) -> EventLog:
    """(t, site, event, what, actor, target, channel)"""
    rows = [Event(float(t), site, "INC", ev, what, actor, f"{site}/{actor}" if actor else None, target,
                  f"{target}-1" if target else None, channel)
            for t, site, ev, what, actor, target, channel in events]
    return EventLog(rows, None, {"type": "fire"})


def _site_result(plan: Plan, *events: tuple) -> dict[str, Any]:
    return Scorer(plan).score(_site_log(*events)).to_dict()["requirements"][0]


BOTH = ((0, "east", "inject", "x", None, None, None), (0, "west", "inject", "x", None, None, None))


def site_call(t: float, site: str) -> tuple:
    return (t, site, "sent", "call", "guard", "brigade", "phone")


def test_each_branch_is_checked_and_the_worst_branch_counts():
    plan = make_plan(deadline())
    both_met = _site_result(plan, *BOTH, site_call(0.5, "east"), site_call(0.8, "west"))
    assert (both_met["outcome"], both_met["latency_min"], both_met["detail"]) == ("met", 0.8, "at west")
    one_late = _site_result(plan, *BOTH, site_call(3, "east"), site_call(0.8, "west"))
    assert (one_late["outcome"], one_late["latency_min"], one_late["detail"]) == ("late", 3, "late by 2m00s at east")
    west_missing = _site_result(plan, *BOTH, site_call(3, "east"))
    assert (west_missing["outcome"], west_missing["detail"]) == ("missed", "no response in the log at west")
    later_late = _site_result(plan, *BOTH, site_call(3, "east"), site_call(4, "west"))
    assert (later_late["latency_min"], later_late["detail"]) == (4, "late by 3m00s at west")


def test_one_branch_is_checked_once():
    plan = make_plan(deadline())
    r = _site_result(plan, BOTH[0], site_call(0.5, "east"))
    assert (r["outcome"], r["detail"]) == ("met", "")


def test_a_response_by_an_office_is_checked_once_for_all_branches():
    plan = make_plan(deadline(response={"event": "sent", "actor": "office", "target": "brigade"}))
    r = _site_result(plan, *BOTH, (0.5, "office", "sent", "call", "office", "brigade", "phone"))
    assert (r["outcome"], r["detail"]) == ("met", "")


# when applies_if is read ---------------------------------------------------------------------------

CLOSURE = deadline(trigger={"event": "fact", "what": "closed", "value": True}, applies_if="closed")
REOPEN = (INJECT, fact(1, "closed", True), call(1.5), fact(3, "closed", False))


def test_a_condition_that_later_goes_away_still_applies_read_at_the_trigger():
    r = req(make_plan(CLOSURE), *REOPEN)
    assert (r["outcome"], r["trigger_at_min"]) == ("met", 1)
    assert req(make_plan({**CLOSURE, "applies_when": "ever"}), *REOPEN)["outcome"] == "met"
    at_end = req(make_plan({**CLOSURE, "applies_when": "end"}), *REOPEN)
    assert at_end["outcome"] == "not_applicable"
    assert at_end["detail"] == "condition not met at the end of the log: closed"


def test_a_negated_condition_read_at_the_trigger_means_what_it_says():
    plan = make_plan(deadline(applies_if="not urgent"))
    later = (INJECT, fact(2, "urgent", True))
    assert req(plan, *later)["outcome"] == "missed"
    before = req(plan, fact(0, "urgent", True), INJECT)
    assert (before["outcome"], before["detail"]) == ("not_applicable", "condition not met at the trigger: not urgent")
    assert req(make_plan(deadline(applies_if="not urgent", applies_when="end")), *later)["outcome"] == "not_applicable"
    ever = make_plan(deadline(applies_if="not urgent", applies_when="ever"))
    assert req(ever, fact(0, "urgent", True), INJECT)["outcome"] == "missed"  # true before anything happened


def test_a_condition_that_comes_true_after_the_trigger_applies_only_when_read_as_ever():
    r = deadline(applies_if="injured > 0")
    events = (INJECT, call(3), fact(2, "injured", 1))
    assert req(make_plan(r), *events)["outcome"] == "not_applicable"
    assert req(make_plan({**r, "applies_when": "ever"}), *events)["outcome"] == "late"
    assert req(make_plan({**r, "applies_when": "end"}), *events)["outcome"] == "late"
    never = req(make_plan({**r, "applies_when": "ever"}), INJECT, call(0.5))
    assert (never["outcome"], never["detail"]) == ("not_applicable", "condition not met at any moment: injured > 0")


def test_a_deadline_counts_from_the_first_trigger_at_which_its_condition_holds():
    plan = make_plan(deadline(trigger={"event": "fact", "what": "hours"}, applies_if="hours >= 3", within="2min"))
    events = (INJECT, fact(30, "hours", 0.5), fact(180, "hours", 3), call(181))
    r = req(plan, *events)
    assert (r["outcome"], r["trigger_at_min"], r["latency_min"]) == ("met", 180, 1)
    at_end = req(make_plan(deadline(trigger={"event": "fact", "what": "hours"}, applies_if="hours >= 3",
                                    within="2min", applies_when="end")), *events)
    assert (at_end["outcome"], at_end["trigger_at_min"]) == ("late", 30)


def test_only_the_first_inject_is_the_incident():
    plan = make_plan(deadline(applies_if="closed"))
    r = req(plan, INJECT, fact(1, "closed", True), (1, "inject", "more"), call(1.5))
    assert (r["outcome"], r["detail"]) == ("not_applicable", "condition not met at the trigger: closed")
    assert req(plan, (1, "inject", "first"), fact(1, "closed", True), call(1.5))["outcome"] == "met"


def test_without_a_trigger_a_condition_that_never_held_is_named():
    r = req(make_plan(deadline(trigger={"event": "fact", "what": "hours"}, applies_if="closed")), INJECT)
    assert r["detail"] == "condition not met at any moment: closed"
    r = req(make_plan(deadline(trigger={"event": "fact", "what": "hours"}, applies_if="closed")), INJECT,
            fact(1, "closed", True))
    assert r["detail"] == "the trigger did not occur"


def test_applies_when_without_applies_if_is_refused():
    with pytest.raises(InputError, match=r"requirements\[0\].*`applies_when` says when to read `applies_if`"):
        make_plan(deadline(applies_when="ever"))
    with pytest.raises(InputError, match="applies_when"):
        make_plan(deadline(applies_if="closed", applies_when="sometimes"))


# content -----------------------------------------------------------------------------------------

def content(**kw: Any) -> dict[str, Any]:
    return {"id": "C", "title": "书面报告", "clause": "c", "capability": "report", "kind": "content",
            "report": {"event": "sent", "actor": "head", "channel": "fax"},
            "fields": ["place", "time", "cause", "harm"], **kw}


def written(t: float, *fields: str) -> tuple:
    return (t, "sent", "written", "head", "office", "fax", None, fields)


def test_content_credit_is_the_share_of_fields_carried_by_the_first_report():
    plan = make_plan(content())
    assert req(plan, INJECT, written(5, "place", "time", "cause", "harm"), rid="C")["outcome"] == "met"
    half = req(plan, INJECT, written(5, "cause", "place"), written(6, "place", "time", "cause", "harm"), rid="C")
    assert (half["outcome"], half["credit"], half["at_min"]) == ("incomplete", 0.5, 5)
    assert half["detail"] == "missing: time (时间), harm (危害)"
    three = req(plan, INJECT, written(5, "place", "time", "cause"), rid="C")
    assert three["credit"] == 0.75
    none = req(plan, INJECT, written(5), rid="C")
    assert (none["outcome"], none["credit"]) == ("incomplete", 0)
    missing = req(plan, INJECT, rid="C")
    assert (missing["outcome"], missing["credit"], missing["detail"]) == ("missed", 0, "no such report in the log")


def test_content_condition_is_read_when_the_report_was_sent_or_else_at_the_end():
    plan = make_plan(content(applies_if="injured > 0"))
    early = req(plan, INJECT, written(1, "place"), fact(2, "injured", 1), rid="C")
    assert (early["outcome"], early["detail"]) == ("not_applicable",
                                                   "condition not met when the report was sent: injured > 0")
    assert req(plan, INJECT, fact(2, "injured", 1), written(3, "place"), rid="C")["outcome"] == "incomplete"
    assert req(plan, INJECT, fact(2, "injured", 1), rid="C")["outcome"] == "missed"
    assert req(plan, INJECT, rid="C")["outcome"] == "not_applicable"
    ended = make_plan(content(applies_if="injured > 0", applies_when="end"))
    assert req(ended, INJECT, written(1, "place"), fact(2, "injured", 1), rid="C")["outcome"] == "incomplete"


# order -------------------------------------------------------------------------------------------

def order(**kw: Any) -> dict[str, Any]:
    return {"id": "O", "title": "先电话后书面", "clause": "c", "capability": "report", "kind": "order",
            "first": {"event": "sent", "actor": "head", "channel": "phone"},
            "then": {"event": "sent", "actor": "head", "channel": "fax"}, **kw}


def phone(t: float) -> tuple:
    return (t, "sent", "phone", "head", "office", "phone")


def test_order_rules():
    plan = make_plan(order())
    met = req(plan, INJECT, phone(2), written(5), rid="O")
    assert (met["outcome"], met["latency_min"], met["at_min"]) == ("met", 3, 5)
    assert req(plan, INJECT, phone(5), written(5), rid="O")["outcome"] == "met"
    reversed_ = req(plan, INJECT, written(2), phone(5), rid="O")
    assert (reversed_["outcome"], reversed_["credit"], reversed_["latency_min"]) == ("violated", 0, -3)
    assert reversed_["detail"] == "the second step came 3m00s before the first" and reversed_["at_min"] == 2
    alone = req(plan, INJECT, written(2), rid="O")
    assert (alone["outcome"], alone["detail"]) == ("violated", "the second step came without the first")
    none = req(plan, INJECT, phone(2), rid="O")
    assert (none["outcome"], none["detail"]) == ("not_applicable", "the second step did not occur")


def test_order_condition_is_read_at_the_second_step():
    plan = make_plan(order(applies_if="not urgent"))
    assert req(plan, INJECT, written(2), fact(3, "urgent", True), rid="O")["outcome"] == "violated"
    urgent = req(plan, INJECT, fact(1, "urgent", True), written(2), rid="O")
    assert urgent["detail"] == "condition not met at the second step: not urgent"
    no_step = req(make_plan(order(applies_if="urgent")), INJECT, rid="O")
    assert no_step["detail"] == "condition not met at the end of the log: urgent"
    ended = make_plan(order(applies_if="not urgent", applies_when="end"))
    assert req(ended, INJECT, written(2), fact(3, "urgent", True), rid="O")["outcome"] == "not_applicable"


# prohibitions ------------------------------------------------------------------------------------

def prohibition(**kw: Any) -> dict[str, Any]:
    return {"id": "P", "title": "不得", "clause": "c", "capability": "protect", "kind": "prohibition",
            "forbidden": {"event": "action", "what": "open_door"}, **kw}


def open_door(t: float) -> tuple:
    return (t, "action", "open_door", "guard")


def test_prohibition_with_while_is_checked_at_the_moment():
    plan = make_plan(prohibition(**{"while": "closed"}))
    assert req(plan, INJECT, open_door(1), fact(2, "closed", True), rid="P")["outcome"] == "met"
    same_minute = req(plan, INJECT, fact(2, "closed", True), open_door(2), rid="P")
    assert (same_minute["outcome"], same_minute["at_min"], same_minute["detail"]) == ("violated", 2,
                                                                                      "open_door by guard-1")
    assert req(plan, INJECT, fact(2, "closed", True), fact(3, "closed", False), open_door(4), rid="P")[
        "outcome"] == "met"
    assert req(make_plan(prohibition()), INJECT, open_door(1), rid="P")["outcome"] == "violated"
    assert req(make_plan(prohibition()), INJECT, rid="P")["outcome"] == "met"


def test_prohibition_condition_is_read_at_each_forbidden_event():
    plan = make_plan(prohibition(applies_if="injured > 0"))
    assert req(plan, INJECT, open_door(1), fact(2, "injured", 1), rid="P")["outcome"] == "met"
    assert req(plan, INJECT, fact(2, "injured", 1), open_door(3), rid="P")["outcome"] == "violated"
    never = req(plan, INJECT, open_door(1), rid="P")
    assert (never["outcome"], never["detail"]) == ("not_applicable", "condition not met at any moment: injured > 0")
    ended = make_plan(prohibition(applies_if="injured > 0", applies_when="end"))
    assert req(ended, INJECT, open_door(1), fact(2, "injured", 1), rid="P")["outcome"] == "violated"
    assert req(ended, INJECT, fact(2, "injured", 1), fact(3, "injured", 0), rid="P")["outcome"] == "not_applicable"


# classification ------------------------------------------------------------------------------------

CLASSIFY = {"id": "G", "title": "定级", "clause": "c", "capability": "report", "kind": "classification"}


def level(t: float, name: str) -> tuple:
    return (t, "level", name, "office", None, None, name)


def test_classification_rules():
    plan = make_plan(CLASSIFY)
    assert req(plan, INJECT, fact(1, "injured", 1), level(2, "II"), rid="G")["outcome"] == "met"
    wrong = req(plan, INJECT, fact(1, "injured", 1), level(2, "III"), rid="G")
    assert (wrong["outcome"], wrong["at_min"], wrong["detail"]) == ("violated", 2, "declared III; the rules give II")
    stale = req(plan, INJECT, fact(1, "injured", 1), level(2, "II"), fact(5, "injured", 3), rid="G")
    assert (stale["outcome"], stale["at_min"]) == ("missed", 2)
    assert stale["detail"] == "not re-graded: last declared II, the final facts give I"
    regraded = req(plan, INJECT, fact(1, "injured", 1), level(2, "II"), fact(5, "injured", 3), level(6, "I"), rid="G")
    assert (regraded["outcome"], regraded["at_min"]) == ("met", 2)
    none = req(plan, INJECT, fact(1, "injured", 1), rid="G")
    assert (none["outcome"], none["detail"]) == ("missed", "no level declared; the rules give II")
    no_level = req(plan, INJECT, rid="G")
    assert (no_level["outcome"], no_level["detail"]) == ("not_applicable", "the rules give no level")
    too_soon = req(plan, INJECT, level(0.5, "II"), fact(1, "injured", 1), rid="G")
    assert (too_soon["outcome"], too_soon["detail"]) == ("violated", "declared II; the rules give none")


def test_classification_condition_is_read_at_the_end():
    plan = make_plan({**CLASSIFY, "applies_if": "closed"})
    r = req(plan, INJECT, fact(1, "injured", 1), fact(2, "closed", True), fact(3, "closed", False), rid="G")
    assert (r["outcome"], r["detail"]) == ("not_applicable", "condition not met at the end of the log: closed")
    assert req(make_plan({**CLASSIFY, "applies_if": "closed", "applies_when": "ever"}), INJECT, fact(1, "injured", 1),
               fact(2, "closed", True), fact(3, "closed", False), rid="G")["outcome"] == "missed"


def test_level_conditions_use_the_higher_of_declared_and_graded_level():
    plan = make_plan(deadline(trigger={"event": "fact", "what": "injured"}, applies_if="level >= II"))
    assert req(plan, INJECT, fact(1, "injured", 1), call(1.5))["outcome"] == "met"  # graded II, nobody declared
    declared = make_plan(deadline(applies_if="level >= I", applies_when="ever"))
    assert req(declared, INJECT, level(1, "I"), call(0.5))["outcome"] == "met"
    assert req(declared, INJECT, level(1, "II"), call(0.5))["outcome"] == "not_applicable"


# ratings, weights, the critical cap ----------------------------------------------------------------

def test_weights_and_capabilities():
    plan = make_plan(deadline("A", weight=3), deadline("B", capability="alarm"), deadline("C", capability="report"),
                     deadline("N", capability="protect", applies_if="closed"))
    c = card(plan, INJECT, call(0.5), (0.5, "sent", "x", "head", "office", "fax"))
    caps = {x["id"]: x for x in c["capabilities"]}
    assert caps["alarm"]["performance"] == 1 and caps["alarm"]["applicable"] == 2 and caps["alarm"]["rating"] == "P"
    assert caps["report"]["performance"] == 1
    assert caps["protect"] == {"id": "protect", "name": "保护", "rating": None, "performance": None, "applicable": 0,
                               "critical_failed": False}
    plan = make_plan(deadline("A", weight=3), deadline("B", response=BY_HEAD))
    c = card(plan, INJECT, call(0.5))
    assert c["score"] == 75 and c["capabilities"][0]["performance"] == 0.75 and c["capabilities"][0]["rating"] == "S"
    c = card(plan, INJECT, call(5), (0.5, "sent", "x", "head", "office", "fax"))
    assert c["score"] == pytest.approx(100 * (3 * 0.3 + 1) / 4)


def test_no_applicable_requirement_gives_no_score():
    c = card(make_plan(deadline(applies_if="closed")), INJECT)
    assert (c["score"], c["rating"], c["rating_name"], c["capped_by_critical_failure"]) == (None, None, None, False)


def _shares(met: float, missed: float, **scoring: Any) -> dict[str, Any]:
    """A drill whose requirements earn ``met`` weight of ``met + missed``."""
    plan = make_plan(deadline("A", weight=met), deadline("B", weight=missed, response=BY_HEAD),
                     **({"scoring": scoring} if scoring else {}))
    return card(plan, INJECT, call(0.5))


@pytest.mark.parametrize(("met", "missed", "rating"), [
    (9, 1, "P"), (8999, 1001, "S"), (7, 3, "S"), (6999, 3001, "M"), (4, 6, "M"), (3999, 6001, "U"),
])
def test_bands_at_and_just_below_each_boundary(met, missed, rating):
    c = _shares(met, missed)
    assert c["rating"] == rating and c["capabilities"][0]["rating"] == rating
    assert c["score"] == pytest.approx(100 * met / (met + missed))


def test_a_plan_sets_its_own_bands():
    c = _shares(8, 2, bands={"P": 0.8, "S": 0.5, "M": 0.2})
    assert c["rating"] == "P" and c["rating_name"] == "Performed without challenges"
    assert _shares(1, 4, bands={"P": 0.8, "S": 0.5, "M": 0.2})["rating"] == "M"
    assert _shares(1, 5, bands={"P": 0.8, "S": 0.5, "M": 0.2})["rating"] == "U"


def test_a_critical_failure_caps_the_score_and_the_ratings():
    plan = make_plan(deadline("A", weight=20), deadline("B", response=BY_HEAD, critical=True))
    c = card(plan, INJECT, call(0.5))
    assert c["score"] == 55 and c["capped_by_critical_failure"] and c["critical_failures"] == ["B"]
    assert c["rating"] == "M" and c["rating_name"] == "Performed with major challenges"
    assert c["capabilities"][0]["rating"] == "M" and c["capabilities"][0]["critical_failed"]
    assert c["capabilities"][0]["performance"] == pytest.approx(20 / 21, abs=1e-4)


def test_a_score_below_the_cap_is_not_capped_and_a_u_stays_u():
    plan = make_plan(deadline("A"), deadline("B", response=BY_HEAD, critical=True, weight=3))
    c = card(plan, INJECT, call(0.5))
    assert (c["score"], c["capped_by_critical_failure"], c["rating"]) == (25, False, "U")
    assert c["critical_failures"] == ["B"] and c["capabilities"][0]["rating"] == "U"
    assert c["capabilities"][0]["critical_failed"]


def test_only_missed_incomplete_and_violated_are_critical_failures():
    late = make_plan(deadline("A", weight=20), deadline("B", critical=True))
    c = card(late, INJECT, call(5))
    assert not c["capped_by_critical_failure"] and c["critical_failures"] == []
    assert not c["capabilities"][0]["critical_failed"]
    partial = make_plan(deadline("A", weight=100), content(critical=True, capability="alarm"))
    c = card(partial, INJECT, call(0.5), written(1, "place", "time", "cause"))
    assert c["critical_failures"] == ["C"] and c["score"] == 55 and c["capabilities"][0]["rating"] == "M"
    broken = make_plan(deadline("A", weight=100), prohibition(critical=True, capability="alarm"))
    c = card(broken, INJECT, call(0.5), open_door(1))
    assert c["critical_failures"] == ["P"] and c["score"] == 55
    na = make_plan(deadline("A"), deadline("B", critical=True, applies_if="closed"))
    c = card(na, INJECT, call(0.5))
    assert c["critical_failures"] == [] and c["score"] == 100 and c["rating"] == "P"


def test_a_critical_failure_in_one_capability_leaves_the_others_alone():
    plan = make_plan(deadline("A", capability="report"), deadline("B", critical=True, response={"event": "sent",
                                                                                                "actor": "head"}))
    c = card(plan, INJECT, call(0.5))
    caps = {x["id"]: x for x in c["capabilities"]}
    assert caps["report"]["rating"] == "P" and not caps["report"]["critical_failed"]
    assert caps["alarm"]["rating"] == "U" and caps["alarm"]["critical_failed"]


# many replications: summaries and comparisons ---------------------------------------------------------

def _codes(*outcomes: str) -> np.ndarray:
    return np.array([[CODES[Outcome(o)]] for o in outcomes])


def test_wilson_intervals():
    assert wilson(8, 10) == pytest.approx((0.4902, 0.9433), abs=1e-4)
    assert wilson(0, 10) == pytest.approx((0.0, 0.2775), abs=1e-4)
    assert wilson(10, 10) == pytest.approx((0.7225, 1.0), abs=1e-4)
    assert wilson(1, 1, z=1.0) == pytest.approx((0.5, 1.0))
    assert all(math.isnan(x) for x in wilson(0, 0))


def test_a_summary_counts_outcomes_and_leaves_out_not_applicable():
    agg = Aggregator(["R"], keep_worst=2)
    outcome = _codes("met", "met", "late", "missed", "not_applicable", "late", "late")
    latency = np.array([[0.5], [1.0], [3.0], [np.nan], [np.nan], [7.0], [5.0]])
    agg.add(np.arange(7), outcome, latency, np.array([100, 100, 50, 0, np.nan, 50, 50.0]))
    s = agg.summary()
    r = s["requirements"][0]
    assert s["replications"] == 7 and r["replications"] == 7 and r["applicable"] == 6
    assert r["outcomes"] == {"met": 2, "late": 3, "missed": 1, "incomplete": 0, "violated": 0, "not_applicable": 1}
    assert r["p_met"] == pytest.approx(2 / 6, abs=1e-6)
    assert r["p_met_ci95"] == pytest.approx(list(wilson(2, 6)), abs=1e-6)
    assert r["worst_late"] == [{"replication": 5, "latency_min": 7.0}, {"replication": 6, "latency_min": 5.0}]
    assert r["latency_min"]["n"] == 5 and r["latency_min"]["mean"] == pytest.approx(16.5 / 5)
    assert s["score"]["n"] == 6 and s["score"]["mean"] == pytest.approx(350 / 6, abs=1e-4)


def test_a_requirement_that_never_applied_has_no_probability():
    agg = Aggregator(["R"])
    agg.add(np.arange(2), _codes("not_applicable", "not_applicable"), np.full((2, 1), np.nan), np.full(2, np.nan))
    r = agg.summary()["requirements"][0]
    assert (r["applicable"], r["p_met"], r["p_met_ci95"]) == (0, None, None)
    assert agg.summary()["score"] == {"n": 0, "mean": None, "median": None, "p90": None, "p95": None, "p99": None}


def test_worst_late_runs_keep_the_largest_and_ties_the_earliest_replication():
    agg = Aggregator(["R"], keep_worst=2)
    agg.add(np.arange(4), _codes("late", "late", "late", "met"), np.array([[4.0], [4.0], [2.0], [9.0]]), np.zeros(4))
    agg.add(np.arange(4, 6), _codes("late", "late"), np.array([[4.0], [1.0]]), np.zeros(2))
    assert agg.summary()["requirements"][0]["worst_late"] == [{"replication": 0, "latency_min": 4.0},
                                                              {"replication": 1, "latency_min": 4.0}]
    assert Aggregator(["R"], keep_worst=0).summary()["requirements"][0]["worst_late"] == []


def test_score_percentiles_stay_within_the_scores_seen():
    agg = Aggregator(["R"])
    scores = np.array([100.0] * 95 + [40.0] * 5)
    agg.add(np.arange(100), _codes(*["met"] * 100), np.zeros((100, 1)), scores)
    s = agg.summary()["score"]
    assert s["p99"] == 100 and s["p95"] == 100 and s["median"] == pytest.approx(100, rel=0.005)
    assert s["mean"] == 97 and s["n"] == 100
    low = LogHistogram()
    low.add(np.array([0.0, 0.0, 0.0, 2.0]))
    assert (low.percentile(50), low.percentile(100)) == (0.0, 2.0)


def test_percentiles_are_within_half_a_percent_of_the_exact_ones():
    values = np.geomspace(0.5, 500, 2001)
    d = LogHistogram()
    d.add(values)
    for q in (0, 10, 50, 90, 95, 99, 100):
        assert d.percentile(q) == pytest.approx(np.percentile(values, q), rel=0.005)


def test_a_percentile_of_few_runs_lies_between_the_two_values_next_to_its_rank():
    # numpy's default: the p99 of 1 and 12 is 11.89, not the lower of the two (it read 1.003); the
    # smallest and the largest are the values seen (12 lies above the middle of its bin)
    d = LogHistogram()
    d.add(np.array([12.0, 1.0]))
    assert [d.percentile(q) for q in (0, 50, 90, 99, 100)] == pytest.approx([1, 6.5, 10.9, 11.89, 12], rel=1e-9)
    d.add(np.array([4.0]))  # 1, 4, 12: the median is the middle value, read in its bin
    assert d.percentile(50) == pytest.approx(4, rel=0.005) and d.percentile(75) == pytest.approx(8, rel=0.005)


def test_paired_differences():
    n, mean, ci = paired(np.array([3.0, 4.0, 5.0, np.nan]), np.array([1.0, 1.0, 1.0, 2.0]))
    half = 1.959963984540054 * 1.0 / math.sqrt(3)
    assert (n, mean) == (3, 3.0) and ci == pytest.approx((3 - half, 3 + half))
    assert paired(np.array([1.0]), np.array([0.5])) == (1, 0.5, None)
    assert paired(np.array([np.nan]), np.array([1.0])) == (0, None, None)


def test_compare_gives_the_score_and_each_requirements_probability_met_against_the_baseline():
    outcomes = {"base": np.array([[CODES[Outcome.MET], CODES[Outcome.NOT_APPLICABLE]],
                                  [CODES[Outcome.LATE], CODES[Outcome.MET]],
                                  [CODES[Outcome.MISSED], CODES[Outcome.MET]]]),
                "more": np.array([[CODES[Outcome.MET], CODES[Outcome.MET]],
                                  [CODES[Outcome.MET], CODES[Outcome.MET]],
                                  [CODES[Outcome.MET], CODES[Outcome.LATE]]])}
    scores = {"base": np.array([80.0, 60.0, 40.0]), "more": np.array([90.0, 80.0, 70.0])}
    diffs = compare(["base", "more"], "base", ["R1", "R2"], scores, outcomes)
    assert [(d.configuration, d.baseline, d.measure, d.n) for d in diffs] == [
        ("more", "base", "score", 3), ("more", "base", "R1", 3), ("more", "base", "R2", 2)]
    assert diffs[0].mean == pytest.approx(20) and diffs[1].mean == pytest.approx(2 / 3)
    assert diffs[2].mean == pytest.approx(-0.5)
    assert met_indicator(outcomes["base"])[:, 0].tolist() == [1.0, 0.0, 0.0]
    assert math.isnan(met_indicator(outcomes["base"])[0, 1])


def test_rank_orders_configurations_by_mean_score():
    rows = rank(["a", "b", "c"], {"a": np.array([50.0, 70.0]), "b": np.array([90.0, np.nan, 80.0]),
                                  "c": np.array([60.0])})
    assert [(r["configuration"], r["rank"], r["mean_score"]) for r in rows] == [("b", 1, 85), ("a", 2, 60),
                                                                               ("c", 3, 60)]
    half = 1.959963984540054 * float(np.std([90.0, 80.0], ddof=1)) / math.sqrt(2)
    assert rows[0]["ci95"] == pytest.approx([85 - half, 85 + half], abs=1e-4)
    assert all(math.isnan(x) for x in rows[2]["ci95"])


# what else the scorecard and the summaries show --------------------------------------------------------

def test_a_requirement_result_carries_the_plans_words():
    r = req(make_plan(deadline(title="报警 (call)", clause="第三条", weight=2, critical=True)), INJECT, call(0.5))
    assert {k: r[k] for k in ("id", "kind", "title", "clause", "capability", "weight", "critical")} == {
        "id": "D", "kind": "deadline", "title": "报警 (call)", "clause": "第三条", "capability": "alarm", "weight": 2,
        "critical": True}


def test_a_response_at_the_trigger_after_an_early_one_is_met():
    plan = make_plan(deadline(trigger={"event": "fact", "what": "closed"}))
    r = req(plan, INJECT, call(1.5), fact(2, "closed", True), call(2))
    assert (r["outcome"], r["latency_min"]) == ("met", 0)


def test_a_calendar_deadline_reads_the_logs_dates_and_the_worst_branch_is_the_late_one():
    from datetime import datetime, timedelta, timezone

    origin = datetime(2026, 3, 12, 9, 0, tzinfo=timezone(timedelta(hours=8)))
    plan = make_plan(deadline(within="same_day"))
    rows = [(0, "east", "inject"), (800, "east", "sent"), (890, "west", "inject"), (895, "west", "sent")]
    log = EventLog([Event(float(t), site, "INC", ev, "call" if ev == "sent" else "x", "guard" if ev == "sent" else None,
                          f"{site}/guard", "brigade" if ev == "sent" else None, None, "phone" if ev == "sent" else None)
                    for t, site, ev in rows], origin, {"type": "fire"})
    r = Scorer(plan).score(log).to_dict()["requirements"][0]
    assert (r["outcome"], r["detail"], r["deadline_min"]) == ("met", "at east", 900)  # 09:00 to midnight
    rows[3] = (930, "west", "sent")  # west's trigger at 23:50: midnight is 10 min later
    log = EventLog([Event(float(t), site, "INC", ev, "call" if ev == "sent" else "x", "guard" if ev == "sent" else None,
                          f"{site}/guard", "brigade" if ev == "sent" else None, None, "phone" if ev == "sent" else None)
                    for t, site, ev in rows], origin, {"type": "fire"})
    r = Scorer(plan).score(log).to_dict()["requirements"][0]
    assert (r["outcome"], r["detail"], r["deadline_min"], r["latency_min"]) == ("late", "late by 30m00s at west", 10,
                                                                               40)


def test_an_arrival_of_branch_staff_is_checked_at_every_branch():
    plan = make_plan(deadline(response={"event": "arrived", "what": "head"}))
    r = _site_result(plan, *BOTH, (0.5, "east", "arrived", "head", "head", None, None))
    assert (r["outcome"], r["detail"]) == ("missed", "no response in the log at west")


def test_type_conditions_and_type_grading_before_any_fact_changes():
    plan = make_plan(deadline(applies_if="type == 'flood'"))
    assert req(plan, INJECT, call(0.5))["outcome"] == "not_applicable"
    assert req(plan, INJECT, call(0.5), incident_type="flood")["outcome"] == "met"
    graded = {**BASE["grading"], "rules": [*BASE["grading"]["rules"], {"level": "III", "when": "type == 'flood'"}]}
    plan = make_plan(CLASSIFY, grading=graded)
    r = req(plan, INJECT, fact(1, "hours", 1), level(2, "III"), rid="G", incident_type="flood")
    assert r["outcome"] == "met"


def test_the_level_is_none_until_something_grades_or_declares_it():
    plan = make_plan(deadline(applies_if="level >= III", applies_when="end"))
    assert req(plan, INJECT, fact(1, "hours", 1), call(0.5))["outcome"] == "not_applicable"
    assert req(plan, INJECT, call(0.5))["outcome"] == "not_applicable"
    assert req(plan, INJECT, level(1, "IV"), call(0.5))["outcome"] == "not_applicable"  # not a level of the plan
    declared = (1, "level", "grade", "office", None, None, "III")  # the level in the value column
    assert req(plan, INJECT, declared, call(0.5))["outcome"] == "met"


def test_facts_logged_in_the_same_minute_are_all_seen():
    plan = make_plan(deadline(trigger={"event": "fact", "what": "urgent"}, applies_if="closed and urgent"))
    r = req(plan, INJECT, fact(1, "closed", True), fact(1, "urgent", True), call(1.5))
    assert (r["outcome"], r["trigger_at_min"]) == ("met", 1)
    r = req(plan, INJECT, fact(1, "closed", True), fact(1, "urgent", True), fact(2, "closed", False),
            fact(2, "urgent", False), fact(3, "urgent", True), call(1.5))
    assert r["trigger_at_min"] == 1


def test_a_score_exactly_at_the_cap_is_not_reported_as_capped():
    plan = make_plan(deadline("A"), deadline("B", response=BY_HEAD, critical=True),
                     scoring={"critical_cap": 50})
    c = card(plan, INJECT, call(0.5))
    assert (c["score"], c["capped_by_critical_failure"], c["critical_failures"]) == (50, False, ["B"])


def test_summaries_add_up_over_chunks_and_round_as_documented():
    agg = Aggregator(["R1"])
    agg.add(np.arange(3), _codes("met", "late", "late"), np.array([[0.5], [1.234567], [2.0]]),
            np.array([100.0, 50.0, 50.0]))
    agg.add(np.arange(3, 6), _codes("met", "missed", "not_applicable"), np.array([[1.0], [np.nan], [np.nan]]),
            np.array([100.0, 0.0, np.nan]))
    s = agg.summary()
    r = s["requirements"][0]
    assert r["id"] == "R1" and s["replications"] == 6 and r["applicable"] == 5
    assert r["outcomes"]["met"] == 2 and r["outcomes"]["late"] == 2 and r["outcomes"]["missed"] == 1
    assert r["p_met"] == 0.4 and r["p_met_ci95"] == [round(x, 6) for x in wilson(2, 5)]
    assert r["worst_late"] == [{"replication": 2, "latency_min": 2.0}, {"replication": 1, "latency_min": 1.2346}]
    assert r["latency_min"]["n"] == 4 and r["latency_min"]["mean"] == round((0.5 + 1.234567 + 3.0) / 4, 4)
    assert s["score"]["n"] == 5 and s["score"]["mean"] == 60
    third = Aggregator(["R"])
    third.add(np.arange(3), _codes("met", "met", "late"), np.zeros((3, 1)), np.array([100.0, 100.0, 0.0]))
    assert third.summary()["requirements"][0]["p_met"] == 0.666667
    assert third.summary()["score"]["mean"] == 66.6667


def test_five_worst_late_runs_are_kept_by_default():
    agg = Aggregator(["R"])
    agg.add(np.arange(7), _codes(*["late"] * 7), np.arange(1.0, 8.0)[:, None], np.zeros(7))
    assert [w["replication"] for w in agg.summary()["requirements"][0]["worst_late"]] == [6, 5, 4, 3, 2]
    none = Aggregator(["R"], keep_worst=0)
    none.add(np.arange(2), _codes("late", "late"), np.ones((2, 1)), np.zeros(2))
    assert none.summary()["requirements"][0]["worst_late"] == []


def test_summary_percentiles_are_the_named_ones():
    values = np.geomspace(0.5, 500, 2001)
    d = LogHistogram()
    d.add(values)
    s = d.summary()
    for key, q in (("median", 50), ("p90", 90), ("p95", 95), ("p99", 99)):
        assert s[key] == pytest.approx(np.percentile(values, q), rel=0.005)
    tiny = LogHistogram()
    tiny.add(np.array([0.001, 0.001, 5.0]))
    assert tiny.percentile(50) == 0.0  # a latency of 0.001 min or less counts as none


def test_paired_intervals_need_two_pairs_and_scale_with_the_spread():
    n, mean, ci = paired(np.array([3.0, 5.0, 7.0]), np.array([1.0, 1.0, 1.0]))
    half = 1.959963984540054 * 2.0 / math.sqrt(3)
    assert (n, mean) == (3, 4.0) and ci == pytest.approx((4 - half, 4 + half))
    n, mean, ci = paired(np.array([3.0, 5.0]), np.array([1.0, 1.0]))
    assert (n, mean) == (2, 3.0) and ci == pytest.approx((3 - 1.959963984540054, 3 + 1.959963984540054))


def test_rank_rounds_to_four_places():
    rows = rank(["a"], {"a": np.array([1 / 3, 2 / 3, 1 / 7])})
    s = np.array([1 / 3, 2 / 3, 1 / 7])
    half = 1.959963984540054 * float(s.std(ddof=1)) / math.sqrt(3)
    assert rows[0]["mean_score"] == round(float(s.mean()), 4)
    assert rows[0]["ci95"] == [round(float(s.mean()) - half, 4), round(float(s.mean()) + half, 4)]


# message flow --------------------------------------------------------------------------------------------

def _flow_log(*events: tuple) -> EventLog:
    """(t, event, ref, actor_role, target_role)"""
    rows = [Event(float(t), "branch", "INC", ev, "report", actor, f"{actor}-1", target, f"{target}-1", "phone", ref)
            for t, ev, ref, actor, target in events]
    return EventLog(rows, None, {"type": "fire"})


def test_message_flow_pairs_by_reference_and_counts_what_waited():
    plan = make_plan(deadline())
    flow = {f.receiver: f for f in message_flow(_flow_log(
        (0, "sent", "m1", "head", "office"), (1, "sent", "m2", "head", "office"),
        (2, "received", "m2", "head", "office"), (5, "received", "m1", "head", "office"),
        (6, "sent", "m3", "head", "office"), (7, "sent", "m4", "head", "office"),
        (8, "unanswered", "m3", "head", "office"), (9, "unanswered", "m4", "head", "office"),
        (3, "sent", "x", "guard", "ward"),
    ), plan)}
    office = flow["office"]
    assert (office.name, office.attempts, office.received, office.unanswered) == ("办公室", 4, 2, 2)
    assert (office.mean_wait, office.max_wait, office.max_waiting) == (3.0, 5.0, 2)
    assert flow["ward"].name == "ward"  # not a role of the plan: its id


def test_message_flow_counts_the_most_waiting_at_one_moment():
    plan = make_plan(deadline())
    flow = message_flow(_flow_log(
        (0, "sent", None, "head", "office"), (1, "received", None, "head", "office"),
        (2, "sent", None, "head", "office"), (3, "sent", None, "head", "office"),
        (4, "received", None, "head", "office"), (6, "received", None, "head", "office"),
    ), plan)[0]
    assert (flow.max_waiting, flow.mean_wait, flow.max_wait) == (2, 2.0, 3.0)


def test_a_critical_failure_keeps_the_rating_at_m_even_when_the_cap_is_high():
    plan = make_plan(deadline("A", weight=99), deadline("B", response=BY_HEAD, critical=True),
                     scoring={"critical_cap": 95})
    c = card(plan, INJECT, call(0.5))
    assert (c["score"], c["capped_by_critical_failure"], c["rating"]) == (95, True, "M")
    plan = make_plan(deadline("A", weight=3), deadline("B", response=BY_HEAD, critical=True),
                     scoring={"critical_cap": 95})
    assert card(plan, INJECT, call(0.5))["rating"] == "M"  # 75, an S without the failure


def test_the_whole_scorecard():
    plan = make_plan(deadline(within="20s"), content(capability="alarm"),
                     deadline("E", response={"event": "arrived", "what": "brigade"}))
    log = make_log(INJECT, call(1 / 3), (0.5, "sent", "written", "head", "office", "fax", None, ("place",)),
                   (1, "received", "written", "head", "office", "fax"), incident_type="fire")
    log.meta.update({"scenario": "s", "seed": 3})
    c = Scorer(plan).score(log).to_dict()
    assert c == {
        "schema": "drillsim.scorecard/1",
        "plan": {"id": "rules", "title": "规则"},
        "drill": {"type": "fire", "scenario": "s", "seed": 3, "incident_type": "fire"},
        "score": 41.67, "rating": "M", "rating_name": "Performed with major challenges",
        "capped_by_critical_failure": False, "critical_failures": [], "warnings": [],
        "capabilities": [
            {"id": "alarm", "name": "报警", "rating": "M", "performance": 0.4167, "applicable": 3,
             "critical_failed": False},
            {"id": "report", "name": "报告", "rating": None, "performance": None, "applicable": 0,
             "critical_failed": False},
            {"id": "protect", "name": "保护", "rating": None, "performance": None, "applicable": 0,
             "critical_failed": False},
        ],
        "message_flow": [
            {"receiver": "brigade", "name": "消防", "attempts": 1, "received": 0, "unanswered": 0, "mean_wait": None,
             "max_wait": None, "max_waiting": 1},
            {"receiver": "office", "name": "办公室", "attempts": 1, "received": 1, "unanswered": 0, "mean_wait": 0.5,
             "max_wait": 0.5, "max_waiting": 1},
        ],
        "requirements": [
            {"id": "D", "kind": "deadline", "title": "报警", "clause": "c", "capability": "alarm", "weight": 1.0,
             "critical": False, "outcome": "met", "credit": 1.0, "at_min": 0.3333, "trigger_at_min": 0.0,
             "latency_min": 0.3333, "deadline_min": 0.3333, "late_by_min": 0.0, "detail": ""},
            {"id": "C", "kind": "content", "title": "书面报告", "clause": "c", "capability": "alarm", "weight": 1.0,
             "critical": False, "outcome": "incomplete", "credit": 0.25, "at_min": 0.5, "trigger_at_min": None,
             "latency_min": None, "deadline_min": None, "late_by_min": None,
             "detail": "missing: time (时间), cause (原因), harm (危害)"},
            {"id": "E", "kind": "deadline", "title": "报警", "clause": "c", "capability": "alarm", "weight": 1.0,
             "critical": False, "outcome": "missed", "credit": 0.0, "at_min": None, "trigger_at_min": 0.0,
             "latency_min": None, "deadline_min": 1.0, "late_by_min": None, "detail": "no response in the log"},
        ],
    }
    assert Scorer(plan).score(log, flow=False).to_dict()["message_flow"] == []


def test_an_incomplete_share_is_rounded_to_four_places():
    plan = make_plan({**content(), "fields": ["place", "time", "cause"]})
    assert req(plan, INJECT, written(1, "place"), rid="C")["credit"] == 0.3333


def test_an_unknown_incident_type_is_refused_with_the_known_ones():
    with pytest.raises(ValueError, match=r"^incident type 'quake' is not one of the plan's: fire, flood$"):
        card(make_plan(deadline()), INJECT, incident_type="quake")


# more of what a scorecard row says ----------------------------------------------------------------------

def _row(result: dict[str, Any]) -> tuple:
    return tuple(result[k] for k in ("outcome", "credit", "at_min", "trigger_at_min", "latency_min", "deadline_min"))


def test_every_outcome_shows_its_credit_and_its_moments():
    early = make_plan(deadline(trigger={"event": "fact", "what": "closed"}))
    assert _row(req(early, INJECT, call(1.5), fact(2, "closed", True))) == ("missed", 0, 1.5, 2, None, 1)
    counts = make_plan(deadline(trigger={"event": "fact", "what": "closed"}, earlier_counts=True))
    assert _row(req(counts, INJECT, call(1.5), fact(2, "closed", True))) == ("met", 1, 1.5, 2, 0, 1)
    at_trigger = req(counts, INJECT, fact(2, "closed", True), call(2))
    assert _row(at_trigger) == ("met", 1, 2, 2, 0, 1) and at_trigger["detail"] == ""
    assert _row(req(make_plan(deadline()), INJECT, call(3))) == ("late", 0.3, 3, 0, 3, 1)
    assert _row(req(make_plan(deadline(applies_if="closed")), INJECT)) == ("not_applicable", 0, None, None, None,
                                                                           None)
    assert _row(req(make_plan(content()), INJECT, written(5, "place", "time", "cause", "harm"), rid="C")) == (
        "met", 1, 5, None, None, None)
    assert _row(req(make_plan(order()), INJECT, written(2), rid="O")) == ("violated", 0, 2, None, None, None)
    assert _row(req(make_plan(prohibition()), INJECT, open_door(1), rid="P")) == ("violated", 0, 1, None, None,
                                                                                None)
    plan = make_plan(CLASSIFY)
    assert _row(req(plan, INJECT, fact(1, "injured", 1), rid="G")) == ("missed", 0, None, None, None, None)
    assert _row(req(plan, INJECT, fact(1, "injured", 1), level(2, "III"), rid="G")) == ("violated", 0, 2, None,
                                                                                       None, None)
    stale = req(plan, INJECT, fact(1, "injured", 1), level(2, "II"), fact(5, "injured", 3), rid="G")
    assert _row(stale) == ("missed", 0, 2, None, None, None)


def test_a_trigger_at_one_branch_of_several_is_checked_once():
    plan = make_plan(deadline(trigger={"event": "fact", "what": "closed"}))
    r = _site_result(plan, *BOTH, (1, "east", "fact", "closed", None, None, None), site_call(1.5, "east"))
    assert (r["outcome"], r["detail"]) == ("met", "")


def test_the_slowest_of_branches_that_all_met_is_shown():
    r = _site_result(make_plan(deadline()), *BOTH, site_call(0, "east"), site_call(0.5, "west"))
    assert (r["latency_min"], r["detail"]) == (0.5, "at west")


def test_a_content_condition_false_at_the_end_with_no_report_says_so():
    r = req(make_plan(content(applies_if="injured > 0")), INJECT, rid="C")
    assert r["detail"] == "condition not met at the end of the log: injured > 0"


def test_a_prohibition_read_at_each_event_applies_when_its_condition_held_at_some_moment():
    plan = make_plan(prohibition(applies_if="injured > 0"))
    assert req(plan, INJECT, fact(1, "injured", 1), fact(2, "injured", 0), rid="P")["outcome"] == "met"


def test_a_violation_names_the_person_or_else_the_role():
    plan = make_plan(prohibition())
    row = Event(1.0, "branch", "INC", "action", "open_door", "guard")
    r = Scorer(plan).score(EventLog([row], None, {"type": "fire"})).to_dict()["requirements"][0]
    assert r["detail"] == "open_door by guard"


TYPE_GRADED = {**BASE["grading"], "rules": [*BASE["grading"]["rules"], {"level": "III", "when": "type == 'flood'"}]}


def test_grading_by_incident_type_is_seen_by_conditions_and_classification():
    hours = {"event": "fact", "what": "hours"}
    plan = make_plan(deadline(trigger=hours, applies_if="level >= III and type == 'flood'"), grading=TYPE_GRADED)
    assert req(plan, INJECT, fact(1, "hours", 1), call(1.5), incident_type="flood")["outcome"] == "met"
    assert req(plan, INJECT, fact(1, "hours", 1), call(1.5))["outcome"] == "not_applicable"
    classify = make_plan(CLASSIFY, grading=TYPE_GRADED)
    r = req(classify, INJECT, rid="G", incident_type="flood")
    assert (r["outcome"], r["detail"]) == ("missed", "no level declared; the rules give III")


def test_a_level_is_read_from_the_value_or_else_the_name():
    plan = make_plan(deadline(applies_if="level >= I", applies_when="end"))
    by_name = (1, "level", "I", "office", None, None, None)
    assert req(plan, INJECT, by_name, call(0.5))["outcome"] == "met"
    classify = make_plan(CLASSIFY)
    by_value = (2, "level", "grade", "office", None, None, "II")
    assert req(classify, INJECT, fact(1, "injured", 1), by_value, rid="G")["outcome"] == "met"
    unknown = req(classify, INJECT, fact(1, "injured", 1), level(2, "IV"), rid="G")
    assert unknown["detail"] == "declared IV (not a level of this plan); the rules give II"


def test_huge_latencies_are_summarised():
    d = LogHistogram()
    d.add(np.array([1e7, 2e7]))
    assert d.summary()["n"] == 2 and 1e7 <= d.percentile(50) <= 2e7


def test_the_scorecard_file_and_table(tmp_path):
    import json

    plan = make_plan(deadline(title="报警"))
    scorecard = Scorer(plan).score(make_log(INJECT, call(0.5), incident_type="fire"))
    path = scorecard.write_json(tmp_path / "scorecard.json")
    text = path.read_text(encoding="utf-8")
    assert json.loads(text) == scorecard.to_dict()
    assert text.endswith("}\n") and '\n  "plan": {\n    "id": "rules",' in text and '"title": "报警"' in text
    frame = scorecard.to_frame()
    assert list(frame["id"]) == ["D"] and list(frame["outcome"]) == ["met"]
    assert list(frame.columns)[:2] == ["id", "kind"]
