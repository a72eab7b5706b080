"""An experiment: one base plan and scenario, factors that change them, and the configurations
made from the factors' levels (a full grid) or listed by hand.

A factor sets one value at a path into the plan or the scenario, as written in their files::

    scenario.branches[branch].staffing.teller        # the branch whose id is "branch"
    plan.roles.branch_head.presence
    plan.escalation[head-phone-office].to           # the report whose id is "head-phone-office"
    scenario.parameters.agencies.police.travel      # a whole distribution
    plan.choices.first_time.value

``[key]`` picks the list item whose ``id`` is ``key`` (or the item at a number). Every configuration
is checked like a plan or scenario file; an error names the experiment file and the factor.
A grid has at most :data:`MAX_CONFIGURATIONS` configurations, and ``reps`` is from 2 to
:data:`MAX_REPS`.
"""

from __future__ import annotations

import copy
import itertools
import math
import re
from pathlib import Path
from typing import Any, Literal

from pydantic import Field

from . import catalog
from .checking import check, raise_problems
from .errors import InputError
from .plan import Plan, parse_plan
from .scenario import Scenario, parse_scenario
from .schema import Strict, Whole
from .yamlio import Path_, load_yaml, locate

MAX_CONFIGURATIONS = 200
MAX_REPS = 1_000_000
_STEP = re.compile(r"([^.\[\]]+)|\[([^\]]+)\]")


class Factor(Strict):
    set: str = Field(pattern=r"^(plan|scenario)\.")
    levels: tuple[Any, ...] = Field(min_length=1)


class ListedConfiguration(Strict):
    name: str
    set: dict[str, Any] = {}


class Experiment(Strict):
    schema_: Literal["drillsim.experiment/1"] = Field(alias="schema")
    id: str
    title: str
    description: str = ""
    plan: str
    scenario: str
    reps: Whole = Field(1000, ge=2, le=MAX_REPS)
    seed: Whole = Field(0, ge=0)
    design: Literal["grid", "list"] = "grid"
    factors: dict[str, Factor] = {}
    configurations: tuple[ListedConfiguration, ...] = ()
    baseline: str | None = None
    """The configuration the others are compared with (default: the first)."""


def _design_problem(exp: Experiment) -> tuple[Path_, str] | None:
    """What is wrong with the design as a whole: nothing to run, or too much, or keys it ignores."""
    if exp.design == "grid":
        if not exp.factors:
            return ("design",), "a grid design needs factors"
        if exp.configurations:
            return ("configurations",), "configurations are for a list design (design: list); a grid has factors"
        size = math.prod(len(f.levels) for f in exp.factors.values())
        if size > MAX_CONFIGURATIONS:
            return ("factors",), f"the grid has {size:,} configurations; at most {MAX_CONFIGURATIONS} are allowed"
        return overlapping([(("factors", name, "set"), f"factor {name!r}", f.set) for name, f in exp.factors.items()])
    if not exp.configurations:
        return ("design",), "a list design needs configurations"
    if exp.factors:
        return ("factors",), "factors are for a grid design (design: grid); a list has configurations"
    for i, conf in enumerate(exp.configurations):
        problem = overlapping([(("configurations", i, "set", path), path, path) for path in conf.set])
        if problem:
            return problem
    return None


def overlapping(paths: list[tuple[Path_, str, str]]) -> tuple[Path_, str] | None:
    """Two of ``paths`` ((place, who sets it, path)) set by two setters to the same value, or one inside
    the other: the later would silently override the earlier, and results be labelled with a level
    not run. A setter is named in the message unless it is the path itself."""
    for i, (place, setter, path) in enumerate(paths):
        for _, other, earlier in paths[:i]:
            inner, outer = sorted((path, earlier), key=len, reverse=True)
            if other != setter and (inner == outer or inner.startswith((outer + ".", outer + "["))):
                inside = "" if inner == outer else " (one inside the other)"
                of = "" if other == earlier else f" of {other}"
                return place, f"{path!r} and {earlier!r}{of} set the same value{inside}: one would override the other"
    return None


