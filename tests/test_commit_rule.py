"""One commit rule: the domain flushes and its caller (a view, a command, a worker loop) commits once, after the
audit entry where there is one (lti_tool/learning/README.md). The adapter's named exceptions are listed in
lti_tool/lti/__init__.py; the domain and the audit log have none."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from lti_tool import REPO_ROOT

PACKAGE = REPO_ROOT / "lti_tool"
COMMIT = re.compile(r"\.commit\(")


def _commits(paths: list[Path]) -> list[str]:
    """Each line that commits, as ``file:line: code``."""
    return [f"{path.name}:{number}: {line.strip()}"
            for path in paths
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
            if COMMIT.search(line)]


@pytest.mark.parametrize("package", ["learning", "content", "privacy"])
def test_the_domain_never_commits_its_callers_transaction(package):
    files = sorted((PACKAGE / package).rglob("*.py"))
    assert files
    assert _commits(files) == []


def test_the_audit_log_joins_the_transaction_of_the_action_it_records():
    assert _commits([PACKAGE / "audit.py"]) == []


def test_the_check_finds_a_commit_where_there_is_one(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("def keep(session):\n    session.flush()\n    session.commit()\n", encoding="utf-8")
    assert _commits([sample]) == ["sample.py:3: session.commit()"]
