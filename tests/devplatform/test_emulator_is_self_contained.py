"""The emulator must stand alone (no pylti1p3, nothing from lti_tool) and stay out of the tool's wheel."""

import ast
import tomllib
from pathlib import Path

from setuptools import find_namespace_packages

import lti_platform_emulator
from lti_tool import REPO_ROOT

PACKAGE = Path(lti_platform_emulator.__file__).parent


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


def test_the_wheel_ships_the_tool_without_the_emulator() -> None:
    """setuptools builds one wheel for every extra, so the emulator, a development tool, is left out of it
    altogether: it is imported from the checkout (tests, run.sh, the /dev/ page), never from an installed tool."""
    pyproject = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    include = pyproject["tool"]["setuptools"]["packages"]["find"]["include"]
    shipped = find_namespace_packages(where=str(REPO_ROOT), include=include)
    assert "lti_tool" in shipped and "lti_tool.content.authoring" in shipped
    assert [name for name in shipped if not name.startswith("lti_tool")] == []
