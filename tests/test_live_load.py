"""The live console under load on the loopback address (benchmarks/live_load.py): 20 evaluators
stamping 50 times each at once, every fifth stamp sent twice — each kept once, none lost, every
repeat answered as a duplicate. Counts only: the latency is the benchmark's (docs/performance.md)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))

from live_load import run_load  # benchmarks/, on the path above


def test_twenty_evaluators_stamping_fifty_times_each_lose_nothing_and_duplicate_nothing():
    got = run_load(evaluators=20, stamps=50)
    assert got["distinct"] == got["acknowledged"] == 1000
    assert got["stamps_kept"] == 1000
    assert got["repeats_sent"] == 200 and got["requests"] == 1200
