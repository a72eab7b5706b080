"""Behaviour of the engine's agents, each on a small change to a shipped scenario."""

import numpy as np
import pytest

import drillsim
from drillsim.sim.engine import run_replication
from drillsim.sim.model import build_model
from drillsim.spec.catalog import builtin_scenarios
from drillsim.spec.scenario import parse_scenario
from drillsim.spec.yamlio import load_yaml


def model_with(plan, scenario_id="armed-robbery-injured", **changes):
    data, _ = load_yaml(builtin_scenarios()[scenario_id])
    for dotted, value in changes.items():
        node = data
        *path, last = dotted.split("__")
        for key in path:
            node = node.setdefault(key, {}) if not isinstance(node, list) else node[int(key)]
        node[last] = value
    return build_model(plan, parse_scenario(data, plan))


@pytest.fixture(scope="module")
def plan():
    return drillsim.load_plan("counter-robbery")


def events(log, event, what=None):
    return [r for r in log.rows if r.event == event and (what is None or r.what == what)]


def test_unreachable_branch_head_falls_back_to_duty_leader(plan):
    head = plan.roles["branch_head"].model_copy(update={"presence": 0.0, "reachable": 0.0})
    alone = plan.model_copy(update={"roles": {**plan.roles, "branch_head": head}})
    log = run_replication(model_with(alone, "robbers-flee"), 1)
    to_head = events(log, "sent", "report-head")
    assert [r[7] for r in to_head] == ["branch_head", "branch_head", "duty_leader"]  # one retry, then fallback
    assert [r.target for r in events(log, "unanswered", "report-head")] == ["branch_head-1", "branch_head-1"]
    assert to_head[1][0] - events(log, "unanswered", "report-head")[0][0] == pytest.approx(0.5)  # retry every 30 s
    assert events(log, "received", "leader-phone-office"), "the duty leader reports to the upper office instead"


def test_police_arrive_after_the_alarm(plan):
    m = model_with(plan)
    log = run_replication(m, 3)
    alarm = min(r.t for r in events(log, "received") if r.target_role == "police")
    arrived = events(log, "arrived", "police")
    assert len(arrived) == 1 and arrived[0][0] > alarm


def test_certain_omission_and_botch(plan):
    m = model_with(plan, parameters__human={"omission": {"cash-lock": 1.0}, "botch": {"guard-observe": 1.0}})
    log = run_replication(m, 1)
    assert events(log, "omitted", "lock_cash") and not events(log, "action", "lock_cash")
    assert events(log, "action", "pursue_suspects") and not events(log, "action", "note_suspect_description")


def test_tellers_serve_customers_until_the_incident(plan):
    m = model_with(plan)
    from drillsim.sim.replication import Replication
    from drillsim.sim.seeds import streams

    rep = Replication(m, streams(5))
    rep.env.run(until=m.scenario.horizon)
    start = events_from(rep, "inject")[0]
    flow = rep.flows["branch"]
    assert flow.served > 20 and flow.closed
    # an interrupted teller still reacts: nobody raised the alarm before the robbers came in
    assert all(r.t >= start for r in rep.rows if r.event == "sent")


def events_from(rep, event):
    return [r.t for r in rep.rows if r.event == event]


def test_level_is_regraded_as_facts_change(plan):
    m = model_with(plan, "explosive-robbery")
    levels = [r.what for r in events(run_replication(m, 2), "level")]
    assert levels and levels[0] == "I"


def test_unfinished_work_is_recorded(plan):
    m = model_with(plan, "robbers-flee", horizon=12)  # stop early: reports are still under way
    log = run_replication(m, 4)
    assert max(r.t for r in log.rows) <= 12
    unfinished = events(log, "unfinished")
    task_ids = {d.id for d in plan.duties} | {r.id for r in plan.escalation}
    assert unfinished and {r.what for r in unfinished} <= task_ids
    assert all(r.t == 12 for r in unfinished)


