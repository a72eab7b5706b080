"""A person's rules (agents/person.py): one thing at a time from a queue of jobs — ringing phones
first, then messages, then duties by priority — with a reaction time only when they turn to work
from idleness. Times are fixed, so every expectation is worked out by hand (docs/testing.md)."""

from __future__ import annotations

import pytest

from drillsim.spec.plan import parse_plan
from drillsim.spec.yamlio import load_yaml
from tests.test_rules_engine import RULES, plan, run, scenario, timeline

PHONE = {"latency": 0.5, "failure": 0, "answer_within": 10, "talk": 1}
FAX = {"latency": 0.2, "failure": 0}


@pytest.fixture(scope="module")
def queue():
    return plan("queue")


def test_a_ringing_phone_waits_for_the_job_in_hand_and_then_comes_before_other_work(queue):
    # t=1 incident; the clerk reacts (1) and does `first` (2) until 4. The writer reacts and faxes
    # at 2 (arrives 2.2); the caller reacts and dials at 2, ringing from 2.5. At 4 the clerk takes
    # the phone before the fax and `second`: received 4, talk 1, acknowledged 5; then reads the fax
    # at 5 with no new reaction (still at work), then `second` (3) until 8.
    log = run(queue, scenario(queue, [{"id": "go", "at": 1}], channels={"phone": PHONE, "fax": FAX},
                              human={"omission": {"fax-office": 1}}))
    clerk = [row for row in timeline(log) if "clerk-1" in (row[3], row[4])]
    assert clerk == [
        (2, "sent", "call-clerk", "caller-1", "clerk-1"),
        (2, "sent", "fax-clerk", "writer-1", "clerk-1"),
        (4, "action", "first_job", "clerk-1", None),
        (4, "received", "call-clerk", "caller-1", "clerk-1"),
        (5, "acknowledged", "call-clerk", "caller-1", "clerk-1"),
        (5, "received", "fax-clerk", "writer-1", "clerk-1"),
        (8, "action", "second_job", "clerk-1", None),
    ]


def test_a_reaction_time_comes_only_before_the_first_job_after_being_idle(queue):
    # `first` and `second` run back to back (reaction 1 once: 2 + 2 = 4, then 4 + 3 = 7); the clerk is
    # idle from 7, so `later` at 20 costs a reaction again: 20 + 1 + 1 = 22.
    log = run(queue, scenario(queue, [{"id": "go", "at": 1}, {"id": "later", "at": 20}],
                              human={"omission": {"call-clerk": 1, "fax-clerk": 1, "fax-office": 1}}))
    assert timeline(log, "action") == [(4, "action", "first_job", "clerk-1", None),
                                       (7, "action", "second_job", "clerk-1", None),
                                       (22, "action", "later_job", "clerk-1", None)]


def test_a_roles_own_reaction_time_is_its_peoples_and_no_one_elses(queue):
    # as above with the clerk reacting in 3 instead of 1: 1 + 3 + 2 = 6, then 6 + 3 = 9, and 20 + 3 + 1
    # = 24; the writer's own reaction (9) changes nothing of the clerk's
    log = run(queue, scenario(queue, [{"id": "go", "at": 1}, {"id": "later", "at": 20}],
                              human={"omission": {"call-clerk": 1, "fax-clerk": 1, "fax-office": 1},
                                     "reaction_by_role": {"clerk": 3, "writer": 9}}))
    assert timeline(log, "action") == [(6, "action", "first_job", "clerk-1", None),
                                       (9, "action", "second_job", "clerk-1", None),
                                       (24, "action", "later_job", "clerk-1", None)]


def test_duties_run_by_priority_then_in_plan_order(queue):
    # `routine` (priority 2) comes before `urgent` (priority 1) in the plan; `first` and `second`
    # share priority 0 and keep their plan order (test above)
    log = run(queue, scenario(queue, [{"id": "order", "at": 1}]))
    assert [r[2] for r in timeline(log, "action")] == ["urgent_job", "routine_job"]


def test_an_office_reads_with_handling_time_and_the_least_busy_member_perceives(queue):
    # the fax reaches the office at 2.2 and goes to office-1 (both idle: the first by name), who
    # reacts (1) and reads (2): received 5.2. The alarm at 3 is perceived by the least busy member,
    # office-2 (office-1 is reading), who reacts and watches at 4; `who: all` gives office-1 the
    # stand-by too, done at 5.2 straight after reading.
    log = run(queue, scenario(queue, [{"id": "go", "at": 1}, {"id": "alarm", "at": 3, "facts": {"alarm": True}}],
                              channels={"fax": FAX}, human={"omission": {"call-clerk": 1, "fax-clerk": 1}}))
    office = [row for row in timeline(log) if "office" in f"{row[3]}{row[4]}"]
    assert office == [
        (2, "sent", "fax-office", "writer-1", "office-1"),
        (4, "action", "watch", "office-2", None),
        (4, "action", "stand_by", "office-2", None),
        (5.2, "received", "fax-office", "writer-1", "office-1"),
        (5.2, "action", "stand_by", "office-1", None),
    ]


