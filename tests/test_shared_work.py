"""Shared and interruptible work: a duty of several roles, a task that stops others, queued work
passing to a free colleague, calls on the way to the scene, and actions logged as started and done.

Times are fixed (reaction 1, phone latency 0.5, answer within 2, talk 1, travel 10), so each timeline
is worked out by hand, as in tests/test_rules_engine.py. The plan is tests/data/rules/shared-plan.yaml.
"""

from __future__ import annotations

from typing import Any

import pytest

from drillsim.scoring.scorecard import Scorer
from drillsim.spec.errors import InputError
from drillsim.spec.plan import Plan, parse_plan
from drillsim.spec.yamlio import load_yaml
from tests.test_rules_engine import RULES, plan, run, scenario, timeline

PHONE = {"latency": 0.5, "failure": 0, "answer_within": 2, "talk": 1}
WORK = ("started", "action", "omitted", "stopped")


@pytest.fixture(scope="module")
def shared() -> Plan:
    return plan("shared")


def changed(edit) -> Plan:
    """The shared plan with ``edit`` applied to its data."""
    data, _ = load_yaml(RULES / "shared-plan.yaml")
    edit(data)
    return parse_plan(data)


def drill(p: Plan, injects: list[dict], presence: dict[str, float] | None = None, travel: float = 10,
          **human: Any) -> dict:
    data = scenario(p, injects, human, channels={"phone": PHONE, "in_person": PHONE}, travel={"head": travel})
    return data | {"branches": [{"id": "branch", "presence": {"head": 0.0, **(presence or {})}}]}


def outcomes(p: Plan, log) -> dict[str, str]:
    frame = Scorer(p).score(log).to_frame().set_index("id")
    return frame["outcome"].to_dict()


# A duty for several roles --------------------------------------------------------------------


def test_a_duty_for_two_roles_goes_to_the_first_listed_when_both_are_free(shared):
    # fire at 1: guard and lobby manager both idle, a tie: the guard (listed first) reacts, cuts the
    # power 2 to 3; fighting the fire (lobby manager or guard) is the guard's, who cut the power
    # (the actor of its trigger): 3 to 8. Once: the lobby manager does neither.
    log = run(shared, drill(shared, [{"id": "fire", "at": 1}]))
    assert timeline(log, *WORK) == [
        (2, "started", "cut_power", "guard-1", None),
        (3, "action", "cut_power", "guard-1", None),
        (3, "started", "fight_fire", "guard-1", None),
        (8, "action", "fight_fire", "guard-1", None),
    ]


def test_a_duty_for_two_roles_is_done_by_whichever_is_free(shared):
    # the guard's patrol (0.5: reacts, 1.5 to 11.5) keeps him busy when the fire comes at 1: the idle
    # lobby manager cuts the power (2 to 3) and then fights the fire (3 to 8).
    log = run(shared, drill(shared, [{"id": "patrol", "at": 0.5}, {"id": "fire", "at": 1}]))
    assert timeline(log, *WORK) == [
        (1.5, "started", "patrol", "guard-1", None),
        (2, "started", "cut_power", "lobby_manager-1", None),
        (3, "action", "cut_power", "lobby_manager-1", None),
        (3, "started", "fight_fire", "lobby_manager-1", None),
        (8, "action", "fight_fire", "lobby_manager-1", None),
        (11.5, "action", "patrol", "guard-1", None),
    ]


def test_a_duty_for_two_roles_is_done_by_the_one_present(shared):
    log = run(shared, drill(shared, [{"id": "fire", "at": 1}], presence={"guard": 0.0}))
    assert {r.actor for r in log.rows if r.event in WORK} == {"lobby_manager-1"}


def test_an_omitted_duty_of_two_roles_passes_to_the_other_role_once(shared):
    # the guard omits cutting the power (2, after his reaction): the lobby manager is handed it, reacts
    # and omits it too (3); each role has had it once, so no one else is, and no fire is fought.
    log = run(shared, drill(shared, [{"id": "fire", "at": 1}], omission={"cut-power": 1.0}))
    assert timeline(log, *WORK) == [
        (2, "omitted", "cut_power", "guard-1", None),
        (3, "omitted", "cut_power", "lobby_manager-1", None),
    ]


