"""Calibration from the drill history (``drillsim calibrate``, docs/calibration.md): the timing
parameters of a plan's scenarios fitted to the latencies its scored drills observed, censoring and
all, with the documented defaults as the prior.

* **Data** (``history/observations.py``): per drill and deadline requirement, the latency as the
  interval its typed resolution allows, or "not done by the end of the drill" (right-censored).
* **Parameters**: each timing parameter of the scenario (:func:`timing_factors`: people's reaction,
  or each role's, offices' handling, each channel's latency, each agency's travel) is scaled by a
  multiplier ``exp(θ)``; the shape of its distribution is kept. A parameter is fitted where scaling
  it by 2 changes an observed requirement's simulated latency by more than :data:`EXERCISED`
  (log scale, the median over replications on common random numbers). One requirement's latency may
  be the sum of several parameters: they are fitted jointly.
* **Likelihood by simulation**: at a value of θ, ``reps`` replications on common random numbers give
  each requirement's latency distribution, smoothed by a Gaussian kernel on log latency
  (:data:`BANDWIDTH`); an observation's likelihood is the probability of its interval (of "later
  than the end" when censored).
* **Prior**: ``θ ~ N(0, τ²)`` with ``τ = ln(prior_factor) / 1.96``: the default is right within a
  factor ``prior_factor`` (2) with 95 % probability. Two drills move a value a little, twenty a lot.
* **Fit**: the log-likelihood is fitted by a quadratic on a design of points around the current
  value (a response surface, least squares), the posterior maximised in closed form (within a trust
  region), and the design moved there, for at most ``iterations`` rounds (fewer once every step is
  under a tenth of its standard deviation). The posterior covariance is the inverse of the last
  round's curvature, adjusted for the dependence between one drill's observations (the sandwich of
  :func:`posterior_step`), plus the prior's (a Laplace approximation): the 95 % intervals.
* **Check**: each observation's percentile in the simulated distribution (randomised within its
  interval) before and after: a PIT histogram that should look uniform, with a Kolmogorov–Smirnov test.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from scipy import stats
from scipy.special import ndtr

from drillsim.history.observations import Observation, observations
from drillsim.history.store import History, default_path
from drillsim.runner import BatchJob, Configuration, iterate_batch
from drillsim.scoring.aggregate import CODES
from drillsim.scoring.outcomes import Outcome
from drillsim.sensitivity import Factor, factors
from drillsim.spec import catalog, defaults
from drillsim.spec.distributions import Distribution
from drillsim.spec.errors import InputError
from drillsim.spec.perturb import Drill, Perturbation, configure, drill_from_files, involved_roles
from drillsim.spec.yamlio import significant

EXERCISED = 0.05
"""How far (log scale) doubling a parameter must move an observed requirement's simulated latency
(the median change over replications) for the requirement to count as exercising it."""
EPS = 0.01
"""Minutes added to every latency before taking its log (a latency of 0 is possible)."""
SANDWICH_DRILLS = 10
"""The fewest drills whose scores' spread is trusted to adjust the intervals for dependence; with
fewer the observations are taken as independent (and the intervals may be too narrow)."""
BANDWIDTH = 0.5
"""The kernel's bandwidth as a share of Silverman's rule, which smooths too much for sums of
sharp-edged times (a uniform dialling time): it biased the phone's latency 25 % long in a test of
300 synthetic drills, where half of it did not."""
MAX_RADIUS = 0.4
"""The widest the design of points around the current value reaches (log scale: a factor 1.5 each
way), so that a quadratic describes the log-likelihood there."""
Z95 = 1.959963984540054
DONE = (CODES[Outcome.MET], CODES[Outcome.LATE])
MISSED = CODES[Outcome.MISSED]
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Options:
    reps: int = 400
    """Replications at every point the likelihood is evaluated at."""
    seed: int = 0
    prior_factor: float = 2.0
    iterations: int = 6
    by_role: bool = False
    """Fit each staff and office role's reaction on its own (``reaction_by_role``), not everyone's
    together: more parameters, each told by fewer observations (docs/calibration.md)."""
    censoring: bool = True
    """False fits as a naive tool would: the drills not done by their end dropped (for comparison)."""
    scenario: str | None = None
    """Use only the drills of this scenario (a file or a built-in id); default: every drill whose
    scenario is built in."""
    workers: int | None = None
    scheduler: Any = None

    @property
    def tau(self) -> float:
        return math.log(self.prior_factor) / Z95


@dataclass
class Parameter:
    factor: Factor
    requirements: list[str]
    """The observed requirements whose latency it shapes."""
    theta: float = 0.0
    sd: float = 0.0

    @property
    def multiplier(self) -> float:
        return math.exp(self.theta)

    @property
    def interval(self) -> tuple[float, float]:
        return math.exp(self.theta - Z95 * self.sd), math.exp(self.theta + Z95 * self.sd)

    def value(self) -> Any:
        """The calibrated distribution as a file writes it (to 6 significant digits)."""
        return significant(self.factor.at(self.multiplier))


@dataclass
class Simulated:
    """Per scenario and requirement, the simulated latency of every replication: ``inf`` where it was
    not done, NaN where its trigger did not happen."""

    latencies: dict[tuple[str, str], np.ndarray]

    def of(self, key: tuple[str, str]) -> np.ndarray:
        """The latencies of the replications the trigger happened in."""
        x = self.latencies.get(key, np.array([]))
        return x[~np.isnan(x)]

    def median(self, scenario: str, requirement: str) -> float:
        x = self.of((scenario, requirement))
        return float(np.median(x)) if len(x) else math.nan

    def moves(self, other: Simulated, key: tuple[str, str]) -> float:
        """How much longer the latency is in ``other``, on common random numbers: the median over the
        replications done in both of the change in log latency."""
        a, b = self.latencies.get(key), other.latencies.get(key)
        if a is None or b is None:
            return 0.0
        both = np.isfinite(a) & np.isfinite(b)
        return float(np.median(np.log(b[both] + EPS) - np.log(a[both] + EPS))) if both.any() else 0.0


@dataclass
class CalibrationResult:
    plan: str
    options: Options
    history: str
    observations: list[Observation]
    skipped: list[dict[str, str]]
    parameters: list[Parameter]
    unexercised: list[Factor]
    before: Simulated
    after: Simulated
    pit_before: np.ndarray
    pit_after: np.ndarray
    rounds: list[dict[str, Any]] = field(default_factory=list)
    reps_run: int = 0

    def ks(self, pit: np.ndarray) -> float:
        """The p-value of the Kolmogorov–Smirnov test that ``pit`` is uniform."""
        return float(stats.kstest(pit, "uniform").pvalue) if len(pit) else math.nan

    def overlay(self) -> dict[str, Any]:
        """The overlay file (``spec/overlay.py``) with the calibrated values and their provenance."""
        return {"schema": "drillsim.overlay/1", "plan": self.plan,
                "set": {p.factor.path: p.value() for p in self.parameters},
                "provenance": self.provenance()}

    def provenance(self) -> dict[str, Any]:
        drills = list({o.drill: {"key": o.drill, "exercise": o.exercise, "date": o.date, "scenario": o.scenario}
                       for o in self.observations}.values())
        return {
            "made_by": "drillsim calibrate",
            "history": self.history,
            "method": "censored maximum a posteriori by simulation (docs/calibration.md): multipliers of the "
                      "scenario's values, prior log-normal (each right within a factor "
                      f"{self.options.prior_factor:g} with 95 %), Laplace 95 % intervals adjusted for the "
                      "dependence of one drill's observations"
                      + ("; each role's reaction on its own" if self.options.by_role else "")
                      + ("" if self.options.censoring else "; drills not done by their end DROPPED (naive)"),
            "reps": self.options.reps, "seed": self.options.seed, "replications_run": self.reps_run,
            "drills": drills, "skipped": self.skipped,
            "parameters": [{"id": p.factor.id, "path": p.factor.path, "default": significant(_data(p.factor.base)),
                            "multiplier": _r(p.multiplier), "ci95": [_r(x) for x in p.interval],
                            "requirements": p.requirements} for p in self.parameters],
            "not_fitted": [{"id": f.id, "why": "no observed requirement's latency depends on it"}
                           for f in self.unexercised],
            "pit_ks_p": {"before": _r(self.ks(self.pit_before)), "after": _r(self.ks(self.pit_after))},
        }

    def write(self, out: str | Path, lang: str = "en") -> dict[str, Path]:
        from drillsim.reports.calibration import write_calibration

        return write_calibration(self, Path(out), lang)


def _r(x: float) -> float | None:
    return None if not math.isfinite(x) else round(x, 4)


def _data(value: Distribution | float) -> Any:
    return value.to_data() if isinstance(value, Distribution) else value


# The data and the model -----------------------------------------------------------------------

def _drills(plan_ref: str | Path, obs: list[Observation], options: Options
            ) -> tuple[dict[str, Drill], list[Observation], list[dict[str, str]]]:
    """The drill (plan and scenario) of every scenario the observations name, the observations that
    can be used, and the drills that cannot, with why."""
    plan_path = catalog.resolve(plan_ref, "plan")
    drills: dict[str, Drill] = {}
    if options.scenario is not None:
        chosen = drill_from_files(plan_path, catalog.resolve(options.scenario, "scenario"))
        drills[chosen.scenario.id] = chosen
    usable, skipped = [], {}
    for o in obs:
        why = None
        if not options.censoring and o.censored:
            continue
        if o.scenario is None:
            why = "the drill names no scenario"
        elif o.scenario not in drills:
            if options.scenario is not None:
                why = f"a drill of scenario {o.scenario!r}, not of {options.scenario!r} (--scenario)"
            else:
                try:
                    drills[o.scenario] = drill_from_files(plan_path, catalog.resolve(o.scenario, "scenario"))
                except InputError as err:
                    why = (f"scenario {o.scenario!r} is not built in: give its file with --scenario"
                           if o.scenario not in catalog.builtin_scenarios() else f"scenario {o.scenario!r}: {err}")
        if why is None and o.requirement not in {r.id for r in drills[o.scenario].plan.requirements}:
            why = f"the plan has no requirement {o.requirement!r} now"
        if why is None:
            usable.append(o)
        else:
            skipped.setdefault(o.drill, {"drill": o.drill, "exercise": o.exercise, "date": o.date, "why": why})
    return drills, usable, list(skipped.values())


def timing_factors(drill: Drill, by_role: bool = False) -> list[Factor]:
    """The drill's timing parameters (the stress test's factors, ``drillsim.sensitivity``): people's
    reaction, offices' handling, each channel's latency and each agency's travel; ``by_role``: the
    reaction of each staff and office role the plan gives work to, instead of everyone's."""
    plan, human = drill.plan, drill.scenario.parameters.human
    pooled = [f for f in factors(drill) if isinstance(f.base, Distribution)]
    if not by_role:
        return pooled
    out = []
    for rid in involved_roles(plan):
        role = plan.roles[rid]
        if role.kind in ("staff", "office"):
            base = human.reaction_by_role.get(rid) or human.reaction or defaults.HUMAN_REACTION
            out.append(Factor(f"reaction:{rid}", {"en": f"{role.name}: reaction", "zh": f"{role.name}反应时间"},
                              f"scenario.parameters.human.reaction_by_role.{rid}", base))
    return out + [f for f in pooled if f.id != "reaction"]


