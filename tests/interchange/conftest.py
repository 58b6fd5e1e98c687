"""Interchange tests write into a copy of the shipped content folder, never the repository's own.

Tests of the formats themselves read the fixture quiz in ``every_type/`` (one question of every type), so they do
not depend on what editors put in the shipped quizzes; separate tests prove each shipped quiz round-trips.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from lti_tool import REPO_ROOT
from lti_tool.content.interchange import load_quiz
from lti_tool.content.model import QuizSource

EVERY_TYPE_DIR = Path(__file__).parent / "every_type"
EVERY_TYPE_QUIZ = "every-type-check"


@pytest.fixture
def every_type_quiz() -> QuizSource:
    return load_quiz(EVERY_TYPE_DIR, EVERY_TYPE_QUIZ)


@pytest.fixture
def content_dir(tmp_path: Path) -> Path:
    root = tmp_path / "content"
    for folder in ("modules", "quizzes"):
        shutil.copytree(REPO_ROOT / folder, root / folder)
    return root


@pytest.fixture
def test_config(test_config: dict, content_dir: Path) -> dict:
    return {**test_config, "CONTENT_DIR": str(content_dir)}
