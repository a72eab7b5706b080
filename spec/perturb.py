"""What-if changes of a drill, for the planner's stress tests: each a :class:`Perturbation`, a list
of values set at paths into the plan or the scenario as an experiment's factors set them
(``plan.roles.branch_head.count``; :func:`drillsim.spec.experiment.set_path`).

The families, each one change at a time against the unchanged drill:

* ``absent`` — a role the plan gives work to has nobody (its count, and every branch's staffing
  of it, 0);
* ``channel`` — a channel the escalation uses is down for the whole drill (reports go by the
  channel's ``fallback`` where the plan names one);
* ``staffing`` — lunch hour, night and a public holiday (:data:`SHIFTS` says what each changes);
* ``combined`` — a second incident at the same time: another scenario's injects at the same
  branch, or at a second branch;
* ``load`` — the same incident at many branches at once, sharing the offices and agencies.

:func:`configure` turns a perturbation into a checked plan and scenario, so that a change the
files cannot take is an :class:`~drillsim.spec.errors.InputError` naming the perturbation.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import chinese_calendar

from .errors import InputError
from .experiment import set_path
from .plan import Plan, parse_plan
from .scenario import Scenario, parse_scenario

Change = tuple[str, Any]
NIGHT_START = "02:00"
"""When a night-time drill starts, local time: the branch closed, no customers."""
LOAD_BRANCHES = (1, 5, 20, 100)


@dataclass(frozen=True)
class Perturbation:
    id: str
    """``family:name``, e.g. ``absent:branch_head``; the configuration's name in the batch."""
    subject: str
    """What it changes: a role id, a channel id, a shift, a scenario id, a number of branches."""
    label: dict[str, str]
    """What it is, in each report language (``en``, ``zh``)."""
    changes: tuple[Change, ...] = ()
    scenario: dict[str, Any] | None = None
    """A whole new scenario (a load or a combined incident), instead of changes to the drill's own."""

    @property
    def family(self) -> str:
        return self.id.split(":", 1)[0]


@dataclass(frozen=True)
class Drill:
    """A plan and a scenario as checked models, with the file data perturbations change."""

    plan: Plan
    scenario: Scenario
    plan_data: dict[str, Any]
    scenario_data: dict[str, Any]
    plan_source: str
    scenario_source: str


def configure(drill: Drill, pert: Perturbation) -> tuple[Plan, Scenario]:
    """The plan and scenario with the perturbation's changes, checked as files are."""
    plan_data = copy.deepcopy(drill.plan_data)
    scenario_data = copy.deepcopy(pert.scenario if pert.scenario is not None else drill.scenario_data)
    try:
        for path, value in pert.changes:
            target, rest = path.split(".", 1)
            set_path(plan_data if target == "plan" else scenario_data, rest, value)
        plan = parse_plan(plan_data, f"{drill.plan_source} ({pert.id})") if any(
            p.startswith("plan.") for p, _ in pert.changes) else drill.plan
        return plan, parse_scenario(scenario_data, plan, f"{drill.scenario_source} ({pert.id})")
    except (ValueError, InputError) as err:
        raise InputError(drill.scenario_source, f"the stress test {pert.id!r} cannot be run: {err}") from None


def _branch_changes(drill: Drill, key: str, role: str, value: Any) -> list[Change]:
    """``value`` for ``role`` under ``key`` (``staffing``, ``presence``) at every branch of the scenario."""
    return [(f"scenario.branches[{i}].{key}.{role}", value) for i in range(len(drill.scenario.branches))]


def involved_roles(plan: Plan) -> list[str]:
    """Roles the plan gives work to (a duty, a report to make or to receive, grading), in plan order."""
    used = {r for d in plan.duties for r in d.roles}
    used |= {r for rep in plan.escalation for r in (rep.from_, rep.to, *rep.fallback)}
    if plan.grading is not None:
        used.add(plan.grading.by)
    return [rid for rid in plan.roles if rid in used]


def absences(drill: Drill) -> list[Perturbation]:
    plan = drill.plan
    out = []
    for rid in involved_roles(plan):
        role = plan.roles[rid]
        if role.kind == "agency" or role.count == 0:
            continue  # an agency is a public service; its absence is a channel or travel question
        changes: list[Change] = [(f"plan.roles.{rid}.count", 0)]
        if role.kind == "staff":
            changes += _branch_changes(drill, "staffing", rid, 0)
        out.append(Perturbation(f"absent:{rid}", rid,
                                {"en": f"{role.name} absent", "zh": f"{role.name}缺位"}, tuple(changes)))
    return out


def channel_outages(drill: Drill) -> list[Perturbation]:
    plan = drill.plan
    used = list(dict.fromkeys(rep.channel for rep in plan.escalation))
    out = []
    for cid in used:
        name = plan.channels[cid].name
        out.append(Perturbation(f"channel:{cid}", cid, {"en": f"{name} down", "zh": f"{name}中断"},
                                ((f"scenario.parameters.channels.{cid}.down", True),)))
    return out


SHIFTS = {
    "lunch": {"en": "lunch hour: half the counter staff", "zh": "午间: 临柜人员减半"},
    "night": {"en": f"night: branch closed, no counter staff, the head off site, drill at {NIGHT_START}",
              "zh": f"夜间: 网点关门, 无临柜人员, 负责人不在岗, {NIGHT_START}开始"},
    "holiday": {"en": "public holiday: half the counter staff, offices at half presence",
                "zh": "法定节假日: 临柜人员减半, 机关在岗率减半"},
}
"""The reduced-staffing shifts and what each changes (docs/stress.md): counter staff are the staff
roles that serve customers; "the head" is every other staff role whose plan presence is below 1
(on site only by chance even by day); offices' presence is halved on a holiday."""


