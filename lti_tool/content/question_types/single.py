"""Single choice: a task list with exactly one option marked ``[x]``; the learner picks one."""

from __future__ import annotations

from ..model import QuestionSource
from ._choice import OneChoiceType
from .base import ReportProblem


class SingleChoice(OneChoiceType):
    name = "single"
    listed = 1

    def check(self, question: QuestionSource, problem: ReportProblem) -> None:
        correct = [option for option in question.options if option.correct]
        if question.options and not correct:
            problem("question has no correct option: mark at least one with [x]")
        if question.options and len(question.options) < 2:
            problem("single-choice question needs at least two options")
        if len(correct) > 1:
            problem(f"single-choice question has {len(correct)} correct options: mark one [x] or use type=multiple")


TYPE = SingleChoice()