def set_path(data: Any, path: str, value: Any) -> None:
    """Set ``value`` at ``path`` into file data (the module docstring says how a path is written)."""
    steps = [m.group(1) if m.group(1) is not None else int(m.group(2)) if m.group(2).isdigit() else ("id", m.group(2))
             for m in _STEP.finditer(path)]
    if not steps:
        raise ValueError(f"{path!r} names no key to set")
    node = data
    for i, step in enumerate(steps):
        last = i == len(steps) - 1
        if isinstance(step, tuple):
            if not isinstance(node, list):
                raise ValueError(f"[{step[1]}] needs a list at this point of {path!r}")
            match = [item for item in node if isinstance(item, dict) and item.get("id") == step[1]]
            if not match:
                raise ValueError(f"no item with id {step[1]!r} in {path!r}")
            step = node.index(match[0])
        if isinstance(step, int):
            if not isinstance(node, list) or not -len(node) <= step < len(node):
                raise ValueError(f"no item {step} in {path!r}")
        elif not isinstance(node, dict):
            raise ValueError(f"{step!r} needs a mapping at this point of {path!r}")
        if last:
            node[step] = copy.deepcopy(value)
        else:
            if isinstance(node, dict) and step not in node:
                node[step] = {}
            node = node[step]


def _resolved(ref: str, kind: str, source: str, data: Any, positions: dict[Path_, int]) -> Path:
    """The plan or scenario the experiment names; one that does not exist is named at its line."""
    try:
        return catalog.resolve(ref, kind)
    except InputError as err:
        raise_problems(source, data, positions, [((kind,), f"{ref!r}: {err.message}")])


def load_experiment(path: str | Path, params: str | Path | None = None
                    ) -> tuple[Experiment, list[tuple[str, Plan, Scenario]]]:
    """The experiment and its configurations, each a checked plan and scenario; the values of the
    overlay file ``params`` (``spec/overlay.py``) are set into the scenario before the factors."""
    source = str(path)
    data, positions = load_yaml(path)
    exp = check(Experiment, data, source, positions, "schema, plan, scenario, factors")
    problem = _design_problem(exp)
    if problem:
        raise_problems(source, data, positions, [problem])
    plan_path = _resolved(exp.plan, "plan", source, data, positions)
    scenario_path = _resolved(exp.scenario, "scenario", source, data, positions)
    plan_data, _ = load_yaml(plan_path)
    scenario_data, _ = load_yaml(scenario_path)
    if params is not None:
        from .overlay import load_overlay

        base = parse_plan(plan_data, str(plan_path))
        scenario_data = load_overlay(params).apply(base, scenario_data, str(scenario_path))[0]

    # each configuration: its name and its changes, each change with its place in the experiment file
    if exp.design == "grid":
        names = list(exp.factors)
        settings = []
        for combo in itertools.product(*(list(enumerate(exp.factors[n].levels)) for n in names)):
            changes = [(exp.factors[n].set, v, ("factors", n, "levels", k)) for n, (k, v) in zip(names, combo,
                                                                                                 strict=True)]
            settings.append((", ".join(f"{n}={_label(v)}" for n, (_, v) in zip(names, combo, strict=True)),
                             changes, changes[0][2]))
    else:
        settings = [(c.name, [(target, v, ("configurations", i, "set", target)) for target, v in c.set.items()],
                     ("configurations", i)) for i, c in enumerate(exp.configurations)]
    configurations = []
    for name, changes, home in settings:
        p, s = copy.deepcopy(plan_data), copy.deepcopy(scenario_data)
        where = home
        try:
            for target, value, where in changes:  # noqa: B007 - `where` names the change that fails
                set_path(p if target.startswith("plan.") else s, target.split(".", 1)[1], value)
            where = home
            plan = parse_plan(p, f"{plan_path} (configuration {name})")
            scenario = parse_scenario(s, plan, f"{scenario_path} (configuration {name})")
        except (ValueError, InputError) as err:
            place, line = locate(where, data, positions)
            raise InputError(source, f"configuration {name!r}: {err}", place, line) from None
        configurations.append((name, plan, scenario))
    names = [c[0] for c in configurations]
    for k, (name, _, home) in enumerate(settings):
        if name in names[:k]:
            place, line = locate(home, data, positions)
            raise InputError(source, f"two configurations are named {name!r}", place, line)
    if exp.baseline is not None and exp.baseline not in names:
        raise InputError(source, f"baseline {exp.baseline!r} is not a configuration; they are: {', '.join(names)}",
                         "baseline", positions.get(("baseline",)))
    return exp, configurations


def _label(value: Any) -> str:
    if isinstance(value, dict) and len(value) == 1:
        (k, v), = value.items()
        return f"{k}{v}" if not isinstance(v, dict) else f"{k}(" + ",".join(f"{a}={b}" for a, b in v.items()) + ")"
    return str(value)
