"""Whether the engine plays every built-in drill the same in distribution as the recorded one.

    .venv/bin/python scripts/equivalence.py --record     # record today's engine in tests/data/engine_reference.json
    .venv/bin/python scripts/equivalence.py              # compare the present engine with the record
    .venv/bin/python scripts/equivalence.py --scenario armed-robbery-injured --reps 150 --workers 2

``scripts/golden.py`` pins outputs byte for byte; a change that only reorders same-time events or
random draws (a faster engine) breaks that, but must leave every drill the same in distribution.
For each scenario, replication ``i`` is simulated with ``replication_seed(SEED, i)`` (the many-run
seeding) and scored against its plan; the record keeps, per statistic, the number of replications
it is defined in, its mean and its variance (see :func:`outcomes` for the statistics).

The comparison runs the replications after the recorded ones (``--first``, default: the record's
count), so that the two samples are independent, and compares each statistic by a two-sample Welch
z; a statistic defined in only some replications is also compared by the share of replications it
is defined in. With K comparisons, a difference is flagged when |z| exceeds the normal quantile
of alpha = 0.001 / K on each side (Bonferroni); the count of |z| > 3 is reported too.
"""

from __future__ import annotations

import argparse
import json
import math
import subprocess
import sys
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from statistics import NormalDist
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from drillsim.log.eventlog import EventLog
    from drillsim.scoring.scorecard import Scorecard

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = ROOT / "tests" / "data" / "engine_reference.json"
SEED = 0
"""The batch seed: replication ``i`` of every scenario runs with ``replication_seed(SEED, i)``."""
REPS = 300
ALPHA = 0.001
"""The family-wise false-alarm rate of a comparison."""
MIN_DEFINED = 10
"""A statistic defined in fewer replications than this in either sample has its mean left uncompared
(its share of replications is still compared): a z of so few values is not near normal."""
COUNTED = ("met ", "rows ")
"""Prefixes of the statistics every replication has (a kind of row absent from a log counts 0)."""


@dataclass(frozen=True)
class Stat:
    """A statistic over the replications it is defined in."""

    n: int
    mean: float
    var: float  # sample variance (n - 1 in the denominator); 0 for n < 2

    @classmethod
    def of(cls, values: list[float]) -> Stat:
        n = len(values)
        if n == 0:
            return cls(0, 0.0, 0.0)
        mean = math.fsum(values) / n
        var = math.fsum((v - mean) ** 2 for v in values) / (n - 1) if n > 1 else 0.0
        return cls(n, mean, var)

    def to_json(self) -> list[float]:
        return [self.n, _short(self.mean), _short(self.var)]


def _short(x: float) -> float:
    """Seven significant digits: ample for a z, and a file one can read."""
    return float(f"{x:.7g}")


def outcomes(log: EventLog, card: Scorecard) -> dict[str, float]:
    """The statistics of one replication (a statistic undefined in it is left out):

    ``score`` the overall score; ``met REQ`` 1 if the requirement was met, else 0; ``latency REQ``
    its latency, where it has one; ``rows KIND`` the number of log rows of each kind (``event``);
    ``span`` minutes from the first inject to the last row; ``received REPORT`` and
    ``acknowledged REPORT`` minutes from the first inject to the first such row of the report.
    """
    found: dict[str, float] = {}
    if card.score is not None:
        found["score"] = card.score
    for r in card.results:
        found[f"met {r.id}"] = float(r.outcome == "met")
        if r.latency is not None and math.isfinite(r.latency):
            found[f"latency {r.id}"] = r.latency
    rows = log.rows
    for kind, count in Counter(row.event for row in rows).items():
        found[f"rows {kind}"] = float(count)
    start = next((row.t for row in rows if row.event == "inject"), 0.0)
    if rows:
        found["span"] = rows[-1].t - start
    for row in rows:
        if row.event in ("received", "acknowledged"):
            found.setdefault(f"{row.event} {row.what}", row.t - start)
    return found


@cache
def scenarios() -> dict[str, tuple[str, Path]]:
    """Every built-in scenario: id -> (its plan's id, its file), as ``scripts/golden.py`` finds them."""
    import yaml

    from drillsim.spec.catalog import builtin_scenarios

    return {sid: (yaml.safe_load(path.read_text("utf-8"))["plan"], path) for sid, path in builtin_scenarios().items()}


