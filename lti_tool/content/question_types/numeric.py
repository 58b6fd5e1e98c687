"""Numeric: ``= 4.5 +- 0.5 unit``; the typed number is right within the tolerance.

The response is stored as typed (``"4,5"`` stays ``"4,5"``) so a slip can be explained rather than lost.
"""

from __future__ import annotations

import math
from typing import Any

from ...models import Question
from ..model import Problem, QuestionSource
from ._typed import TypedAnswerType
from .base import Answers, FormatText, ReportProblem
from .blocks import Numbered, number_text, parse_numeric


def parse_number(text: str) -> float | None:
    try:
        value = float(text.strip().replace("\u2212", "-"))
    except (ValueError, AttributeError):
        return None
    return value if math.isfinite(value) else None


class Numeric(TypedAnswerType):
    name = "numeric"
    listed = 4
    form_template = "learner/question_types/number.html"
    result_template = "learner/question_types/numeric_result.html"
    qti_response = ("single", "float")
    missing_block = "numeric question has no '= value' line"

    def read_block(self, path: str, block: Numbered, problems: list[Problem]) -> Answers:
        return Answers(numeric=parse_numeric(path, self.answer_lines(block), problems))

    def write_block(self, question: QuestionSource) -> list[str]:
        if question.numeric is None:
            return []
        answer = f"= {number_text(question.numeric.value)}"
        if question.numeric.tolerance or question.numeric.unit:
            answer += f" +- {number_text(question.numeric.tolerance)}"
        return [answer + (f" {question.numeric.unit}" if question.numeric.unit else "")]

    def stored_settings(self, question: QuestionSource) -> dict[str, Any]:
        if question.numeric is None:
            return {}
        return {"answer": question.numeric.value, "tolerance": question.numeric.tolerance,
                "unit": question.numeric.unit}

    def check(self, question: QuestionSource, problem: ReportProblem) -> None:
        """The block reader has said all there is to say about a numeric answer."""

    def unanswered(self, question: Question, response: Any) -> str | None:
        if not (response or "").strip():
            return "Enter a number"
        return None if parse_number(response) is not None else "Enter a number, like 4.5"

    def fraction(self, question: Question, response: Any) -> float:
        settings = question.settings or {}
        value = parse_number(response or "")
        if value is None or settings.get("answer") is None:
            return 0.0
        tolerance = abs(float(settings.get("tolerance") or 0.0))
        # A hair of slack so that 4.5 +- 0.5 accepts 5.0 despite binary floating point.
        return 1.0 if abs(value - float(settings["answer"])) <= tolerance + 1e-9 else 0.0

    def correct_values(self, question: QuestionSource, ids: dict[str, str]) -> list[str]:
        return [number_text(question.numeric.value)] if question.numeric is not None else []

    def unit(self, question: QuestionSource) -> str:
        return question.numeric.unit if question.numeric is not None else ""

    def qti_tolerance(self, question: QuestionSource) -> float | None:
        return question.numeric.tolerance if question.numeric is not None else None

    def gift_answers(self, question: QuestionSource, escape: FormatText, general: str) -> str:
        if question.numeric is None:
            return "{}"
        return (f"{{#{number_text(question.numeric.value)}:{number_text(question.numeric.tolerance)}"
                f"{general.strip() and ' ' + general.strip()}}}")

    def blackboard_fields(self, question: QuestionSource, field: FormatText) -> tuple[str, list[str]]:
        if question.numeric is None:
            return "ESS", []
        return "NUM", [number_text(question.numeric.value), number_text(question.numeric.tolerance)]


TYPE = Numeric()
