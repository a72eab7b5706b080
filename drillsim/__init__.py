"""drillsim: bank-branch emergency drills as discrete-event simulations, scored against the plan.

The public API lives in :mod:`drillsim.api`; its names are available here too. They are loaded on
first use, so that importing a part (``drillsim.scoring``, say) does not load the simulator.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"
__all__ = [
    "DrillOutput", "ProgrammeOutput", "build", "calibrate", "design", "experiment", "load_plan", "load_scenario",
    "read_drill_log", "read_sheets", "replicate", "run_drill", "run_programme", "score", "score_drill", "simulate",
    "stress", "write_drill", "write_sheet",
]


def __getattr__(name: str) -> Any:
    if name in __all__:
        return getattr(importlib.import_module("drillsim.api"), name)
    raise AttributeError(f"module 'drillsim' has no attribute {name!r}")