def summarise(scenario_id: str, first: int, reps: int) -> dict[str, Stat]:
    """Replications ``first`` .. ``first + reps - 1`` of a built-in scenario, summarised per statistic."""
    import drillsim
    from drillsim.scoring.scorecard import Scorer
    from drillsim.sim.seeds import replication_seed

    plan_id, path = scenarios()[scenario_id]
    plan = drillsim.load_plan(plan_id)
    model = drillsim.build(plan, drillsim.load_scenario(path, plan))
    scorer = Scorer(plan)
    values: dict[str, list[float]] = {}
    for k, i in enumerate(range(first, first + reps)):
        log = drillsim.simulate(model, seed=replication_seed(SEED, i))
        for name, value in outcomes(log, scorer.score(log, flow=False)).items():
            column = values.setdefault(name, [0.0] * k if name.startswith(COUNTED) else [])
            column.append(value)
        for name, column in values.items():  # a count absent from this replication is 0
            if name.startswith(COUNTED) and len(column) == k:
                column.append(0.0)
    return {name: Stat.of(column) for name, column in sorted(values.items())}


def _summarise_task(args: tuple[str, int, int]) -> tuple[str, dict[str, Stat]]:
    return args[0], summarise(*args)


def summarise_all(ids: Iterable[str], first: int, reps: int, workers: int = 1) -> dict[str, dict[str, Stat]]:
    tasks = [(sid, first, reps) for sid in ids]
    if workers <= 1:
        return dict(map(_summarise_task, tasks))
    from multiprocessing import Pool

    with Pool(workers) as pool:
        return dict(pool.imap_unordered(_summarise_task, tasks))


@dataclass(frozen=True)
class Comparison:
    scenario: str
    statistic: str
    reference: float
    present: float
    z: float