def test_runs_differ_by_seed_and_repeat_by_seed(plan):
    m = model_with(plan)
    a, b, c = run_replication(m, 11), run_replication(m, 11), run_replication(m, 12)
    assert a.rows == b.rows and a.rows != c.rows
    assert run_replication(m, np.random.SeedSequence(11)).rows == a.rows


def _power_cut(hours_out: float) -> dict:
    return {
        "schema": "drillsim.scenario/1", "id": "t", "title": "t", "plan": "generator-test",
        "start": "2026-06-15T10:00:00+08:00", "horizon": "6h", "incident": {"type": "power_cut"},
        "parameters": {"human": {"reaction": 0}},
        "injects": [
            {"id": "cut", "at": 1, "facts": {"power_out": True}},
            {"id": "back", "after": "cut", "at": f"{hours_out}h", "facts": {"power_out": False}},
            {"id": "ups-empty", "after": "cut", "at": "3h", "when": "power_out", "facts": {"ups_empty": True}},
            {"id": "after-ups", "after": "ups-empty", "at": 1},
        ],
    }


@pytest.fixture(scope="module")
def generator_plan():
    from drillsim.spec.plan import load_plan
    from tests.conftest import DATA

    return load_plan(DATA / "generator-plan.yaml")


@pytest.mark.parametrize(("hours_out", "requested"), [(1.9, False), (2.1, True)])
def test_a_delayed_task_checks_its_condition_when_the_delay_ends(generator_plan, hours_out, requested):
    log = run_replication(build_model(generator_plan, parse_scenario(_power_cut(hours_out), generator_plan)), 1)
    asked = events(log, "action", "request_generator")
    assert bool(asked) is requested
    if requested:
        assert asked[0][0] == pytest.approx(1 + 120)  # two hours after the cut, no reaction time


@pytest.mark.parametrize(("hours_out", "ups_runs_out"), [(2.5, False), (3.5, True)])
def test_an_inject_happens_only_if_its_condition_holds(generator_plan, hours_out, ups_runs_out):
    log = run_replication(build_model(generator_plan, parse_scenario(_power_cut(hours_out), generator_plan)), 1)
    injects = [r.what for r in events(log, "inject")]
    assert ("ups-empty" in injects) is ups_runs_out
    assert ("after-ups" in injects) is ups_runs_out  # what follows an inject that did not happen does not either


def test_incident_trigger_means_the_first_inject_only(plan):
    # the teller's audible alarm (on: incident, when: not explosive) must not fire at a later inject
    log = run_replication(model_with(plan, "explosive-robbery", parameters__human={"botch": {"default": 0.0}}), 3)
    assert not events(log, "action", "sound_audible_alarm")


def test_int_facts_drawn_from_a_distribution_stay_int(plan):
    m = model_with(plan, injects__1__facts={"injured": {"uniform": [1, 3]}})
    injured = [r.value for r in events(run_replication(m, 2), "fact", "injured")]
    assert injured and all(type(v) is int for v in injured)


def test_customers_in_the_hall_are_logged_when_the_incident_starts(plan):
    m = model_with(plan)
    counts = []
    for seed in range(10):
        log = run_replication(m, seed)
        hall = events(log, "fact", "customers_in_hall")
        if hall:  # logged when there is anyone in the hall (the default is 0)
            assert hall[0][0] == events(log, "inject")[0][0]
            counts.append(hall[0][11])
    assert counts and all(type(c) is int and c >= 1 for c in counts)


def test_an_incident_striking_several_branches_at_once_logs_each_its_own_hall(plan):
    # robbers at three branches at once: a busy hall (60 an hour since 09:00), then two with no
    # customers. Each branch's count is logged there alone, once, where it changes the incident's
    # fact (which ends as the last branch's): the busy hall's count, 0 at the first empty one, and
    # nothing at the second, whose 0 the fact already is. Before, every branch logged every count.
    busy = {"id": "busy", "opens": "09:00", "closes": "17:00",
            "customers": {"arrivals_per_hour": 60, "service": {"exponential": 2.5}}}
    empty = {"opens": "09:00", "closes": "17:00", "customers": {"arrivals_per_hour": 0}}
    m = model_with(plan, branches=[busy, {**empty, "id": "quiet"}, {**empty, "id": "closed"}])
    for seed in range(5):
        log = run_replication(m, seed)
        halls = [(r.site, r.value) for r in events(log, "fact", "customers_in_hall")]
        assert [site for site, _ in halls] == ["busy", "quiet"]
        assert halls[0][1] >= 1 and halls[1][1] == 0
        assert {r.t for r in events(log, "fact", "customers_in_hall")} == {events(log, "inject")[0].t}


