"""Server-side scoring: each question's type (:mod:`lti_tool.content.question_types`) decides the rest.

Responses are stored as JSON in a normalised shape per type:

- single / truefalse: the chosen option id (``"o5"``)
- multiple: the chosen option ids (``["o1", "o3"]``)
- numeric: the text as typed (``"4.5"``); parsed when scored, so "4,5" can be explained rather than lost
- text, reflection: the text as typed
- match: term option id -> the option id whose meaning was picked (``{"ihs": "ihs", "cnst": "gmc"}``)
- order: item option id -> the position chosen, 1-based (``{"a": 1, "b": 2}``)

Partial credit is the type's to give (see its module). A question is "correct" only with full marks.
Questions of an unscored type (reflections) are never scored.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..content.question_types import REGISTRY, AnswerRejected, question_type
from ..models import Question
from .errors import InvalidAnswer


@dataclass(frozen=True)
class Scored:
    fraction: float
    points: float
    is_correct: bool


def is_scored(question: Question) -> bool:
    known = REGISTRY.get(question.type)
    return known is not None and known.scored


def reflection_required(question: Question) -> bool:
    """A question kept as a reflection, and one the learner must write before submitting."""
    known = REGISTRY.get(question.type)
    return known is not None and not known.scored and bool((question.settings or {}).get("required", True))


def normalise(question: Question, raw: Any) -> Any:
    """The stored shape of ``raw`` for this question, or InvalidAnswer when it cannot belong to it."""
    known = REGISTRY.get(question.type)
    if known is None:
        raise InvalidAnswer(f"Unknown question type “{question.type}”.")
    try:
        return known.normalise(question, raw)
    except AnswerRejected as exc:
        raise InvalidAnswer(str(exc)) from exc


def problem(question: Question, response: Any) -> str | None:
    """Why this response cannot be submitted yet (for the error summary), or None."""
    known = REGISTRY.get(question.type)
    return known.unanswered(question, response) if known is not None else None


def score(question: Question, response: Any) -> Scored | None:
    """What ``response`` is worth; None for questions that are never scored."""
    if not is_scored(question):
        return None
    fraction = min(1.0, max(0.0, question_type(question.type).fraction(question, response)))
    return Scored(fraction=fraction, points=round(fraction * question.points, 4), is_correct=fraction >= 1.0)