def test_a_duty_handed_on_after_an_omission_is_done_for_its_branch():
    # cutting the power now sets power_off. Omitted half the time: with seed 7 the guard omits it (2)
    # and the lobby manager, handed it, does it (3 to 4): power_off is set at the branch, and the
    # fire fought after it there.
    def edit(d):
        d["facts"]["power_off"] = {"type": "bool", "default": False}
        d["duties"][1]["sets"] = {"power_off": True}
    p = changed(edit)
    log = run(p, drill(p, [{"id": "fire", "at": 1}], omission={"cut-power": 0.5}), seed=7)
    assert timeline(log, *WORK)[:3] == [
        (2, "omitted", "cut_power", "guard-1", None),
        (3, "started", "cut_power", "lobby_manager-1", None),
        (4, "action", "cut_power", "lobby_manager-1", None),
    ]
    assert [(round(r.t, 6), r.site, r.what) for r in log.rows if r.event == "fact"] == [(4, "branch", "power_off")]


def test_an_omitted_duty_of_one_role_stays_omitted(shared):
    one = changed(lambda d: d["duties"][1].update(role="guard"))
    log = run(one, drill(one, [{"id": "fire", "at": 1}], omission={"cut-power": 1.0}))
    assert timeline(log, *WORK) == [(2, "omitted", "cut_power", "guard-1", None)]


# Stop and evacuate ----------------------------------------------------------------------------


def test_an_evacuation_stops_saving_cash_and_the_prohibition_is_met(shared):
    # cash at 1: teller-1 saves it from 2 (10 min, due 12); its start queues the counting (teller-1,
    # its actor). The fire spreads at 5: the evacuation, for each teller, stops teller-1's work at
    # once — the queued counting dropped, the saving abandoned (no save_cash action) — and is done
    # first, with no new reaction: 5 to 6. Teller-2, idle, reacts: 6 to 7.
    injects = [{"id": "cash", "at": 1}, {"id": "spread", "at": 5, "facts": {"fire_spread": True}}]
    log = run(shared, drill(shared, injects))
    assert timeline(log, *WORK) == [
        (2, "started", "save_cash", "teller-1", None),
        (5, "stopped", "count-cash", "teller-1", None),
        (5, "stopped", "save-cash", "teller-1", None),
        (5, "started", "evacuate", "teller-1", None),
        (6, "action", "evacuate", "teller-1", None),
        (6, "started", "evacuate", "teller-2", None),
        (7, "action", "evacuate", "teller-2", None),
    ]
    assert outcomes(shared, log)["NO-CASH"] == "met"


def test_without_stops_the_cash_is_saved_after_the_spread_and_the_prohibition_is_violated(shared):
    # the same drill, the evacuation without `stops`: teller-1 saves the cash until 12, after the spread.
    loose = changed(lambda d: d["duties"][6].pop("stops"))
    injects = [{"id": "cash", "at": 1}, {"id": "spread", "at": 5, "facts": {"fire_spread": True}}]
    log = run(loose, drill(loose, injects))
    assert (12, "action", "save_cash", "teller-1", None) in timeline(log, *WORK)
    assert not [r for r in log.rows if r.event == "stopped"]
    assert outcomes(loose, log)["NO-CASH"] == "violated"


def test_a_stop_drops_only_the_tasks_it_names(shared):
    # opening the vault queued on teller-1 too when the saving starts (2, after the counting: priority
    # 7): the spread at 5 drops the counting and ends the saving, but the vault waits out the
    # evacuation (5 to 6) and is opened next, with no new reaction: 6 to 9.
    vault = changed(lambda d: d["duties"][4].update(on={"event": "started", "what": "save_cash"}, priority=7))
    injects = [{"id": "cash", "at": 1}, {"id": "spread", "at": 5, "facts": {"fire_spread": True}}]
    log = run(vault, drill(vault, injects))
    assert [r for r in timeline(log, *WORK) if r[3] == "teller-1"] == [
        (2, "started", "save_cash", "teller-1", None),
        (5, "stopped", "count-cash", "teller-1", None),
        (5, "stopped", "save-cash", "teller-1", None),
        (5, "started", "evacuate", "teller-1", None),
        (6, "action", "evacuate", "teller-1", None),
        (6, "started", "open_vault", "teller-1", None),
        (9, "action", "open_vault", "teller-1", None),
    ]


