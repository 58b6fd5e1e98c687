"""Write a quiz as our authoring Markdown (format: quizzes/README.md), and make ids for imported questions.

Importers build :class:`QuizSource` values and this module writes them out, so every import goes through one
writer and the result is read back by the same parser and checker as a hand-written file.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, timedelta

from ..model import OptionSource, QuestionSource, QuizSource
from ..question_types import question_type
from ..question_types.blocks import one_line

SLUG_MAX = 64
IMPORTED = "imported"


def slugify(text: str, fallback: str = "q", max_length: int = 40) -> str:
    """A lowercase ``[a-z0-9-]`` slug of ``text``: accents dropped, other characters as hyphens."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    slug = re.sub(r"[^a-z0-9]+", "-", plain).strip("-")
    if len(slug) > max_length:
        cut = slug[:max_length + 1]
        slug = cut.rsplit("-", 1)[0] if "-" in cut and not cut.endswith("-") else cut[:max_length]
    return slug.strip("-") or fallback


class IdMaker:
    """Unique ids within one scope: a second ``intro`` becomes ``intro-2``."""

    def __init__(self) -> None:
        self.used: set[str] = set()

    def make(self, wanted: str, fallback: str) -> str:
        base = slugify(wanted, fallback, SLUG_MAX - 4)
        candidate, number = base, 2
        while candidate in self.used:
            candidate = f"{base}-{number}"
            number += 1
        self.used.add(candidate)
        return candidate


def option(option_id: str, text: str, *, correct: bool = False, feedback: str = "", match_text: str = "",
           pinned: bool = False) -> OptionSource:
    return OptionSource(id=option_id, text=text, path=IMPORTED, line=0, correct=correct, feedback=feedback,
                        match_text=match_text, pinned=pinned)


def heading_title(title: str, stem: str) -> str:
    """The question's heading: its own title, else the start of its stem."""
    chosen = one_line(title) or one_line(stem) or "Question"
    return chosen if len(chosen) <= 80 else chosen[:77].rsplit(" ", 1)[0] + "..."


NOT_REVIEWED = "Not reviewed yet (imported)"


def quiz_markdown(quiz: QuizSource) -> str:
    """The quiz as one Markdown file that ``content check`` reads back into the same questions.

    An imported quiz has had no review: it says so and falls due for one the next day.
    """
    attempts = "unlimited" if quiz.attempts is None else str(quiz.attempts)
    reviewed = (quiz.last_reviewed or date.today()).isoformat()
    lines = ["---", f"id: {quiz.id}", f"title: {yaml_text(quiz.title)}", f"pass_mark: {quiz.pass_mark}",
             f"attempts: {attempts}", f"shuffle: {quiz.shuffle}"]
    if quiz.pick is not None:
        lines.append(f"pick: {quiz.pick}")
    lines += [f"show_answers: {quiz.show_answers}", f"last_reviewed: {reviewed}",
              f"reviewed_by: {yaml_text(quiz.reviewed_by or NOT_REVIEWED)}",
              f"next_review: {(quiz.next_review or date.fromisoformat(reviewed) + timedelta(days=1)).isoformat()}"]
    if quiz.sources:
        lines.append("sources:")
        for source in quiz.sources:
            lines += [f"  - title: {yaml_text(source.title)}", f"    url: {yaml_text(source.url)}"]
            if source.accessed is not None:
                lines.append(f"    accessed: {source.accessed.isoformat()}")
    lines.append("---")
    if quiz.intro.strip():
        lines.append(quiz.intro.strip())
    for question in quiz.questions:
        lines += ["", *question_markdown(question)]
    return "\n".join(lines) + "\n"


def yaml_text(text: str) -> str:
    """A one-line YAML string, quoted so colons, hashes and leading symbols stay text."""
    return '"' + one_line(text).replace("\\", "\\\\").replace('"', '\\"') + '"'


def question_markdown(question: QuestionSource) -> list[str]:
    attributes = [f"#{question.id}"]
    qtype = question_type(question.type)
    if qtype.scored:
        attributes.append(f"points={question.points}")
    attributes.append(f"type={question.type}")
    if qtype.partial_scoring and question.scoring == "partial":
        attributes.append("scoring=partial")
    if not qtype.scored and not question.required:
        attributes.append("required=false")
    title = heading_title(question.title, question.stem).replace("{", "(").replace("}", ")")
    lines = [f"## {title} {{{' '.join(attributes)}}}", ""]
    if question.stem.strip():
        lines += [question.stem.strip(), ""]
    lines += qtype.write_block(question)
    if question.explanation.strip() and qtype.scored:
        lines += ["", question.explanation.strip()]
    while lines and not lines[-1]:
        lines.pop()
    return lines
