"""The escalation vocabulary planners know from on-call tools, as the log shows it: levels (a target
and its fallbacks) with a timeout each call rings, rounds through the whole chain, every holder of a
role notified at once, or each in turn (docs/plan-files.md, "The escalation graph")."""

from __future__ import annotations

import pytest
import yaml

import drillsim.api as api
from drillsim.spec.errors import InputError
from drillsim.spec.plan import parse_plan
from drillsim.spec.scenario import parse_scenario
from drillsim.spec.yamlio import _Loader

PLAN = """\
schema: drillsim.plan/1
id: vocabulary
title: 升级用语 (escalation vocabulary)
incident_types: {test: {name: 测试}}
capabilities: {c: 报告}
roles:
  clerk: {name: 职员, kind: staff}
  desk: {name: 值班台, kind: office, count: 3}
  chief: {name: 主任, kind: office}
channels:
  phone: {name: 电话, synchronous: true}
  pager: {name: 寻呼, synchronous: false}
escalation:
  - {id: up, from: clerk, to: desk, fallback: [chief], channel: phone, on: {event: inject}, repeat: true}
requirements:
  - {id: R, title: 报告值班台, clause: test, capability: c, kind: deadline,
     response: {event: received, what: up}, within: 5min}
"""
SCENARIO = """\
schema: drillsim.scenario/1
id: vocabulary-drill
title: 三次呼叫 (three calls)
plan: vocabulary
start: "2026-06-15T10:00:00+08:00"
horizon: 2h
incident: {type: test}
injects:
  - {id: go1, at: 1}
  - {id: go2, at: 20}
  - {id: go3, at: 40}
parameters:
  human: {reaction: 0}
  channels:
    phone: {latency: 0, failure: 0, answer_within: 1min, talk: 1}
    pager: {latency: 0, failure: 0}
"""


def _drill(report: dict, roles: dict | None = None, injects: int = 3, channels: dict | None = None):
    plan_data = yaml.load(PLAN, _Loader)
    plan_data["escalation"][0].update(report)
    for rid, changes in (roles or {}).items():
        plan_data["roles"][rid].update(changes)
    plan = parse_plan(plan_data, "vocabulary.yaml")
    sc_data = yaml.load(SCENARIO, _Loader)
    sc_data["injects"] = sc_data["injects"][:injects]
    for cid, changes in (channels or {}).items():
        sc_data["parameters"]["channels"][cid].update(changes)
    return plan, parse_scenario(sc_data, plan, "vocabulary-drill.yaml")


def _rows(report: dict, roles: dict | None = None, injects: int = 3, event: str = "sent"):
    plan, scenario = _drill(report, roles, injects)
    return [r for r in api.simulate(plan, scenario, 1).rows if r.event == event and r.what == "up"]


def test_one_goes_to_the_least_busy_holder_so_three_calls_far_apart_reach_the_same_one():
    assert [r.target for r in _rows({})] == ["desk-1", "desk-1", "desk-1"]


def test_round_robin_gives_each_holder_its_turn_in_order():
    assert [r.target for r in _rows({"notify": "round_robin"}, injects=3)] == ["desk-1", "desk-2", "desk-3"]
    plan, _ = _drill({"notify": "round_robin"})
    more = parse_scenario({**yaml.load(SCENARIO, _Loader), "injects": [{"id": f"go{k}", "at": 1 + 10 * k}
                                                                   for k in range(4)]}, plan, "four")
    targets = [r.target for r in api.simulate(plan, more, 1).rows if r.event == "sent"]
    assert targets == ["desk-1", "desk-2", "desk-3", "desk-1"]  # the fourth starts the turn again