def test_a_stop_that_comes_during_an_interruption_ends_the_paused_job_when_it_would_resume(shared):
    # an alarm (for each teller, interrupting) at 3 pauses teller-1's saving (begun at 2); teller-2,
    # idle, reacts: 4. The spread at 4 drops teller-1's queued counting and marks the paused saving;
    # the evacuation waits for the alarm (3 to 5), is done 5 to 6, and the saving, about to resume,
    # ends there. Teller-2's alarm, in hand at 4, is paused for the evacuation (4 to 5) and then takes
    # the 2 minutes it still needs: 5 to 7, with no second start.
    alarm = changed(lambda d: d["duties"].append(
        {"id": "raise-alarm", "role": "teller", "on": {"event": "inject", "what": "alarm"}, "do": "raise_alarm",
         "takes": 2, "interrupts": True, "who": "all"}))
    injects = [{"id": "cash", "at": 1}, {"id": "alarm", "at": 3},
               {"id": "spread", "at": 4, "facts": {"fire_spread": True}}]
    log = run(alarm, drill(alarm, injects))
    rows = timeline(log, *WORK)
    assert [r for r in rows if r[3] == "teller-1"] == [
        (2, "started", "save_cash", "teller-1", None),
        (3, "started", "raise_alarm", "teller-1", None),
        (4, "stopped", "count-cash", "teller-1", None),
        (5, "action", "raise_alarm", "teller-1", None),
        (5, "started", "evacuate", "teller-1", None),
        (6, "action", "evacuate", "teller-1", None),
        (6, "stopped", "save-cash", "teller-1", None),
    ]
    assert [r for r in rows if r[3] == "teller-2"] == [
        (4, "started", "raise_alarm", "teller-2", None),
        (4, "started", "evacuate", "teller-2", None),
        (5, "action", "evacuate", "teller-2", None),
        (7, "action", "raise_alarm", "teller-2", None),
    ]
    assert outcomes(alarm, log)["NO-CASH"] == "met"


def test_an_interrupting_duty_sets_its_facts_at_its_branch(shared):
    # the alarm (interrupting, for each teller) now reports the spread: teller-1, saving the cash since
    # 2, raises it at once (3 to 5) and so sets fire_spread at the branch at 5 (teller-2, who reacted
    # first, at 4 to 6, finds it set): the evacuation follows there, and the saving ends.
    alarm = changed(lambda d: d["duties"].append(
        {"id": "raise-alarm", "role": "teller", "on": {"event": "inject", "what": "alarm"}, "do": "raise_alarm",
         "takes": 2, "interrupts": True, "who": "all", "sets": {"fire_spread": True}}))
    log = run(alarm, drill(alarm, [{"id": "cash", "at": 1}, {"id": "alarm", "at": 3}]))
    assert [(round(r.t, 6), r.site, r.value) for r in log.rows if r.event == "fact" and r.what == "fire_spread"] \
        == [(5, "branch", True)]
    assert (6, "stopped", "save-cash", "teller-1", None) in timeline(log, *WORK)


def test_a_stop_with_nothing_to_stop_logs_nothing(shared):
    log = run(shared, drill(shared, [{"id": "spread", "at": 5, "facts": {"fire_spread": True}}]))
    assert not [r for r in log.rows if r.event == "stopped"]
    assert [r.actor for r in log.rows if r.event == "action"] == ["teller-1", "teller-2"]


# Queued work passes to a free colleague -----------------------------------------------------------


def test_queued_work_passes_to_a_colleague_who_becomes_free(shared):
    # cash at 1: teller-1 saves it 2 to 12, and its start queues the counting on teller-1. The vault at
    # 1 goes to teller-2 (less busy): 2 to 5. Free at 5, teller-2 takes the counting from teller-1's
    # queue (no new reaction): 5 to 7, not 12 to 14.
    log = run(shared, drill(shared, [{"id": "cash", "at": 1}, {"id": "vault", "at": 1}]))
    assert timeline(log, *WORK) == [
        (2, "started", "save_cash", "teller-1", None),
        (2, "started", "open_vault", "teller-2", None),
        (5, "action", "open_vault", "teller-2", None),
        (5, "started", "count_cash", "teller-2", None),
        (7, "action", "count_cash", "teller-2", None),
        (12, "action", "save_cash", "teller-1", None),
    ]


def test_queued_work_taken_over_is_stopped_in_the_hands_of_who_took_it(shared):
    # as above, and the fire spreads at 6: the evacuation stops teller-1's saving and the counting teller-2
    # took over (5 to 7) alike; both evacuate 6 to 7, and the cash is never counted.
    injects = [{"id": "cash", "at": 1}, {"id": "vault", "at": 1},
               {"id": "spread", "at": 6, "facts": {"fire_spread": True}}]
    log = run(shared, drill(shared, injects))
    assert timeline(log, *WORK)[3:] == [
        (5, "started", "count_cash", "teller-2", None),
        (6, "stopped", "save-cash", "teller-1", None),
        (6, "started", "evacuate", "teller-1", None),
        (6, "stopped", "count-cash", "teller-2", None),
        (6, "started", "evacuate", "teller-2", None),
        (7, "action", "evacuate", "teller-1", None),
        (7, "action", "evacuate", "teller-2", None),
    ]


