"""Match: ``- Term {#id} -> Meaning`` lines; the learner picks each term's meaning from all the meanings.

Scores the share of terms matched correctly; two terms with the same meaning are interchangeable.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from xml.etree import ElementTree as ET

from ...models import Option, Question
from ..model import Problem, QuestionSource
from .base import (
    AddHtml,
    AnswerRejected,
    Answers,
    FormatText,
    OptionResult,
    QuestionType,
    ReportProblem,
    collapse,
)
from .blocks import BULLET_ITEM, Numbered, one_line, parse_matches


class Match(QuestionType):
    name = "match"
    listed = 6
    answer_field = "pairs"
    form_template = "learner/question_types/match.html"
    result_template = "learner/question_types/match_result.html"
    qti_response = ("multiple", "directedPair")
    missing_block = "match question has no '- Term {#id} -> Meaning' lines"

    def starts_block(self, line: str) -> bool:
        return BULLET_ITEM.match(line) is not None

    def is_item(self, line: str) -> bool:
        return self.starts_block(line)

    def read_block(self, path: str, block: Numbered, problems: list[Problem]) -> Answers:
        return Answers(options=parse_matches(path, block, problems))

    def write_block(self, question: QuestionSource) -> list[str]:
        return [f"- {one_line(o.text)} {{#{o.id}}} -> {one_line(o.match_text)}" for o in question.options]

    def check(self, question: QuestionSource, problem: ReportProblem) -> None:
        if 0 < len(question.options) < 2:
            problem("match question needs at least two items")

    def normalise(self, question: Question, raw: Any) -> Any:
        if not isinstance(raw, dict):
            raise AnswerRejected("A matching answer pairs each term with a meaning.")
        slugs = {o.slug for o in question.options}
        pairs = {}
        for term, meaning in raw.items():
            if term not in slugs or (meaning not in ("", None) and meaning not in slugs):
                raise AnswerRejected("A term or meaning is not part of this question.")
            if meaning:
                pairs[term] = meaning
        return pairs

    def unanswered(self, question: Question, response: Any) -> str | None:
        return "Choose a meaning for every term" if len(question.options) - len(response or {}) else None

    def fraction(self, question: Question, response: Any) -> float:
        meanings = {o.slug: collapse(o.match_text) for o in question.options}
        pairs = response or {}
        right = sum(1 for term in meanings if term in pairs and meanings.get(pairs[term]) == meanings[term])
        return right / len(meanings) if meanings else 0.0

    def option_results(self, question: Question, shown: Sequence[Option], response: Any) -> list[OptionResult]:
        by_slug = {o.slug: o for o in question.options}
        pairs = response or {}
        results = []
        for o in shown:
            picked = by_slug.get(pairs.get(o.slug, ""))
            chosen_meaning = picked.match_text if picked else ""
            results.append(OptionResult(o.slug, o.text_html, o.feedback_html, bool(picked),
                                        chosen_meaning.strip().casefold() == o.match_text.strip().casefold(),
                                        chosen_meaning=chosen_meaning, correct_meaning=o.match_text))
        return results

    def correct_values(self, question: QuestionSource, ids: dict[str, str]) -> list[str]:
        return [f"{ids[o.id]} {ids[o.id]}-meaning" for o in question.options]

    def qti_mapping(self, question: QuestionSource, ids: dict[str, str]) -> list[tuple[str, float]] | None:
        share = question.points / max(1, len(question.options))
        return [(f"{ids[o.id]} {ids[o.id]}-meaning", share) for o in question.options]

    def qti_interaction(self, body: ET.Element, question: QuestionSource, ids: dict[str, str],
                        add_html: AddHtml) -> None:
        from ..render import render_inline  # Markdown loads for an export, not in every web worker

        element = ET.SubElement(body, "matchInteraction", {"responseIdentifier": "RESPONSE", "shuffle": "true",
                                                           "maxAssociations": str(len(question.options))})
        terms, meanings = ET.SubElement(element, "simpleMatchSet"), ET.SubElement(element, "simpleMatchSet")
        for option in question.options:
            add_html(ET.SubElement(terms, "simpleAssociableChoice", {"identifier": ids[option.id], "matchMax": "1"}),
                     render_inline(option.text))
            add_html(ET.SubElement(meanings, "simpleAssociableChoice", {"identifier": f"{ids[option.id]}-meaning",
                                                                        "matchMax": "1"}),
                     render_inline(option.match_text))

    def gift_answers(self, question: QuestionSource, escape: FormatText, general: str) -> str:
        pairs = [f"  ={escape(o.text)} -> {escape(o.match_text)}" for o in question.options]
        return "{\n" + "\n".join(pairs) + general + "\n}"

    def blackboard_fields(self, question: QuestionSource, field: FormatText) -> tuple[str, list[str]]:
        fields = []
        for option in question.options:
            fields += [field(option.text), field(option.match_text)]
        return "MAT", fields


TYPE = Match()
