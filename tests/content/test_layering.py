"""The content domain stays free of Flask and pylti1p3, so publishing runs from any command or worker."""

from __future__ import annotations

import ast

from lti_tool import REPO_ROOT

FORBIDDEN = ("flask", "werkzeug", "pylti1p3")


def imported_modules(path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_the_content_package_imports_neither_flask_nor_pylti1p3():
    files = sorted((REPO_ROOT / "lti_tool" / "content").glob("*.py"))
    assert files
    for path in files:
        bad = {name for name in imported_modules(path) if name.split(".")[0] in FORBIDDEN}
        assert not bad, f"{path.name} imports {bad}"
