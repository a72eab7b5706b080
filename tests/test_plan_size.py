"""A plan of many duties, reports and requirements is checked, compiled and made into a scorer with work
that grows as the plan, not as its square: the Python bytecodes executed are counted (not timed) for the
demo plan with 100, 200 and 400 more of each (``benchmarks/plan_sizes.py`` times them). And what a plan
derives from its fields follows a copy of it with other fields."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from drillsim.spec.errors import InputError
from drillsim.spec.plan import parse_plan

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))

from plan_sizes import STEPS, larger, scenario_for  # benchmarks/, on the path above


def bytecodes(work: Callable[[], Any]) -> int:
    """The bytecodes Python executes while ``work`` runs."""
    executed = 0

    def tracer(frame: Any, event: str, _arg: Any) -> Any:
        nonlocal executed
        frame.f_trace_opcodes = True
        executed += event == "opcode"
        return tracer

    sys.settrace(tracer)
    try:
        work()
    finally:
        sys.settrace(None)
    return executed


def grows_linearly(prepared: Callable[[int], Callable[[], Any]]) -> bool:
    """Whether the work ``prepared(n)`` returns, for 400 more items (duties, injects …), costs at most 2.1
    times over 200 what 200 cost over 100: 2 when linear (the bytecodes of each step measured here are
    exactly twice), 4 for what is quadratic. After a first run, so that what is done once (an import) is
    left out."""
    prepared(10)()
    done = {n: bytecodes(prepared(n)) for n in (100, 200, 400)}
    return done[400] - done[200] <= 2.1 * (done[200] - done[100])


@pytest.mark.parametrize("step", STEPS)
def test_a_plan_is_checked_compiled_and_made_into_a_scorer_with_work_that_grows_linearly(step):
    def prepared(n: int) -> Callable[[], Any]:
        data = larger(n)
        plan = parse_plan(data)
        args = (data, plan, scenario_for(plan))
        return lambda: STEPS[step](*args)

    assert grows_linearly(prepared)


def test_a_long_loop_of_duties_that_repeat_is_still_found():
    # the guard's last added step starts the first again, and all of them repeat: a loop that never stops
    data = larger(300)
    steps = [d for d in data["duties"] if d["id"].startswith("step-")]
    for duty in steps:
        duty["repeat"] = True
    steps[0]["on"] = {"event": "action", "what": ["lock_cash", "step_299"]}
    with pytest.raises(InputError) as refused:
        parse_plan(data)
    assert "step-0 -> step-1" in str(refused.value) and "step-299 -> step-0" in str(refused.value)


def test_a_copy_with_other_duties_derives_its_lookups_from_them():
    plan = parse_plan(larger(1))
    assert "step_0" in plan.actions and "step_0" in plan.names_selected["action"]
    assert [d.id for d in plan.duties_doing["step_0"]] == ["step-0"] and "relay-0" in plan.report_by_id
    bare = plan.model_copy(update={"duties": (), "escalation": ()})
    assert "step_0" not in bare.actions and "step_0" not in bare.names_selected["action"]
    assert "step_0" not in bare.duties_doing and not bare.report_by_id and not bare.emitted
