"""What a question type is: one object that parses, checks, scores and explains one kind of question.

Each module beside this one defines one type and nothing else; the package's ``__init__`` finds them. The
methods take the authored :class:`QuestionSource` (parse, check, interchange) or the published
:class:`~lti_tool.models.Question` (score, feedback), so the same rules hold before and after publishing.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar
from xml.etree import ElementTree as ET

from ...models import Option, Question
from ..model import NumericAnswer, OptionSource, Problem, QuestionSource
from .blocks import Numbered

ReportProblem = Callable[..., None]
"""``problem(message, line=question line)``: records a problem with the question being checked."""
FormatText = Callable[[str], str]
"""An export format's way of writing a text (GIFT escapes it, Blackboard flattens it to one line)."""
AddHtml = Callable[[ET.Element, str], None]
"""The QTI writer's way of adding sanitised HTML to an element as XHTML."""


class AnswerRejected(ValueError):
    """A response that cannot belong to the question; the message says why, in words for the learner."""


@dataclass(frozen=True)
class Answers:
    """What a type reads out of its answer block."""

    options: list[OptionSource] = field(default_factory=list)
    numeric: NumericAnswer | None = None
    accepted: list[tuple[int, str]] = field(default_factory=list)


@dataclass(frozen=True)
class OptionResult:
    """One option as the learner sees it on the result page: what they chose and whether it was right."""

    slug: str
    text_html: str
    feedback_html: str
    chosen: bool
    correct: bool
    chosen_meaning: str = ""
    correct_meaning: str = ""
    chosen_position: int | None = None
    correct_position: int | None = None


def collapse(text: str) -> str:
    """Text compared the way a person reads it: runs of white space as one space, case ignored."""
    return re.sub(r"\s+", " ", text).strip().casefold()


class QuestionType(ABC):
    """One kind of question. Class attributes describe it; the abstract methods are what every type must do."""

    name: ClassVar[str]
    """The value of ``type=`` in a quiz heading, stored as ``Question.type``."""
    listed: ClassVar[int]
    """Place in the list of types offered to authors."""
    scored: ClassVar[bool] = True
    """False for questions that are never scored (reflections)."""
    choice: ClassVar[bool] = False
    """Options marked right or wrong: the preview marks them, the tutor's analysis counts wrong choices."""
    answer_field: ClassVar[str]
    """How the form posts an answer: ``option`` (one option token), ``options`` (several), ``text``, or
    ``option_map`` (one field per option, holding a meaning token for ``pairs`` or a position)."""
    hint: ClassVar[str] = ""
    """A line shown under the stem on the form, saying how to answer."""
    form_template: ClassVar[str]
    """The template that renders the question's form field (under ``templates/learner/question_types/``)."""
    result_template: ClassVar[str]
    """The template that renders the learner's answer and its feedback on the result page."""
    qti_response: ClassVar[tuple[str, str]]
    """QTI 2.1 ``responseDeclaration`` cardinality and baseType."""
    partial_scoring: ClassVar[bool] = False
    """Whether ``scoring=partial`` may be set."""
    missing_block: ClassVar[str] = ""
    """The problem reported when the question has no answer block; empty when it needs none."""
    qti_case_sensitive: ClassVar[bool] = True
    """Whether QTI compares the keys of :meth:`qti_mapping` case by case."""

    # ---------------------------------------------------------------------------------------- parse

    @abstractmethod
    def starts_block(self, line: str) -> bool:
        """Whether ``line`` opens this type's answer block."""

    @abstractmethod
    def is_item(self, line: str) -> bool:
        """Whether ``line`` continues the block as another item."""

    @abstractmethod
    def read_block(self, path: str, block: Numbered, problems: list[Problem]) -> Answers:
        """The options, numeric answer or accepted answers written in the block."""

    def stored_settings(self, question: QuestionSource) -> dict[str, Any]:
        """What publishing keeps in ``Question.settings`` for scoring and feedback (none by default)."""
        return {}

    @abstractmethod
    def write_block(self, question: QuestionSource) -> list[str]:
        """The answer block as Markdown lines: what :meth:`read_block` reads back (used by imports)."""

    # ---------------------------------------------------------------------------------------- check

    @abstractmethod
    def check(self, question: QuestionSource, problem: ReportProblem) -> None:
        """Report what is wrong with a parsed question of this type (options, correct marks, settings)."""

    # ---------------------------------------------------------------------------------------- score

    @abstractmethod
    def normalise(self, question: Question, raw: Any) -> Any:
        """The stored shape of ``raw``; raises AnswerRejected when it cannot belong to this question."""

    @abstractmethod
    def unanswered(self, question: Question, response: Any) -> str | None:
        """Why ``response`` cannot be submitted yet (for the error summary), or None."""

    @abstractmethod
    def fraction(self, question: Question, response: Any) -> float:
        """The share of the marks ``response`` earns, from 0 to 1."""

    # ---------------------------------------------------------------------------------------- feedback

    @abstractmethod
    def option_results(self, question: Question, shown: Sequence[Option], response: Any) -> list[OptionResult]:
        """The options as the result page lists them, each with what was chosen and what was right."""

    # ---------------------------------------------------------------------------------------- interchange

    @abstractmethod
    def correct_values(self, question: QuestionSource, ids: dict[str, str]) -> list[str]:
        """The QTI ``correctResponse`` values (``ids`` maps option ids to QTI identifiers)."""

    def qti_mapping(self, question: QuestionSource, ids: dict[str, str]) -> list[tuple[str, float]] | None:
        """Partial credit as QTI ``mapEntry`` keys and the points each earns; None scores all or nothing."""
        return None

    def qti_tolerance(self, question: QuestionSource) -> float | None:
        """The absolute tolerance QTI compares the answer with; None compares it exactly."""
        return None

    @abstractmethod
    def qti_interaction(self, body: ET.Element, question: QuestionSource, ids: dict[str, str],
                        add_html: AddHtml) -> None:
        """Add the QTI 2.1 interaction the learner answers with to the item's ``body``."""

    @abstractmethod
    def gift_answers(self, question: QuestionSource, escape: FormatText, general: str) -> str:
        """The GIFT answer part, ``{...}``, holding ``general`` (the ``####`` feedback line, or nothing)."""

    @abstractmethod
    def blackboard_fields(self, question: QuestionSource, field: FormatText) -> tuple[str, list[str]]:
        """The Blackboard upload code (``MC``, ``TF``, ...) and the fields after the stem."""
