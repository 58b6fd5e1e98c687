"""Reflection: a free-text answer kept for the learner and their tutors, never scored, with no answer block.

``required=false`` lets the learner submit without writing one.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from xml.etree import ElementTree as ET

from ...models import Option, Question
from ..model import Problem, QuestionSource
from ._typed import typed_text
from .base import AddHtml, Answers, FormatText, OptionResult, QuestionType, ReportProblem
from .blocks import Numbered


def required(question: Question) -> bool:
    return bool((question.settings or {}).get("required", True))


class Reflection(QuestionType):
    name = "reflection"
    listed = 8
    scored = False
    answer_field = "text"
    form_template = "learner/question_types/reflection.html"
    result_template = "learner/question_types/reflection_result.html"
    qti_response = ("single", "string")

    def starts_block(self, line: str) -> bool:
        return False

    def is_item(self, line: str) -> bool:
        return False

    def read_block(self, path: str, block: Numbered, problems: list[Problem]) -> Answers:
        return Answers()

    def write_block(self, question: QuestionSource) -> list[str]:
        return []

    def check(self, question: QuestionSource, problem: ReportProblem) -> None:
        if question.points_given:
            problem("reflection questions are never scored: remove points=")

    def stored_settings(self, question: QuestionSource) -> dict[str, Any]:
        return {"required": question.required}

    def normalise(self, question: Question, raw: Any) -> Any:
        return typed_text(raw)

    def unanswered(self, question: Question, response: Any) -> str | None:
        return "Write your reflection" if required(question) and not (response or "").strip() else None

    def fraction(self, question: Question, response: Any) -> float:
        return 0.0

    def option_results(self, question: Question, shown: Sequence[Option], response: Any) -> list[OptionResult]:
        return []

    def correct_values(self, question: QuestionSource, ids: dict[str, str]) -> list[str]:
        return []

    def qti_interaction(self, body: ET.Element, question: QuestionSource, ids: dict[str, str],
                        add_html: AddHtml) -> None:
        ET.SubElement(body, "extendedTextInteraction", {"responseIdentifier": "RESPONSE", "expectedLines": "8"})

    def gift_answers(self, question: QuestionSource, escape: FormatText, general: str) -> str:
        return "{}"

    def blackboard_fields(self, question: QuestionSource, field: FormatText) -> tuple[str, list[str]]:
        return "ESS", []


TYPE = Reflection()