def test_queued_work_passes_to_a_colleague_of_another_role_the_duty_names(shared):
    # the guard patrols (1.5 to 11.5) and the lobby manager greets (1.5 to 4.5) when the fire comes at 1:
    # cutting the power (guard or lobby manager) queues on the guard, the first listed of two as busy.
    # Free at 4.5, the lobby manager takes it from the guard's queue, with no new reaction: 4.5 to 5.5.
    greet = changed(lambda d: d["duties"].append(
        {"id": "greet", "role": "lobby_manager", "on": {"event": "inject", "what": "greet"}, "do": "greet",
         "takes": 3}))
    log = run(greet, drill(greet, [{"id": "patrol", "at": 0.5}, {"id": "greet", "at": 0.5}, {"id": "fire", "at": 1}]))
    assert timeline(log, *WORK)[:5] == [
        (1.5, "started", "patrol", "guard-1", None),
        (1.5, "started", "greet", "lobby_manager-1", None),
        (4.5, "action", "greet", "lobby_manager-1", None),
        (4.5, "started", "cut_power", "lobby_manager-1", None),
        (5.5, "action", "cut_power", "lobby_manager-1", None),
    ]


def test_queued_work_passes_to_a_colleague_past_a_call_waiting_in_the_same_queue(shared):
    # as above, and a teller phones the patrolling guard at 3 (ringing from 3.5, unanswered at 5.5):
    # the call waits first in the guard's queue, and stays his; the lobby manager, free at 4.5, takes the
    # cutting of the power queued behind it.
    def edit(d):
        d["duties"].append({"id": "greet", "role": "lobby_manager", "on": {"event": "inject", "what": "greet"},
                            "do": "greet", "takes": 3})
        d["escalation"].append({"id": "tell-guard", "from": "teller", "to": "guard", "channel": "phone",
                                "on": {"event": "inject", "what": "ring"}})
    p = changed(edit)
    log = run(p, drill(p, [{"id": "patrol", "at": 0.5}, {"id": "greet", "at": 0.5}, {"id": "fire", "at": 1},
                           {"id": "ring", "at": 2}]))
    assert timeline(log, *WORK, "sent", "unanswered")[:6] == [
        (1.5, "started", "patrol", "guard-1", None),
        (1.5, "started", "greet", "lobby_manager-1", None),
        (3, "sent", "tell-guard", "teller-1", "guard-1"),
        (4.5, "action", "greet", "lobby_manager-1", None),
        (4.5, "started", "cut_power", "lobby_manager-1", None),
        (5.5, "unanswered", "tell-guard", "teller-1", "guard-1"),
    ]


def test_work_for_each_person_does_not_pass(shared):
    # the counting for each teller (who: all) is teller-1's own: it waits for teller-1 (12 to 14).
    each = changed(lambda d: d["duties"][5].update(who="all"))
    log = run(each, drill(each, [{"id": "cash", "at": 1}, {"id": "vault", "at": 1}]))
    assert [r[:4] for r in timeline(log, "action")] == [
        (5, "action", "open_vault", "teller-2"), (12, "action", "save_cash", "teller-1"),
        (14, "action", "count_cash", "teller-1")]


# Calls on the way to the scene ----------------------------------------------------------------------


def test_a_person_phones_from_the_road(shared):
    # the head, away, picks up the lobby manager's call at 2.5 (talk to 3.5) and learns: he sets off at
    # once (10 min, arrives 13.5) and phones the office from the road: sent 3.5, picked up 4, done 5.
    # The lobby manager's second call (dialled 7, ringing 7.5) is answered on the way. The note needs
    # the scene: 13.5 to 14.5.
    log = run(shared, drill(shared, [{"id": "call", "at": 1}, {"id": "again", "at": 6}]))
    assert [r for r in timeline(log, "sent", "received", "acknowledged", "unanswered", "arrived", "action")
            if "head-1" in r] == [
        (2, "sent", "tell-head", "lobby_manager-1", "head-1"),
        (2.5, "received", "tell-head", "lobby_manager-1", "head-1"),
        (3.5, "acknowledged", "tell-head", "lobby_manager-1", "head-1"),
        (3.5, "sent", "head-to-office", "head-1", "office-1"),
        (4, "received", "head-to-office", "head-1", "office-1"),
        (5, "acknowledged", "head-to-office", "head-1", "office-1"),
        (7, "sent", "tell-head-again", "lobby_manager-1", "head-1"),
        (7.5, "received", "tell-head-again", "lobby_manager-1", "head-1"),
        (8.5, "acknowledged", "tell-head-again", "lobby_manager-1", "head-1"),
        (13.5, "arrived", "head", "head-1", None),
        (14.5, "action", "take_note", "head-1", None),
    ]


