"""What people know (``Replication.learn``) and tasks that interrupt the job in hand.

A person learns of an incident by perceiving it (on site when something of it happens there), by
being told (a call picked up, a fax read) or by arriving on the scene; the tasks triggered by
learning (``on: {event: learned}``) start on the first of these, and someone on the scene already
is logged as arrived at once. A task with ``interrupts: true`` pauses the job in hand while that job
takes its time; the job then goes on for the time it still needed. Times are fixed (reaction 1,
handling 2, phone latency 0.5 and talk 1, fax latency 0.2, travel 10), so the timelines are worked
out by hand, as in tests/test_rules_engine.py; then the same rules on the shipped plans.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import drillsim
from drillsim.scoring.scorecard import Scorer
from drillsim.sim.engine import run_replication
from drillsim.spec.errors import InputError
from drillsim.spec.plan import Plan, load_plan, parse_plan
from drillsim.spec.yamlio import load_yaml
from tests.test_engine import model_with
from tests.test_rules_engine import RULES, plan, run, scenario, timeline

PHONE = {"latency": 0.5, "failure": 0, "answer_within": 2, "talk": 1}
FAX = {"latency": 0.2, "failure": 0}


@pytest.fixture(scope="module")
def knowing():
    return plan("knowing")


def drill(p, injects: list[dict], head: float) -> dict:
    data = scenario(p, injects, channels={"phone": PHONE, "fax": FAX}, travel={"head": 10})
    return data | {"branches": [{"id": "branch", "presence": {"head": head}}]}


def test_someone_on_site_learns_by_perceiving_and_is_on_the_scene_at_once(knowing):
    # go at 1: the head is on site and perceives it. On learning: on the scene at once (arrived 1, no
    # reaction); the fax to the office (priority 1) after a reaction, sent 2 (arrives 2.2); the note
    # (priority 6) 2 to 3. The clerk's call (sent 2, ringing 2.5) waits for the note: picked up 3,
    # acknowledged 4 — being told again starts nothing. The office reads the fax 2.2 + 1 + 2 = 5.2,
    # learns, and opens its file 6.2.
    assert timeline(run(knowing, drill(knowing, [{"id": "go", "at": 1}], head=1.0))) == [
        (1, "arrived", "head", "head-1", None),
        (2, "sent", "tell-office", "head-1", "office-1"),
        (2, "sent", "tell-head", "clerk-1", "head-1"),
        (3, "action", "take_note", "head-1", None),
        (3, "received", "tell-head", "clerk-1", "head-1"),
        (4, "acknowledged", "tell-head", "clerk-1", "head-1"),
        (5.2, "received", "tell-office", "head-1", "office-1"),
        (6.2, "action", "open_file", "office-1", None),
    ]


def test_someone_away_learns_when_told_and_then_travels(knowing):
    # the head is away and perceives nothing: he learns when he picks up the clerk's call at 2.5
    # (acknowledged 3.5). Still at work after the call, no new reaction: the fax 3.5 (read 3.7 + 3 =
    # 6.7, file 7.7), then the journey (10): arrived 13.5, the note 14.5.
    assert timeline(run(knowing, drill(knowing, [{"id": "go", "at": 1}], head=0.0))) == [
        (2, "sent", "tell-head", "clerk-1", "head-1"),
        (2.5, "received", "tell-head", "clerk-1", "head-1"),
        (3.5, "acknowledged", "tell-head", "clerk-1", "head-1"),
        (3.5, "sent", "tell-office", "head-1", "office-1"),
        (6.7, "received", "tell-office", "head-1", "office-1"),
        (7.7, "action", "open_file", "office-1", None),
        (13.5, "arrived", "head", "head-1", None),
        (14.5, "action", "take_note", "head-1", None),
    ]


def learned(log) -> list[tuple]:
    """(minute, who, how, channel, message number) of every `learned` row."""
    return [(round(r.t, 6), r.actor, r.value, r.channel, r.ref) for r in log.rows if r.event == "learned"]


def office_rows(log) -> list[tuple]:
    return [(round(r.t, 6), r.event, r.what) for r in log.rows if r.actor == "office-1"]


def test_the_log_shows_who_learned_of_the_incident_when_and_how(knowing):
    # the clerk (present) and the desk (which monitors every site) perceive the inject at 1; the head,
    # away, is told by the clerk's call (message 1, picked up 2.5); the office by the head's fax
    # (message 2, read 6.7)
    assert learned(run(knowing, drill(knowing, [{"id": "go", "at": 1}], head=0.0))) == [
        (1, "clerk-1", "perceived", None, None), (1, "desk-1", "perceived", None, None),
        (2.5, "head-1", "told", "phone", 1), (6.7, "office-1", "told", "fax", 2),
    ]


def test_an_office_that_has_not_been_told_does_not_act_on_a_fact(knowing):
    # the alert at 1 is at the branch; the head is away and nobody tells the office: it never knows,
    # so its duty on the alert never starts (it used to perceive every fact of every site)
    log = run(knowing, drill(knowing, [{"id": "a", "at": 1, "facts": {"alert": True}}], head=0.0))
    assert office_rows(log) == []
    assert "office-1" not in [who for _, who, *_ in learned(log)]


def test_an_office_told_of_an_incident_acts_on_the_facts_that_stand_then_follows_it(knowing):
    # the head on site perceives the alert at 1 and faxes the office (sent 2, read 2.2 + 1 + 2 = 5.2):
    # told, the office knows the alert that stands and acts on it after opening its file (6.2)
    log = run(knowing, drill(knowing, [{"id": "a", "at": 1, "facts": {"alert": True}}], head=1.0))
    assert office_rows(log) == [(5.2, "learned", "incident"), (5.2, "started", "open_file"),
                                (6.2, "action", "open_file"), (6.2, "action", "raise_alarm")]
    # told of the incident at 5.2, it follows it: the alert at 10 reaches it at once (reaction 1: 11)
    log = run(knowing, drill(knowing, [{"id": "go", "at": 1}, {"id": "a", "at": 10, "facts": {"alert": True}}],
                             head=1.0))
    assert office_rows(log) == [(5.2, "learned", "incident"), (5.2, "started", "open_file"),
                                (6.2, "action", "open_file"), (11, "action", "raise_alarm")]


def test_an_office_told_of_one_branch_does_not_perceive_another(knowing):
    # east's head faxes the office about east (read 5.2); the alert at west at 10 is west's, which
    # nobody has told the office of: it opens east's file and does not act on west's alert
    data = scenario(knowing, [{"id": "go", "at": 1, "branches": ["east"]},
                              {"id": "a", "at": 10, "facts": {"alert": True}, "branches": ["west"]}],
                    channels={"phone": PHONE, "fax": FAX}, travel={"head": 10})
    log = run(knowing, data | {"branches": [{"id": "east"}, {"id": "west", "presence": {"head": 0.0}}]})
    assert [(t, r.site, r.event, r.what) for t, r in ((round(r.t, 6), r) for r in log.rows)
            if r.actor == "office-1"] == [(5.2, "east", "learned", "incident"), (5.2, "east", "started", "open_file"),
                                          (6.2, "east", "action", "open_file")]


def visiting_plan() -> Plan:
    """The knowing plan with the head looking round at the ``look`` injects (and going to the first one's
    scene) and told again at ``back``."""
    data, _ = load_yaml(RULES / "knowing-plan.yaml")
    data["duties"] += [{"id": f"head-{look}", "role": "head", "on": {"event": "inject", "what": look}, "do": "look"}
                       for look in ("look", "look-again")]
    data["duties"] += [{"id": "head-stay", "role": "head", "on": {"event": "inject", "what": "look"},
                        "do": "go_to_scene", "priority": 6},
                       {"id": "clerk-tidy", "role": "clerk", "on": {"event": "inject", "what": "look"}, "do": "tidy",
                        "who": "all"}]
    data["escalation"].append({"id": "tell-head-back", "from": "clerk", "to": "head", "channel": "phone",
                               "on": {"event": "inject", "what": "back"}})
    return parse_plan(data)


@pytest.mark.parametrize("head", [1.0, 0.0])
def test_a_head_sent_to_another_branch_travels_there_and_perceives_only_where_they_are(head):
    # west has no head: its clerk's call (picked up 2.5, acknowledged 3.5) goes to east's head, on site
    # at east or away. Either way he travels to west (10): the fax 3.5, arrived 13.5, the note 13.5 to
    # 14.5. At 20 (``look`` at both branches) he is at west: he looks round there (reaction 1: 21) and is
    # on its scene at once, and does not perceive east's. Told of east at 31.5 (called 31, acknowledged
    # 32.5), he faxes the office and travels back (arrived 42.5, note 43.5); at 50 he looks round at
    # east, not at west.
    p = visiting_plan()
    data = scenario(p, [{"id": "go", "at": 1, "branches": ["west"]}, {"id": "look", "at": 20},
                        {"id": "back", "at": 30, "branches": ["east"]}, {"id": "look-again", "at": 50}],
                    channels={"phone": PHONE, "fax": FAX}, travel={"head": 10})
    data |= {"branches": [{"id": "east", "presence": {"head": head}}, {"id": "west", "staffing": {"head": 0}}]}
    log = run(p, data)
    assert [(round(r.t, 6), r.site, r.event, r.what) for r in log.rows if "east/head-1" in (r.actor, r.target)
            and r.event not in ("sent", "received", "acknowledged", "started")] == [
        (2.5, "west", "learned", "incident"),
        (13.5, "west", "arrived", "head"), (14.5, "west", "action", "take_note"),
        (21, "west", "action", "look"), (21, "west", "arrived", "head"),
        (31.5, "east", "learned", "incident"),
        (42.5, "east", "arrived", "head"), (43.5, "east", "action", "take_note"),
        (51, "east", "action", "look"),
    ]
    # the visitor perceives the events of his own role only: every clerk tidies, he does not
    assert [(r.site, r.actor) for r in log.rows if r.what == "tidy"] == [("east", "east/clerk-1"),
                                                                        ("west", "west/clerk-1")]


def test_an_office_member_on_the_way_to_a_branch_stays_on_duty_and_is_not_counted_twice_there():
    # the office reads the head's fax at 5.2 (sent 2), opens its file (6.2) and sets off (10): arrived
    # 16.2. It still follows the branch on the way: the ping at 10 is noted on arrival (16.2); the ping
    # at 20 once (a repeated task, given to each perceiver: reaction 1, 21)
    data, _ = load_yaml(RULES / "knowing-plan.yaml")
    data["duties"] += [{"id": "office-come", "role": "office", "on": {"event": "learned"}, "do": "go_to_scene"},
                       *({"id": f"office-{ping}", "role": "office", "on": {"event": "inject", "what": ping},
                          "do": "note_ping", "repeat": True, "who": "all", "priority": 6}
                         for ping in ("ping", "ping-again"))]
    p = parse_plan(data)
    log = run(p, scenario(p, [{"id": "go", "at": 1}, {"id": "ping", "at": 10}, {"id": "ping-again", "at": 20}],
                          channels={"phone": PHONE, "fax": FAX}, travel={"office": 10}))
    assert [(round(r.t, 6), r.event, r.what) for r in log.rows
            if r.actor == "office-1" and r.event in ("arrived", "action")] == [
        (6.2, "action", "open_file"), (16.2, "arrived", "office"), (16.2, "action", "note_ping"),
        (21, "action", "note_ping")]


def test_a_deadline_counts_from_when_someone_learned_of_the_incident(knowing):
    # R2: the office opens its file within 2 min of learning of the incident (told 6.7, file 7.7)
    log = run(knowing, drill(knowing, [{"id": "go", "at": 1}], head=0.0))
    result = next(r for r in Scorer(knowing).score(log).results if r.id == "R2")
    assert (result.outcome.value, round(result.since, 6), round(result.at, 6)) == ("met", 6.7, 7.7)
    # nobody tells the office: nothing to count from
    log = run(knowing, drill(knowing, [{"id": "a", "at": 1, "facts": {"alert": True}}], head=0.0))
    assert next(r for r in Scorer(knowing).score(log).results if r.id == "R2").outcome.value \
        == "not_applicable"


def test_a_monitoring_office_learns_at_the_first_event_of_a_site_without_being_told(knowing):
    log = run(knowing, drill(knowing, [{"id": "go", "at": 1}, {"id": "a", "at": 10, "facts": {"alert": True}}],
                             head=1.0))
    assert [(t, how) for t, who, how, *_ in learned(log) if who == "desk-1"] == [(1, "perceived")]


def test_a_task_that_interrupts_pauses_the_job_in_hand_which_keeps_its_time(knowing):
    # write at 1: the desk, which monitors, perceives it: the file (priority 5) 2 to 3, then the
    # writing (60) from 3, due at 63. The alert at 12 interrupts it: the check 12
    # to 14; the writing has 51 left: done at 65. The notice at 20 does not interrupt: it waits, 66.
    injects = [{"id": "write", "at": 1}, {"id": "a", "at": 12, "facts": {"alert": True}},
               {"id": "n", "at": 20, "facts": {"notice": True}}]
    assert timeline(run(knowing, drill(knowing, injects, head=0.0))) == [
        (3, "action", "open_file", "desk-1", None),
        (14, "action", "check", "desk-1", None),
        (65, "action", "write_report", "desk-1", None),
        (66, "action", "note_it", "desk-1", None),
    ]


def test_a_queued_task_that_interrupts_goes_before_the_job_in_hand_takes_its_time(knowing):
    # the alert at 1.5 comes while the desk reacts (1 to 2) before its file: nothing to pause
    # yet, so the check goes first when the file would start taking its time: 2 to 4, the file 5,
    # the writing 65
    injects = [{"id": "write", "at": 1}, {"id": "a", "at": 1.5, "facts": {"alert": True}}]
    assert timeline(run(knowing, drill(knowing, injects, head=0.0))) == [
        (4, "action", "check", "desk-1", None),
        (5, "action", "open_file", "desk-1", None),
        (65, "action", "write_report", "desk-1", None),
    ]


# The shipped plans ------------------------------------------------------------------------------

def outcomes(plan_id: str, scenario_id: str, ids: list[str], seeds: range, **changes) -> dict[str, list[str]]:
    p = drillsim.load_plan(plan_id)
    model, scorer = model_with(p, scenario_id, **changes), Scorer(p)
    out: dict[str, list[str]] = {i: [] for i in ids}
    for seed in seeds:
        frame = scorer.score(run_replication(model, seed)).to_frame().set_index("id")
        for i in ids:
            out[i].append(frame.loc[i, "outcome"])
    return out


def test_a_branch_head_on_site_is_on_the_scene_at_once_and_phones_the_office_untold():
    # the review's run: seed 7, head on site. He used to learn only from the lobby manager's call,
    # which he left unanswered while preserving the scene (ROB-13 missed)
    p = drillsim.load_plan("counter-robbery")
    log = run_replication(model_with(p, branches__0__presence={"branch_head": 1.0}), 7)
    start = next(r.t for r in log.rows if r.event == "inject")
    assert [r.t for r in log.rows if r.event == "arrived" and r.what == "branch_head"] == [start]
    frame = Scorer(p).score(log).to_frame().set_index("id")
    assert frame.loc[["ROB-10", "ROB-13"], "outcome"].tolist() == ["met", "met"]
    told = [r.t for r in log.rows if r.event == "received" and r.what == "report-head"]
    calls = [r.t for r in log.rows if r.event == "sent" and r.what == "head-phone-office"]
    assert calls and calls[0] < min(told, default=float("inf"))  # he phones before anyone tells him


@pytest.mark.parametrize(("scenario_id", "req", "changes"), [
    ("it-outage-two-provinces", "IT-12", {}),  # two provinces, I at 3 h
    ("it-outage-one-province", "IT-11", {}),   # one province, II at 3 h
    ("it-data-leak", "IT-14", {}),             # harm found especially serious: I
])
def test_an_office_writing_its_report_still_regrades_on_time(scenario_id, req, changes):
    # the emergency office's one handler writes the regulator's report (median 3 h) from soon after
    # the first level; its grading interrupts the writing, so a level rising meanwhile is declared
    # within the `regrade` tolerance (before the change: 12 of 33 runs, 26 of 64, 18 of 31)
    got = outcomes("it-incident-grading", scenario_id, [req, "IT-16" if req != "IT-11" else "IT-15"],
                   range(100), **changes)
    for results in got.values():
        applies = [o for o in results if o != "not_applicable"]
        assert len(applies) >= 20
        assert applies.count("met") >= 0.9 * len(applies), results


# Bad input ----------------------------------------------------------------------------------------

KNOWING = (RULES / "knowing-plan.yaml").read_text("utf-8")


@pytest.mark.parametrize(("old", "new", "where", "message"), [
    ("{id: head-come, role: head, on: {event: learned}", "{id: head-come, role: head, on: {event: learned, what: go}",
     "duties[0].on.what", "a `learned` trigger takes no `what`"),
    ("{id: head-come, role: head, on: {event: learned},", "{id: head-come, role: head, on: {event: learned}, "
     "repeat: true,", "duties[0].repeat", "`repeat` has no meaning on it"),
    ("response: {event: arrived, what: head}", "response: {event: learned, value: heard}",
     "requirements[0].response.value", "a `learned` row's value is how the person learned: one of perceived, told, "
     "arrived; got 'heard'"),
    ("response: {event: arrived, what: head}", "response: {event: learned, what: fire}",
     "requirements[0].response.what", "unknown learned name 'fire'; known: incident"),
])
def test_a_learned_trigger_is_for_tasks_and_takes_nothing_else(tmp_path: Path, old, new, where, message):
    assert old in KNOWING
    path = tmp_path / "p.yaml"
    path.write_text(KNOWING.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_plan(path)
    text = str(err.value)
    assert text.startswith(f"{path}:") and where in text and message in text, text
