"""The layers of ARCHITECTURE.md, held by a test: web → lti → learning (privacy beside it) → content → models,
imports pointing down; the README's drawing of lti_tool/ names every part of ``LAYERS``.

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


def test_content_never_imports_learning():
    """content/ is authored material and its publishing; learning/ reads the published versions, never the reverse."""
    assert _violations(_files("content"), ("lti_tool.learning",)) == []


def test_question_types_never_import_the_interchange_formats():
    """Writers hand each type their helpers; an import the other way would cycle through interchange/__init__."""
    files = _files("content/question_types")
    assert files
    assert _violations(files, ("lti_tool.content.interchange",)) == []


# Top-level parts of lti_tool/, highest first: each may import only parts of a lower layer. Parts in one layer stand
# beside each other and import none of each other.
LAYERS: tuple[frozenset[str], ...] = (
    frozenset({"__init__"}),  # looks the factory up lazily, so importing the domain loads no Flask
    frozenset({"app"}),  # the factory: binds the blueprints and registers the commands
    frozenset({"cli"}),  # thin commands over the layers below
    frozenset({"web"}),
    frozenset({"lti"}),
    frozenset({"learning", "privacy"}),
    frozenset({"content"}),
    frozenset({"audit", "db", "migrate", "migrations"}),  # infrastructure over the tables
    frozenset({"models"}),
    frozenset({"errors", "numbers", "settings", "vocabulary"}),  # plain values any layer may use
)


def _modules() -> dict[str, Path]:
    """Every module of lti_tool by dotted name (a package by its own name, not ``.__init__``)."""
    modules = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(REPO_ROOT).with_suffix("").parts
        modules[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return modules


def _part(path: Path) -> str:
    return path.relative_to(PACKAGE).with_suffix("").parts[0]


def _part_edges() -> dict[tuple[str, str], str]:
    """Imports between top-level parts of lti_tool, each with one file:name that makes it (for the message)."""
    modules = _modules()
    edges: dict[tuple[str, str], str] = {}
    for path in modules.values():
        for name in sorted(_imports(path)):
            while name and name not in modules:
                name = name.rpartition(".")[0]
            if name.startswith("lti_tool."):
                edge = (_part(path), _part(modules[name]))
                if edge[0] != edge[1]:
                    edges.setdefault(edge, f"{path.relative_to(REPO_ROOT)} imports {name}")
    return edges


def test_every_part_of_the_package_has_a_layer():
    parts = {_part(path) for path in _modules().values()}
    assert parts - set().union(*LAYERS) == set()
    assert set().union(*LAYERS) - parts == set()


def test_nothing_imports_upward_or_sideways():
    rank = {part: index for index, layer in enumerate(LAYERS) for part in layer}
    upward = [f"{importer} → {imported}: {where}" for (importer, imported), where in sorted(_part_edges().items())
              if rank[imported] <= rank[importer]]
    assert upward == []


def test_the_parts_of_the_package_import_each_other_without_cycles():
    edges = _part_edges()
    graph: dict[str, set[str]] = {}
    for importer, imported in edges:
        graph.setdefault(importer, set()).add(imported)

    def cycle_from(start: str, path: list[str]) -> list[str] | None:
        for following in sorted(graph.get(path[-1], ())):
            if following == start:
                return [*path, start]
            if following not in path and (found := cycle_from(start, [*path, following])):
                return found
        return None

    cycles = [cycle for start in sorted(graph) if (cycle := cycle_from(start, [start]))]
    assert [" → ".join(cycle) + f" ({edges[cycle[-2], cycle[-1]]})" for cycle in cycles] == []


def test_test_modules_import_helpers_from_support_not_from_other_test_modules():
    """A helper another file needs lives in tests/support/; importing a test module runs its collection twice."""
    tests = REPO_ROOT / "tests"
    found = [f"{path.relative_to(REPO_ROOT)} imports {name}" for path in sorted(tests.rglob("*.py"))
             for name in sorted(_imports(path)) if name.rpartition(".")[2].startswith("test_")]
    assert found == []