def test_a_channel_that_does_not_work_on_the_road_waits_for_the_arrival(shared):
    # the same drill in person: the report to the office waits for the arrival (sent 13.5, done 15),
    # the second call rings out on the road (unanswered 9.5), the note after the report: 15 to 16.
    walk = changed(lambda d: [t.update(channel="in_person") for t in d["escalation"]])
    log = run(walk, drill(walk, [{"id": "call", "at": 1}, {"id": "again", "at": 6}]))
    assert [r for r in timeline(log, "sent", "received", "acknowledged", "unanswered", "arrived", "action")
            if "head-1" in r and r[0] > 5] == [
        (7, "sent", "tell-head-again", "lobby_manager-1", "head-1"),
        (9.5, "unanswered", "tell-head-again", "lobby_manager-1", "head-1"),
        (13.5, "arrived", "head", "head-1", None),
        (13.5, "sent", "head-to-office", "head-1", "office-1"),
        (14, "received", "head-to-office", "head-1", "office-1"),
        (15, "acknowledged", "head-to-office", "head-1", "office-1"),
        (16, "action", "take_note", "head-1", None),
    ]


def test_arrival_is_logged_when_the_journey_ends_even_mid_call(shared):
    # a journey of 1 min (3.5 to 4.5) ends during the call to the office (4 to 5): the head is logged as
    # arrived at 4.5 all the same, and the note waits for the call: 5 to 6.
    log = run(shared, drill(shared, [{"id": "call", "at": 1}], travel=1))
    rows = [r for r in timeline(log, "received", "acknowledged", "arrived", "action") if "head-1" in r]
    assert rows[-4:] == [(4, "received", "head-to-office", "head-1", "office-1"),
                         (4.5, "arrived", "head", "head-1", None),
                         (5, "acknowledged", "head-to-office", "head-1", "office-1"),
                         (6, "action", "take_note", "head-1", None)]


# An office member's work about a branch ---------------------------------------------------------------
# The office learns of the incident from the head's call (received 2.5, acknowledged 3.5): what it does
# about the branch after that is logged at the branch, not at the office, however it comes to do it.

OPEN_FILE = {"id": "office-file", "role": "office", "on": {"event": "received", "what": "head-to-office"},
             "do": "open_file", "takes": 10}
CALL_HEAD = {"id": "office-head", "from": "office", "to": "head", "channel": "phone"}


def office_rows(log) -> list[tuple]:
    """(minute, site, event, what) of the office member's own rows after it learned."""
    return [(round(r.t, 6), r.site, r.event, r.what) for r in log.rows
            if r.actor == "office-1" and r.event not in ("learned", "sent", "received")]


def told_office(p: Plan, injects: list[dict]) -> dict:
    """The head on site calls the office at 2 (the lobby manager's call at 1); the office travels 12 min."""
    data = drill(p, [{"id": "call", "at": 1}, *injects], presence={"head": 1.0})
    data["parameters"]["travel"]["office"] = 12
    return data


def closing_on_the_spread(*stops: str) -> dict:
    """The office's duty to close the file (1 min) when the fire spreads, stopping ``stops``."""
    return {"id": "office-close", "role": "office", "on": {"event": "fact", "what": "fire_spread"},
            "when": "fire_spread", "do": "close_file", "takes": 1, "stops": list(stops)}


def test_an_office_member_s_stopped_work_is_logged_at_the_branch():
    # the file (3.5 to 13.5) and the counting queued behind it; the spread at 9 stops both, and the
    # closing of the file is done at once: 9 to 10.
    def edit(d):
        d["duties"] += [OPEN_FILE, {"id": "office-count", "role": "office", "do": "count_staff", "takes": 2,
                                    "on": {"event": "received", "what": "head-to-office"}, "priority": 6},
                        closing_on_the_spread("office-file", "office-count")]
    p = changed(edit)
    log = run(p, told_office(p, [{"id": "spread", "at": 9, "facts": {"fire_spread": True}}]))
    assert office_rows(log) == [
        (3.5, "branch", "started", "open_file"),
        (9, "branch", "stopped", "office-count"),
        (9, "branch", "stopped", "office-file"),
        (9, "branch", "started", "close_file"),
        (10, "branch", "action", "close_file"),
    ]


