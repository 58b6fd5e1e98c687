"""Text: ``= accepted answer`` lines; the typed answer is right when it equals one, ignoring case and spacing."""

from __future__ import annotations

from typing import Any

from ...models import Question
from ..model import Problem, QuestionSource
from ._typed import TypedAnswerType
from .base import Answers, FormatText, ReportProblem, collapse
from .blocks import Numbered, one_line


class Text(TypedAnswerType):
    name = "text"
    listed = 5
    form_template = "learner/question_types/text.html"
    result_template = "learner/question_types/text_result.html"
    qti_response = ("single", "string")
    missing_block = "text question has no '= accepted answer' line"
    qti_case_sensitive = False

    def read_block(self, path: str, block: Numbered, problems: list[Problem]) -> Answers:
        answers = self.answer_lines(block)
        for number, answer in answers:
            if not answer:
                problems.append(Problem(path, number, "accepted answer is empty: write '= answer'"))
        return Answers(accepted=[(number, answer) for number, answer in answers if answer])

    def write_block(self, question: QuestionSource) -> list[str]:
        return [f"= {one_line(answer)}" for answer in question.accepted]

    def stored_settings(self, question: QuestionSource) -> dict[str, Any]:
        return {"accepted": list(question.accepted)}

    def check(self, question: QuestionSource, problem: ReportProblem) -> None:
        """The block reader has said all there is to say about accepted answers."""

    def unanswered(self, question: Question, response: Any) -> str | None:
        return None if (response or "").strip() else "Enter your answer"

    def fraction(self, question: Question, response: Any) -> float:
        given = collapse(response or "")
        return 1.0 if given and given in {collapse(a) for a in (question.settings or {}).get("accepted", [])} else 0.0

    def correct_values(self, question: QuestionSource, ids: dict[str, str]) -> list[str]:
        return list(question.accepted[:1])

    def qti_mapping(self, question: QuestionSource, ids: dict[str, str]) -> list[tuple[str, float]] | None:
        return [(answer, float(question.points)) for answer in question.accepted]

    def gift_answers(self, question: QuestionSource, escape: FormatText, general: str) -> str:
        return "{\n" + "\n".join(f"  ={escape(answer)}" for answer in question.accepted) + general + "\n}"

    def blackboard_fields(self, question: QuestionSource, field: FormatText) -> tuple[str, list[str]]:
        return "FIB", [field(answer) for answer in question.accepted]


TYPE = Text()