def test_all_notifies_every_holder_at_once_on_either_kind_of_channel():
    for channel in ("phone", "pager"):
        sent = _rows({"notify": "all", "channel": channel}, injects=1)
        assert sorted(r.target for r in sent) == ["desk-1", "desk-2", "desk-3"]
        assert len({r.t for r in sent}) == 1
        assert sorted(r.target for r in _rows({"notify": "all", "channel": channel}, injects=1,
                                              event="received")) == ["desk-1", "desk-2", "desk-3"]


def test_all_falls_back_only_when_no_holder_answered():
    away = {"desk": {"presence": 0.0, "reachable": 0.0}}
    sent = _rows({"notify": "all"}, away, injects=1)
    assert [r.target for r in sent] == ["desk-1", "desk-2", "desk-3", "chief-1"]
    assert sent[3].t == pytest.approx(sent[0].t + 1)  # after the one minute the three rang at once
    some = _rows({"notify": "all"}, {"desk": {"presence": 0.0, "reachable": 0.0}, "chief": {}}, injects=1,
                 event="received")
    assert [r.target for r in some] == ["chief-1"]


def test_a_timeout_is_how_long_each_call_of_the_report_rings():
    away = {"desk": {"presence": 0.0, "reachable": 0.0}}
    sent = _rows({"timeout": "3min"}, away, injects=1)
    unanswered = _rows({"timeout": "3min"}, away, injects=1, event="unanswered")
    assert unanswered[0].t - sent[0].t == pytest.approx(3)
    assert sent[1].target == "chief-1" and sent[1].t == pytest.approx(sent[0].t + 3)
    plain = _rows({}, away, injects=1, event="unanswered")
    assert plain[0].t - sent[0].t == pytest.approx(1)  # without one, the channel's answer_within


def test_rounds_go_through_the_whole_chain_again_while_nobody_answers():
    away = {"desk": {"presence": 0.0, "reachable": 0.0}, "chief": {"presence": 0.0, "reachable": 0.0}}
    sent = _rows({"rounds": 2, "retry": {"attempts": 1, "every": "30s"}}, away, injects=1)
    assert [(r.target, r.value) for r in sent] == [("desk-1", 1), ("desk-1", 2), ("chief-1", 1), ("chief-1", 2),
                                                     ("desk-1", 1), ("desk-1", 2), ("chief-1", 1), ("chief-1", 2)]
    assert len(_rows({}, away, injects=1)) == 2


def test_a_timeout_on_a_channel_nobody_answers_is_refused_with_its_place():
    with pytest.raises(InputError) as err:
        _drill({"channel": "pager", "timeout": "2min"})
    assert "escalation[0].timeout" in str(err.value) and "'pager' is not synchronous" in str(err.value)


@pytest.mark.parametrize("key, value, says", [
    ("notify", "everyone", "notify"), ("rounds", 0, "rounds"), ("rounds", 101, "rounds")])
def test_a_word_or_number_the_vocabulary_does_not_have_is_refused(key, value, says):
    with pytest.raises(InputError) as err:
        _drill({key: value})
    assert says in str(err.value)


def test_a_report_to_a_staff_role_reaches_its_holder_at_the_sender_s_branch():
    plan_data = yaml.load(PLAN, _Loader)
    plan_data["roles"]["head"] = {"name": "行长", "kind": "staff"}
    plan_data["escalation"][0].update({"to": "head", "fallback": []})
    plan = parse_plan(plan_data, "vocabulary.yaml")
    sc_data = yaml.load(SCENARIO, _Loader)
    sc_data.update(branches=[{"id": "east", "name": "城东支行"}, {"id": "west", "name": "城西支行"}],
                   injects=sc_data["injects"][:1])
    scenario = parse_scenario(sc_data, plan, "vocabulary-drill.yaml")
    received = [r for r in api.simulate(plan, scenario, 1).rows if r.event == "received"]
    assert sorted((r.actor, r.target) for r in received) == [("east/clerk-1", "east/head-1"),
                                                             ("west/clerk-1", "west/head-1")]