def test_an_office_does_a_task_once_whichever_member_did_it(queue):
    # office-2 watches at the first alarm (office-1 is reading, as above); at the second, office-1
    # would be the least busy, but the office has watched already
    log = run(queue, scenario(queue, [{"id": "go", "at": 1}, {"id": "alarm", "at": 3, "facts": {"alarm": True}},
                                      {"id": "calm", "at": 10, "facts": {"alarm": False}},
                                      {"id": "alarm-again", "at": 20, "facts": {"alarm": True}}],
                              channels={"fax": FAX}, human={"omission": {"call-clerk": 1, "fax-clerk": 1}}))
    assert [r[:4] for r in timeline(log, "action") if r[2] == "watch"] == [(4, "action", "watch", "office-2")]


def test_with_equal_load_the_first_member_by_name_perceives(queue):
    log = run(queue, scenario(queue, [{"id": "alarm", "at": 3, "facts": {"alarm": True}}]))
    assert [r[3] for r in timeline(log, "action") if r[2] == "watch"] == ["office-1"]


def test_an_absent_person_perceives_nothing_but_picks_up_the_phone_if_reachable(queue):
    # absent, the clerk does neither duty; reachable, they read the fax that came at 2.2 (reaction 1:
    # 3.2), and only then answer the phone that has rung since 2.5 (no reaction: 3.2), talk 1 (4.2)
    log = run(queue, scenario(queue, [{"id": "go", "at": 1}], channels={"phone": PHONE, "fax": FAX},
                              human={"omission": {"fax-office": 1}}) | _absent("clerk"))
    assert [row for row in timeline(log) if "clerk-1" in (row[3], row[4])] == [
        (2, "sent", "call-clerk", "caller-1", "clerk-1"),
        (2, "sent", "fax-clerk", "writer-1", "clerk-1"),
        (3.2, "received", "fax-clerk", "writer-1", "clerk-1"),
        (3.2, "received", "call-clerk", "caller-1", "clerk-1"),
        (4.2, "acknowledged", "call-clerk", "caller-1", "clerk-1"),
    ]


def test_an_absent_unreachable_person_never_answers_and_their_mail_is_left_unfinished(queue):
    clerk = queue.roles["clerk"].model_copy(update={"reachable": 0.0})
    alone = queue.model_copy(update={"roles": {**queue.roles, "clerk": clerk}})
    log = run(alone, scenario(alone, [{"id": "go", "at": 1}], channels={"phone": PHONE, "fax": FAX},
                              human={"omission": {"fax-office": 1}}) | _absent("clerk"))
    assert [row for row in timeline(log) if "clerk-1" in (row[3], row[4])] == [
        (2, "sent", "call-clerk", "caller-1", "clerk-1"),
        (2, "sent", "fax-clerk", "writer-1", "clerk-1"),
        (12.5, "unanswered", "call-clerk", "caller-1", "clerk-1"),  # rang from 2.5 for answer_within 10
        (240, "unfinished", "fax-clerk", "clerk-1", None),
    ]


def _absent(role: str) -> dict:
    return {"branches": [{"id": "branch", "presence": {role: 0.0}}]}


def test_omission_botch_and_task_time(queue):
    # react 1 from 1: `check` takes 2 and is botched (open_safe at 4); omitted, it is logged at once (2)
    # and the next duty starts then, with no reaction (tidy_desk at 2)
    botched = run(queue, scenario(queue, [{"id": "check", "at": 1}], human={"botch": {"check": 1}}))
    assert timeline(botched, "action", "omitted") == [(4, "action", "open_safe", "clerk-1", None),
                                                     (4, "action", "tidy_desk", "clerk-1", None)]
    omitted = run(queue, scenario(queue, [{"id": "check", "at": 1}], human={"omission": {"check": 1}}))
    assert timeline(omitted, "action", "omitted") == [(2, "omitted", "check_safe", "clerk-1", None),
                                                     (2, "action", "tidy_desk", "clerk-1", None)]


def test_default_omission_spares_built_in_actions_and_default_botch_spares_duties_without_botch_as(queue):
    log = run(queue, scenario(queue, [{"id": "come", "at": 1}, {"id": "check", "at": 5}],
                              human={"omission": {"default": 1, "check": 0}, "botch": {"default": 1}},
                              travel={"office": 3}))
    assert timeline(log, "action", "omitted", "arrived") == [
        (2.5, "arrived", "clerk", "clerk-1", None),  # go_to_scene is never omitted: 1 + 1 + 0.5
        (4.5, "omitted", "open_up", "clerk-1", None),  # told on arrival that `open` holds: 2.5 + delay 1 + 1
        (5, "arrived", "office", "office-1", None),  # an office member always travels: 1 + 1 + 3
        (8, "action", "open_safe", "clerk-1", None),  # 5 + 1 + 2, botched
        (8, "omitted", "tidy_desk", "clerk-1", None),  # by the default omission
    ]


