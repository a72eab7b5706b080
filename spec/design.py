"""A design file (``drillsim design PLAN FILE``): what the planner may change in a plan and its
scenarios, what each change costs, the scenarios a design must survive and the target it must meet.

Each *choice* is a list of options; an option sets one value at the choice's path (``set`` of the
choice, ``value`` of the option), or values at several paths (``set`` of the option, a mapping),
as an experiment's factors do (:func:`drillsim.spec.experiment.set_path`)::

    choices:
      tellers:
        set: scenario.branches[branch].staffing.teller     # at every scenario of the design
        options:
          - {value: 2, cost: 0}
          - {value: 3, cost: 40}
      deputy:
        options:
          - {name: none, cost: 0, set: {plan.escalation[report-head].fallback: []}}
          - {name: duty leader, cost: 5, set: {plan.escalation[report-head].fallback: [duty_leader]}}

A design is one option of every choice; its cost is the sum of its options' costs. Every design is
built and checked like a plan and scenario file before anything runs, and an error names the
design file, the option and its line. The space has at most :data:`MAX_DESIGNS` designs.
"""

from __future__ import annotations

import copy
import itertools
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, model_validator

from . import catalog
from .checking import check, raise_problems
from .errors import InputError
from .experiment import overlapping, set_path
from .perturb import drill_from_files
from .plan import Plan, parse_plan
from .scenario import Scenario, parse_scenario
from .schema import Number, Strict, Whole
from .yamlio import Path_, load_yaml, locate

MAX_DESIGNS = 512
MAX_REPS = 100_000
PATH = r"^(plan|scenario)\."


class Option(Strict):
    name: str | None = None
    """How the option is called in tables and plots (default: its value)."""
    value: Any = None
    set: dict[str, Any] = {}
    cost: Number = Field(ge=0, allow_inf_nan=False)

    @model_validator(mode="after")
    def _one_way(self) -> Option:
        if "value" in self.model_fields_set and self.set:
            raise ValueError("an option has a value (set at the choice's path) or a set of paths, not both")
        for path in self.set:
            if not path.startswith(("plan.", "scenario.")):
                raise ValueError(f"{path!r}: a path starts with plan. or scenario.")
        return self


class Choice(Strict):
    title: str = ""
    set: str | None = Field(None, pattern=PATH)
    options: tuple[Option, ...] = Field(min_length=1)


class Target(Strict):
    requirements: Literal["critical", "all"] | tuple[str, ...] = "critical"
    """Which requirements must be met: the plan's critical ones, all, or a list of ids."""
    probability: Number = Field(0.95, gt=0, lt=1)
    """Each must be met with at least this probability ..."""
    confidence: Number = Field(0.95, gt=0, lt=1)
    """... at the lower end of its Wilson interval of this confidence."""


class Replications(Strict):
    screen: Whole = Field(20, ge=2, le=MAX_REPS)
    """Replications of every design (in each scenario) before any is judged; every later step
    doubles a design's replications."""
    most: Whole = Field(1280, ge=2, le=MAX_REPS)
    """The most replications of one design in one scenario: a design still undecided there is left so."""
    budget: Whole = Field(100_000, ge=2)
    """The most replications of the whole search (designs × scenarios × replications)."""

    @model_validator(mode="after")
    def _steps(self) -> Replications:
        if self.most < self.screen:
            raise ValueError(f"most ({self.most}) is below screen ({self.screen})")
        if self.most % self.screen:
            raise ValueError(f"most ({self.most}) must be a multiple of screen ({self.screen}): each step doubles")
        return self


class DesignSpace(Strict):
    schema_: Literal["drillsim.design/1"] = Field(alias="schema")
    id: str
    title: str
    description: str = ""
    scenarios: tuple[str, ...] = Field(min_length=1)
    """Scenarios (files or built-in ids) of the plan a design must survive, each."""
    choices: dict[str, Choice] = Field(min_length=1)
    target: Target = Target()
    replications: Replications = Replications()
    seed: Whole = Field(0, ge=0)


@dataclass(frozen=True)
class Design:
    """One option of every choice, built into each scenario's plan and scenario."""

    index: int
    options: tuple[int, ...]
    """The option picked of each choice, in the file's order."""
    name: str
    cost: float
    drills: tuple[tuple[Plan, Scenario], ...]
    """The changed plan and scenario, one per scenario of the space."""


def option_name(option: Option) -> str:
    if option.name is not None:
        return option.name
    if option.set:
        return ", ".join(f"{k.rsplit('.', 1)[-1]}={v}" for k, v in option.set.items())
    return str(option.value)


def _changes(space: DesignSpace, name: str, k: int) -> list[tuple[str, Any]]:
    choice = space.choices[name]
    option = choice.options[k]
    return list(option.set.items()) if option.set else [(choice.set, option.value)]  # type: ignore[list-item]


