"""The design search (``drillsim design``): the cheapest design of a space (``spec/design.py``) that
meets the target, by a ranking-and-selection procedure on common random numbers.

Every design is screened with ``screen`` replications in every scenario; then, look by look, each
design is judged on each target requirement's Wilson interval of being met: *meets* when every
lower end is at least the target probability, *fails* when some upper end is below it (eliminated),
*open* otherwise. Only open designs cheaper than the cheapest that meets get more replications
(doubled, in cost order, within the budget): a dearer design cannot change the answer. Replication
``i`` of every design is the same incident (``replication_seed(seed, i)``), so the designs are
compared on common random numbers, and the result does not depend on the workers or the cluster.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from statistics import NormalDist
from typing import Any

import numpy as np

from drillsim.runner import BatchJob, Configuration, iterate_batch
from drillsim.scoring.aggregate import wilson
from drillsim.scoring.compare import met_indicator
from drillsim.spec.design import Design, DesignSpace, load_design_space, target_ids
from drillsim.spec.errors import InputError
from drillsim.spec.plan import Plan

MEETS, FAILS, OPEN, UNDECIDED, DEARER = "meets", "fails", "open", "undecided", "dearer"
"""A design's verdict: meets the target; fails it (eliminated); still open (the budget ran out);
undecided at the most replications; dearer than the cheapest that meets, so not pursued."""


@dataclass(frozen=True)
class _Steps(BatchJob):
    """A batch that runs only the listed units: the replications each design gets at this look."""

    todo: tuple[tuple[int, int], ...] = ()

    def units(self) -> list[tuple[int, int]]:
        return list(self.todo)


@dataclass
class Evidence:
    """What the replications so far say of one design: per scenario and target requirement, the
    runs it applied in and those it was met in."""

    design: Design
    met: np.ndarray
    applicable: np.ndarray
    reps: int = 0
    status: str = OPEN

    def intervals(self, z: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Point estimate, lower and upper end of P(met), NaN where a requirement never applied."""
        p = np.full(self.met.shape, np.nan)
        lo, hi = p.copy(), p.copy()
        for idx in np.ndindex(self.met.shape):
            n = int(self.applicable[idx])
            if n:
                p[idx] = self.met[idx] / n
                lo[idx], hi[idx] = wilson(int(self.met[idx]), n, z)
        return p, lo, hi

    def judge(self, probability: float, z: float) -> str:
        """Meets, fails or still open; open while none of the target's requirements has applied in its
        runs (nothing shows it meets)."""
        _, lo, hi = self.intervals(z)
        if np.any(hi[~np.isnan(hi)] < probability):
            return FAILS
        if np.all(lo[~np.isnan(lo)] >= probability) and not np.isnan(lo).all():
            return MEETS
        return OPEN

    def weakest(self, z: float) -> tuple[int, int] | None:
        """The scenario and requirement with the lowest estimate (the lower end breaks ties)."""
        p, lo, _ = self.intervals(z)
        known = [idx for idx in np.ndindex(p.shape) if not np.isnan(p[idx])]
        return min(known, key=lambda idx: (p[idx], lo[idx], idx)) if known else None