def _factors(drills: dict[str, Drill], by_role: bool) -> list[Factor]:
    """The timing parameters of the scenarios (the same in every one, or the fit would mix them)."""
    seen: dict[str, Factor] = {}
    for sid, drill in drills.items():
        for f in timing_factors(drill, by_role):
            if f.id in seen and seen[f.id].base != f.base:
                raise InputError("--scenario", f"the drills' scenarios give {f.id} different values "
                                 f"({_data(seen[f.id].base)} and, in {sid}, {_data(f.base)}); calibrate the "
                                 "drills of one scenario at a time (--scenario)")
            seen.setdefault(f.id, f)
    return list(seen.values())


class _Simulator:
    """Runs the scenarios at values of θ on common random numbers and counts the replications."""

    def __init__(self, drills: dict[str, Drill], options: Options, progress: Progress | None):
        self.drills, self.options, self.progress = drills, options, progress
        self.factors = {sid: {f.id: f for f in timing_factors(drill, options.by_role)} for sid, drill in drills.items()}
        self.reps_run = 0

    def run(self, points: list[dict[str, float]]) -> list[Simulated]:
        """The simulated latencies at each point (a multiplier per factor id)."""
        configs, where = [], []
        for k, point in enumerate(points):
            for sid, drill in self.drills.items():
                fs = self.factors[sid]
                changes = tuple((fs[fid].path, fs[fid].at(m)) for fid, m in point.items() if m != 1.0)
                plan, scenario = configure(drill, Perturbation(f"point-{k}", sid, {}, changes))
                configs.append(Configuration(f"p{k}-{sid}", plan, scenario))
                where.append((k, sid))
        job = BatchJob(tuple(configs), self.options.reps, self.options.seed)
        out = [Simulated({}) for _ in points]
        parts: dict[int, list] = {}
        for res in iterate_batch(job, None, self.options.workers, self.options.scheduler):
            parts.setdefault(res.config, []).append(res)
            self.reps_run += len(res.reps)
            if self.progress is not None:
                self.progress(self.reps_run, 0)
        for c, results in parts.items():
            k, sid = where[c]
            outcome = np.concatenate([r.outcome for r in results])
            latency = np.concatenate([r.latency for r in results])
            for j, req in enumerate(job.requirement_ids(c)):
                done = np.isin(outcome[:, j], DONE)
                out[k].latencies[(sid, req)] = np.where(done, latency[:, j],
                                                        np.where(outcome[:, j] == MISSED, math.inf, math.nan))
        return out


