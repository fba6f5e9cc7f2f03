"""No module reaches into another module's private names (`from .x import _y`, `x._y = ...`).

A private name is free to change; a module that needs one from elsewhere is asking for a public,
documented helper instead. Aliasing a public name to a private one (`import score as _score`) is fine.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "src" / "spbe_engine"


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def reaches(source: str) -> list[str]:
    """Every place in `source` that imports or assigns another module's private name."""
    tree = ast.parse(source)
    modules = {
        alias.asname or alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.level
        for alias in node.names
    }
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.level or (node.module or "").startswith("spbe_engine")):
            found += [f"line {node.lineno}: import {a.name}" for a in node.names if _private(a.name)]
        elif (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and (node.value.id in modules or node.value.id == "engine")  # the Engine's privates too
            and _private(node.attr)
        ):
            found.append(f"line {node.lineno}: {node.value.id}.{node.attr}")
    return found


def test_no_module_uses_another_modules_private_names() -> None:
    offenders = {
        str(path.relative_to(PACKAGE)): hits
        for path in sorted(PACKAGE.rglob("*.py"))
        if (hits := reaches(path.read_text(encoding="utf-8")))
    }
    assert offenders == {}


def test_the_check_sees_both_forms() -> None:
    assert reaches("from .excel import _open, cell_text\n") == ["line 1: import _open"]
    assert reaches("from . import errors\nerrors._translate = str\n") == ["line 2: errors._translate"]
    assert reaches("from .ops import score as _score\nfrom __future__ import annotations\n") == []
    assert reaches("def f(engine):\n    return engine._registry\n") == ["line 2: engine._registry"]
