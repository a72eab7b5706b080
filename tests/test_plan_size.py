"""A plan of many duties, reports and requirements is checked, compiled and made into a scorer with work
that grows as the plan, not as its square: the Python bytecodes executed are counted (not timed) for the
demo plan with 100, 200 and 400 more of each (``benchmarks/plan_sizes.py`` times them). And what a plan
derives from its fields follows a copy of it with other fields."""

from __future__ import annotations

import pickle
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from drillsim.spec.errors import InputError
from drillsim.spec.graph_analysis import analyse
from drillsim.spec.plan import parse_plan

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))

from incident_bytecodes import executed  # benchmarks/, on the path above
from plan_sizes import STEPS, larger, scenario_for


def doubling(prepared: Callable[[int], Callable[[], Any]], n: int = 100) -> float:
    """What the work ``prepared(k)`` returns costs for ``4n`` more items (duties, injects …) over ``2n``,
    against what ``2n`` cost over ``n``, in bytecodes: 2 when linear (exactly, for each step measured here),
    4 when quadratic. After a first run, so that what is done once (an import) is left out."""
    prepared(10)()
    one, two, four = (executed(prepared(k * n)) for k in (1, 2, 4))
    return (four - two) / (two - one)


@pytest.mark.parametrize("step", STEPS)
def test_a_plan_is_checked_compiled_and_made_into_a_scorer_with_work_that_grows_linearly(step):
    def prepared(n: int) -> Callable[[], Any]:
        data = larger(n)
        plan = parse_plan(data)
        args = (data, plan, scenario_for(plan))
        return lambda: STEPS[step](*args)

    assert doubling(prepared) <= 2.1


def test_the_analysis_of_a_plan_grows_linearly():
    # the role graph of the reports is drawn once, not once per deadline over every report (2.2 then);
    # each task's trigger events and each selector's first event are found through an index by event
    # and name (3.0 when each scanned every event)
    def prepared(n: int) -> Callable[[], Any]:
        plan = parse_plan(larger(n))
        return lambda: analyse(plan)

    assert doubling(prepared, 20) <= 2.1


def test_the_analysis_of_deadlines_whose_response_names_no_report_grows_linearly():
    # half the added deadlines answered by whatever reaches the upper office: that response selects every
    # report received there, found once per selector, and its first time is read once per design, not
    # again for each requirement and each role or channel taken away (2.01; 2.16 with the first time read
    # each time, 2.07 under mutmut's trampoline, which adds a linear cost to every call; 2.54 with the
    # reports found each time too)
    def prepared(n: int) -> Callable[[], Any]:
        data = larger(n)
        for req in data["requirements"][-n::2]:
            req["response"] = {"event": "received", "target": "upper_office"}
        plan = parse_plan(data)
        return lambda: analyse(plan)

    assert doubling(prepared, 30) <= 2.05


def test_a_long_loop_of_duties_that_repeat_is_still_found():
    # the guard's last added step starts the first again, and all of them repeat: a loop that never stops
    data = larger(300)
    steps = [d for d in data["duties"] if d["id"].startswith("step-")]
    for duty in steps:
        duty["repeat"] = True
    steps[0]["on"] = {"event": "action", "what": ["lock_cash", "step_299"]}
    with pytest.raises(InputError) as refused:
        parse_plan(data)
    first = data["duties"].index(steps[0])  # the loop is told from its first task, where it is refused
    assert str(refused.value).startswith(f"<plan>: at duties[{first}].repeat these tasks start each other and all "
                                         "repeat, so they never stop: step-0 -> step-1 -> step-2 -> ")
    assert "step-298 -> step-299 -> step-0; let one of them be done once" in str(refused.value)


def test_a_copy_with_other_duties_derives_its_lookups_from_them():
    plan = parse_plan(larger(1))
    assert "step_0" in plan.actions and "step_0" in plan.names_selected["action"]
    assert [d.id for d in plan.duties_doing["step_0"]] == ["step-0"] and "relay-0" in plan.report_by_id
    bare = plan.model_copy(update={"duties": (), "escalation": ()})
    assert "step_0" not in bare.actions and "step_0" not in bare.names_selected["action"]
    assert "step_0" not in bare.duties_doing and not bare.report_by_id and not bare.emitted


def test_a_plan_sent_to_a_worker_carries_its_fields_and_rebuilds_its_lookups():
    plan = parse_plan(larger(1))
    assert "step_0" in plan.actions and plan.grade(plan.initial_facts, "armed_robbery") >= 0  # lookups made
    copy = pickle.loads(pickle.dumps(plan))
    assert set(copy.__dict__) == set(type(plan).model_fields) and copy == plan
    assert copy.actions == plan.actions and copy.names_selected == plan.names_selected