@dataclass
class DesignResult:
    space: DesignSpace
    plan: Plan
    requirement_ids: list[str]
    evidence: list[Evidence]
    looks: list[dict[str, Any]] = field(default_factory=list)
    budget_left_open: bool = False

    @property
    def z(self) -> float:
        return NormalDist().inv_cdf(0.5 + self.space.target.confidence / 2)

    @property
    def chosen(self) -> Evidence | None:
        meets = [e for e in self.evidence if e.status == MEETS]
        return min(meets, key=lambda e: (e.design.cost, e.design.index)) if meets else None

    def to_json(self) -> dict[str, Any]:
        space, z = self.space, self.z
        rows = []
        for e in self.evidence:
            p, lo, hi = e.intervals(z)
            weak = e.weakest(z)
            rows.append({
                "design": e.design.index, "name": e.design.name, "cost": e.design.cost,
                "options": dict(zip(space.choices, e.design.options, strict=True)),
                "replications": e.reps, "status": e.status,
                "compliance": None if weak is None else round(float(p[weak]), 6),
                "compliance_ci95": None if weak is None else [round(float(lo[weak]), 6), round(float(hi[weak]), 6)],
                "weakest": None if weak is None else {"scenario": space.scenarios[weak[0]],
                                                      "requirement": self.requirement_ids[weak[1]]},
                "requirements": [{"scenario": space.scenarios[s], "requirement": rid,
                                  "applicable": int(e.applicable[s, j]), "met": int(e.met[s, j]),
                                  "p_met": None if np.isnan(p[s, j]) else round(float(p[s, j]), 6),
                                  "ci": None if np.isnan(lo[s, j]) else [round(float(lo[s, j]), 6),
                                                                         round(float(hi[s, j]), 6)]}
                                 for s in range(len(space.scenarios))
                                 for j, rid in enumerate(self.requirement_ids)],
            })
        front = pareto_front([(r["cost"], r["compliance"]) for r in rows])
        for k, r in enumerate(rows):
            r["pareto"] = k in front
        chosen = self.chosen
        cheaper = [r for r in rows if chosen is None or r["cost"] < chosen.design.cost]
        eliminated: dict[str, int] = {}
        for r in cheaper:
            if r["status"] == FAILS:
                eliminated[str(r["replications"])] = eliminated.get(str(r["replications"]), 0) + 1
        spent = sum(e.reps for e in self.evidence) * len(space.scenarios)
        return {
            "schema": "drillsim.design-run/1", "design_space": space.id, "title": space.title, "plan": self.plan.id,
            "scenarios": list(space.scenarios), "seed": space.seed,
            "target": {"requirements": self.requirement_ids, "probability": space.target.probability,
                       "confidence": space.target.confidence},
            "replications": {"spent": spent, "budget": space.replications.budget,
                             "screen": space.replications.screen, "most": space.replications.most,
                             "every_design_at_most": len(rows) * len(space.scenarios) * space.replications.most},
            "chosen": None if chosen is None else next(r for r in rows if r["design"] == chosen.design.index),
            "sure": {"cheaper_designs": len(cheaper), "eliminated": sum(eliminated.values()),
                     "eliminated_at_replications": dict(sorted(eliminated.items(), key=lambda kv: int(kv[0]))),
                     "cheaper_not_decided": sum(1 for r in cheaper if r["status"] in (OPEN, UNDECIDED)),
                     "budget_ran_out": self.budget_left_open},
            "looks": self.looks, "designs": rows,
        }

    def write(self, out: str | Path, lang: str = "en") -> dict[str, Path]:
        """Write ``design.json``, ``designs.csv``, the front (``pareto.png``, ``pareto.svg``) and ``summary.md``."""
        from drillsim.reports.design import write_design_report

        out = Path(out)
        out.mkdir(parents=True, exist_ok=True)
        data = self.to_json()
        path = out / "design.json"
        path.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        return {"json": path, **write_design_report(data, out, lang)}


def pareto_front(points: list[tuple[float, float | None]]) -> set[int]:
    """The points no other point dominates (as cheap or cheaper and as compliant or more, better in one)."""
    front = set()
    for k, (c, q) in enumerate(points):
        if q is None:
            continue
        if not any(q2 is not None and c2 <= c and q2 >= q and (c2 < c or q2 > q) for c2, q2 in points):
            front.add(k)
    return front