# The likelihood -------------------------------------------------------------------------------

def _cdf(sim: np.ndarray, at: np.ndarray) -> np.ndarray:
    """The kernel-smoothed distribution function of the simulated latencies ``sim`` (``inf``: not
    done) at the latencies ``at``: 0 at 0 or less (no latency is shorter), 1 at ``inf``."""
    n = len(sim)
    finite = np.log(sim[np.isfinite(sim)] + EPS)
    out = np.ones(len(at))
    if n == 0:
        return np.full(len(at), np.nan)
    out[at <= 0] = 0.0
    points = np.isfinite(at) & (at > 0)
    if not len(finite):
        out[points] = 0.0
        return out
    spread = min(np.std(finite), (np.subtract(*np.percentile(finite, [75, 25]))) / 1.349) if len(finite) > 1 else 0
    h = max(BANDWIDTH * 0.9 * (spread or np.std(finite) or 0.05) * len(finite) ** -0.2, 1e-3)
    x = np.log(at[points] + EPS)
    out[points] = ndtr((x[:, None] - finite[None, :]) / h).sum(axis=1) / n
    return out


def drill_log_likelihoods(sim: Simulated, obs: list[Observation], drills: list[str], reps: int) -> np.ndarray:
    """Each drill's log-likelihood (in the order of ``drills``) under one simulated point: the sum over
    its observations, each probability at least half a replication's share, so one unlikely
    observation cannot make it minus infinity."""
    at = {d: i for i, d in enumerate(drills)}
    out = np.zeros(len(drills))
    for key, group in _by_requirement(obs).items():
        lat = sim.of(key)
        p = _cdf(lat, np.array([o.high for o in group])) - _cdf(lat, np.array([o.low for o in group]))
        np.add.at(out, [at[o.drill] for o in group], np.log(np.maximum(np.nan_to_num(p), 0.5 / reps)))
    return out


