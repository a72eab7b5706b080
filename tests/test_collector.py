"""The cyclic garbage collector runs seldom while a command or a batch makes much that lives on
(drillsim/collector.py; docs/performance.md has what it saves)."""

from __future__ import annotations

import gc

import pytest

import drillsim.cli
from drillsim.collector import few_collections


def test_the_first_threshold_is_raised_inside_and_restored_after_even_on_an_error():
    before = gc.get_threshold()
    with few_collections():
        assert gc.get_threshold() == (20_000, *before[1:])
    assert gc.get_threshold() == before
    with pytest.raises(RuntimeError), few_collections(5_000):
        assert gc.get_threshold()[0] == 5_000
        raise RuntimeError
    assert gc.get_threshold() == before


def test_every_command_runs_with_the_collector_run_seldom(monkeypatch):
    seen = []
    monkeypatch.setattr(drillsim.cli, "app", lambda **_: seen.append(gc.get_threshold()[0]) or 0)
    before = gc.get_threshold()
    assert drillsim.cli.run_command(["validate", "counter-robbery"]) == 0
    assert seen == [20_000] and gc.get_threshold() == before
