"""Let mutmut's mutated copies stand in for drillsim's subpackages (only under ``mutmut run``).

mutmut copies ``spec/``, ``log/``, ``sim/``, ``agents/``, ``scoring/``, ``history/`` and ``live/`` into ``mutants/``
and names each mutant by its path (``sim.engine.x``), while the code imports them as
``drillsim.sim.engine``. This finder makes ``drillsim.sim.engine`` the very module object
``sim.engine``, so both names meet (docs/testing.md). ``drillsim/``'s own modules keep their names
(``drillsim.calibration``) and need no alias.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.util
import sys

PACKAGES = ("spec", "log", "sim", "agents", "scoring", "history", "live")


class MutantAlias(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    def find_spec(self, fullname, path=None, target=None):
        top, _, rest = fullname.partition(".")
        if top == "drillsim" and rest.split(".")[0] in PACKAGES:
            return importlib.util.spec_from_loader(fullname, self, is_package=True)
        return None

    def create_module(self, spec):
        module = importlib.import_module(spec.name.removeprefix("drillsim."))
        self.own_spec = module.__spec__
        return module

    def exec_module(self, module) -> None:
        # the import system has just given the module this alias's spec: give it back its own, so
        # that importlib.resources finds the package's files (the live console's templates)
        module.__spec__ = self.own_spec


def install() -> None:
    sys.meta_path.insert(0, MutantAlias())
