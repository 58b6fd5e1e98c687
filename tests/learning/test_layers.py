"""The learning domain stays plain Python: no Flask, no pylti1p3 (imports point down only)."""

from __future__ import annotations

import ast
from pathlib import Path

import lti_tool.learning

FORBIDDEN = ("flask", "pylti1p3", "werkzeug", "lti_tool.web", "lti_tool.lti")


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = "lti_tool." + (node.module or "") if node.level == 2 else (node.module or "")
            names.add(base)
    return names


def test_the_learning_package_imports_neither_flask_nor_pylti1p3():
    folder = Path(lti_tool.learning.__file__).parent
    offenders = {f"{path.name}: {name}" for path in folder.glob("*.py") for name in imported_modules(path)
                 if any(name == f or name.startswith(f + ".") for f in FORBIDDEN)}
    assert offenders == set()
