"""Feedback: injects that follow what was done (``after: {event: …}``, ``Incident.follow``), and
injects that wait on what was not done by a time (``when: "not fire_out"``, the fact set by a duty).

The plan (tests/data/rules/feedback-plan.yaml) has a staff member whose extinguisher puts the fire
out (``sets: {fire_out: true}``, 0.5 min), a teller who calls 119 when the fire is large and presses
the silent alarm when a robber comes (botched: the audible one). Times are fixed (reaction 1, phone
latency 0.5 and talk 1, 119 answers in 0.2), so the timelines are worked out by hand, as in
tests/test_rules_engine.py; then an exact check with exponential reactions, and the shipped fire
scenario.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest

import drillsim
from drillsim.reports.msel import msel_rows
from drillsim.sim.engine import run_replication
from drillsim.sim.model import build_model
from drillsim.sim.seeds import replication_seed
from drillsim.spec.catalog import builtin_scenarios
from drillsim.spec.errors import InputError
from drillsim.spec.scenario import load_scenario, parse_scenario
from tests.test_rules_engine import plan, run, scenario, timeline

PHONE = {"latency": 0.5, "failure": 0, "answer_within": 2, "talk": 1}
FIRE = {"answer": 0.2, "dispatch": 1, "travel": 5, "units": 1}
SPREADS = {"id": "spreads", "after": "fire", "at": 3, "when": "not fire_out", "facts": {"large_fire": True}}
"""The fire spreads 3 min after it starts unless it is out by then."""
SEEN = ("inject", "fact", "action", "sent", "received", "acknowledged")


@pytest.fixture(scope="module")
def feedback():
    return plan("feedback")


def drill(p, injects: list[dict], branches: list[dict] | None = None, human: dict | None = None,
          durations: dict | None = None) -> dict:
    data = scenario(p, injects, human, channels={"phone": PHONE}, agencies={"fire": FIRE}, durations=durations or {})
    return data | {"branches": branches or [{"id": "branch"}]}


def present(staff: float) -> list[dict]:
    return [{"id": "branch", "presence": {"staff": staff}}]


# The fire that spreads unless it is put out in time ----------------------------------------------


def test_the_fire_put_out_in_time_does_not_spread(feedback):
    # fire at 1; the staff member reacts (1) and uses the extinguisher (0.5): out at 2.5, so at 4
    # the spread's condition fails and nobody calls 119
    log = run(feedback, drill(feedback, [{"id": "fire", "at": 1}, SPREADS], present(1.0)))
    assert timeline(log, *SEEN) == [
        (1, "inject", "fire", None, None),
        (2.5, "action", "use_fire_extinguisher", "staff-1", None),
        (2.5, "fact", "fire_out", None, None),
    ]


def test_the_fire_not_put_out_in_time_spreads_and_119_is_called(feedback):
    # the extinguisher takes 5: not out at 4, so the fire spreads; the teller reacts (1) and dials
    # at 5, 119 answers 0.7 later and they talk 1 min. The extinguisher is used at 7, too late.
    log = run(feedback, drill(feedback, [{"id": "fire", "at": 1}, SPREADS], present(1.0),
                              durations={"extinguish": 5}))
    assert timeline(log, *SEEN) == [
        (1, "inject", "fire", None, None),
        (4, "inject", "spreads", None, None),
        (4, "fact", "large_fire", None, None),
        (5, "sent", "call-119", "teller-1", "fire"),
        (5.7, "received", "call-119", "teller-1", "fire"),
        (6.7, "acknowledged", "call-119", "teller-1", "fire"),
        (7, "action", "use_fire_extinguisher", "staff-1", None),
        (7, "fact", "fire_out", None, None),
    ]


def test_with_nobody_to_put_it_out_the_fire_spreads_and_119_is_called(feedback):
    log = run(feedback, drill(feedback, [{"id": "fire", "at": 1}, SPREADS], present(0.0)))
    assert timeline(log, *SEEN) == [
        (1, "inject", "fire", None, None),
        (4, "inject", "spreads", None, None),
        (4, "fact", "large_fire", None, None),
        (5, "sent", "call-119", "teller-1", "fire"),
        (5.7, "received", "call-119", "teller-1", "fire"),
        (6.7, "acknowledged", "call-119", "teller-1", "fire"),
    ]


def test_the_chance_the_fire_is_out_before_it_spreads_has_its_closed_form(feedback):
    # one staff member, reaction exponential with mean m, the extinguisher d: the fire (at 1) is out
    # before it spreads (at 4) when the reaction is under 3 - d, with probability 1 - exp(-(3 - d)/m)
    m, d, n = 2.0, 0.5, 10_000
    data = drill(feedback, [{"id": "fire", "at": 1}, SPREADS], present(1.0), human={"reaction": {"exponential": m}},
                 durations={"extinguish": d})
    model = build_model(feedback, parse_scenario(data, feedback))
    spread = sum(any(r.event == "inject" and r.what == "spreads" for r in run_replication(model,
                                                                                          replication_seed(7, i)).rows)
                 for i in range(n))
    expected = 1 - math.exp(-(3 - d) / m)
    se = math.sqrt(expected * (1 - expected) / n)
    assert abs((n - spread) / n - expected) < 3 * se


# Injects that follow an event -----------------------------------------------------------------


TWO = [{"id": "east"}, {"id": "west", "presence": {"staff": 0.0}}]  # nobody to put the fire out at west


def injects_at(log, *ids: str) -> list[tuple[float, str, str]]:
    return [(round(r.t, 6), r.site, r.what) for r in log.rows if r.event == "inject" and r.what in ids]


def test_an_inject_after_an_event_comes_at_its_site_counted_from_the_event_and_its_followers_follow(feedback):
    # the extinguisher is used at east at 2.5 (nobody uses it at west): put-out comes there 2 later,
    # 4.5, and its follower 1 after that, 5.5, at east only though it may happen at every branch
    injects = [{"id": "fire", "at": 1},
               {"id": "put-out", "after": {"event": "action", "what": "use_fire_extinguisher"}, "at": 2},
               {"id": "smoke-clears", "after": "put-out", "at": 1}]
    log = run(feedback, drill(feedback, injects, TWO))
    assert injects_at(log, "put-out", "smoke-clears") == [(4.5, "east", "put-out"), (5.5, "east", "smoke-clears")]


def test_an_inject_after_an_event_comes_once_per_site_after_the_first_such_event(feedback):
    # both fire (1) and again (3) are injects the echo follows: it comes 0.5 after the first, at each
    # branch, and not again
    injects = [{"id": "fire", "at": 1}, {"id": "again", "at": 3},
               {"id": "echo", "after": {"event": "inject", "what": ["fire", "again"]}, "at": 0.5}]
    log = run(feedback, drill(feedback, injects, TWO))
    assert injects_at(log, "echo") == [(1.5, "east", "echo"), (1.5, "west", "echo")]


def test_an_inject_after_an_event_waits_for_it_at_its_own_branches(feedback):
    # the follower may happen at west only, where the extinguisher is never used
    injects = [{"id": "fire", "at": 1},
               {"id": "put-out", "after": {"event": "action", "what": "use_fire_extinguisher"}, "branches": ["west"]}]
    assert injects_at(run(feedback, drill(feedback, injects, TWO)), "put-out") == []


def test_an_inject_after_an_event_whose_condition_fails_does_not_happen_nor_do_its_followers(feedback):
    injects = [{"id": "fire", "at": 1},
               {"id": "flare", "after": {"event": "fact", "what": "fire_out", "value": True}, "at": 1,
                "when": "large_fire"},
               {"id": "after-flare", "after": "flare", "at": 1}]
    assert injects_at(run(feedback, drill(feedback, injects)), "flare", "after-flare") == []


def test_an_inject_after_an_event_that_never_comes_never_happens(feedback):
    injects = [{"id": "fire", "at": 1},
               {"id": "brigade-thanks", "after": {"event": "sent", "target": "fire"}, "at": 30}]
    log = run(feedback, drill(feedback, injects, present(1.0)))  # out in time: nobody calls 119
    assert injects_at(log, "brigade-thanks") == []
    log = run(feedback, drill(feedback, [{"id": "fire", "at": 1}, SPREADS, *injects[1:]], present(0.0)))
    assert injects_at(log, "brigade-thanks") == [(35, "branch", "brigade-thanks")]  # 119 called at 5


def test_a_fact_it_follows_is_selected_by_its_typed_value(feedback):
    # value: 是 is read as true, as in a plan's selectors
    injects = [{"id": "fire", "at": 1},
               {"id": "put-out", "after": {"event": "fact", "what": "fire_out", "value": "是"}, "at": 1}]
    assert injects_at(run(feedback, drill(feedback, injects)), "put-out") == [(3.5, "branch", "put-out")]


# A botched action ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("botch", "escalates"), [(0.0, []), (1.0, [(2, "branch", "robber-escalates")])])
def test_a_botched_action_is_the_action_logged_and_an_inject_may_follow_it(feedback, botch, escalates):
    # the teller means the silent alarm; botched, the audible one sounds (at 2), and the robber escalates
    injects = [{"id": "robber", "at": 1},
               {"id": "robber-escalates", "after": {"event": "action", "what": "sound_audible_alarm"}}]
    log = run(feedback, drill(feedback, injects, human={"botch": {"silent-alarm": botch}}))
    assert injects_at(log, "robber-escalates") == escalates


# Bad input ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("after", "place", "fragment"), [
    ("{event: action, what: use_fire_extinguisher}", "", ""),
    ("{event: action, what: use_fire_extinguishr}", "injects[1].after.what",
     "unknown action name 'use_fire_extinguishr' (did you mean 'use_fire_extinguisher'?); known: go_to_scene, "
     "grade, press_silent_alarm, sound_audible_alarm, use_fire_extinguisher"),
    ("{event: fact, what: fire_ou}", "injects[1].after.what",
     "unknown fact name 'fire_ou' (did you mean 'fire_out'?); known: fire_out, "),
    ("{event: sent, actor: tellr}", "injects[1].after.actor",
     "unknown role 'tellr' (did you mean 'teller'?); known: fire, staff, teller"),
    ("{event: fact, what: fire_out, value: 3}", "injects[1].after.value", "the fact 'fire_out' is of type bool"),
    ("{event: inject, what: fir}", "injects[1].after.what", "unknown inject 'fir'; known: fire, spreads"),
    ("{event: actoin}", "injects[1].after.event", "unknown event kind 'actoin'"),
    ("{event: action, wat: x}", "injects[1].after.wat", "unknown key 'wat'"),
    ("[fire]", "injects[1].after", "Input should be a valid string"),
])
def test_an_after_selector_is_checked_against_the_plan_with_file_and_line(feedback, tmp_path: Path, after, place,
                                                                          fragment):
    path = tmp_path / "s.yaml"
    path.write_text(f"""schema: drillsim.scenario/1
