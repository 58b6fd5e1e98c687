"""Multiple choice: a task list with one or more options marked ``[x]``; the learner picks all that apply.

All or nothing by default; ``scoring=partial`` gives max(0, (right chosen - wrong chosen) / right total).
"""

from __future__ import annotations

from typing import Any

from ...models import Question
from ..model import QuestionSource
from ._choice import ChoiceType
from .base import AnswerRejected, ReportProblem
from .blocks import number_text


class MultipleChoice(ChoiceType):
    name = "multiple"
    listed = 2
    partial_scoring = True
    hint = "Select all that apply."
    answer_field = "options"
    form_template = "learner/question_types/checkboxes.html"
    qti_response = ("multiple", "identifier")
    blackboard_code = "MA"

    def check(self, question: QuestionSource, problem: ReportProblem) -> None:
        if question.options and not any(option.correct for option in question.options):
            problem("question has no correct option: mark at least one with [x]")
        if question.options and len(question.options) < 2:
            problem("multiple-choice question needs at least two options")

    def stored_settings(self, question: QuestionSource) -> dict[str, Any]:
        return {"scoring": question.scoring}

    def normalise(self, question: Question, raw: Any) -> Any:
        chosen = [raw] if isinstance(raw, str) else list(raw or [])
        slugs = {o.slug for o in question.options}
        if not all(isinstance(c, str) and c in slugs for c in chosen):
            raise AnswerRejected("A choice is not one of this question's options.")
        return sorted(set(chosen))

    def unanswered(self, question: Question, response: Any) -> str | None:
        return None if response else "Choose at least one answer"

    def fraction(self, question: Question, response: Any) -> float:
        correct = {o.slug for o in question.options if o.is_correct}
        chosen = set(response or [])
        if (question.settings or {}).get("scoring") == "partial":
            return max(0.0, (len(chosen & correct) - len(chosen - correct)) / len(correct)) if correct else 0.0
        return 1.0 if chosen == correct else 0.0

    def chosen(self, response: Any) -> set[str]:
        return set(response or [])

    def qti_mapping(self, question: QuestionSource, ids: dict[str, str]) -> list[tuple[str, float]] | None:
        if question.scoring != "partial":
            return None
        share = question.points / max(1, sum(o.correct for o in question.options))
        return [(ids[o.id], share if o.correct else -share) for o in question.options]

    def gift_mark(self, correct: bool, correct_count: int) -> str:
        weight = number_text(round(100 / correct_count, 5)) if correct else "-100"
        return f"~%{weight}%"


TYPE = MultipleChoice()
