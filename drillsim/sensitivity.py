"""Which parameters drive deadline misses: the drill's timing parameters scaled one at a time (a
tornado) and all at once by Sobol's variance-based method (SALib: Saltelli's sampling, first-order
and total indices with their 95 % intervals).

Each factor multiplies one effective distribution of the scenario — its own, or the default it
leaves to ``spec.defaults`` — by a number from :data:`LOW` to :data:`HIGH` (half to twice as long);
the omission factor multiplies the chance a person forgets a task. The measure is the mean number
of deadline requirements not met in time (late or missed) per replication.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from drillsim.scoring.aggregate import CODES
from drillsim.scoring.outcomes import Outcome
from drillsim.spec import defaults
from drillsim.spec.distributions import Distribution
from drillsim.spec.perturb import Drill, Perturbation
from drillsim.spec.plan import DeadlineRequirement
from drillsim.spec.scenario import channel_parameters

LOW, HIGH = 0.5, 2.0
NOT_IN_TIME = (CODES[Outcome.LATE], CODES[Outcome.MISSED])


@dataclass(frozen=True)
class Factor:
    id: str
    label: dict[str, str]
    path: str
    """Where the scaled value is set in the scenario (``scenario.parameters…``)."""
    base: Distribution | float

    def at(self, factor: float) -> Any:
        """The value set at ``path`` for ``factor`` times the base."""
        if isinstance(self.base, Distribution):
            return self.base.scaled(factor).to_data()
        return min(1.0, self.base * factor)


def factors(drill: Drill) -> list[Factor]:
    """The drill's timing parameters that its escalation and duties use, in a stable order."""
    plan, sc = drill.plan, drill.scenario
    human = sc.parameters.human
    out = [Factor("reaction", {"en": "reaction time of people", "zh": "人员反应时间"},
                  "scenario.parameters.human.reaction", human.reaction or defaults.HUMAN_REACTION),
           Factor("handling", {"en": "office handling time", "zh": "机关处理时间"},
                  "scenario.parameters.human.handling", human.handling or defaults.OFFICE_HANDLING)]
    for cid in dict.fromkeys(rep.channel for rep in plan.escalation):
        latency = channel_parameters(cid, sc.parameters.channels.get(cid))["latency"]
        name = plan.channels[cid].name
        out.append(Factor(f"latency:{cid}", {"en": f"{name}: latency", "zh": f"{name}传递时间"},
                          f"scenario.parameters.channels.{cid}.latency", latency))
    for rid, role in plan.roles.items():
        if role.kind != "agency" or role.service is None:
            continue
        given = sc.parameters.agencies.get(rid)
        travel = given.travel if given is not None and given.travel is not None else \
            defaults.AGENCIES.get(role.service, defaults.AGENCIES["other"])["travel"]
        if isinstance(travel, Distribution) and travel.mean() > 0:
            out.append(Factor(f"travel:{rid}", {"en": f"{role.name}: travel", "zh": f"{role.name}到场时间"},
                              f"scenario.parameters.agencies.{rid}.travel", travel))
    omission = human.omission.get("default", 0.0)
    if omission > 0:
        out.append(Factor("omission", {"en": "chance a task is forgotten", "zh": "遗漏概率"},
                          "scenario.parameters.human.omission.default", omission))
    return out


def one_at_a_time(fs: list[Factor]) -> list[Perturbation]:
    """Each factor at :data:`LOW` and at :data:`HIGH`, the others as they are."""
    return [Perturbation(f"oat:{f.id}:{end}", f.id, f.label, ((f.path, f.at(value)),))
            for f in fs for end, value in (("low", LOW), ("high", HIGH))]


def sobol_points(fs: list[Factor], base_samples: int, seed: int) -> tuple[dict[str, Any], np.ndarray,
                                                                              list[Perturbation]]:
    """SALib's problem, its Saltelli sample (``base_samples`` × (factors + 2) points) and the
    perturbation of each point."""
    from SALib.sample import sobol

    problem = {"num_vars": len(fs), "names": [f.id for f in fs], "bounds": [[LOW, HIGH]] * len(fs)}
    points = sobol.sample(problem, base_samples, calc_second_order=False, seed=seed)
    perts = [Perturbation(f"sobol:{k}", str(k), {"en": f"point {k}", "zh": f"样本点{k}"},
                          tuple((f.path, f.at(float(x))) for f, x in zip(fs, row, strict=True)))
             for k, row in enumerate(points)]
    return problem, points, perts


def sobol_indices(problem: dict[str, Any], y: np.ndarray, seed: int) -> list[dict[str, Any]]:
    """First-order and total Sobol indices of ``y`` (one value per point), with 95 % intervals."""
    from SALib.analyze import sobol

    if np.ptp(y) == 0:  # nothing varies: every index is 0 (SALib would divide by a zero variance)
        return [{"factor": n, "S1": 0.0, "S1_ci95": 0.0, "ST": 0.0, "ST_ci95": 0.0} for n in problem["names"]]
    res = sobol.analyze(problem, y, calc_second_order=False, seed=seed)
    return [{"factor": n, "S1": float(res["S1"][i]), "S1_ci95": float(res["S1_conf"][i]),
             "ST": float(res["ST"][i]), "ST_ci95": float(res["ST_conf"][i])} for i, n in enumerate(problem["names"])]


def deadline_columns(drill: Drill) -> list[int]:
    return [j for j, r in enumerate(drill.plan.requirements) if isinstance(r, DeadlineRequirement)]


def misses(outcome: np.ndarray, columns: list[int]) -> np.ndarray:
    """Deadline requirements not met in time, per replication (``outcome``: replications × requirements)."""
    return np.isin(outcome[:, columns], NOT_IN_TIME).sum(axis=1).astype(np.float64)
