"""What typed answers share: the learner types text; the author lists answers as ``= ...`` lines."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from xml.etree import ElementTree as ET

from ...models import Option, Question
from ..model import QuestionSource
from .base import AddHtml, AnswerRejected, OptionResult, QuestionType
from .blocks import EQUALS_LINE, Numbered


class TypedAnswerType(QuestionType):
    answer_field = "text"

    def starts_block(self, line: str) -> bool:
        return EQUALS_LINE.match(line) is not None

    def is_item(self, line: str) -> bool:
        return self.starts_block(line)

    def answer_lines(self, block: Numbered) -> list[tuple[int, str]]:
        return [(number, line[1:].strip()) for number, line in block if line.strip()]

    def normalise(self, question: Question, raw: Any) -> Any:
        return typed_text(raw)

    def option_results(self, question: Question, shown: Sequence[Option], response: Any) -> list[OptionResult]:
        return []

    def qti_interaction(self, body: ET.Element, question: QuestionSource, ids: dict[str, str],
                        add_html: AddHtml) -> None:
        paragraph = ET.SubElement(body, "p")
        paragraph.text = "Your answer: "
        entry = ET.SubElement(paragraph, "textEntryInteraction", {"responseIdentifier": "RESPONSE",
                                                                  "expectedLength": "20"})
        if unit := self.unit(question):
            entry.tail = f" {unit}"

    def unit(self, question: QuestionSource) -> str:
        """What the answer is counted in, written after the answer box (none by default)."""
        return ""


def typed_text(raw: Any) -> str:
    """Text as typed, cut at 20,000 characters."""
    if raw is None:
        return ""
    if not isinstance(raw, str):
        raise AnswerRejected("The answer must be text.")
    return raw[:20000]
