"""Interchange tests write into a copy of the shipped content folder, never the repository's own."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from lti_tool import REPO_ROOT


@pytest.fixture
def content_dir(tmp_path: Path) -> Path:
    root = tmp_path / "content"
    for folder in ("modules", "quizzes"):
        shutil.copytree(REPO_ROOT / folder, root / folder)
    return root


@pytest.fixture
def test_config(test_config: dict, content_dir: Path) -> dict:
    return {**test_config, "CONTENT_DIR": str(content_dir)}
