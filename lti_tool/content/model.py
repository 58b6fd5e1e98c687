"""Authored content as typed, immutable values, each remembering the file and line it came from.

The parser builds these from Markdown; the validator checks them; publishing turns them into database rows.
Paths are relative to the content folder and use forward slashes (``modules/img-supervision/01-why.md``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

MODULE_KINDS = ("module", "session", "handbook")
SHUFFLE_VALUES = ("none", "options", "questions", "both")
SHOW_ANSWERS_VALUES = ("after_submit", "after_pass", "after_last_attempt")


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with the content, said where it is: ``path:line: message``."""

    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


@dataclass(frozen=True)
class Source:
    """A source a page or quiz relies on; ``accessed`` is when someone last opened it and checked the claim."""

    title: str
    url: str
    path: str
    line: int
    accessed: date | None = None


@dataclass(frozen=True)
class Outcome:
    id: str
    text: str
    gmc_areas: tuple[int, ...]
    path: str
    line: int


@dataclass(frozen=True)
class CompletionRule:
    """What completes a module. ``quizzes`` is ``"all"``, ``"none"`` or a tuple of quiz ids."""

    pages: str
    quizzes: str | tuple[str, ...]
    reflections: str
    path: str
    line: int
    key_lines: dict[str, int] = field(default_factory=dict, compare=False)

    def as_dict(self) -> dict[str, object]:
        quizzes = list(self.quizzes) if isinstance(self.quizzes, tuple) else self.quizzes
        return {"pages": self.pages, "quizzes": quizzes, "reflections": self.reflections}


@dataclass(frozen=True)
class PageSource:
    id: str
    title: str
    last_reviewed: date | None
    sources: tuple[Source, ...]
    quiz: str | None
    body: str
    body_line: int
    file_name: str
    path: str
    line: int
    key_lines: dict[str, int] = field(default_factory=dict, compare=False)
    reviewed_by: str = ""
    next_review: date | None = None


@dataclass(frozen=True)
class ModuleSource:
    """A module folder: ``module.md`` plus its pages in file-name order."""

    id: str
    title: str
    summary: str
    audience: str
    kind: str
    estimated_minutes: int
    outcomes: tuple[Outcome, ...]
    completion: CompletionRule
    last_reviewed: date | None
    intro: str
    intro_line: int
    folder: str
    pages: tuple[PageSource, ...]
    path: str
    line: int
    files: dict[str, str] = field(default_factory=dict, compare=False)
    key_lines: dict[str, int] = field(default_factory=dict, compare=False)
    reviewed_by: str = ""
    next_review: date | None = None

    @property
    def quiz_ids(self) -> tuple[str, ...]:
        return tuple(page.quiz for page in self.pages if page.quiz)


@dataclass(frozen=True)
class OptionSource:
    """A choice (``correct``, ``feedback``, ``pinned``), a match pair (``text`` -> ``match_text``) or an item
    to order (its position in the list is the correct order)."""

    id: str
    text: str
    path: str
    line: int
    correct: bool = False
    feedback: str = ""
    match_text: str = ""
    pinned: bool = False


@dataclass(frozen=True)
class NumericAnswer:
    value: float
    tolerance: float
    unit: str
    line: int


@dataclass(frozen=True)
class QuestionSource:
    id: str
    title: str
    type: str
    type_given: bool
    points: int
    points_given: bool
    scoring: str
    required: bool
    required_given: bool
    stem: str
    stem_line: int
    explanation: str
    explanation_line: int
    options: tuple[OptionSource, ...]
    numeric: NumericAnswer | None
    accepted: tuple[str, ...]
    path: str
    line: int
    accepted_lines: tuple[int, ...] = ()

    @property
    def scored(self) -> bool:
        # Imported here: the type modules build on this module's values.
        from .question_types import is_reflection

        return not is_reflection(self.type) and self.points > 0


@dataclass(frozen=True)
class QuizSource:
    id: str
    title: str
    pass_mark: int
    attempts: int | None
    shuffle: str
    pick: int | None
    show_answers: str
    last_reviewed: date | None
    intro: str
    intro_line: int
    questions: tuple[QuestionSource, ...]
    text: str
    path: str
    line: int
    key_lines: dict[str, int] = field(default_factory=dict, compare=False)
    reviewed_by: str = ""
    next_review: date | None = None
    sources: tuple[Source, ...] = ()


@dataclass(frozen=True)
class Content:
    modules: tuple[ModuleSource, ...]
    quizzes: tuple[QuizSource, ...]

    def quiz(self, quiz_id: str) -> QuizSource | None:
        return next((quiz for quiz in self.quizzes if quiz.id == quiz_id), None)