def _look(result: DesignResult, want: dict[int, int], workers: int | None, scheduler: Any,
          advance: Callable[[int], None]) -> None:
    """Run replications ``evidence.reps .. want`` of each design ``want`` names, and count them in."""
    space, screen = result.space, result.space.replications.screen
    order = sorted(want)
    configs, todo, owner = [], [], []
    for i in order:
        e = result.evidence[i]
        for s, (plan, scenario) in enumerate(e.design.drills):
            c = len(configs)
            configs.append(Configuration(f"design-{e.design.index}-{s}", plan, scenario))
            owner.append((i, s))
            todo += [(c, k) for k in range(e.reps // screen, want[i] // screen)]
    job = _Steps(tuple(configs), max(want.values()), space.seed, screen, tuple(todo))
    cols = [result.plan.requirements.index(next(r for r in result.plan.requirements if r.id == rid))
            for rid in result.requirement_ids]
    for res in iterate_batch(job, None, workers, scheduler):
        i, s = owner[res.config]
        met = met_indicator(res.outcome)[:, cols]
        e = result.evidence[i]
        e.met[s] += np.nansum(met, axis=0).astype(np.int64)
        e.applicable[s] += (~np.isnan(met)).sum(axis=0)
        advance(len(res.reps))
    for i in order:
        result.evidence[i].reps = want[i]


def _refuse_what_never_applied(result: DesignResult, design_ref: str | Path) -> None:
    """A requirement the target names that applied in no screening run of any design cannot be judged,
    nor a target (``critical``, ``all``) none of whose requirements ever applied: say so. Of ``critical``
    or ``all``, one that never applied (its condition never held in these scenarios) is not judged."""
    from drillsim.spec.yamlio import load_yaml, locate

    applied = sum(e.applicable for e in result.evidence).sum(axis=0)
    never = [rid for rid, n in zip(result.requirement_ids, applied, strict=True) if n == 0]
    named = not isinstance(result.space.target.requirements, str)
    if never and (named or len(never) == len(result.requirement_ids)):
        data, positions = load_yaml(design_ref)
        place, line = locate(("target", "requirements"), data, positions)
        raise InputError(str(design_ref), f"{', '.join(never)} never applied in the screening runs of any design "
                         f"in {', '.join(result.space.scenarios)}, so the target cannot be judged: leave "
                         f"{'it' if len(never) == 1 else 'them'} out of the target, or add a scenario where "
                         f"{'it applies' if len(never) == 1 else 'they apply'}", place, line)


def run_design(plan_ref: str | Path, design_ref: str | Path, workers: int | None = None, scheduler: Any = None,
               progress: Callable[[int, int], None] | None = None, params: str | Path | None = None) -> DesignResult:
    """Search the design space of DESIGN_REF for the cheapest design of PLAN that meets its target, with
    the parameter values of the overlay file ``params`` (such as ``drillsim calibrate`` writes)."""
    space, plan, designs = load_design_space(plan_ref, design_ref, params)
    ids = target_ids(space, plan)
    reps, n_sc = space.replications, len(space.scenarios)
    shape = (n_sc, len(ids))
    result = DesignResult(space, plan, ids, [Evidence(d, np.zeros(shape, np.int64), np.zeros(shape, np.int64))
                                             for d in designs])
    first = len(designs) * n_sc * reps.screen
    if first > reps.budget:
        raise InputError(str(design_ref), f"screening the {len(designs)} designs in {n_sc} scenario(s) takes {first:,} "
                         f"replications; the budget is {reps.budget:,}", "replications.budget")
    z, target = result.z, space.target.probability
    done = 0
    planned = first

    def advance(n: int) -> None:
        nonlocal done
        done += n
        if progress is not None:
            progress(done, planned)

    want = {i: reps.screen for i in range(len(designs))}
    while want:
        added = sum(v - result.evidence[i].reps for i, v in want.items()) * n_sc
        _look(result, want, workers, scheduler, advance)
        if not result.looks:
            _refuse_what_never_applied(result, design_ref)
        spent = sum(e.reps for e in result.evidence) * n_sc
        for e in result.evidence:
            if e.status == OPEN:
                verdict = e.judge(target, z)
                e.status = UNDECIDED if verdict == OPEN and e.reps >= reps.most else verdict
        best = result.chosen
        result.looks.append({"designs": len(want), "replications": added,
                             "meets": sum(e.status == MEETS for e in result.evidence),
                             "fails": sum(e.status == FAILS for e in result.evidence),
                             "open": sum(e.status == OPEN for e in result.evidence)})
        want, extra = {}, 0
        for i, e in enumerate(result.evidence):  # cost order
            if e.status != OPEN or (best is not None and e.design.cost >= best.design.cost):
                continue
            more = min(2 * e.reps, reps.most)
            if spent + extra + (more - e.reps) * n_sc > reps.budget:
                result.budget_left_open = True
                break
            want[i], extra = more, extra + (more - e.reps) * n_sc
        planned = done + extra
    best = result.chosen
    for e in result.evidence:
        if e.status == OPEN and best is not None and e.design.cost >= best.design.cost:
            e.status = DEARER
    return result