def shifts(drill: Drill) -> tuple[list[Perturbation], list[str]]:
    """Lunch, night and a public holiday; and why any of them cannot be made (no holiday in the calendar)."""
    plan, sc = drill.plan, drill.scenario
    counter = [rid for rid, r in plan.roles.items() if r.kind == "staff" and r.serves_customers]
    away = [rid for rid, r in plan.roles.items() if r.kind == "staff" and not r.serves_customers and r.presence < 1]
    offices = [rid for rid, r in plan.roles.items() if r.kind == "office" and r.count > 0]
    lunch: list[Change] = [(f"scenario.branches[{i}].staffing.{rid}", max(1, b.staffing.get(rid, plan.roles[rid].count)
                                                                           // 2))
                           for i, b in enumerate(sc.branches) for rid in counter]
    night_start = datetime.combine(sc.start.date(), time.fromisoformat(NIGHT_START), sc.start.tzinfo)
    night: list[Change] = [("scenario.start", night_start.isoformat())]
    for rid in counter:
        night += _branch_changes(drill, "staffing", rid, 0)
    for rid in away:
        night += _branch_changes(drill, "presence", rid, 0.0)
    out = [Perturbation("staffing:lunch", "lunch", SHIFTS["lunch"], tuple(lunch)),
           Perturbation("staffing:night", "night", SHIFTS["night"], tuple(night))]
    day = next_public_holiday(sc.start.date())
    if day is None:
        return out, [f"the calendar (chinese-calendar) has no public holidays after {sc.start.date()}"]
    holiday = [*lunch, *((f"plan.roles.{rid}.presence", plan.roles[rid].presence / 2) for rid in offices),
               ("scenario.start", datetime.combine(day, sc.start.timetz()).isoformat())]
    label = {lang: f"{text} ({day.isoformat()})" for lang, text in SHIFTS["holiday"].items()}
    return [*out, Perturbation("staffing:holiday", "holiday", label, tuple(holiday))], []


def next_public_holiday(day: date) -> date | None:
    """The first day of a public holiday of the Chinese calendar on or after ``day``; None past the
    calendar's last year."""
    for _ in range(400):
        try:
            if chinese_calendar.is_holiday(day) and chinese_calendar.get_holiday_detail(day)[1] is not None:
                return day
        except NotImplementedError:  # a year the package has no data for
            return None
        day += timedelta(days=1)
    return None


def at_branches(drill: Drill, n: int) -> Perturbation:
    """The scenario's incident at ``n`` copies of its first branch at once (``b001`` …)."""
    data = copy.deepcopy(drill.scenario_data)
    first = drill.scenario_data["branches"][0]
    name = first.get("name") or first.get("id", "branch")
    data["branches"] = [{**copy.deepcopy(first), "id": f"b{k:03d}", "name": f"{name} {k}"} for k in range(1, n + 1)]
    for inject in data.get("injects", []):
        inject.pop("branches", None)  # an inject of the first branch happens at every copy
    return Perturbation(f"load:{n}", str(n), {"en": f"{n} branches at once", "zh": f"{n}个网点同时"},
                        scenario=data)


def combined(drill: Drill, other: Scenario, other_data: dict[str, Any]) -> list[Perturbation]:
    """``other``'s incident during the drill's: its injects added at the same branch, and at a second one."""
    out = []
    extra = [{**copy.deepcopy(i), "id": f"{other.id}-{i['id']}"} for i in other_data.get("injects", [])]
    for inject in extra:
        if isinstance(inject.get("after"), str):
            inject["after"] = f"{other.id}-{inject['after']}"
    own = drill.scenario_data["branches"]
    first = own[0].get("id", "branch")
    for where in ("same", "second"):
        data = copy.deepcopy(drill.scenario_data)
        data["branches"] = copy.deepcopy(own)
        added = copy.deepcopy(extra)
        if where == "same":
            for inject in added:
                inject["branches"] = [first]
        else:
            second = {**copy.deepcopy(own[0]), "id": f"{first}-2", "name": f"{own[0].get('name', first)} (2)"}
            data["branches"].append(second)
            for inject in data.get("injects", []):
                inject.setdefault("branches", [b.get("id", "branch") for b in own])
            for inject in added:
                inject["branches"] = [second["id"]]
        data["injects"] = [*data.get("injects", []), *added]
        label = {"same": {"en": f"with {other.id} at the same branch", "zh": f"同一网点同时发生{other.title}"},
                 "second": {"en": f"with {other.id} at a second branch", "zh": f"另一网点同时发生{other.title}"}}[where]
        out.append(Perturbation(f"combined:{where}", other.id, label, scenario=data))
    return out


def drill_from_files(plan_path: str | Path, scenario_path: str | Path, params: str | Path | None = None) -> Drill:
    """The drill of two files, with their data (``drillsim.spec.catalog`` resolves built-in ids), and
    the values of the overlay file ``params`` set into the scenario (``spec/overlay.py``)."""
    from .overlay import load_overlay
    from .plan import load_plan
    from .scenario import load_scenario
    from .yamlio import load_yaml

    plan = load_plan(plan_path)
    scenario = load_scenario(scenario_path, plan)
    scenario_data = load_yaml(scenario_path)[0]
    if params is not None:
        scenario_data, scenario = load_overlay(params).apply(plan, scenario_data, str(scenario_path))
    scenario_data.setdefault("branches", [{"id": "branch"}])  # the default branch, written out to be changed
    return Drill(plan, scenario, load_yaml(plan_path)[0], scenario_data, str(plan_path), str(scenario_path))
