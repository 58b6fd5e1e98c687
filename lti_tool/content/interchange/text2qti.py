"""Import text2qti quizzes (https://github.com/gpoore/text2qti, the Canvas-style plain text) as our Markdown.

Understood: ``Quiz title:``/``Quiz description:``; per question ``Title:`` and ``Points:``; ``1.  stem``;
choices ``a)  text`` with ``*a)`` correct; multiple answers ``[ ]``/``[*]``; ``... feedback`` after the stem
(general) or after a choice (that choice's); ``=   4.5 +- 0.5``, ``= [1, 2]`` or a percentage margin (numeric);
``*   answer`` lines (short answer); ``____`` (essay, imported as a reflection); ``^^^^`` (file upload, also a
reflection). Wrapped lines must be indented, as text2qti requires. ``+``/``-`` feedback (for any correct or
incorrect answer) and ``GROUP``/``END_GROUP`` have no equivalent here: the feedback is added to the explanation
and the group lines are dropped. text2qti has no ids, so ids are made from titles or stems.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from ..model import NumericAnswer, OptionSource, QuestionSource, QuizSource
from ..question_types import question_type
from .markdown import IMPORTED, IdMaker, heading_title, option

QUESTION = re.compile(r"^(?P<indent>\d+\.\s+)(?P<text>.*)$")
CHOICE = re.compile(r"^(?P<indent>(?P<star>\*?)[a-zA-Z]\)\s+)(?P<text>.*)$")
MULTI = re.compile(r"^(?P<indent>\[(?P<mark>[ *])\]\s+)(?P<text>.*)$")
FEEDBACK = re.compile(r"^(?P<indent>(?P<kind>\.\.\.|\+|-)\s+)(?P<text>.*)$")
NUMERIC = re.compile(r"^=\s+(?P<text>.*)$")
SHORT = re.compile(r"^(?P<indent>\*\s+)(?P<text>.*)$")
ESSAY = re.compile(r"^(_{3,}|\^{4,})\s*$")
SETTING = re.compile(r"^(?P<key>[A-Za-z][A-Za-z ]*):\s*(?P<value>.*)$")


@dataclass
class Choice:
    text: str
    correct: bool
    feedback: str = ""


@dataclass
class Draft:
    """A text2qti question as it is read, before it becomes a :class:`QuestionSource`."""

    line: int
    stem: str
    title: str = ""
    points: int = 1
    general: list[dict[str, str]] = field(default_factory=list)
    choices: list[Choice] = field(default_factory=list)
    multi: bool = False
    numeric: str = ""
    short: list[str] = field(default_factory=list)


def number(text: str) -> float:
    return float(text.replace("_", ""))


def numeric_answer(text: str) -> NumericAnswer | None:
    text = text.strip()
    interval = re.fullmatch(r"\[\s*([-+]?[\d_.]+)\s*,\s*([-+]?[\d_.]+)\s*\]", text)
    try:
        if interval:
            low, high = number(interval.group(1)), number(interval.group(2))
            return NumericAnswer((low + high) / 2, abs(high - low) / 2, "", 0)
        margin = re.fullmatch(r"([-+]?[\d_.]+)\s*(?:\+-\s*([\d_.]+)\s*(%)?)?", text)
        if margin is None:
            return None
        value = number(margin.group(1))
        tolerance = number(margin.group(2)) if margin.group(2) else 0.0
        if margin.group(3):
            tolerance = abs(value) * tolerance / 100
        return NumericAnswer(value, tolerance, "", 0)
    except ValueError:
        return None


def text2qti_to_quiz(text: str, quiz_id: str, title: str) -> QuizSource:
    """A quiz of every question in a text2qti file, ready to be written as our Markdown."""
    drafts, intro = read_drafts(text)
    question_ids = IdMaker()
    questions = tuple(build_question(draft, question_ids) for draft in drafts)
    return QuizSource(id=quiz_id, title=title, pass_mark=70, attempts=None, shuffle="none", pick=None,
                      show_answers="after_submit", last_reviewed=date.today(), intro=intro, intro_line=0,
                      questions=questions, text=text, path=IMPORTED, line=0)


def read_drafts(text: str) -> tuple[list[Draft], str]:
    """The questions and the quiz description. A wrapped (indented) line continues the paragraph before it."""
    drafts: list[Draft] = []
    intro = ""
    pending_title, pending_points = "", 1
    continue_with: Callable[[str], None] | None = None
    for line_number, raw in enumerate(text.expandtabs(4).replace("\r\n", "\n").split("\n"), 1):
        stripped = raw.strip()
        if continue_with is not None and stripped and raw.startswith(" "):
            continue_with(stripped)
            continue
        continue_with = None
        if not stripped or stripped in ("GROUP", "END_GROUP"):
            continue
        draft = drafts[-1] if drafts else None
        if (found := QUESTION.match(stripped)) is not None:
            draft = Draft(line_number, found.group("text"), pending_title, pending_points)
            drafts.append(draft)
            pending_title, pending_points = "", 1
            continue_with = appender(draft.__dict__, "stem")
        elif draft is not None and (found := CHOICE.match(stripped) or MULTI.match(stripped)) is not None:
            draft.multi = draft.multi or "mark" in found.groupdict()
            correct = bool(found.groupdict().get("star")) or found.groupdict().get("mark") == "*"
            draft.choices.append(Choice(found.group("text"), correct))
            continue_with = appender(draft.choices[-1].__dict__, "text")
        elif draft is not None and (found := FEEDBACK.match(stripped)) is not None:
            if found.group("kind") == "..." and draft.choices:
                draft.choices[-1].feedback = found.group("text")
                continue_with = appender(draft.choices[-1].__dict__, "feedback")
            else:
                prefix = {"+": "If you answered correctly: ", "-": "If you answered incorrectly: "}
                holder = {"text": prefix.get(found.group("kind"), "") + found.group("text")}
                draft.general.append(holder)
                continue_with = appender(holder, "text")
        elif draft is not None and (found := NUMERIC.match(stripped)) is not None:
            draft.numeric = found.group("text")
        elif draft is not None and ESSAY.match(stripped):
            continue
        elif draft is not None and (found := SHORT.match(stripped)) is not None:
            draft.short.append(found.group("text"))
        elif (setting := SETTING.match(stripped)) is not None:
            key, value = setting.group("key").strip().lower(), setting.group("value").strip()
            if key == "title":
                pending_title = value
            elif key in ("points", "points per question") and value.isdigit():
                pending_points = int(value)
            elif key == "quiz description":
                intro = value
    return drafts, intro


def appender(holder: dict[str, str], key: str) -> Callable[[str], None]:
    def append(text: str) -> None:
        holder[key] = f"{holder[key]} {text}".strip()

    return append


def build_question(draft: Draft, question_ids: IdMaker) -> QuestionSource:
    question_id = question_ids.make(draft.title or draft.stem, "question")
    options: list[OptionSource] = []
    numeric, accepted = None, []
    if draft.choices:
        texts = [choice.text for choice in draft.choices]
        is_truefalse = not draft.multi and [t.lower() for t in texts] == ["true", "false"]
        ids = ["true", "false"] if is_truefalse else [chr(ord("a") + i) if i < 26 else f"o{i + 1}"
                                                      for i in range(len(texts))]
        options = [option(option_id, text, correct=choice.correct, feedback=choice.feedback)
                   for option_id, text, choice in zip(ids, texts, draft.choices, strict=True)]
        kind = "truefalse" if is_truefalse else "multiple" if draft.multi else "single"
    elif draft.numeric:
        kind, numeric = "numeric", numeric_answer(draft.numeric)
    elif draft.short:
        kind, accepted = "text", list(draft.short)
    else:
        kind = "reflection"  # an essay (____) or file upload (^^^^), or a question with no answer block
    qtype = question_type(kind)
    return QuestionSource(
        id=question_id, title=heading_title(draft.title, draft.stem), type=kind, type_given=True,
        points=draft.points if qtype.scored else 0, points_given=True,
        scoring="partial" if qtype.partial_scoring else "all", required=True, required_given=False,
        stem=draft.stem.strip(), stem_line=draft.line,
        explanation="\n\n".join(g["text"] for g in draft.general if g["text"]),
        explanation_line=draft.line, options=tuple(options), numeric=numeric, accepted=tuple(accepted),
        path=IMPORTED, line=draft.line,
    )
