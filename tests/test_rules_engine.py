"""The engine's rules (sim/engine.py, sim/model.py), each pinned by the event log of a tiny plan.

Every time in these scenarios is fixed, so each expectation is worked out by hand from the rule it
states: a reaction of 1 min and a talk of 2 min put the report's acknowledgement at minute 3.
The plans are in tests/data/rules/; docs/testing.md says how these tests were found.
"""

from __future__ import annotations

from typing import Any

from drillsim.sim.engine import run_replication
from drillsim.sim.eventlog import EventLog
from drillsim.sim.model import build_model
from drillsim.sim.plan import Plan, load_plan
from drillsim.sim.scenario import parse_scenario
from tests.conftest import DATA

RULES = DATA / "rules"
FIXED = {"reaction": 1, "handling": 2}  # minutes


def plan(name: str) -> Plan:
    return load_plan(RULES / f"{name}-plan.yaml")


def scenario(p: Plan, injects: list[dict], human: dict | None = None, **parameters: Any) -> dict:
    """A scenario for plan ``p``: the given injects, fixed human times unless ``human`` changes them."""
    return {"schema": "drillsim.scenario/1", "id": "t", "title": "t", "plan": p.id,
            "start": "2026-06-15T10:00:00+08:00", "horizon": "4h", "incident": {"type": "test"},
            "injects": injects, "parameters": {"human": {**FIXED, **(human or {})}, **parameters}}


def run(p: Plan, data: dict, seed: int = 1) -> EventLog:
    return run_replication(build_model(p, parse_scenario(data, p)), seed)


def timeline(log: EventLog, *kinds: str) -> list[tuple]:
    """(minute, event, what, actor, target) of every row of these kinds (all but injects and facts if none)."""
    keep = set(kinds) or {"action", "sent", "received", "acknowledged", "unanswered", "lost", "arrived",
                          "omitted", "level", "unfinished"}
    return [(round(r[0], 6), r[3], r[4], r[6], r[8]) for r in log.rows if r[3] in keep]


def at(log: EventLog, event: str, what: str) -> list[float]:
    return [round(r[0], 6) for r in log.rows if r[3] == event and r[4] == what]
