from __future__ import annotations

import os

if os.environ.get("MUTANT_UNDER_TEST") is not None:  # under `mutmut run` (docs/testing.md)
    from tests.mutmut_alias import install

    install()

from pathlib import Path

import pytest

from drillsim.log.eventlog import Event, EventLog
from drillsim.spec.catalog import builtin_plans
from drillsim.spec.plan import Plan, load_plan

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture(scope="session", autouse=True)
def _history_of_the_session(tmp_path_factory):
    """What session- and module-scoped fixtures score is kept in a history of the test run, never in the
    user's (they are set up before the per-test history below)."""
    before = os.environ.get("DRILLSIM_HISTORY")
    os.environ["DRILLSIM_HISTORY"] = str(tmp_path_factory.mktemp("session-history") / "history.sqlite")
    yield
    if before is None:
        os.environ.pop("DRILLSIM_HISTORY")
    else:
        os.environ["DRILLSIM_HISTORY"] = before


@pytest.fixture(autouse=True)
def _history_of_the_test(tmp_path_factory, monkeypatch):
    """Drills a test scores are kept in a history of its own, never in the user's (docs/history.md)."""
    monkeypatch.setenv("DRILLSIM_HISTORY", str(tmp_path_factory.mktemp("history") / "history.sqlite"))


@pytest.fixture(scope="session")
def robbery_plan() -> Plan:
    return load_plan(builtin_plans()["counter-robbery"])


def make_log(*events: tuple, incident_type: str = "armed_robbery") -> EventLog:
    """A hand-made log. Each event: (t, event, what, actor_role, target_role, channel, value, fields)."""
    rows = []
    for e in events:
        t, event, what, actor, target, channel, value, fields = (*e, *(None,) * (8 - len(e)))
        rows.append(Event(float(t), "branch", "INC", event, what, actor, f"{actor}-1" if actor else None, target,
                          f"{target}-1" if target else None, channel, None, value, fields))
    return EventLog(rows, None, {"type": incident_type})
