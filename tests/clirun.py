"""Run the ``drillsim`` command in this process, as ``main()`` runs it, and capture what it prints."""

from __future__ import annotations

import contextlib
import io
from dataclasses import dataclass
from pathlib import Path

from drillsim.cli import run_command


@dataclass
class Ran:
    code: int
    out: str
    err: str

    @property
    def text(self) -> str:
        return self.out + self.err


def drillsim(*args: str | Path) -> Ran:
    """``drillsim ARGS…``: the exit status and what went to stdout and stderr."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = run_command([str(a) for a in args])
    return Ran(code, out.getvalue(), err.getvalue())