def _same(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-6 * (1 + abs(a))


def welch_z(a: Stat, b: Stat) -> float | None:
    """``b``'s mean less ``a``'s over its standard error; None when there is nothing to compare (both
    constant and equal); infinite when both are constant and differ."""
    d = b.mean - a.mean
    se2 = a.var / a.n + b.var / b.n
    if _same(a.mean, b.mean):
        return None if se2 == 0 else 0.0
    return math.copysign(math.inf, d) if se2 == 0 else d / math.sqrt(se2)


def _share(stat: Stat, reps: int) -> Stat:
    """The share of ``reps`` replications a statistic is defined in, as a 0/1 statistic."""
    p = stat.n / reps
    return Stat(reps, p, p * (1 - p) * reps / (reps - 1))


def compare(reference: dict[str, Stat], ref_reps: int, present: dict[str, Stat], reps: int,
            scenario: str) -> list[Comparison]:
    """Every comparison of one scenario's statistics (``reference`` of ``ref_reps`` replications,
    ``present`` of ``reps``), a statistic missing from one side being absent from all its replications."""
    found = []
    for name in sorted(set(reference) | set(present)):
        counted = name.startswith(COUNTED)
        a = reference.get(name) or Stat(ref_reps if counted else 0, 0.0, 0.0)
        b = present.get(name) or Stat(reps if counted else 0, 0.0, 0.0)
        if not counted and (a.n < ref_reps or b.n < reps):
            share_a, share_b = _share(a, ref_reps), _share(b, reps)
            z = welch_z(share_a, share_b)
            if z is not None:
                found.append(Comparison(scenario, f"{name} (share defined)", share_a.mean, share_b.mean, z))
        if min(a.n, b.n) >= (2 if counted else MIN_DEFINED):
            z = welch_z(a, b)
            if z is not None:
                found.append(Comparison(scenario, name, a.mean, b.mean, z))
    return found


def threshold(k: int, alpha: float = ALPHA) -> float:
    """|z| above which one of ``k`` comparisons is flagged: a family-wise two-sided ``alpha`` (Bonferroni)."""
    return NormalDist().inv_cdf(1 - alpha / (2 * max(k, 1)))


def load_reference(path: Path = REFERENCE) -> dict[str, Any]:
    data = json.loads(path.read_text("utf-8"))
    data["scenarios"] = {sid: {"plan": s["plan"], "stats": {k: Stat(*v) for k, v in s["stats"].items()}}
                         for sid, s in data["scenarios"].items()}
    return data


def write_reference(summaries: dict[str, dict[str, Stat]], first: int, reps: int, path: Path = REFERENCE) -> None:
    """The record as JSON, one line per statistic: ``[replications defined in, mean, variance]``."""
    plans = scenarios()
    head = {
        "about": "scripts/equivalence.py: per built-in scenario, [n, mean, variance] of each statistic "
                 "over the replications it is defined in",
        "commit": _commit(), "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "seed": SEED, "first": first, "replications": reps,
        "seeds": f"drillsim.sim.seeds.replication_seed({SEED}, i) for i in {first}..{first + reps - 1}",
    }
    lines = ["{"] + [f"{json.dumps(k)}: {json.dumps(v)}," for k, v in head.items()] + ['"scenarios": {']
    for j, sid in enumerate(sorted(summaries)):
        stats = summaries[sid]
        lines.append(f'{json.dumps(sid)}: {{"plan": {json.dumps(plans[sid][0])}, "stats": {{')
        lines += [f"  {json.dumps(name)}: {json.dumps(stat.to_json())}{',' if i < len(stats) - 1 else ''}"
                  for i, (name, stat) in enumerate(stats.items())]
        lines.append("}}" + ("," if j < len(summaries) - 1 else ""))
    lines += ["}", "}"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _commit() -> str:
    run = subprocess.run(["git", "describe", "--always", "--dirty", "--abbrev=40"], cwd=ROOT,
                         capture_output=True, text=True, check=False)
    return run.stdout.strip() or "unknown"


def check(ids: list[str], reps: int, first: int | None = None, workers: int = 1,
          reference: dict[str, Any] | None = None) -> tuple[list[Comparison], list[str]]:
    """Every comparison of the present engine's ``reps`` replications (from ``first``, by default
    the first after the recorded ones) with the record, and the scenarios the record lacks."""
    reference = reference or load_reference()
    recorded = reference["scenarios"]
    start = reference["first"] + reference["replications"] if first is None else first
    missing = [sid for sid in ids if sid not in recorded]
    present = summarise_all([sid for sid in ids if sid in recorded], start, reps, workers)
    comparisons = [c for sid in sorted(present)
                   for c in compare(recorded[sid]["stats"], reference["replications"], present[sid], reps, sid)]
    return comparisons, missing


def flagged(comparisons: list[Comparison], alpha: float = ALPHA) -> list[Comparison]:
    limit = threshold(len(comparisons), alpha)
    return [c for c in comparisons if abs(c.z) > limit]


def table(rows: list[Comparison]) -> str:
    lines = [f"{'scenario':44} {'statistic':44} {'reference':>10} {'present':>10} {'z':>8}"]
    lines += [f"{c.scenario:44} {c.statistic:44} {c.reference:10.4g} {c.present:10.4g} {c.z:8.2f}" for c in rows]
    return "\n".join(lines)


def record(ids: list[str], first: int, reps: int, workers: int, some: bool) -> int:
    """Record ``ids``; only ``some`` scenarios replace theirs in the record, which must have the same replications."""
    summaries = summarise_all(ids, first, reps, workers)
    if some and REFERENCE.exists():
        old = load_reference()
        if (old["first"], old["replications"]) != (first, reps):
            print(f"the record has replications {old['first']}.. x {old['replications']}: record every scenario "
                  "to change them", file=sys.stderr)
            return 2
        summaries = {**{sid: s["stats"] for sid, s in old["scenarios"].items()}, **summaries}
    write_reference(summaries, first, reps)
    print(f"recorded {len(ids)} scenarios x {reps} replications in {REFERENCE.relative_to(ROOT)}")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--record", action="store_true", help=f"record the present engine in {REFERENCE.name}")
    parser.add_argument("--scenario", action="append", metavar="ID", help="only this built-in scenario (repeatable)")
    parser.add_argument("--reps", type=int, default=REPS, help=f"replications per scenario (default {REPS})")
    parser.add_argument("--first", type=int, default=None,
                        help="index of the first replication (default: 0 to record; to compare, "
                             "the first after the recorded ones)")
    parser.add_argument("--workers", type=int, default=1, choices=(1, 2), help="processes (default 1)")
    args = parser.parse_args()
    every = scenarios()
    unknown = sorted(set(args.scenario or ()) - set(every))
    if unknown:
        parser.error(f"not a built-in scenario: {', '.join(unknown)}")
    ids = args.scenario or sorted(every)
    if args.reps < 2:
        parser.error("--reps must be at least 2")
    if args.record:
        return record(ids, args.first or 0, args.reps, args.workers, bool(args.scenario))
    comparisons, missing = check(ids, args.reps, args.first, args.workers)
    for sid in missing:
        print(f"{sid}: not in the record (record again to include it)")
    bad = flagged(comparisons)
    over_3 = sum(abs(c.z) > 3 for c in comparisons)
    k = len(comparisons)
    print(f"{k} comparisons in {len(ids) - len(missing)} scenarios; flagged above |z| = {threshold(k):.2f} "
          f"(alpha {ALPHA} / {k}): {len(bad)}; |z| > 3: {over_3}")
    if bad:
        print(table(sorted(bad, key=lambda c: -abs(c.z))))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
