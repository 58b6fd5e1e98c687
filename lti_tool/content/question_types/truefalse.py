"""True or false: two options with ids ``true`` and ``false``, one marked ``[x]``."""

from __future__ import annotations

from ..model import QuestionSource
from ._choice import OneChoiceType
from .base import ReportProblem


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


TYPE = TrueFalse()