def _by_requirement(obs: list[Observation]) -> dict[tuple[str, str], list[Observation]]:
    groups: dict[tuple[str, str], list[Observation]] = {}
    for o in obs:
        groups.setdefault((o.scenario or "", o.requirement), []).append(o)
    return groups


def pit(sim: Simulated, obs: list[Observation], seed: int) -> np.ndarray:
    """Each observation's percentile in the simulated distribution: uniform within the interval
    between its ends' percentiles (randomised PIT), so it is uniform when the model is right."""
    rng = np.random.default_rng(seed)
    out = []
    for key, group in _by_requirement(obs).items():
        lat = sim.of(key)
        lo = _cdf(lat, np.array([o.low for o in group]))
        hi = _cdf(lat, np.array([o.high for o in group]))
        out += list(lo + (hi - lo) * rng.random(len(group)))
    return np.array(out)


# The fit --------------------------------------------------------------------------------------

def design_points(k: int, radius: float) -> np.ndarray:
    """Offsets around the centre for a quadratic in ``k`` variables: the centre, two steps each way
    along every axis, and the four diagonals of every pair."""
    rows = [np.zeros(k)]
    for i in range(k):
        for step in (-1.0, -0.5, 0.5, 1.0):
            e = np.zeros(k)
            e[i] = step
            rows.append(e)
    for i, j in itertools.combinations(range(k), 2):
        for si, sj in itertools.product((-1.0, 1.0), repeat=2):
            e = np.zeros(k)
            e[i], e[j] = si / math.sqrt(2), sj / math.sqrt(2)
            rows.append(e)
    return radius * np.array(rows)