id: t
title: t
plan: rules-feedback
start: 2026-06-15T10:00:00+08:00
incident: {{type: test}}
injects:
  - {{id: fire, at: 1}}
  - id: spreads
    after: {after}
parameters:
  channels: {{phone: {{latency: 0.5, failure: 0, answer_within: 2, talk: 1}}}}
""", "utf-8")
    if not fragment:
        load_scenario(path, feedback)
        return
    with pytest.raises(InputError) as err:
        load_scenario(path, feedback)
    assert f"{path}:10: at {place} " in str(err.value) and fragment in str(err.value)


# The shipped fire scenario -------------------------------------------------------------------------


def test_the_small_fire_goes_out_when_the_extinguisher_is_used_and_spreads_when_it_is_not():
    counter = drillsim.load_plan("counter-security")
    path = builtin_scenarios()["counter-security-fire-small"]
    model = build_model(counter, load_scenario(path, counter))
    outcomes = {"out": 0, "spread": 0}
    for i in range(200):
        rows = run_replication(model, replication_seed(0, i)).rows
        used = next((r.t for r in rows if r.event == "action" and r.what == "use_fire_extinguisher"), math.inf)
        started = next(r.t for r in rows if r.event == "inject")
        spread = next((r.t for r in rows if r.event == "inject" and r.what == "fire-spreads"), None)
        out = next((r.t for r in rows if r.event == "fact" and r.what == "fire_out"), None)
        called = any(r.event in ("sent", "omitted") and r.what == "fir-call-119" for r in rows)  # or forgotten
        if spread is None:
            assert out == used and not called  # the extinguisher put it out in time
            outcomes["out"] += 1
        else:
            assert used > spread and called  # not out in time: it spread, and 119 was to be called
            assert spread == pytest.approx(started + 3)
            outcomes["spread"] += 1
    assert outcomes["out"] > outcomes["spread"] > 0


def test_the_msel_tells_the_controllers_which_event_an_inject_waits_for():
    counter = drillsim.load_plan("counter-security")
    rows = msel_rows(counter, load_scenario(builtin_scenarios()["counter-security-fire-small"], counter))
    assert [(r.inject, r.time, r.contingency) for r in rows[1:]] == [
        ("fire-out", "after the first action use_fire_extinguisher at the branch + 0 min",
         "only if not large_fire (large_fire: 火势太大)"),
        ("fire-spreads", "after inject basket-fire + 3 min", "only if not fire_out (fire_out: 火已扑灭)"),
        ("brigade-puts-out", "after the first arrived fire at the branch + 5–20 min (uniform)",
         "only if arrived fire happens"),
    ]


@pytest.mark.parametrize(("scenario_id", "plan_id", "brigade"), [
    ("counter-security-fire", "counter-security", "fire"), ("branch-security-fire", "branch-security", "fire_brigade")])
def test_a_fire_that_spread_is_out_only_after_the_brigade_has_come(scenario_id, plan_id, brigade):
    p = drillsim.load_plan(plan_id)
    model = build_model(p, load_scenario(builtin_scenarios()[scenario_id], p))
    for i in range(100):
        rows = run_replication(model, replication_seed(0, i)).rows
        out = next((r for r in rows if r.event == "fact" and r.what == "fire_out" and r.value), None)
        arrived = next((r.t for r in rows if r.event == "arrived" and r.what == brigade), math.inf)
        spread = any(r.event == "fact" and r.what == "large_fire" for r in rows)
        if out is not None and (spread or scenario_id == "branch-security-fire"):  # its fire is always too large
            assert out.t > arrived
        elif out is not None:  # put out by the extinguisher, at once
            assert any(r.t == out.t and r.what == "use_fire_extinguisher" for r in rows)
