"""The engine's rules (sim/engine.py, sim/model.py), each pinned by the event log of a tiny plan.

Every time in these scenarios is fixed, so each expectation is worked out by hand from the rule it
states: a reaction of 1 min and a talk of 2 min put the report's acknowledgement at minute 3.
The plans are in tests/data/rules/; docs/testing.md says how these tests were found.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from drillsim.log.eventlog import EventLog
from drillsim.sim.engine import run_replication
from drillsim.sim.model import build_model
from drillsim.spec.plan import Plan, load_plan, parse_plan
from drillsim.spec.scenario import parse_scenario
from drillsim.spec.yamlio import load_yaml
from tests.conftest import DATA

RULES = DATA / "rules"
FIXED = {"reaction": 1, "handling": 2}  # minutes


def plan(name: str) -> Plan:
    return load_plan(RULES / f"{name}-plan.yaml")


def scenario(p: Plan, injects: list[dict], human: dict | None = None, **parameters: Any) -> dict:
    """A scenario for plan ``p``: the given injects, fixed human times unless ``human`` changes them."""
    return {"schema": "drillsim.scenario/1", "id": "t", "title": "t", "plan": p.id,
            "start": "2026-06-15T10:00:00+08:00", "horizon": "4h", "incident": {"type": "test"},
            "injects": injects, "parameters": {"human": {**FIXED, **(human or {})}, **parameters}}


def run(p: Plan, data: dict, seed: int = 1) -> EventLog:
    return run_replication(build_model(p, parse_scenario(data, p)), seed)


def timeline(log: EventLog, *kinds: str) -> list[tuple]:
    """(minute, event, what, actor, target) of every row of these kinds (all but injects and facts if none)."""
    keep = set(kinds) or {"action", "sent", "received", "acknowledged", "unanswered", "lost", "arrived",
                          "omitted", "level", "unfinished"}
    return [(round(r.t, 6), r.event, r.what, r.actor, r.target) for r in log.rows if r.event in keep]


def at(log: EventLog, event: str, what: str) -> list[float]:
    return [round(r.t, 6) for r in log.rows if r.event == event and r.what == what]


PHONE = {"latency": 0.5, "failure": 0, "answer_within": 2, "talk": 1}
ALARM = {"latency": 0.3, "failure": 0}
POLICE = {"answer": 0.2, "dispatch": 1, "travel": 5, "units": 1}


@pytest.fixture(scope="module")
def phone():
    return plan("phone")


def phoning(p: Plan, injects: list[dict], phone_: dict = PHONE, police: dict = POLICE, human: dict | None = None,
            head_present: bool = True) -> dict:
    data = scenario(p, injects, human, channels={"phone": phone_, "alarm": ALARM},
                    agencies={"police": police, "regulator": {"answer": 0.2}})
    return data | {"branches": [{"id": "branch", "presence": {"head": 1.0 if head_present else 0.0}}]}


def of(log: EventLog, *names: str) -> list[tuple]:
    return [row for row in timeline(log) if row[3] in names or row[4] in names]


def test_a_call_is_received_when_picked_up_and_acknowledged_after_the_talk(phone):
    # go at 1; the caller reacts (1) and prepares (0.5): dials at 2.5; it rings at 3 and the idle
    # head picks up at once (received 3); they talk 1 min (acknowledged 4). The acknowledgement
    # starts the caller's next step, the receipt the head's.
    log = run(phone, phoning(phone, [{"id": "go", "at": 1}]))
    assert of(log, "caller-1", "head-1") == [
        (2.5, "sent", "call-head", "caller-1", "head-1"),
        (3, "received", "call-head", "caller-1", "head-1"),
        (4, "acknowledged", "call-head", "caller-1", "head-1"),
        (4, "action", "log_call", "caller-1", None),
        (4, "action", "note", "head-1", None),
    ]
    sent = next(r for r in log.rows if r.event == "sent")
    assert (sent.channel, sent.value, sent.fields) == ("phone", 1, ("place", "time"))  # channel, attempt, fields


def test_an_unanswered_call_is_retried_and_then_falls_back(phone):
    # the head is away and unreachable: each attempt rings answer_within (2) after dialling and
    # latency (0.5); one retry 0.5 later; then the deputy, who picks up as it rings
    log = run(phone, phoning(phone, [{"id": "go", "at": 1}], head_present=False))
    assert of(log, "caller-1") == [
        (2.5, "sent", "call-head", "caller-1", "head-1"),
        (5, "unanswered", "call-head", "caller-1", "head-1"),
        (5.5, "sent", "call-head", "caller-1", "head-1"),
        (8, "unanswered", "call-head", "caller-1", "head-1"),
        (8, "sent", "call-head", "caller-1", "deputy-1"),
        (8.5, "received", "call-head", "caller-1", "deputy-1"),
        (9.5, "acknowledged", "call-head", "caller-1", "deputy-1"),
        (9.5, "action", "log_call", "caller-1", None),
    ]
    assert [r.value for r in log.rows if r.event == "sent"] == [1, 2, 1]  # the attempt on each target
    assert timeline(log, "action")[-1] == (9.5, "action", "ack_phone", "deputy-1", None)


def test_a_call_that_fails_never_rings(phone):
    log = run(phone, phoning(phone, [{"id": "go", "at": 1}], phone_={**PHONE, "failure": 1}))
    assert [r[:2] for r in of(log, "caller-1")] == [(2.5, "sent"), (5, "unanswered"), (5.5, "sent"), (8, "unanswered"),
                                                    (8, "sent"), (10.5, "unanswered"), (11, "sent"),
                                                    (13.5, "unanswered")]  # the retry holds for the fallback too


def test_an_alarm_reaches_the_agency_which_sends_its_unit_once(phone):
    # the guard reacts (1) and presses the alarm at 2, which arrives 0.3 later: the police unit
    # comes after dispatch (1) and travel (5), at 8.3; the regulator sends nobody. The guard,
    # idle since 2, reacts to the arrival (9.3). A call from the same site later sends no second unit.
    log = run(phone, phoning(phone, [{"id": "alarm", "at": 1}, {"id": "dial", "at": 20}]))
    assert [r for r in timeline(log) if r[1] != "action" or r[2] == "meet_police"] == [
        (2, "sent", "alarm-police", "guard-1", "police"),
        (2, "sent", "tell-regulator", "guard-1", "regulator"),
        (2.3, "received", "alarm-police", "guard-1", "police"),
        (2.3, "received", "tell-regulator", "guard-1", "regulator"),
        (8.3, "arrived", "police", "police", None),
        (9.3, "action", "meet_police", "guard-1", None),
        (21, "sent", "phone-police", "guard-1", "police"),
        (21.7, "received", "phone-police", "guard-1", "police"),  # rings at 21.5, answered after 0.2
        (22.7, "acknowledged", "phone-police", "guard-1", "police"),
    ]


def test_an_agency_slower_than_answer_within_leaves_the_call_unanswered(phone):
    log = run(phone, phoning(phone, [{"id": "dial", "at": 1}], police={**POLICE, "answer": 3}))
    assert [r for r in timeline(log) if r[1] != "action"] == [(2, "sent", "phone-police", "guard-1", "police"),
                                                              (4.5, "unanswered", "phone-police", "guard-1", "police")]


def test_a_lost_alarm_is_logged_at_its_arrival_and_reaches_nobody(phone):
    data = phoning(phone, [{"id": "alarm", "at": 1}])
    data["parameters"]["channels"]["alarm"] = {**ALARM, "failure": 1}
    assert [r for r in timeline(run(phone, data)) if r[1] != "action"] == [
        (2, "sent", "alarm-police", "guard-1", "police"), (2, "sent", "tell-regulator", "guard-1", "regulator"),
        (2.3, "lost", "alarm-police", "guard-1", "police"), (2.3, "lost", "tell-regulator", "guard-1", "regulator")]


def test_omitted_reports_and_fields(phone):
    omitted = run(phone, phoning(phone, [{"id": "go", "at": 1}], human={"omission": {"call-head": 1}}))
    assert of(omitted, "caller-1") == [(2, "omitted", "call-head", "caller-1", None)]
    bare = run(phone, phoning(phone, [{"id": "go", "at": 1}], human={"field_omission": 1}))
    assert [r.fields for r in bare.rows if r.event in ("sent", "received")] == [(), ()]


def test_first_triggers_once_and_repeat_triggers_each_time(phone):
    # two injects (1 and 5): `once` runs at the first only, `each` (repeat) at both, `first-only`
    # (repeat, but `on: incident`) at the first only
    log = run(phone, phoning(phone, [{"id": "a", "at": 1}, {"id": "b", "at": 5}]))
    assert timeline(log, "action") == [(2, "action", "look_once", "guard-1", None),
                                       (2, "action", "look_each", "guard-1", None),
                                       (2, "action", "look_first", "guard-1", None),
                                       (2, "action", "follow_up", "guard-1", None),  # the next step of look_once
                                       (6, "action", "look_each", "guard-1", None)]


@pytest.mark.parametrize("serious", [True, False])
def test_a_condition_is_checked_with_the_facts_the_trigger_brings(phone, serious):
    log = run(phone, phoning(phone, [{"id": "a", "at": 1}, {"id": "check", "at": 5, "facts": {"serious": serious}}]))
    assert at(log, "action", "act_serious") == ([6] if serious else [])
    assert at(log, "fact", "serious") == ([5] if serious else [])  # a fact is logged only when it changes


@pytest.fixture(scope="module")
def sites():
    return plan("sites")


def test_branches_share_one_office_that_does_an_office_task_once(sites):
    # the incident reaches east and west at 1. Each branch's head starts (react 1: 2) and phones the
    # one office member (rings 2.5), who opened the file at 2 (done once for both branches): east's
    # call is picked up at 2.5 and talked to 3.5; west's has rung meanwhile and is taken at 3.5.
    # Each guard alarms the police (1 unit): only east, first to call, gets it (2.3 + 1 + 5).
    data = scenario(sites, [{"id": "go", "at": 1}], channels={"phone": {**PHONE, "answer_within": 10}, "alarm": ALARM},
                    agencies={"police": POLICE}) | {"branches": [{"id": "east"}, {"id": "west"}]}
    log = run(sites, data)
    assert timeline(log) == [
        (2, "action", "start", "east/head-1", None),
        (2, "sent", "head-office", "east/head-1", "office-1"),
        (2, "action", "open_file", "office-1", None),
        (2, "sent", "guard-alarm", "east/guard-1", "police"),
        (2, "action", "start", "west/head-1", None),
        (2, "sent", "head-office", "west/head-1", "office-1"),
        (2, "sent", "guard-alarm", "west/guard-1", "police"),
        (2.3, "received", "guard-alarm", "east/guard-1", "police"),
        (2.3, "received", "guard-alarm", "west/guard-1", "police"),
        (2.5, "received", "head-office", "east/head-1", "office-1"),
        (3.5, "acknowledged", "head-office", "east/head-1", "office-1"),
        (3.5, "received", "head-office", "west/head-1", "office-1"),
        (4.5, "acknowledged", "head-office", "west/head-1", "office-1"),
        (4.5, "action", "follow_up", "office-1", None),  # once for the office: due 3.5 after east's call
        (8.3, "arrived", "police", "police", None),  # the one unit goes to east, which called first
    ]
    assert [r.site for r in log.rows if r.event == "arrived"] == ["east"]
    assert [(r.site, r.what) for r in log.rows if r.event in ("inject", "fact")] == [("east", "go"), ("west", "go")]


def test_what_an_office_member_does_about_a_branch_is_logged_at_the_branch():
    # the office, told by the head's call (received 2.5, talked to 3.5), alarms the police about the
    # hurt (lost: the alarm fails), phones the deputy (away, unreachable: unanswered), then the head
    # (acknowledged), and sets off for the branch (10 min): every row of what it does about the branch
    # is the branch's. Its level, and the alarm the level triggers, are the office's own (2, 2.3).
    data, _ = load_yaml(RULES / "sites-plan.yaml")
    data["roles"]["deputy"] = {"name": "副手", "kind": "staff", "presence": 0, "reachable": 0}
    data["escalation"] += [
        {"id": "office-deputy", "from": "office", "to": "deputy", "channel": "phone",
         "on": {"event": "received", "what": "head-office"}, "priority": 6},
        {"id": "office-head", "from": "office", "to": "head", "channel": "phone",
         "on": {"event": "received", "what": "head-office"}, "priority": 7}]
    data["duties"].append({"id": "office-come", "role": "office", "on": {"event": "received", "what": "head-office"},
                           "do": "go_to_scene", "priority": 8})
    p = parse_plan(data)
    log = run(p, scenario(p, [{"id": "go", "at": 1, "facts": {"hurt": 1}}],
                          channels={"phone": PHONE, "alarm": {**ALARM, "failure": 1}}, agencies={"police": POLICE},
                          travel={"office": 10}))
    by_office = {(r.event, r.what): r.site for r in log.rows if r.actor == "office-1" and r.event != "learned"}
    assert by_office == {
        ("level", "II"): "office", ("sent", "office-police"): "office", ("lost", "office-police"): "office",
        ("action", "open_file"): "branch", ("action", "follow_up"): "branch",
        ("sent", "office-alarm"): "branch", ("lost", "office-alarm"): "branch",
        ("sent", "office-deputy"): "branch", ("unanswered", "office-deputy"): "branch",
        ("sent", "office-head"): "branch", ("received", "office-head"): "branch",
        ("acknowledged", "office-head"): "branch", ("arrived", "office"): "branch"}


def test_an_elapsed_fact_is_logged_at_its_marks_and_graded_as_it_grows(sites):
    # the outage runs from 1 to 151 (2.5 h): the clock crosses the marks 1 h and 2 h at 61 and 121 and
    # reads 2.5 when it stops. The office re-grades on every fact (react 1): II at 62, I at 122, and
    # keeps I. Restarted at 200, the clock goes on from 2.5 (no mark left) and reads 3.5 at 260.
    injects = [{"id": "cut", "at": 1, "facts": {"out": True}},
               {"id": "back", "after": "cut", "at": 150, "facts": {"out": False}},
               {"id": "again", "at": 200, "facts": {"out": True}},
               {"id": "over", "after": "again", "at": 60, "facts": {"out": False}}]
    log = run(sites, scenario(sites, injects, channels={"phone": PHONE, "alarm": ALARM}) | {"horizon": "6h"})
    clock = [(round(r.t, 6), r.what, r.value) for r in log.rows if r.event == "fact"]
    assert clock == [(1, "out", True), (61, "out_hours", 1), (121, "out_hours", 2), (151, "out", False),
                     (151, "out_hours", 2.5), (200, "out", True), (260, "out", False), (260, "out_hours", 3.5)]
    assert {r.site for r in log.rows if r.event == "fact"} == {"branch"}  # the clock runs at the inject's branch
    assert timeline(log, "level") == [(62, "level", "II", "office-1", None), (122, "level", "I", "office-1", None)]


def test_a_clock_restarted_at_one_of_its_marks_does_not_log_that_mark_again(sites):
    # stopped at 61 reading exactly 1 h, restarted at 200 from 1: the next mark is 2 h, at 260
    injects = [{"id": "cut", "at": 1, "facts": {"out": True}},
               {"id": "back", "after": "cut", "at": 60, "facts": {"out": False}},
               {"id": "again", "at": 200, "facts": {"out": True}}]
    log = run(sites, scenario(sites, injects, channels={"phone": PHONE, "alarm": ALARM}) | {"horizon": "6h"})
    clock = [(round(r.t, 6), r.value) for r in log.rows if r.event == "fact" and r.what == "out_hours"]
    assert [c for c in clock if c[0] >= 200] == [(260, 2)]


def test_a_clock_stopped_by_an_inject_that_follows_at_once_reads_0_and_logs_no_mark(sites):
    # `back` follows `cut` with no delay: the clock stops in the moment it starts (it raised KeyError)
    injects = [{"id": "cut", "at": 1, "facts": {"out": True}}, {"id": "back", "after": "cut", "facts": {"out": False}}]
    log = run(sites, scenario(sites, injects, channels={"phone": PHONE, "alarm": ALARM}))
    clock = [(round(r.t, 6), r.what, r.value) for r in log.rows if r.event == "fact"]
    assert clock == [(1, "out", True), (1, "out", False), (1, "out_hours", 0)]


def test_a_clock_stopped_and_restarted_in_one_moment_logs_each_mark_once(sites):
    # the first run's process still waits for its mark at 61 when the second starts at 1: only the
    # second (from 0 again: stopped at once) logs it
    injects = [{"id": "cut", "at": 1, "facts": {"out": True}}, {"id": "back", "after": "cut", "facts": {"out": False}},
               {"id": "again", "after": "back", "facts": {"out": True}}]
    log = run(sites, scenario(sites, injects, channels={"phone": PHONE, "alarm": ALARM}))
    clock = [(round(r.t, 6), r.what, r.value) for r in log.rows if r.event == "fact"]
    assert clock == [(1, "out", True), (1, "out", False), (1, "out_hours", 0), (1, "out", True),
                     (61, "out_hours", 1), (121, "out_hours", 2)]


def test_every_message_row_names_its_site_channel_reference_attempt_and_fields(phone):
    # each attempt is a new message with the next reference number; `received` carries the fields
    # sent, `lost`, `unanswered` and `acknowledged` name the same message (channel and reference)
    data = phoning(phone, [{"id": "alarm", "at": 1}, {"id": "go", "at": 3}], head_present=False)
    data["parameters"]["channels"]["alarm"] = {**ALARM, "failure": 1}
    rows = [(round(r.t, 6), *r[1:]) for r in run(phone, data).rows if r.event not in ("action", "inject", "learned")]
    both = ("place", "time")
    assert rows == [
        (2, "branch", "INC-1", "sent", "alarm-police", "guard", "guard-1", "police", "police", "alarm", 1, 1, ()),
        (2, "branch", "INC-1", "sent", "tell-regulator", "guard", "guard-1", "regulator", "regulator", "alarm", 2, 1,
         ()),
        (2.3, "branch", "INC-1", "lost", "alarm-police", "guard", "guard-1", "police", "police", "alarm", 1, None,
         None),
        (2.3, "branch", "INC-1", "lost", "tell-regulator", "guard", "guard-1", "regulator", "regulator", "alarm", 2,
         None, None),
        (4.5, "branch", "INC-1", "sent", "call-head", "caller", "caller-1", "head", "head-1", "phone", 3, 1, both),
        (7, "branch", "INC-1", "unanswered", "call-head", "caller", "caller-1", "head", "head-1", "phone", 3, None,
         None),
        (7.5, "branch", "INC-1", "sent", "call-head", "caller", "caller-1", "head", "head-1", "phone", 4, 2, both),
        (10, "branch", "INC-1", "unanswered", "call-head", "caller", "caller-1", "head", "head-1", "phone", 4, None,
         None),
        (10, "branch", "INC-1", "sent", "call-head", "caller", "caller-1", "deputy", "deputy-1", "phone", 5, 1, both),
        (10.5, "branch", "INC-1", "received", "call-head", "caller", "caller-1", "deputy", "deputy-1", "phone", 5, None,
         both),
        (11.5, "branch", "INC-1", "acknowledged", "call-head", "caller", "caller-1", "deputy", "deputy-1", "phone", 5,
         None, None),
    ]


def test_a_restarted_clock_goes_on_to_the_marks_it_has_not_reached(sites):
    # 1.5 h of outage (1 to 91): mark 1 at 61, 1.5 when it stops. Restarted at 100, mark 1 is behind
    # it and mark 2 half an hour ahead: 130; it stops at 160 at 2.5.
    injects = [{"id": "cut", "at": 1, "facts": {"out": True}},
               {"id": "back", "after": "cut", "at": 90, "facts": {"out": False}},
               {"id": "again", "at": 100, "facts": {"out": True}},
               {"id": "over", "after": "again", "at": 60, "facts": {"out": False}}]
    log = run(sites, scenario(sites, injects, channels={"phone": PHONE, "alarm": ALARM}))
    assert [(round(r.t, 6), r.value) for r in log.rows if r.event == "fact" and r.what == "out_hours"] == [
        (61, 1), (91, 1.5), (130, 2), (160, 2.5)]


def test_an_office_s_report_to_an_agency_brings_units_to_every_branch_the_incident_reached(sites):
    # the office grades at 2 (react 1) and its level, logged at the office, starts its alarm to the
    # police (arrives 2.3): a unit goes to each branch the incident has reached, 2.3 + 1 + 5
    data = scenario(sites, [{"id": "go", "at": 1, "facts": {"hurt": 1}}], channels={"phone": PHONE, "alarm": ALARM},
                    agencies={"police": {**POLICE, "units": 2}},
                    human={"omission": {"head-office": 1, "guard-alarm": 1}})
    log = run(sites, data | {"branches": [{"id": "east"}, {"id": "west"}]})
    assert [(round(r.t, 6), r.site) for r in log.rows if r.event == "arrived"] == [(8.3, "east"), (8.3, "west")]
    assert [(round(r.t, 6), r.site, r.what) for r in log.rows if r.event == "level"] == [(2, "office", "II")]


def test_a_trigger_s_value_actor_and_channel_must_all_match(phone):
    # `on-calm` waits for serious to become false (at 5: 6); `hears-guard` for the guard's phone
    # call (at 21: 22), not their alarm (at 2)
    log = run(phone, phoning(phone, [{"id": "a", "at": 1, "facts": {"serious": True}},
                                     {"id": "b", "at": 5, "facts": {"serious": False}},
                                     {"id": "alarm", "at": 10}, {"id": "dial", "at": 20}]))
    assert at(log, "action", "stand_down") == [6]
    assert at(log, "action", "note_guard_call") == [22]
    assert at(log, "action", "see_alarm") == [12]  # a trigger that does not match does not stop the next one


def test_a_plan_s_units_override_its_service_default(phone):
    # the plan gives the ambulance service (2 units by default) no units: it answers, sends nobody
    data = phoning(phone, [{"id": "hurt", "at": 1}])
    data["parameters"]["agencies"]["ambulance"] = {"answer": 0.2, "dispatch": 1, "travel": 5}
    log = run(phone, data)
    assert at(log, "received", "call-ambulance") == [2.3] and not at(log, "arrived", "ambulance")


@pytest.mark.parametrize(("chance", "happens"), [(1, True), (0, False)])
def test_a_fact_drawn_by_chance(phone, chance, happens):
    log = run(phone, phoning(phone, [{"id": "check", "at": 5, "facts": {"serious": {"chance": chance}}}]))
    assert at(log, "action", "act_serious") == ([6] if happens else [])


def test_an_int_fact_stays_int_and_a_float_fact_float(phone):
    log = run(phone, phoning(phone, [{"id": "a", "at": 1, "facts": {"speed": {"uniform": [1.2, 1.4]}, "count": 2.0}},
                                     {"id": "b", "at": 2, "facts": {"speed": 2.0}}]))
    facts = [(r.what, r.value) for r in log.rows if r.event == "fact"]
    assert [name for name, _ in facts] == ["speed", "count", "speed"]
    (_, drawn), (_, count), (_, whole) = facts
    assert 1.2 <= drawn <= 1.4 and drawn != round(drawn)
    assert (type(count), count) == (int, 2) and (type(whole), whole) == (float, 2.0)


def test_the_next_step_of_a_chain_goes_to_whoever_did_the_last(phone):
    # two guards: `once` goes to guard-1 (first by name), `each` to the less busy guard-2, `first-only`
    # to guard-1 again; guard-1's look_once is followed up by guard-1, not by the less busy guard-2
    data = phoning(phone, [{"id": "a", "at": 1}])
    data["branches"][0]["staffing"] = {"guard": 2}
    by = {r[2]: r[3] for r in timeline(run(phone, data), "action")}
    assert by == {"look_once": "guard-1", "look_each": "guard-2", "look_first": "guard-1", "follow_up": "guard-1"}


def test_an_acknowledged_call_starts_the_receiver_s_step_even_when_they_are_away(phone):
    # the deputy is off site but answers the fallback call (8.5, ack 9.5): the acknowledgement is
    # theirs, so they note it although they perceive nothing at the branch
    data = phoning(phone, [{"id": "go", "at": 1}], head_present=False)
    data["branches"][0]["presence"]["deputy"] = 0.0
    assert [r for r in timeline(run(phone, data), "action") if r[3] != "guard-1"] == [
        (9.5, "action", "log_call", "caller-1", None), (9.5, "action", "ack_phone", "deputy-1", None)]


@pytest.mark.parametrize("omit", [False, True])
def test_an_office_member_acting_on_a_branch_s_report_acts_for_that_branch(sites, omit):
    # the incident is at west only. The office opens the file and grades at 2 (level II, at the
    # office, so its alarm to the police brings a unit to west, the one branch the incident reached);
    # west's head phones (picked up 2.5, ack 3.5): straight after, the office's alarm about that call
    # and its follow-up (delay 1, due 3.5, no reaction while at work) are west's
    data = scenario(sites, [{"id": "go", "at": 1, "facts": {"hurt": 1}, "branches": ["west"]}],
                    channels={"phone": PHONE, "alarm": ALARM}, agencies={"police": {**POLICE, "units": 2}},
                    human={"omission": {"guard-alarm": 1, **({"office-alarm": 1} if omit else {})}})
    log = run(sites, data | {"branches": [{"id": "east"}, {"id": "west"}]})
    rows = [(round(r.t, 6), r.site, r.event, r.what) for r in log.rows
            if ("office-1" in (r.actor, r.target) or r.event == "arrived") and r.event != "learned"]
    alarm = [(3.5, "west", "omitted", "office-alarm"), (3.5, "west", "action", "follow_up")] if omit else [
        (3.5, "west", "sent", "office-alarm"), (3.5, "west", "action", "follow_up"),
        (3.8, "west", "received", "office-alarm")]
    assert rows == [
        (2, "west", "sent", "head-office"), (2, "west", "action", "open_file"), (2, "office", "level", "II"),
        (2, "office", "sent", "office-police"), (2.3, "office", "received", "office-police"),
        (2.5, "west", "received", "head-office"), (3.5, "west", "acknowledged", "head-office"), *alarm,
        (8.3, "west", "arrived", "police")]


def test_the_log_carries_the_wall_clock_start_and_the_seed(phone):
    model = build_model(phone, parse_scenario(phoning(phone, [{"id": "a", "at": 1}]), phone))
    log = run_replication(model, 7)
    assert log.wall_clock(90).isoformat() == "2026-06-15T11:30:00+08:00" and log.meta["seed"] == 7
    child = np.random.SeedSequence(7, spawn_key=(3,))
    assert run_replication(model, child).meta["seed"] == {"entropy": 7, "spawn_key": [3]}


def test_a_stopped_clock_logs_its_value_to_six_decimals(sites):
    injects = [{"id": "cut", "at": 1, "facts": {"out": True}}, {"id": "back", "after": "cut", "at": 20,
                                                               "facts": {"out": False}}]
    log = run(sites, scenario(sites, injects, channels={"phone": PHONE, "alarm": ALARM}))
    assert [r.value for r in log.rows if r.what == "out_hours"] == [0.333333]  # 20 min in hours
