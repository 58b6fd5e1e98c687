"""The emulator must stand alone: no pylti1p3, nothing else from lti_tool."""

import ast
from pathlib import Path

import lti_tool.devplatform

PACKAGE = Path(lti_tool.devplatform.__file__).parent


def imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
    return names


def test_no_module_imports_pylti1p3_or_the_rest_of_the_tool() -> None:
    sources = sorted(PACKAGE.glob("*.py"))
    assert len(sources) > 5
    offending = {
        f"{path.name}: {name}"
        for path in sources
        for name in imported_modules(path)
        if name.split(".")[0] == "pylti1p3" or name.startswith("lti_tool")
    }
    assert offending == set()
