"""The packages import one another only along the allowed edges (docs/architecture.md).

Imports read with ``ast`` from every module, at any depth of the code, except those under
``if TYPE_CHECKING:`` (names for type hints only, never loaded).
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ALLOWED = {
    "spec": set(),
    "log": {"spec"},
    "scoring": {"spec", "log"},
    "reports": {"spec", "log", "scoring"},
    "agents": {"spec", "log"},
    "sim": {"spec", "log", "agents"},
    "history": {"spec", "log", "scoring"},
    "drillsim": {"spec", "log", "scoring", "reports", "agents", "sim", "history", "live"},  # live: cli.py only
    "live": {"spec", "log", "scoring", "reports", "agents", "sim", "history", "drillsim"},
}
"""package -> the packages it may import (the table of docs/architecture.md)."""


def _runtime_imports(tree: ast.AST) -> list[str]:
    found: list[str] = []

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
                for other in child.orelse:
                    visit(other)
                continue
            if isinstance(child, ast.Import):
                found.extend(a.name for a in child.names)
            elif isinstance(child, ast.ImportFrom) and child.level == 0 and child.module:
                found.append(child.module)
            visit(child)

    visit(tree)
    return found


def _package_of(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] != "drillsim":
        return None
    return parts[1] if len(parts) > 1 and parts[1] in ALLOWED else "drillsim"


def edges() -> set[tuple[str, str, str]]:
    """(importing package, imported package, file) for every import of another package."""
    found = set()
    for package in ALLOWED:
        for path in (ROOT / package).rglob("*.py"):
            for module in _runtime_imports(ast.parse(path.read_text("utf-8"))):
                target = _package_of(module)
                if target is not None and target != package:
                    found.add((package, target, str(path.relative_to(ROOT))))
    return found


def test_packages_import_only_along_the_allowed_edges():
    wrong = sorted(f"{file}: {a} imports {b}" for a, b, file in edges() if b not in ALLOWED[a])
    assert wrong == []


def test_the_check_sees_imports_at_any_depth_and_skips_type_hints_only():
    code = ("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import drillsim.sim.engine\n"
            "def f():\n    from drillsim.scoring import checks\n")
    assert _runtime_imports(ast.parse(code)) == ["typing", "drillsim.scoring"]
    assert _package_of("drillsim") == "drillsim" and _package_of("drillsim.api") == "drillsim"
