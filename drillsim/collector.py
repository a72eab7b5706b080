"""Python's cyclic garbage collector, run seldom while much is allocated that lives on.

A finished replication is a reference cycle (a SimPy environment, its processes and its events refer
to one another), so the collector frees it, not reference counting; a drill log read from a file is
100,000 rows that live until the command ends. At Python's default threshold of 700 allocations the
collector runs every few replications, or every few hundred rows read, and each time scans what is
alive and moves it to an older generation, where it is scanned again: about a fifth of ``drillsim
score``'s time on a 100,021-row log. At 20,000 it runs about once every hundred replications, over
what is nearly all garbage. ``docs/performance.md`` has the measured gains. Imports nothing heavy:
the command line enters it before it knows what it will run.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def few_collections(threshold: int = 20_000) -> Iterator[None]:
    """The collector's first threshold raised to ``threshold`` allocations while the block runs."""
    old = gc.get_threshold()
    gc.set_threshold(threshold, *old[1:])
    try:
        yield
    finally:
        gc.set_threshold(*old)
