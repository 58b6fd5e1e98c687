"""The layers of ARCHITECTURE.md, held by a test: web → lti → learning/content → models, imports pointing down.

The domain (learning/, content/) imports neither Flask nor pylti1p3 nor the packages above it, so it runs from
any command, worker or test; only lti/ imports pylti1p3; models/ import nothing of the application.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from lti_tool import REPO_ROOT

PACKAGE = REPO_ROOT / "lti_tool"


def _imports(path: Path) -> set[str]:
    """Absolute module names imported by a file, relative imports resolved against its package."""
    module_parts = path.relative_to(REPO_ROOT).with_suffix("").parts
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module_parts[: len(module_parts) - node.level]
                prefix = ".".join(base)
                if node.module:
                    names.add(f"{prefix}.{node.module}")
                else:
                    names.update(f"{prefix}.{alias.name}" for alias in node.names)
            elif node.module:
                names.add(node.module)
    return names


def _files(*packages: str) -> list[Path]:
    return sorted(p for package in packages for p in (PACKAGE / package).rglob("*.py"))


def _violations(files: list[Path], forbidden: tuple[str, ...]) -> list[str]:
    found = []
    for path in files:
        for name in _imports(path):
            if any(name == f or name.startswith(f + ".") for f in forbidden):
                found.append(f"{path.relative_to(REPO_ROOT)} imports {name}")
    return found


@pytest.mark.parametrize("package", ["learning", "content", "privacy"])
def test_the_domain_imports_neither_frameworks_nor_the_layers_above_it(package):
    files = _files(package)
    assert files
    assert _violations(files, ("flask", "werkzeug", "pylti1p3", "lti_tool.web", "lti_tool.lti")) == []


def test_only_the_lti_package_imports_pylti1p3():
    outside = [p for p in PACKAGE.rglob("*.py") if "lti" not in p.relative_to(PACKAGE).parts[:1]]
    assert _violations(outside, ("pylti1p3",)) == []


def test_views_neither_import_models_nor_run_sql():
    """web/ renders what lti/ and the domain return; queries live below it (the session comes from db.py)."""
    files = _files("web")
    assert files
    assert _violations(files, ("lti_tool.models", "sqlalchemy")) == []


def test_models_import_nothing_of_the_application_above_them():
    assert _violations(_files("models"), ("flask", "lti_tool.web", "lti_tool.lti", "lti_tool.learning",
                                          "lti_tool.content", "lti_tool.privacy")) == []



def test_the_domain_imports_without_loading_flask_werkzeug_or_pylti1p3():
    """What the package's own __init__ and the domain pull in at import time, not only what they name: a worker or
    command that uses the domain must not pay for the web stack."""
    probe = ("import sys, lti_tool.learning, lti_tool.content, lti_tool.privacy; "
             "print(sorted({m.split('.')[0] for m in sys.modules} & {'flask', 'werkzeug', 'pylti1p3'}))")
    result = subprocess.run([sys.executable, "-c", probe], cwd=REPO_ROOT, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
