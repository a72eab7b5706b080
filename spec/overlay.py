"""A parameter overlay (``--params FILE`` of ``run``, ``stress``, ``experiment`` and ``design``; ``drillsim
calibrate`` writes one): values set into a scenario's parameters, with where they came from::

    schema: drillsim.overlay/1
    plan: counter-robbery
    set:
      scenario.parameters.human.reaction: {lognormal: {median: 0.41, p90: 1.6}}
      scenario.parameters.agencies.police.travel: {lognormal: {median: 6.2, p90: 11}}
    provenance: {method: …, drills: […], parameters: […]}     # free-form; calibrate fills it in

A path is written as an experiment's factors write one (:func:`drillsim.spec.experiment.set_path`),
and only under ``scenario.parameters``: an overlay says how long things take, not what the plan or
the scenario is. It is for one plan (``plan``), and applies to any scenario of that plan; a value it
sets replaces the scenario's own. The scenario with the overlay is checked as a scenario file is, and
an error names the overlay file, the key and its line.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import Field

from .checking import check
from .errors import InputError
from .experiment import set_path
from .plan import Plan
from .scenario import Scenario, parse_scenario
from .schema import Strict
from .yamlio import Path_, load_yaml, locate

PREFIX = "scenario.parameters."


class OverlayFile(Strict):
    schema_: Literal["drillsim.overlay/1"] = Field(alias="schema")
    plan: str
    """The id of the plan whose scenarios the overlay is for."""
    set: dict[str, Any] = Field(min_length=1)
    provenance: dict[str, Any] = {}
    """Where the values come from (free-form): ``drillsim calibrate`` names its drills, method and intervals."""


@dataclass(frozen=True)
class Overlay:
    """A checked overlay file, with what is needed to name a place in it."""

    file: OverlayFile
    source: str
    data: dict[str, Any]
    positions: dict[Path_, int]

    def _error(self, message: str, loc: Path_) -> InputError:
        place, line = locate(loc, self.data, self.positions)
        return InputError(self.source, message, place, line)

    def apply(self, plan: Plan, scenario_data: dict[str, Any], scenario_source: str) -> tuple[dict[str, Any], Scenario]:
        """The scenario's file data with the overlay's values set, and the scenario it makes, checked."""
        if self.file.plan != plan.id:
            raise self._error(f"the overlay is for plan {self.file.plan!r}; this run's plan is {plan.id!r}", ("plan",))
        data = copy.deepcopy(scenario_data)
        for path, value in self.file.set.items():
            try:
                set_path(data, path.removeprefix("scenario."), value)
            except ValueError as err:
                raise self._error(str(err), ("set", path)) from None
        try:
            return data, parse_scenario(data, plan, f"{scenario_source} with {self.source}")
        except InputError as err:
            raise self._blame(err) from None

    def _blame(self, err: InputError) -> InputError:
        """A problem of the scenario made with the overlay, named at the overlay's key that caused it
        (else as the scenario's, which names the scenario and the overlay)."""
        for problem in err.problems:
            for path in self.file.set:
                if _within(problem.place, path.removeprefix("scenario.")):
                    return self._error(problem.message, ("set", path))
            # a problem of a part of the parameters: the one key under it, or the overlay's set
            under = [p for p in self.file.set if problem.place and _within(p.removeprefix("scenario."), problem.place)]
            if under:
                return self._error(problem.message, ("set", under[0]) if len(under) == 1 else ("set",))
        return err


def _within(place: str, path: str) -> bool:
    """Whether ``place`` is ``path`` or inside it (``parameters.human`` is within ``parameters``)."""
    return place == path or place.startswith(path + ".")


def load_overlay(path: str | Path) -> Overlay:
    """Read and check an overlay file (its values are checked when applied to a scenario)."""
    source = str(path)
    data, positions = load_yaml(path)
    file = check(OverlayFile, data, source, positions, "schema, plan, set")
    overlay = Overlay(file, source, data, positions)
    for key in file.set:
        if not key.startswith(PREFIX) or key == PREFIX:
            raise overlay._error(f"an overlay sets parameters only, at paths under {PREFIX}…", ("set", key))
    return overlay