def fit_quadratic(u: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The least-squares quadratic through ``y`` at offsets ``u``: its gradient and Hessian at 0.
    ``y`` may have a column per drill: then the gradients are a column per drill, and the Hessian is
    of their sum."""
    n, k = u.shape
    pairs = [(i, j) for i in range(k) for j in range(i, k)]
    features = np.column_stack([np.ones(n), u, *[u[:, i] * u[:, j] for i, j in pairs]])
    coef = np.linalg.lstsq(features, y, rcond=None)[0]
    grad = coef[1:k + 1]
    total = coef[k + 1:] if coef.ndim == 1 else coef[k + 1:].sum(axis=1)
    hess = np.zeros((k, k))
    for c, (i, j) in zip(total, pairs, strict=True):
        if i == j:
            hess[i, i] = 2 * c
        else:
            hess[i, j] = hess[j, i] = c
    return grad, hess


def posterior_step(centre: np.ndarray, grad: np.ndarray, hess: np.ndarray, tau: float, limit: float,
                   scores: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The step from ``centre`` to the maximum of the quadratic log-likelihood plus the prior
    ``N(0, τ²)``, each coordinate within ``limit``, and the posterior covariance.

    A curvature the noise made positive (a likelihood that seems to rise without end) is taken as
    flat: its slope still counts, and the prior bounds the step. Given ``scores`` (each drill's
    gradient, a column per drill, from at least :data:`SANDWICH_DRILLS` drills), the curvature is
    adjusted for the dependence between one drill's observations (one person's reaction starts
    several latencies): the information is ``H J⁻¹ H``, with ``J`` the spread of the drills' scores
    (the sandwich estimator), so that observations that say the same thing twice are not counted as
    twice the evidence.
    """
    values, vectors = np.linalg.eigh(hess)
    information = vectors @ np.diag(np.maximum(-values, 0.0)) @ vectors.T
    if scores is not None and scores.shape[1] >= SANDWICH_DRILLS:
        spread = scores - scores.mean(axis=1, keepdims=True)
        adjusted = information @ np.linalg.pinv(spread @ spread.T * scores.shape[1] / (scores.shape[1] - 1)) \
            @ information
        inverse = np.linalg.pinv(information)
        # the adjusted likelihood keeps its maximum where it was; along a flat direction, the slope as it is
        grad = adjusted @ inverse @ grad + (np.eye(len(centre)) - information @ inverse) @ grad
        information = adjusted
    cov = np.linalg.inv(information + np.eye(len(centre)) / tau**2)
    return np.clip(cov @ (grad - centre / tau**2), -limit, limit), cov


def calibrate(plan_ref: str | Path, db: str | Path | None = None, options: Options = Options(),
              progress: Progress | None = None) -> CalibrationResult:
    """Fit the plan's timing parameters to the drills in the history at ``db`` (docs/calibration.md)."""
    from drillsim.api import load_plan

    plan = load_plan(plan_ref)
    path = Path(default_path() if db is None else db)
    with History(path, create=False) as history:
        obs = observations(history, plan.id)
    if not obs:
        raise InputError(str(path), f"no drill of plan {plan.id!r} in the history has a deadline requirement "
                         "whose trigger happened: nothing to calibrate from")
    drills, obs, skipped = _drills(plan_ref, obs, options)
    if not obs:
        raise InputError(str(path), "no drill of plan {!r} can be used: {}".format(
            plan.id, "; ".join(f"{s['exercise']} ({s['date']}): {s['why']}" for s in skipped)))
    candidates = _factors(drills, options.by_role)
    sim = _Simulator(drills, options, progress)
    observed = sorted({(o.scenario or "", o.requirement) for o in obs})
    screened = sim.run([{}] + [{f.id: 2.0} for f in candidates])
    before = screened[0]
    parameters, unexercised = [], []
    for f, doubled in zip(candidates, screened[1:], strict=True):
        moved = [req for sid, req in observed if abs(before.moves(doubled, (sid, req))) > EXERCISED]
        if moved:
            parameters.append(Parameter(f, sorted(set(moved))))
        else:
            unexercised.append(f)
    if not parameters:
        raise InputError(str(path), "no timing parameter of the scenarios shapes the latencies the drills "
                         "observed: nothing to calibrate")
    tau, k = options.tau, len(parameters)
    drill_keys = list(dict.fromkeys(o.drill for o in obs))
    centre, cov, radius, rounds = np.zeros(k), np.eye(k) * tau**2, min(tau, MAX_RADIUS), []
    for _ in range(options.iterations):
        offsets = design_points(k, radius)
        sims = sim.run([{p.factor.id: math.exp(c) for p, c in zip(parameters, centre + u, strict=True)}
                        for u in offsets])
        y = np.array([drill_log_likelihoods(s, obs, drill_keys, options.reps) for s in sims])
        scores, hess = fit_quadratic(offsets, y)
        step, cov = posterior_step(centre, scores.sum(axis=1), hess, tau, 2 * radius, scores)
        rounds.append({"centre": [_r(math.exp(c)) for c in centre], "radius": _r(radius),
                       "log_likelihood": _r(float(y[0].sum())), "step": [_r(float(s)) for s in step]})
        centre = centre + step
        sds = np.sqrt(np.diag(cov))
        radius = float(min(tau, MAX_RADIUS, max(1.5 * sds.max(), 0.05)))
        if np.all(np.abs(step) < 0.1 * sds):
            break
    for p, c, s in zip(parameters, centre, np.sqrt(np.diag(cov)), strict=True):
        p.theta, p.sd = float(c), float(s)
    after = sim.run([{p.factor.id: p.multiplier for p in parameters}])[0]
    return CalibrationResult(plan.id, options, str(path), obs, skipped, parameters, unexercised, before, after,
                             pit(before, obs, options.seed), pit(after, obs, options.seed), rounds, sim.reps_run)