def test_an_office_member_s_interrupting_work_is_logged_at_the_branch():
    # the spread at 5 interrupts the file (3.5 to 5, 8.5 left): the warning 5 to 6, the file 6 to 14.5.
    def edit(d):
        d["duties"] += [OPEN_FILE, {"id": "office-warn", "role": "office", "do": "warn", "takes": 1, "interrupts": True,
                                    "on": {"event": "fact", "what": "fire_spread"}, "when": "fire_spread"}]
    p = changed(edit)
    log = run(p, told_office(p, [{"id": "spread", "at": 5, "facts": {"fire_spread": True}}]))
    assert office_rows(log) == [
        (3.5, "branch", "started", "open_file"),
        (5, "branch", "started", "warn"),
        (6, "branch", "action", "warn"),
        (14.5, "branch", "action", "open_file"),
    ]


def two_office_members(d: dict) -> None:
    """Two office members; whoever is told by the head opens the file (10 min) and counts the staff
    after it (2 min); the lobby manager phones the office on the inject ``again``."""
    d["roles"]["office"]["count"] = 2
    d["duties"] += [OPEN_FILE, {"id": "office-count", "role": "office", "do": "count_staff", "takes": 2,
                                "on": {"event": "received", "what": "head-to-office"}, "priority": 6}]
    d["escalation"].append({"id": "tell-office", "from": "lobby_manager", "to": "office", "channel": "phone",
                            "on": {"event": "inject", "what": "again"}})


def test_an_office_member_free_takes_a_colleague_s_queued_task_about_a_branch():
    # two office members: office-1 takes the head's call and opens the file (3.5 to 13.5), the
    # counting queued behind it. The lobby manager's call at 6.5 goes to office-2, the one free: done
    # at 8, office-2 takes the counting from office-1's queue, with no new reaction: 8 to 10.
    p = changed(two_office_members)
    log = run(p, told_office(p, [{"id": "again", "at": 3}]))
    assert [(round(r.t, 6), r.event, r.what, r.actor) for r in log.rows
            if r.event in WORK and r.actor.startswith("office")] == [
        (3.5, "started", "open_file", "office-1"),
        (8, "started", "count_staff", "office-2"),
        (10, "action", "count_staff", "office-2"),
        (13.5, "action", "open_file", "office-1"),
    ]


def test_an_office_member_taking_a_colleague_s_task_about_another_branch_learns_of_its_incident():
    # two branches: west's head calls the office at 2 (office-1: the file 3.5 to 13.5, the counting
    # queued); east's lobby manager and head call at 5.5, both to office-2, told of east only. Free at
    # 8, office-2 takes west's counting from office-1's queue and so learns of west's incident then.
    p = changed(two_office_members)
    data = scenario(p, [{"id": "call", "at": 1, "branches": ["west"]}, {"id": "again", "at": 3, "branches": ["east"]}],
                    channels={"phone": PHONE}, travel={"head": 10, "office": 12})
    branches = [{"id": "west", "presence": {"head": 1.0}}, {"id": "east", "presence": {"head": 0.0}}]
    log = run(p, data | {"branches": branches})
    assert [(round(r.t, 6), r.site, r.event, r.what) for r in log.rows
            if r.actor == "office-2" and r.event in ("learned", *WORK)] == [
        (6, "east", "learned", "incident"),
        (8, "west", "learned", "incident"),
        (8, "west", "started", "count_staff"),
        (10, "west", "action", "count_staff"),
    ]


def on_the_road(d: dict) -> None:
    """The office sets off for the branch when told, and phones the head from the road."""
    d["duties"].append({"id": "office-come", "role": "office", "do": "go_to_scene", "priority": 5,
                        "on": {"event": "received", "what": "head-to-office"}})
    d["escalation"].append({**CALL_HEAD, "on": {"event": "received", "what": "head-to-office"}, "priority": 6})


def test_an_office_member_s_call_from_the_road_is_logged_at_the_branch():
    # set off at 3.5 (arrives 15.5): the call to the head from the road, picked up 4.5, done 5.5
    p = changed(on_the_road)
    log = run(p, told_office(p, []))
    rows = [(round(r.t, 6), r.site, r.event, r.what) for r in log.rows if r.what == "office-head"]
    assert rows == [(3.5, "branch", "sent", "office-head"), (4.5, "branch", "received", "office-head"),
                    (5.5, "branch", "acknowledged", "office-head")]
    assert office_rows(log)[-1] == (15.5, "branch", "arrived", "office")