def test_the_fields_a_report_carries_take_no_draws_when_none_is_lost(plan):
    # common random numbers: with no field omission, what the reports carry changes nothing else a
    # drill draws, so every row but the fields carried is the same without them
    bare = plan.model_copy(update={"escalation": [r.model_copy(update={"carries": []}) for r in plan.escalation]})
    for seed in range(3):
        full, empty = (run_replication(model_with(p, parameters__human__field_omission=0), seed) for p in (plan, bare))
        assert any(r.fields for r in full.rows)
        assert [r[:12] for r in full.rows] == [r[:12] for r in empty.rows]


def test_office_people_travel_to_the_scene(plan):
    # an office member on duty is at the office: going to the scene takes the travel time
    from drillsim.sim.replication import Replication
    from drillsim.sim.seeds import streams

    rep = Replication(model_with(plan, parameters__travel={"upper_office": "20min"}), streams(1))
    office = rep.shared["upper_office"][0]
    spec = next(s for s in rep.model.learned["branch_head"] if s.action == "go_to_scene")  # on: {event: learned}
    object.__setattr__(spec, "role", "upper_office")
    office.assign(spec, "branch")
    rep.env.run(until=60)
    arrived = [r for r in rep.rows if r.event == "arrived" and r.actor_role == "upper_office"]
    assert arrived and arrived[0][0] >= 20


@pytest.mark.parametrize("closes", ["09:30", "09:00"])
def test_an_incident_after_closing_time_does_not_stall_the_tellers(plan, closes):
    # no customers come after closing: tellers go idle and still answer the incident
    log = run_replication(model_with(plan, branches__0__closes=closes), 2)
    assert events(log, "sent", "alarm-110")


def test_the_customer_queue_agrees_with_erlang_c(plan):
    """Arrivals 1.0/min, service mean 2.5 min, 3 tellers: Erlang C gives a mean wait of 3.51 min.

    At 83 % load one run of 100,000 customers has a standard deviation of about 4 %, so the test
    averages six independent runs (about 1.6 %)."""
    from drillsim.sim.replication import Replication
    from drillsim.sim.seeds import streams

    m = model_with(plan, branches__0__opens="00:00", horizon="90d",
                   branches__0__staffing={"teller": 3, "cash_teller": 0},
                   branches__0__customers={"arrivals_per_hour": 60, "service": {"exponential": 2.5}},
                   injects__0__at=120_000)
    m.branches[0].open_until = float("inf")  # open round the clock, to reach the steady state
    waits = []
    for seed in range(1, 7):
        rep = Replication(m, streams(seed))
        rep.env.run(until=100_800)  # 70 days of customers, before the robbery
        flow = rep.flows["branch"]
        assert flow.claimed > 95_000
        waits.append(flow.waited / flow.claimed)
    assert sum(waits) / len(waits) == pytest.approx(3.51, rel=0.05)


@pytest.mark.parametrize("units", [1, 2])
def test_an_agency_sends_units_to_the_first_sites_that_call_while_it_has_them(plan, units):
    # the robbers hit two branches at once; the police have `units` patrol cars, which stay on the scene
    two = [{"id": b, "name": b, "opens": "09:00", "closes": "17:00"} for b in ("east", "west")]
    m = model_with(plan, branches=two, parameters__agencies={"police": {"units": units}})
    both_called = 0
    for seed in range(5):
        log = run_replication(m, seed)
        calling = list(dict.fromkeys(r.site for r in events(log, "received") if r.target_role == "police"))
        both_called += len(calling) == 2
        assert sorted(r.site for r in events(log, "arrived", "police")) == sorted(calling[:units])
    assert both_called
