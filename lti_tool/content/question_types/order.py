"""Order: a numbered list in the correct order; the learner gives each item its position.

Scores the share of items in their correct position (an item one place out scores nothing for that item, so a
single slip costs two items at most).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from xml.etree import ElementTree as ET

from ...models import Option, Question
from ..model import Problem, QuestionSource
from .base import AddHtml, AnswerRejected, Answers, FormatText, OptionResult, QuestionType, ReportProblem
from .blocks import NUMBERED_ITEM, Numbered, one_line, parse_order


def ranks(question: Question) -> dict[str, int]:
    """Each item's correct position, 1-based."""
    return {o.slug: rank for rank, o in enumerate(sorted(question.options, key=lambda o: o.position), 1)}


class Order(QuestionType):
    name = "order"
    listed = 7
    answer_field = "positions"
    form_template = "learner/question_types/order.html"
    result_template = "learner/question_types/order_result.html"
    qti_response = ("ordered", "identifier")
    missing_block = "order question has no numbered list of items (1. ... {#id})"

    def starts_block(self, line: str) -> bool:
        return NUMBERED_ITEM.match(line) is not None

    def is_item(self, line: str) -> bool:
        return self.starts_block(line)

    def read_block(self, path: str, block: Numbered, problems: list[Problem]) -> Answers:
        return Answers(options=parse_order(path, block, problems))

    def write_block(self, question: QuestionSource) -> list[str]:
        return [f"{n}. {one_line(o.text)} {{#{o.id}}}" for n, o in enumerate(question.options, 1)]

    def check(self, question: QuestionSource, problem: ReportProblem) -> None:
        if 0 < len(question.options) < 2:
            problem("order question needs at least two items")

    def normalise(self, question: Question, raw: Any) -> Any:
        if not isinstance(raw, dict):
            raise AnswerRejected("An ordering answer gives a position for each item.")
        slugs = {o.slug for o in question.options}
        positions = {}
        for item, position in raw.items():
            if item not in slugs:
                raise AnswerRejected("An item is not part of this question.")
            if position in ("", None):
                continue
            try:
                number = int(position)
            except (TypeError, ValueError) as exc:
                raise AnswerRejected("A position must be a whole number.") from exc
            if not 1 <= number <= len(slugs):
                raise AnswerRejected(f"Positions run from 1 to {len(slugs)}.")
            positions[item] = number
        return positions

    def unanswered(self, question: Question, response: Any) -> str | None:
        given = response or {}
        if len(given) < len(question.options):
            return "Choose a position for every item"
        if len(set(given.values())) != len(given):
            return "Use each position once"
        return None

    def fraction(self, question: Question, response: Any) -> float:
        correct = ranks(question)
        given = response or {}
        right = sum(1 for item, rank in correct.items() if given.get(item) == rank)
        return right / len(correct) if correct else 0.0

    def option_results(self, question: Question, shown: Sequence[Option], response: Any) -> list[OptionResult]:
        correct = ranks(question)
        positions = response or {}
        by_rank = sorted(question.options, key=lambda o: correct[o.slug])
        return [OptionResult(o.slug, o.text_html, o.feedback_html, o.slug in positions,
                             positions.get(o.slug) == correct[o.slug], chosen_position=positions.get(o.slug),
                             correct_position=correct[o.slug]) for o in by_rank]

    def correct_values(self, question: QuestionSource, ids: dict[str, str]) -> list[str]:
        return [ids[o.id] for o in question.options]

    def qti_interaction(self, body: ET.Element, question: QuestionSource, ids: dict[str, str],
                        add_html: AddHtml) -> None:
        from ..render import render_inline  # Markdown loads for an export, not in every web worker

        element = ET.SubElement(body, "orderInteraction", {"responseIdentifier": "RESPONSE", "shuffle": "true"})
        for option in question.options:
            add_html(ET.SubElement(element, "simpleChoice", {"identifier": ids[option.id]}),
                     render_inline(option.text))

    def gift_answers(self, question: QuestionSource, escape: FormatText, general: str) -> str:
        """GIFT has no ordering question: each item is matched to its position, which Moodle can grade."""
        pairs = [f"  ={escape(o.text)} -> {position}" for position, o in enumerate(question.options, 1)]
        return "{\n" + "\n".join(pairs) + general + "\n}"

    def blackboard_fields(self, question: QuestionSource, field: FormatText) -> tuple[str, list[str]]:
        return "ORD", [field(option.text) for option in question.options]


TYPE = Order()