def test_a_call_from_the_road_stopped_while_under_way_is_finished_and_the_journey_goes_on():
    # the spread at 5.2 stops the call to the head, which is under way (4.5 to 5.5): it is finished all
    # the same, not logged as stopped; the closing, not a job for the road, waits for the arrival.
    def edit(d):
        on_the_road(d)
        d["duties"].append(closing_on_the_spread("office-head"))
    p = changed(edit)
    log = run(p, told_office(p, [{"id": "spread", "at": 5.2, "facts": {"fire_spread": True}}]))
    assert office_rows(log) == [
        (5.5, "branch", "acknowledged", "office-head"),
        (15.5, "branch", "arrived", "office"),
        (15.5, "branch", "started", "close_file"),
        (16.5, "branch", "action", "close_file"),
    ]


def test_an_interrupting_call_stopped_while_under_way_is_finished_and_the_paused_job_resumes():
    # the spread at 5 interrupts the file (3.5 to 5, 8.5 left) with a call to the head; its pick-up at
    # 5.5 gives the closing, which stops the call under way: the call is done all the same (to 6.5),
    # then the closing (6.5 to 7.5), then the file for the time it still needs (7.5 to 16).
    def edit(d):
        d["duties"] += [OPEN_FILE, {"id": "office-halt", "role": "office", "do": "close_file", "takes": 1,
                                    "on": {"event": "received", "what": "office-head"}, "stops": ["office-head"]}]
        d["escalation"].append({**CALL_HEAD, "on": {"event": "fact", "what": "fire_spread"}, "when": "fire_spread",
                                "interrupts": True})
    p = changed(edit)
    log = run(p, told_office(p, [{"id": "spread", "at": 5, "facts": {"fire_spread": True}}]))
    assert office_rows(log) == [
        (3.5, "branch", "started", "open_file"),
        (6.5, "branch", "acknowledged", "office-head"),
        (6.5, "branch", "started", "close_file"),
        (7.5, "branch", "action", "close_file"),
        (16, "branch", "action", "open_file"),
    ]


# Started and done ----------------------------------------------------------------------------------


def test_a_requirement_on_the_start_of_an_action_differs_from_one_on_its_end(shared):
    # fire at 1: fighting it starts at 3 (2 min: 开始扑救 within 4 met) and ends at 8 (7 min: 扑灭 late).
    log = run(shared, drill(shared, [{"id": "fire", "at": 1}]))
    result = outcomes(shared, log)
    assert (result["FIGHT-START"], result["FIGHT-END"]) == ("met", "late")


def test_an_instant_action_has_no_started_row(shared):
    instant = changed(lambda d: d["duties"][1].update(takes=0))
    log = run(instant, drill(instant, [{"id": "fire", "at": 1}]))
    assert timeline(log, "started", "action")[:2] == [(2, "action", "cut_power", "guard-1", None),
                                                      (2, "started", "fight_fire", "guard-1", None)]


def test_a_chain_of_thousands_of_instant_duties_is_done_one_after_another_in_one_moment():
    # 3,000 duties of the guard, each on the action of the one before, none taking time: after the fire
    # (cut 2 to 3, fought 3 to 8), all done at 8 in their order. A person goes on to the next job that
    # ends at once in a loop, not by a call from the end of the last (3,000 calls deep would overflow).
    steps = 3000

    def chain(data: dict) -> None:
        data["duties"] += [{"id": f"step-{i}", "role": "guard", "do": f"step_{i}",
                            "on": {"event": "action", "what": f"step_{i - 1}" if i else "fight_fire"}}
                           for i in range(steps)]

    chained = changed(chain)
    log = run(chained, drill(chained, [{"id": "fire", "at": 1}], presence={"lobby_manager": 0.0}))
    done = [(r.t, r.what) for r in log.rows if r.event == "action" and r.what.startswith("step_")]
    assert done == [(8, f"step_{i}") for i in range(steps)]


# Bad plans --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("edit", "place", "message"), [
    (lambda d: d["duties"][1].update(role=["guard", "lobby_manger"]), "duties[1].role[1]",
     "unknown role 'lobby_manger' (did you mean 'lobby_manager'?)"),
    (lambda d: d["duties"][1].update(role=["guard", "guard"]), "duties[1].role", "each role is named once"),
    (lambda d: d["duties"][1].update(role=[]), "duties[1].role", "a role is named (role: guard) or listed"),
    (lambda d: d["duties"][6].update(stops=["save-cahs"]), "duties[6].stops[0]",
     "unknown duty or report 'save-cahs' (did you mean 'save-cash'?)"),
    (lambda d: d["duties"][6].update(stops=["evacuate"]), "duties[6].stops[0]", "unknown duty or report 'evacuate'"),
])
def test_a_bad_role_list_or_stop_is_refused_with_its_place(edit, place, message):
    with pytest.raises(InputError) as err:
        changed(edit)
    assert place in str(err.value) and message in str(err.value), str(err.value)


