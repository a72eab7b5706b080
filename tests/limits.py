"""A time limit for one test case: a hang becomes a failure, not a stuck suite."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def time_limit(seconds: int) -> Iterator[None]:
    """Raise TimeoutError in the case if it runs longer than ``seconds`` (SIGALRM; main thread only)."""
    def hang(signum: int, frame: object) -> None:
        raise TimeoutError(f"the case took more than {seconds} s")

    old = signal.signal(signal.SIGALRM, hang)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)
