"""The plans and scenarios that ship with drillsim, found by id or by path."""

from __future__ import annotations

import difflib
from importlib.resources import files
from pathlib import Path

from .errors import InputError


def _builtin(package: str) -> dict[str, Path]:
    folder = files(package)
    return {Path(str(p)).stem: Path(str(p)) for p in sorted(folder.iterdir(), key=lambda p: p.name)
            if p.name.endswith(".yaml")}


def builtin_plans() -> dict[str, Path]:
    return _builtin("drillsim.plans")


def builtin_scenarios() -> dict[str, Path]:
    return _builtin("drillsim.scenarios")


def builtin_programmes() -> dict[str, Path]:
    return _builtin("drillsim.programmes")


def builtin_experiments() -> dict[str, Path]:
    return _builtin("drillsim.experiments")


def resolve(ref: str | Path, kind: str) -> Path:
    """A path to a file, or the id of a built-in plan, scenario, programme or experiment."""
    if not str(ref).strip():
        raise InputError(kind, f"the name is empty: give a {kind} file or the id of a built-in {kind}")
    path = Path(ref)
    try:
        folder = path.is_dir()
        if not folder and path.exists():
            return path
    except OSError:  # no file can have this name (too long for one): it may still be an id
        folder = False
    table = {"plan": builtin_plans, "scenario": builtin_scenarios, "programme": builtin_programmes,
             "experiment": builtin_experiments}[kind]()
    if str(ref) in table:
        return table[str(ref)]
    if folder:  # and not a built-in id (an output folder named after a plan, say)
        raise InputError(str(ref), f"is a folder, not a {kind} file")
    near = difflib.get_close_matches(str(ref), table, n=3, cutoff=0.6)
    hint = f"did you mean {' or '.join(near)}? " if near else ""
    listed = f"`drillsim list` shows the {len(table)} built-in {kind}s" if len(table) > 8 else \
        f"built-in: {', '.join(table) or 'none'}"
    raise InputError(str(ref), f"no such file, and no built-in {kind} has this id; {hint}({listed})")
