"""What the shipped content folder holds, counted from the raw files without the parser.

Tests compare these counts with what ``content check`` and ``publish`` report, so editors can add or remove
pages and questions without editing tests, while a parser that drops or invents one is still caught.
"""

from __future__ import annotations

import re
from pathlib import Path

from lti_tool import REPO_ROOT
from lti_tool.content.interchange import quiz_listing

QUESTION_HEADING = re.compile(r"^## .*\{#[^}]+\}\s*$", re.MULTILINE)
OPTION_LINE = re.compile(r"^(?:- |\d+\. ).*\{#[^}]+\}", re.MULTILINE)
# The shipped quizzes' ids as the interchange lists them: the round-trip tests run once for each.
SHIPPED_QUIZZES = [quiz.id for quiz in quiz_listing(REPO_ROOT)]


def module_folders(root: Path = REPO_ROOT) -> list[Path]:
    return sorted(folder for folder in (root / "modules").iterdir() if (folder / "module.md").is_file())


def page_files(root: Path = REPO_ROOT) -> list[Path]:
    return [path for folder in module_folders(root) for path in sorted(folder.glob("*.md"))
            if path.name not in ("module.md", "README.md")]


def quiz_files(root: Path = REPO_ROOT) -> list[Path]:
    return [path for path in sorted((root / "quizzes").glob("*.md")) if path.name != "README.md"]


def counted(pattern: re.Pattern, paths: list[Path]) -> int:
    return sum(len(pattern.findall(path.read_text(encoding="utf-8"))) for path in paths)


def shipped_counts(root: Path = REPO_ROOT) -> dict[str, int]:
    quizzes = quiz_files(root)
    return {"modules": len(module_folders(root)), "pages": len(page_files(root)), "quizzes": len(quizzes),
            "questions": counted(QUESTION_HEADING, quizzes), "options": counted(OPTION_LINE, quizzes)}