def test_someone_arriving_learns_the_standing_facts_and_a_delay_counts_from_when_they_became_so(queue):
    # the absent clerk is summoned by a fax sent at 2 (arrives 2.2, read after a reaction at 3.2),
    # sets off at once (travel 7: arrives 10.2) and so misses the alarm at 3. On arrival they learn
    # it and, still at work, raise it and hear it at once. `quick_check` (delay 5) was due at 8, so
    # it is handed over at once, when the clerk has just gone idle: a reaction, 11.2. `open` has been
    # true from the start, so its delay (1) counts from the arrival: 11.2. `recheck` is due 30 after
    # the alarm itself: 33, and the idle clerk reacts (34).
    data = scenario(queue, [{"id": "summon", "at": 1}, {"id": "alarm", "at": 3, "facts": {"alarm": True}}],
                    channels={"fax": FAX}, travel={"clerk": 7}) | _absent("clerk")
    assert [r for r in timeline(run(queue, data), "action", "arrived") if r[3] == "clerk-1"] == [
        (10.2, "arrived", "clerk", "clerk-1", None),
        (10.2, "action", "raise_alarm", "clerk-1", None),
        (10.2, "action", "hear_alarm", "clerk-1", None),
        (11.2, "action", "quick_check", "clerk-1", None),
        (11.2, "action", "open_up", "clerk-1", None),
        (34, "action", "recheck", "clerk-1", None),
    ]


def test_someone_arriving_is_not_told_of_a_fact_that_does_not_hold(queue):
    # `clerk-hear` has no condition: were the false alarm told on arrival (10.2), it would run
    data = scenario(queue, [{"id": "summon", "at": 1}], channels={"fax": FAX}, travel={"clerk": 7}) | _absent("clerk")
    assert [r[2] for r in timeline(run(queue, data), "action", "arrived") if r[3] == "clerk-1"] == ["clerk", "open_up"]


def test_what_is_in_hand_and_queued_when_the_run_stops_is_unfinished_in_queue_order(queue):
    # stopped at 3: the clerk is doing `first` (till 4) with the phone ringing, the fax and `second`
    # queued; the caller waits on the line; office-1 is still reacting to its fax (till 3.2)
    log = run(queue, scenario(queue, [{"id": "go", "at": 1}], channels={"phone": PHONE, "fax": FAX}) | {"horizon": 3})
    assert timeline(log, "unfinished") == [
        (3, "unfinished", "first", "clerk-1", None),
        (3, "unfinished", "call-clerk", "clerk-1", None),
        (3, "unfinished", "fax-clerk", "clerk-1", None),
        (3, "unfinished", "second", "clerk-1", None),
        (3, "unfinished", "call-clerk", "caller-1", None),
        (3, "unfinished", "fax-office", "office-1", None),
    ]


def test_a_task_queued_several_times_when_the_run_stops_is_unfinished_once():
    # `later`, repeated on every inject, is queued at 1, 2.5 and 2.6 behind the clerk's `first` (2 to
    # 4) and `second`: stopped at 3, each is unfinished once (read back, a repeated row is a warning)
    data, _ = load_yaml(RULES / "queue-plan.yaml")
    later = next(d for d in data["duties"] if d["id"] == "later")
    later.update({"on": {"event": "inject"}, "repeat": True})
    p = parse_plan(data)
    injects = [{"id": "go", "at": 1}, {"id": "a", "at": 2.5}, {"id": "b", "at": 2.6}]
    log = run(p, scenario(p, injects, channels={"phone": PHONE, "fax": FAX}) | {"horizon": 3})
    assert [r[2] for r in timeline(log, "unfinished") if r[3] == "clerk-1"] == [
        "first", "call-clerk", "fax-clerk", "second", "later"]


def test_a_message_goes_to_a_member_who_answers_before_one_who_does_not(queue):
    # each office member is on duty with chance 0.5 and never answers when off; those on duty stand
    # by at the alarm (so the log shows who they are), and the fax sent later, when all are idle,
    # goes to the first of them by name
    office = queue.roles["office"].model_copy(update={"reachable": 0.0})
    strict = queue.model_copy(update={"roles": {**queue.roles, "office": office}})
    mixed = 0
    for seed in range(1, 13):
        data = scenario(strict, [{"id": "alarm", "at": 1, "facts": {"alarm": True}}, {"id": "go", "at": 5}],
                        channels={"fax": FAX},
                        presence={"office": 0.5}, human={"omission": {"call-clerk": 1, "fax-clerk": 1}})
        log = run(strict, data, seed)
        on_duty = sorted(r[3] for r in timeline(log, "action") if r[2] == "stand_by")
        mixed += len(on_duty) == 1
        got = [r[4] for r in timeline(log, "received") if r[2] == "fax-office"]
        assert got == on_duty[:1], seed
    assert mixed  # some seeds had one member on duty and one off


def test_a_job_interrupts_the_customer_being_served(queue):
    # a customer takes 100 min: at 30 the teller is serving one, and leaves them for the job (30 + 1)
    data = scenario(queue, [{"id": "rob", "at": 30}]) | {
        "branches": [{"id": "branch", "customers": {"arrivals_per_hour": 60, "service": 100}}]}
    assert timeline(run(queue, data), "action") == [(31, "action", "press_alarm", "teller-1", None)]
