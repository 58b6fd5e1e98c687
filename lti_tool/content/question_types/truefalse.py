"""True or false: two options with ids ``true`` and ``false``, one marked ``[x]``."""

from __future__ import annotations

from ..model import QuestionSource
from ._choice import OneChoiceType
from .base import FormatText, ReportProblem


class TrueFalse(OneChoiceType):
    name = "truefalse"
    listed = 3
    missing_block = "truefalse question must have exactly two options with ids 'true' and 'false'"

    def check(self, question: QuestionSource, problem: ReportProblem) -> None:
        if not question.options:
            return
        if sorted(option.id for option in question.options) != ["false", "true"]:
            problem(self.missing_block)
        elif sum(option.correct for option in question.options) != 1:
            problem("truefalse question must have exactly one correct option marked [x]")

    def gift_answers(self, question: QuestionSource, escape: FormatText, general: str) -> str:
        answer = next((o for o in question.options if o.correct), None)
        wrong = next((o for o in question.options if not o.correct), None)
        letter = "T" if answer is not None and answer.id == "true" else "F"
        wrong_feedback = escape(wrong.feedback if wrong else "")
        right_feedback = escape(answer.feedback if answer else "")
        # Moodle: the first #feedback is shown for a wrong answer, the second for the right one.
        return f"{{{letter}#{wrong_feedback}#{right_feedback}{general.strip() and ' ' + general.strip()}}}"

    def blackboard_fields(self, question: QuestionSource, field: FormatText) -> tuple[str, list[str]]:
        return "TF", [next((o.id for o in question.options if o.correct), "true")]


TYPE = TrueFalse()
