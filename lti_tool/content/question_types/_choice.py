"""What single, multiple and true/false questions share: a task list of options, each right or wrong."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar
from xml.etree import ElementTree as ET

from ...models import Option, Question
from ..model import Problem, QuestionSource
from .base import AddHtml, AnswerRejected, Answers, FormatText, OptionResult, QuestionType
from .blocks import BULLET_ITEM, TASK_ITEM, Numbered, one_line, parse_choices


class ChoiceType(QuestionType):
    choice = True
    result_template = "learner/question_types/choices_result.html"
    missing_block: ClassVar[str] = "question has no options: add a list of '- [ ] option {#id}' lines"
    blackboard_code: ClassVar[str] = "MC"

    def starts_block(self, line: str) -> bool:
        return TASK_ITEM.match(line) is not None

    def is_item(self, line: str) -> bool:
        return BULLET_ITEM.match(line) is not None

    def read_block(self, path: str, block: Numbered, problems: list[Problem]) -> Answers:
        return Answers(options=parse_choices(path, block, problems))

    def write_block(self, question: QuestionSource) -> list[str]:
        lines = []
        for choice in question.options:
            pin = " pin" if choice.pinned else ""
            lines.append(f"- [{'x' if choice.correct else ' '}] {one_line(choice.text)} {{#{choice.id}{pin}}}")
            lines += [f"  > {line}".rstrip() for line in choice.feedback.strip().splitlines()]
        return lines

    def option_results(self, question: Question, shown: Sequence[Option], response: Any) -> list[OptionResult]:
        chosen = self.chosen(response)
        return [OptionResult(o.slug, o.text_html, o.feedback_html, o.slug in chosen, o.is_correct) for o in shown]

    def correct_values(self, question: QuestionSource, ids: dict[str, str]) -> list[str]:
        return [ids[o.id] for o in question.options if o.correct]

    def chosen(self, response: Any) -> set[str]:
        return {response}

    def qti_interaction(self, body: ET.Element, question: QuestionSource, ids: dict[str, str],
                        add_html: AddHtml) -> None:
        from ..render import render_inline  # Markdown loads for an export, not in every web worker

        element = ET.SubElement(body, "choiceInteraction", {
            "responseIdentifier": "RESPONSE", "shuffle": "false",
            "maxChoices": "0" if self.qti_response[0] == "multiple" else "1"})
        for option in question.options:
            choice = ET.SubElement(element, "simpleChoice", {"identifier": ids[option.id],
                                                             **({"fixed": "true"} if option.pinned else {})})
            add_html(choice, render_inline(option.text))

    def gift_answers(self, question: QuestionSource, escape: FormatText, general: str) -> str:
        correct_count = sum(o.correct for o in question.options)
        lines = [f"  {self.gift_mark(choice.correct, correct_count)}{escape(choice.text)}"
                 + (f" #{escape(choice.feedback)}" if choice.feedback.strip() else "") for choice in question.options]
        return "{\n" + "\n".join(lines) + general + "\n}"

    def gift_mark(self, correct: bool, correct_count: int) -> str:
        """How GIFT marks an option: ``=`` right, ``~`` wrong (weights where several are right)."""
        return "=" if correct else "~"

    def blackboard_fields(self, question: QuestionSource, field: FormatText) -> tuple[str, list[str]]:
        fields = []
        for option in question.options:
            fields += [field(option.text), "correct" if option.correct else "incorrect"]
        return self.blackboard_code, fields


class OneChoiceType(ChoiceType):
    """One option is chosen: the form posts one option token, stored as the option id."""

    answer_field = "option"
    form_template = "learner/question_types/radios.html"
    qti_response = ("single", "identifier")

    def normalise(self, question: Question, raw: Any) -> Any:
        if raw in (None, ""):
            return None
        if not isinstance(raw, str) or raw not in {o.slug for o in question.options}:
            raise AnswerRejected("That choice is not one of this question's options.")
        return raw

    def unanswered(self, question: Question, response: Any) -> str | None:
        return None if response else "Choose an answer"

    def fraction(self, question: Question, response: Any) -> float:
        return 1.0 if response in {o.slug for o in question.options if o.is_correct} else 0.0