def _two_branches(report: dict, roles: dict | None = None, plan_changes: dict | None = None,
                  parameters: dict | None = None):
    plan_data = yaml.load(PLAN, _Loader)
    plan_data["escalation"][0].update(report)
    plan_data.update(plan_changes or {})
    for rid, changes in (roles or {}).items():
        plan_data["roles"][rid].update(changes)
    plan = parse_plan(plan_data, "vocabulary.yaml")
    sc_data = yaml.load(SCENARIO, _Loader)
    sc_data.update(branches=[{"id": "east", "name": "城东支行"}, {"id": "west", "name": "城西支行"}],
                   injects=sc_data["injects"][:1])
    for key, value in (parameters or {}).items():
        sc_data["parameters"]["channels"].setdefault(key, {}).update(value)
    return [r for r in api.simulate(plan, parse_scenario(sc_data, plan, "vocabulary-drill.yaml"), 1).rows
            if r.what == "up"]


def test_notify_all_calls_every_holder_on_behalf_of_the_sender_at_its_branch_with_what_it_carries():
    rows = _two_branches({"notify": "all", "carries": ["place"]}, {"desk": {"count": 2}},
                         {"report_fields": {"place": "地点"}})
    assert {(r.site, r.target, r.fields) for r in rows if r.event == "sent" and r.t == 1.0} == {
        (site, desk, ("place",)) for site in ("east", "west") for desk in ("desk-1", "desk-2")}
    assert all(r.actor == f"{r.site}/clerk-1" for r in rows)
    assert {r.fields for r in rows if r.event == "received"} == {("place",)}
    assert {r.site for r in rows if r.event == "acknowledged"} == {"east", "west"}


def test_a_call_nobody_answers_is_unanswered_at_the_sender_s_branch():
    rows = _two_branches({"fallback": []}, {"desk": {"presence": 0, "reachable": 0}})
    assert sorted((r.event, r.site) for r in rows if r.event != "sent") == [("unanswered", "east"),
                                                                           ("unanswered", "west")]


def test_a_target_nobody_holds_passes_the_report_on_to_its_fallback_at_once():
    rows = _two_branches({}, {"desk": {"count": 0}})
    assert {(r.site, r.target_role, r.t) for r in rows if r.event == "sent"} == {("east", "chief", 1.0),
                                                                                 ("west", "chief", 1.0)}


def test_a_channel_down_passes_along_its_fallbacks_to_the_first_that_works():
    channels = {"phone": {"name": "电话", "synchronous": True, "fallback": "pager"},
                "pager": {"name": "寻呼", "synchronous": False, "fallback": "radio"},
                "radio": {"name": "对讲机", "synchronous": False}}
    rows = _two_branches({}, plan_changes={"channels": channels},
                         parameters={"phone": {"down": True}, "pager": {"down": True}, "radio": {"latency": 0}})
    assert {r.channel for r in rows} == {"radio"}
    assert {r.event for r in rows} >= {"sent", "received"}


def test_a_message_over_a_channel_that_is_down_is_lost_and_the_report_goes_on_to_its_fallbacks():
    # the pager is down and has no channel to fall back on: each attempt is found lost after the
    # latency (0.5), tried again 30 s later, then the fallback's; nobody ever receives it
    plan, scenario = _drill({"channel": "pager", "retry": {"attempts": 1, "every": "30s"}}, injects=1,
                            channels={"pager": {"down": True, "latency": 0.5}})
    rows = [(r.t, r.event, r.target, r.value) for r in api.simulate(plan, scenario, 1).rows if r.what == "up"]
    assert rows == [(1, "sent", "desk-1", 1), (1.5, "lost", "desk-1", None), (2, "sent", "desk-1", 2),
                    (2.5, "lost", "desk-1", None), (2.5, "sent", "chief-1", 1), (3, "lost", "chief-1", None),
                    (3.5, "sent", "chief-1", 2), (4, "lost", "chief-1", None)]
