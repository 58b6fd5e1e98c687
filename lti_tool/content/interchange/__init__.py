"""Quiz interchange: export our quizzes as QTI 2.1, Blackboard upload text and GIFT; import GIFT and text2qti.

Exports start from the parsed source (:class:`QuizSource`), not the published rows: the source keeps the
Markdown of stems, options and feedback and every setting, while published rows hold rendered HTML. Imports
build a :class:`QuizSource` and write it as our Markdown, then run the same checks as ``content check``;
nothing is saved unless it passes. No Flask here. The parser, the checks and the QTI writer (YAML, Markdown, the
HTML sanitiser) are imported where they are used, so the admin pages that list these functions cost a web worker
nothing until someone exports or imports.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ...errors import Conflict, NotFound, ToolError
from ..model import Problem, QuizSource
from .blackboard import quiz_to_blackboard
from .gift import gift_to_quiz, quiz_to_gift
from .markdown import quiz_markdown
from .text2qti import text2qti_to_quiz

EXPORT_FORMATS = ("qti", "blackboard", "gift")
IMPORT_FORMATS = ("gift", "text2qti")
QUIZ_FILE = re.compile(r"^quizzes/[a-z0-9][a-z0-9-]*\.md$")

__all__ = ["EXPORT_FORMATS", "IMPORT_FORMATS", "QUIZ_FILE", "Export", "ImportResult", "check_markdown", "export_quiz",
           "import_quiz", "load_quiz", "quiz_listing", "quiz_markdown", "save_imported"]


@dataclass(frozen=True)
class Export:
    data: bytes
    filename: str
    media_type: str


@dataclass(frozen=True)
class ImportResult:
    """Our Markdown for an imported quiz, where it would be saved, and what ``content check`` says of it."""

    markdown: str
    path: str
    problems: tuple[Problem, ...]

    @property
    def ok(self) -> bool:
        return not self.problems


def quiz_listing(content_dir: Path | str) -> list[QuizSource]:
    """Every quiz in the content folder that parses, in file order (problems are for ``content check``)."""
    from ..parse import load_tree, parse_quiz

    tree = load_tree(content_dir)
    quizzes = []
    for path in tree.quiz_paths():
        quiz = parse_quiz(path, tree.texts[path], [])
        if quiz is not None and quiz.id:
            quizzes.append(quiz)
    return quizzes


def load_quiz(content_dir: Path | str, quiz_id: str) -> QuizSource:
    """The quiz with this id from the content folder's ``quizzes/``, parsed."""
    for quiz in quiz_listing(content_dir):
        if quiz.id == quiz_id:
            return quiz
    raise NotFound(f"There is no quiz with id '{quiz_id}' in {Path(content_dir) / 'quizzes'}.")


def export_quiz(quiz: QuizSource, export_format: str) -> Export:
    if export_format == "qti":
        from .qti import quiz_to_qti_package

        return Export(quiz_to_qti_package(quiz), f"{quiz.id}-qti21.zip", "application/zip")
    if export_format == "blackboard":
        return Export(quiz_to_blackboard(quiz).encode("utf-8"), f"{quiz.id}-blackboard.txt",
                      "text/plain; charset=utf-8")
    if export_format == "gift":
        return Export(quiz_to_gift(quiz).encode("utf-8"), f"{quiz.id}.gift.txt", "text/plain; charset=utf-8")
    raise ToolError(f"Unknown export format '{export_format}': use one of {', '.join(EXPORT_FORMATS)}.")


def import_quiz(text: str, import_format: str, quiz_id: str, title: str, content_dir: Path | str) -> ImportResult:
    """Convert a GIFT or text2qti text to our Markdown and check it as ``quizzes/<quiz_id>.md`` would be."""
    if import_format == "gift":
        quiz = gift_to_quiz(text, quiz_id, title)
    elif import_format == "text2qti":
        quiz = text2qti_to_quiz(text, quiz_id, title)
    else:
        raise ToolError(f"Unknown import format '{import_format}': use one of {', '.join(IMPORT_FORMATS)}.")
    markdown = quiz_markdown(quiz)
    path = f"quizzes/{quiz_id}.md"
    return ImportResult(markdown, path, tuple(check_markdown(content_dir, path, markdown)))


def check_markdown(content_dir: Path | str, path: str, markdown: str) -> list[Problem]:
    """Problems of one quiz file as if it were in the content folder (so its id must be new there too)."""
    if not QUIZ_FILE.match(path):
        return [Problem(path, 1, "the file must be quizzes/<name>.md with a lower-case name")]
    from ..parse import load_tree
    from ..validate import check_tree

    tree = load_tree(content_dir)
    if path in tree.texts:
        return [Problem(path, 1, f"{path} already exists: choose another quiz id")]
    return [problem for problem in check_tree(tree.with_texts({path: markdown})) if problem.path == path]


def save_imported(content_dir: Path | str, path: str, markdown: str) -> Path:
    """Write a checked quiz file into the content folder; refuses an existing file or one with problems."""
    target = Path(content_dir) / path
    if not QUIZ_FILE.match(path):
        raise ToolError("The file must be saved as quizzes/<name>.md with a lower-case name.")
    if target.exists():
        raise Conflict(f"{path} already exists. Choose another quiz id.")
    problems = check_markdown(content_dir, path, markdown)
    if problems:
        raise ToolError("The quiz has problems to fix before it can be saved:\n"
                        + "\n".join(str(problem) for problem in problems))
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(markdown, encoding="utf-8")
    return target
