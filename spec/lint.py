"""Warnings about plans and scenarios that load, run and score, but that a reader should look at.

``plan_warnings`` and ``scenario_warnings`` return :class:`InputWarning` s naming the file, the line
and the place, as errors do (the line is read again from ``source`` when it is a file).
"""

from __future__ import annotations

from typing import Any

from .errors import InputError, InputWarning
from .plan import Duty, Plan, task_loops, task_place
from .scenario import Scenario, earliest
from .yamlio import Path_, load_yaml, locate


def _locator(source: str) -> tuple[Any, dict[Path_, int]]:
    try:
        return load_yaml(source)
    except InputError:
        return None, {}


def _warning(source: str, where: tuple[Any, dict[Path_, int]], loc: Path_, message: str) -> InputWarning:
    place, line = locate(loc, *where)
    return InputWarning(source, message, place, line)


def plan_warnings(plan: Plan, source: str) -> list[InputWarning]:
    """Loops of tasks that stop only because a task is done once; roles with no one to do their duties."""
    where = _locator(source)
    out = []
    tasks = (*plan.duties, *plan.escalation)
    for loop, endless in task_loops(plan):
        if not endless:  # an endless loop is an error (spec.plan._check_references)
            ids = " -> ".join(tasks[i].id for i in (*loop, loop[0]))
            out.append(_warning(source, where, (*task_place(plan, loop[0]), "on"),
                                f"these tasks start each other: {ids}; the loop stops only because a task in it "
                                "is done once per incident"))
    busy = {r for t in tasks for r in (t.roles if isinstance(t, Duty) else (t.from_,))}
    for rid, role in plan.roles.items():
        if role.count == 0 and rid in busy and role.kind != "agency":
            unless = ("; a scenario's branch may staff it (branches[].staffing)" if role.kind == "staff"
                      else "; no scenario can change an office's count")
            out.append(_warning(source, where, ("roles", rid, "count"),
                                f"role {rid!r} has duties or reports but count 0, so no one does them{unless}"))
    return out


def scenario_warnings(scenario: Scenario, plan: Plan, source: str) -> list[InputWarning]:
    """Branch roles with duties that no branch staffs; injects that cannot happen within the horizon."""
    where = _locator(source)
    out = []
    busy = {r for d in plan.duties for r in d.roles} | {r.from_ for r in plan.escalation}
    for rid, role in plan.roles.items():
        if role.kind == "staff" and rid in busy and all(b.staffing.get(rid, role.count) == 0
                                                         for b in scenario.branches):
            loc: Path_ = next((("branches", i, "staffing", rid) for i, b in enumerate(scenario.branches)
                               if rid in b.staffing), ("branches",))
            out.append(_warning(source, where, loc, f"no branch has anyone of role {rid!r}, so its duties and "
                                "reports are never done"))
    for i, inject in enumerate(scenario.injects):
        soonest = earliest(inject)
        if inject.after is None and soonest >= scenario.horizon:
            out.append(_warning(source, where, ("injects", i, "at"),
                                f"inject {inject.id!r} comes at {soonest:g} min or later, after the horizon "
                                f"({scenario.horizon:g} min), so it never happens"))
    return out