# What reads a duty's roles ------------------------------------------------------------------------


def test_everything_that_reads_a_duty_s_role_reads_each_of_several(shared, tmp_path):
    from drillsim.reports.msel import msel_rows
    from drillsim.scoring.checks import roles_of
    from drillsim.spec.lint import plan_warnings
    from drillsim.spec.scenario import parse_scenario
    from drillsim.spec.schema import Selector

    assert roles_of(Selector(event="action", what="cut_power"), shared) == {"guard", "lobby_manager"}
    rows = msel_rows(shared, parse_scenario(drill(shared, [{"id": "fire", "at": 1}]), shared))
    assert "保安人员 (guard) / 大堂经理 (lobby_manager)" in " ".join(rows[0].actions)
    assert {"保安人员 (guard)", "大堂经理 (lobby_manager)"} <= set(rows[0].receivers)
    nobody = changed(lambda d: d["roles"]["lobby_manager"].update(count=0))
    assert any("'lobby_manager' has duties" in w.message for w in plan_warnings(nobody, "plan.yaml"))


# A real drill's log ------------------------------------------------------------------------------------


def test_a_drill_log_records_started_and_stopped_rows(shared, tmp_path):
    from drillsim.log.drill_log import read_drill_log

    path = tmp_path / "drill.csv"
    path.write_text("时间,事件,执行人,事项\n2026-06-15 10:01:00,情景,,cash\n10:02:00,开始,柜员-1,save_cash\n"
                    "10:05:00,停止,柜员-1,save-cash\n10:05:00,started,柜员-1,evacuate\n", encoding="utf-8")
    rows = [(r.event, r.what, r.actor) for r in read_drill_log(path, shared).rows]
    assert rows[1:] == [("started", "save_cash", "teller-1"), ("stopped", "save-cash", "teller-1"),
                        ("started", "evacuate", "teller-1")]
    path.write_text("时间,事件,执行人,事项\n2026-06-15 10:01:00,情景,,cash\n10:05:00,停止,柜员-1,save_cash\n",
                    encoding="utf-8")
    with pytest.raises(InputError) as err:
        read_drill_log(path, shared)
    assert "unknown duty or report 'save_cash' (what was stopped): did you mean save-cash?" in str(err.value)


def watched(response: dict, inject: str, observed: set[str]) -> dict[str, str]:
    """The outcomes of the shared plan with a deadline ``WATCHED`` (from ``inject`` to ``response``), the
    inject at 1, scored as a real drill whose evaluators watched the ``observed`` roles."""
    p = changed(lambda d: d["requirements"].append({
        "id": "WATCHED", "title": "观察", "clause": "test", "capability": "c", "kind": "deadline",
        "trigger": {"event": "inject", "what": inject}, "response": response, "within": "4min"}))
    log = run(p, drill(p, [{"id": inject, "at": 1}]))
    return {r.id: r.outcome.value for r in Scorer(p).score(log, observed=frozenset(observed)).results}


def test_a_requirement_on_an_action_no_duty_does_is_judged_with_no_one_to_watch():
    # grading, an action every plan has, but no duty of this plan's: no role's doing, so a real drill's
    # evaluators (here watching the guard) cannot have missed it; it is missed. Teller work is unwatched.
    assert watched({"event": "action", "what": "grade"}, "fire", {"guard"}) == {
        "NO-CASH": "not_evaluated", "FIGHT-START": "met", "FIGHT-END": "late", "WATCHED": "missed"}


@pytest.mark.parametrize(("response", "evaluated"), [
    ({"event": "received", "what": "tell-head"}, False),  # the lobby manager's report: nobody watched him
    ({"event": "received", "target": "head"}, False),  # every report to the head is the lobby manager's
    ({"event": "received", "target": "head", "channel": "in_person"}, True),  # no report goes in person
])
def test_a_report_s_requirement_is_its_sender_s_doing(response, evaluated):
    # the evaluators watched the head alone: a requirement on reports only the lobby manager sends is not
    # evaluated; one that no report can meet is nobody's doing, and is judged
    assert (watched(response, "call", {"head"})["WATCHED"] != "not_evaluated") is evaluated


@pytest.mark.parametrize(("response", "evaluated"), [
    ({"event": "action"}, True),  # any action: the head's note among them, and the head was watched
    ({"event": "arrived", "actor": "guard"}, False),  # the guard's arrival: nobody watched him
])
def test_an_action_s_requirement_is_the_doing_of_the_roles_that_do_it(response, evaluated):
    assert (watched(response, "fire", {"head"})["WATCHED"] != "not_evaluated") is evaluated
