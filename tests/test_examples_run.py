"""The examples a reader copies work: the README's Python and its command lines, and every
docstring example (doctest) in the package."""

from __future__ import annotations

import doctest
import glob
import importlib
import pkgutil
import re
import shlex
from pathlib import Path

import pytest
import yaml

from tests.clirun import drillsim
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text("utf-8")
BLOCKS = re.findall(r"^```(\w+)\n(.*?)^```", README, re.S | re.M)
PYTHON = [code for lang, code in BLOCKS if lang == "python"]
COMMANDS = [line.split("  #")[0].strip() for lang, code in BLOCKS if lang == "sh" for line in code.splitlines()
            if line.strip()]
SMALL_REPS = 3  # each late replication is re-run and drawn as an example: few, to be quick


def test_the_readme_has_examples():
    assert PYTHON and len(COMMANDS) >= 8


@pytest.mark.parametrize("code", PYTHON, ids=[f"python-{i}" for i in range(len(PYTHON))])
def test_readme_python_runs(code):
    exec(compile(code, "README.md", "exec"), {})


def _runnable(line: str, tmp_path) -> list[str]:
    """The README's command line as it runs here: small --reps, outputs in tmp_path, globs expanded,
    an experiment file copied with few replications."""
    words = shlex.split(line.replace("[", "").replace("]", ""))[1:]
    args = [a for w in words for a in (sorted(glob.glob(w, root_dir=ROOT)) if "*" in w else [w])]
    for i, arg in enumerate(args):
        before = args[i - 1] if i else ""
        if before == "--reps" and int(arg) > SMALL_REPS:
            args[i] = str(SMALL_REPS)
        elif before == "--out":
            args[i] = str(tmp_path / arg)
        elif before == "experiment":
            data = yaml.safe_load((ROOT / arg).read_text("utf-8"))
            data["reps"] = min(data["reps"], SMALL_REPS)
            small = tmp_path / Path(arg).name
            small.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
            args[i] = str(small)
    return args


@pytest.mark.parametrize("line", COMMANDS)
def test_readme_command_runs(line, tmp_path, monkeypatch):
    if line.startswith("make "):
        pytest.skip("make sets up the machine (pip, apt) and runs the whole suite; the other tests run what it does")
    if line.startswith(". "):
        pytest.skip("activates the virtual environment in a shell; these tests run inside it")
    if "--scheduler" in line:
        pytest.skip("needs a running Dask scheduler; tests/test_many_runs.py runs a local Dask cluster instead")
    assert line.startswith("drillsim "), line
    monkeypatch.chdir(ROOT)  # the README's paths are relative to the project's folder
    ran = drillsim(*_runnable(line, tmp_path))
    assert ran.code == 0, ran.text
    assert "error" not in ran.err.lower(), ran.err


def _modules() -> list[str]:
    names = []
    for package in ("drillsim", "drillsim.sim", "drillsim.agents", "drillsim.scoring", "drillsim.reports"):
        names.append(package)
        path = importlib.import_module(package).__path__
        names += [m.name for m in pkgutil.iter_modules(path, package + ".") if not m.name.endswith("__main__")]
    return names


MODULES = _modules()


def test_the_package_has_docstring_examples():
    finder = doctest.DocTestFinder()
    assert sum(len(t.examples) for m in MODULES for t in finder.find(importlib.import_module(m))) >= 5


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name):
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE,
                             report=True)
    assert result.failed == 0, f"{result.failed} docstring example(s) of {name} failed (printed above)"
