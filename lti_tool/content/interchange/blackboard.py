"""Blackboard Learn's "Upload Questions" format: one question per line, fields separated by tabs.

Line shapes (Blackboard help, "Upload questions"): ``MC``/``MA`` question, then answer and ``correct`` or
``incorrect`` pairs; ``TF`` question, ``true``/``false``; ``NUM`` question, answer, tolerance; ``FIB`` question,
accepted answers; ``MAT`` question, then answer and match pairs; ``ORD`` question, then answers in the correct
order; ``ESS`` question (an essay; a sample answer is optional).

Limits of the format, so of this export: no ids (Blackboard makes its own), no points (set them in the test),
no per-option or general feedback, no partial-credit setting, no units, and no line breaks or tabs inside a
field, so Markdown is flattened to one line of plain text. Use QTI or GIFT when those matter.
"""

from __future__ import annotations

import re

from ..model import QuestionSource, QuizSource
from ..question_types import question_type

LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
EMPHASIS = re.compile(r"(\*\*|__|\*|_|`)(?=\S)(.+?)(?<=\S)\1")


def field(markdown: str) -> str:
    """One field: links and emphasis reduced to their text, all whitespace (tabs, newlines) as single spaces."""
    text = EMPHASIS.sub(r"\2", LINK.sub(r"\1", markdown))
    text = re.sub(r"^\s*(?:[-*+]|\d+[.)]|>|#+)\s+", "", text, flags=re.MULTILINE)
    return " ".join(text.split())


def question_line(question: QuestionSource) -> str:
    stem = field(question.stem) or field(question.title)
    code, fields = question_type(question.type).blackboard_fields(question, field)
    return "\t".join([code, stem, *fields])


def quiz_to_blackboard(quiz: QuizSource) -> str:
    """The quiz as a Blackboard upload file (UTF-8 text, one line per question)."""
    return "".join(question_line(question) + "\n" for question in quiz.questions)