def _problems(space: DesignSpace) -> list[tuple[Path_, str]]:
    out: list[tuple[Path_, str]] = []
    for name, choice in space.choices.items():
        for k, option in enumerate(choice.options):
            if not option.set and choice.set is None:
                out.append((("choices", name, "options", k),
                            "the option sets nothing: give the choice a path (set) and the option a value, "
                            "or the option a set of paths"))
            elif not option.set and "value" not in option.model_fields_set:
                out.append((("choices", name, "options", k), "the option has no value to set at " + str(choice.set)))
        names = [option_name(o) for o in choice.options]
        for k, n in enumerate(names):
            if n in names[:k]:
                out.append((("choices", name, "options", k), f"two options of {name!r} are called {n!r}"))
    paths = [(("choices", name, "set"), f"choice {name!r}", choice.set)
             for name, choice in space.choices.items() if choice.set is not None]
    paths += [(("choices", name, "options", k, "set", path), f"choice {name!r}", path)
              for name, choice in space.choices.items()
              for k, option in enumerate(choice.options) for path in option.set]
    clash = overlapping(paths)
    if clash:
        out.append(clash)
    size = math.prod(len(c.options) for c in space.choices.values())
    if size > MAX_DESIGNS:
        out.append((("choices",), f"the choices make {size:,} designs; at most {MAX_DESIGNS} are allowed"))
    return out


def load_design_space(plan_ref: str | Path, path: str | Path, params: str | Path | None = None
                      ) -> tuple[DesignSpace, Plan, list[Design]]:
    """The design file, the plan as written, and every design of the space, each checked, cheapest first
    (ties in the order of the file); the values of the overlay file ``params`` (``spec/overlay.py``) are
    set into every scenario before the design's changes."""
    source = str(path)
    data, positions = load_yaml(path)
    space = check(DesignSpace, data, source, positions, "schema, id, title, scenarios, choices")
    problems = _problems(space)
    if problems:
        raise_problems(source, data, positions, problems)
    plan_path = catalog.resolve(plan_ref, "plan")
    drills = []
    for k, ref in enumerate(space.scenarios):
        try:
            drills.append(drill_from_files(plan_path, catalog.resolve(ref, "scenario"), params))
        except InputError as err:
            if params is not None and err.source == str(params):
                raise
            place, line = locate(("scenarios", k), data, positions)
            raise InputError(source, str(err), place, line) from None
    plan = drills[0].plan
    ids = [r.id for r in plan.requirements]
    if not isinstance(space.target.requirements, str):
        for k, rid in enumerate(space.target.requirements):
            if rid not in ids:
                place, line = locate(("target", "requirements", k), data, positions)
                raise InputError(source, f"the plan {plan.id!r} has no requirement {rid!r}", place, line)
    if not target_ids(space, plan):
        raise InputError(source, f"the plan {plan.id!r} has no critical requirement to judge; name the "
                         "requirements (a list of ids, or all)", *locate(("target",), data, positions))
    names = list(space.choices)
    designs = []
    for index, combo in enumerate(itertools.product(*(range(len(c.options)) for c in space.choices.values()))):
        label = ", ".join(f"{n}={option_name(space.choices[n].options[k])}" for n, k in zip(names, combo, strict=True))
        cost = sum(space.choices[n].options[k].cost for n, k in zip(names, combo, strict=True))
        built = []
        try:
            p = _apply(space, names, combo, "plan.", drills[0].plan_data)
            changed = parse_plan(p, f"{plan_path} (design {label})")
            if [r.id for r in changed.requirements] != ids:
                raise ValueError("it changes the plan's requirements; designs are judged on the same requirements")
            for drill in drills:
                s = _apply(space, names, combo, "scenario.", drill.scenario_data)
                built.append((changed, parse_scenario(s, changed, f"{drill.scenario_source} (design {label})")))
        except (_OptionError, ValueError, InputError) as err:
            if isinstance(err, _OptionError):
                where = err.where
            else:  # the changes were set, but the plan or scenario they make is wrong
                where = _culprit(space, names, combo, drills[0]) or ("choices",)
            place, line = locate(where, data, positions)
            raise InputError(source, f"design {label!r}: {err}", place, line) from None
        designs.append(Design(index, combo, label, round(cost, 9), tuple(built)))
    designs.sort(key=lambda d: (d.cost, d.index))
    return space, plan, designs


class _OptionError(Exception):
    """An option whose changes cannot be set in the files, at its place in the design file."""

    def __init__(self, where: Path_, message: str) -> None:
        super().__init__(message)
        self.where = where


def _apply(space: DesignSpace, names: list[str], combo: tuple[int, ...], part: str, data: Any) -> Any:
    """A copy of one file's data (``part`` is ``plan.`` or ``scenario.``) with the design's changes to it set."""
    data = copy.deepcopy(data)
    for n, k in zip(names, combo, strict=True):
        try:
            for target, value in _changes(space, n, k):
                if target.startswith(part):
                    set_path(data, target.split(".", 1)[1], value)
        except (ValueError, InputError) as err:
            raise _OptionError(("choices", n, "options", k), str(err)) from None
    return data


def _culprit(space: DesignSpace, names: list[str], combo: tuple[int, ...], drill: Any) -> Path_ | None:
    """The first option of a design that the files cannot take even alone, to name in an error."""
    for n, k in zip(names, combo, strict=True):
        p, s = copy.deepcopy(drill.plan_data), copy.deepcopy(drill.scenario_data)
        try:
            for target, value in _changes(space, n, k):
                set_path(p if target.startswith("plan.") else s, target.split(".", 1)[1], value)
            parse_scenario(s, parse_plan(p))
        except (ValueError, InputError):
            return ("choices", n, "options", k)
    return None


def target_ids(space: DesignSpace, plan: Plan) -> list[str]:
    """The requirements the target judges, in the plan's order."""
    want = space.target.requirements
    if want == "critical":
        return [r.id for r in plan.requirements if r.critical]
    if want == "all":
        return [r.id for r in plan.requirements]
    return [r.id for r in plan.requirements if r.id in want]
