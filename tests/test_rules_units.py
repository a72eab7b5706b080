"""An agency's unit on the scene (agents/unit.py) and duties that change facts (``Duty.sets``).

Times are fixed, so each expectation is worked out by hand: the head reacts (1) and faxes the
vendor at 2 (arrives 2.2); the vendor dispatches (1) and travels (5): on the scene at 8.2. The
engineer reacts (1) and repairs (10): done at 19.2, when ``broken`` becomes false (logged, its
clock stopped) and the engineer faxes the head. The head perceives the fact at once: reacts and
checks at 20.2; the fax, arrived at 19.4 meanwhile, is read after that, with no new reaction. The
engineer, on the scene, perceives the head's check and signs off after a reaction (21.2); a duty of
the vendor's that the incident starts before the unit is there is done by nobody.
"""

from __future__ import annotations

import pytest

from drillsim.spec.errors import InputErrors
from drillsim.spec.plan import parse_plan
from drillsim.spec.yamlio import load_yaml
from tests.test_rules_engine import RULES, plan, run, scenario, timeline

FAX = {"latency": 0.2, "failure": 0}
VENDOR = {"answer": 0.2, "dispatch": 1, "travel": 5}
BREAKS = [{"id": "breaks", "at": 1, "facts": {"broken": True}}]


@pytest.fixture(scope="module")
def unit():
    return plan("unit")


def drill(p, **human):
    return run(p, scenario(p, BREAKS, human=human or None, channels={"fax": FAX}, agencies={"vendor": VENDOR}))


def test_the_vendors_unit_repairs_on_the_scene_changes_the_fact_and_reports_back(unit):
    log = drill(unit)
    assert timeline(log) == [
        (2, "sent", "head-vendor", "head-1", "vendor"),
        (2.2, "received", "head-vendor", "head-1", "vendor"),
        (8.2, "arrived", "vendor", "vendor", None),
        (19.2, "action", "repair", "vendor", None),
        (19.2, "sent", "vendor-done", "vendor", "head-1"),
        (20.2, "action", "check", "head-1", None),
        (20.2, "received", "vendor-done", "vendor", "head-1"),
        (21.2, "action", "sign_off", "vendor", None),
    ]
    facts = [(round(r.t, 6), r.what, r.value) for r in log.rows if r.event == "fact"]
    assert facts == [(1, "broken", True), (19.2, "broken", False), (19.2, "broken_hours", round(18.2 / 60, 6))]


def test_a_unit_still_at_work_when_the_run_stops_is_logged_at_its_site(unit):
    data = scenario(unit, BREAKS, channels={"fax": FAX}, agencies={"vendor": VENDOR},
                    durations={"vendor-repair": 1000})
    log = run(unit, data)
    site = next(r.site for r in log.rows if r.event == "inject")
    unfinished = [(r.what, r.actor, r.site) for r in log.rows if r.event == "unfinished"]
    assert unfinished == [("vendor-repair", "vendor", site)]


def test_a_botched_action_changes_no_fact(unit):
    log = drill(unit, botch={"vendor-repair": 1})
    assert (19.2, "action", "bodge", "vendor", None) in timeline(log)
    assert [r.value for r in log.rows if r.event == "fact" and r.what == "broken"] == [True]
    assert "vendor-done" not in {r.what for r in log.rows}


def test_an_agency_with_no_tasks_arrives_as_itself():
    """Without duties or reports of its role an agency works as before: it arrives and stays."""
    p = plan("sites")
    log = run(p, scenario(p, [{"id": "go", "at": 1}], channels={"phone": {"latency": 0.5, "failure": 0,
              "answer_within": 2, "talk": 1}, "alarm": {"latency": 0.3, "failure": 0}},
              agencies={"police": {"answer": 0.2, "dispatch": 1, "travel": 5, "units": 1}}))
    arrived = [r for r in log.rows if r.event == "arrived"]
    assert [(r.actor_role, r.actor) for r in arrived] == [("police", "police")]
    assert not any(r.event == "action" and r.actor == "police" for r in log.rows)


def test_sets_values_are_typed_as_their_facts():
    """``broken: 否`` is the boolean false, as in a selector's value: the head's check still fires."""
    data, positions = load_yaml(RULES / "unit-plan.yaml")
    data["duties"][0]["sets"] = {"broken": "否"}
    p = parse_plan(data, "unit-plan.yaml", positions)
    log = drill(p)
    assert [r.value for r in log.rows if r.event == "fact" and r.what == "broken"] == [True, False]
    assert (20.2, "action", "check", "head-1", None) in timeline(log)


@pytest.mark.parametrize(("sets", "message"), [
    ({"brokn": False}, "unknown fact 'brokn'"),
    ({"broken_hours": 1}, "'broken_hours' is an elapsed fact: its clock sets it"),
    ({"broken": "maybe"}, "the fact 'broken' is of type bool"),
])
def test_sets_names_facts_of_the_right_type(sets, message):
    data, positions = load_yaml(RULES / "unit-plan.yaml")
    data["duties"][0]["sets"] = sets
    with pytest.raises(InputErrors) as err:
        parse_plan(data, "unit-plan.yaml", positions)
    assert message in str(err.value)
    assert "at duties[0].sets" in str(err.value)


def test_a_built_in_action_sets_no_facts():
    data, positions = load_yaml(RULES / "unit-plan.yaml")
    data["duties"][0] |= {"do": "grade", "botch_as": None}
    with pytest.raises(InputErrors, match="the built-in action 'grade' sets no facts"):
        parse_plan(data, "unit-plan.yaml", positions)
