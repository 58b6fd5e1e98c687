"""Read a quiz file: front matter, an introduction, then one question per ``##`` heading.

The heading carries the id and settings (``## Title {#id points=2 type=match}``); the question's type, looked up
in the registry (:mod:`.question_types`), finds and reads its answer block; the rest is stem and explanation.
"""

from __future__ import annotations

import re

from .front_matter import REVIEW_KEYS, Reader, read_front_matter, read_sources
from .model import Problem, QuestionSource, QuizSource
from .question_types import REGISTRY
from .question_types.base import Answers
from .question_types.blocks import (
    FENCE,
    Numbered,
    attribute_id,
    find_block_end,
    find_block_start,
    joined,
    split_attributes,
)

QUIZ_KEYS = {"id", "title", "pass_mark", "attempts", "shuffle", "pick", "show_answers", "sources", *REVIEW_KEYS}
QUIZ_REQUIRED = ("id", "title", *REVIEW_KEYS)
QUESTION_ATTRIBUTES = {"points", "type", "scoring", "required"}
QUESTION_HEADING = re.compile(r"^##(?!#)\s*(?P<rest>.*?)\s*$")


def parse_quiz(path: str, text: str, problems: list[Problem]) -> QuizSource | None:
    matter = read_front_matter(path, text, problems)
    if matter is None:
        return None
    reader = Reader(path, problems, matter, QUIZ_KEYS, QUIZ_REQUIRED)
    pass_mark = reader.integer("pass_mark", "pass_mark must be a number from 0 to 100")
    attempts: int | None = None
    raw_attempts = matter.values.get("attempts")
    if raw_attempts is not None and raw_attempts != "unlimited":
        if isinstance(raw_attempts, bool) or not isinstance(raw_attempts, int):
            reader.problem(reader.line("attempts"), "attempts must be a whole number of 1 or more, or 'unlimited'")
        else:
            attempts = raw_attempts
    pick = reader.integer("pick", "pick must be a whole number of 1 or more")
    body_lines = matter.body.split("\n") if matter.body else []
    sections = split_questions(body_lines, matter.body_line)
    intro_lines = sections.pop(0)[1]
    questions = [parse_question(path, start, lines, problems) for start, lines in sections]
    return QuizSource(
        id=reader.text("id"), title=reader.text("title"), pass_mark=70 if pass_mark is None else pass_mark,
        attempts=attempts, shuffle=reader.text("shuffle", "none"), pick=pick,
        show_answers=reader.text("show_answers", "after_submit"), last_reviewed=reader.day("last_reviewed"),
        intro=joined(intro_lines), intro_line=matter.body_line,
        questions=tuple(questions), text=text, path=path, line=reader.line("id"),
        key_lines=reader.key_lines, reviewed_by=reader.text("reviewed_by"), next_review=reader.day("next_review"),
        sources=read_sources(reader),
    )


def split_questions(lines: list[str], first_line: int) -> list[tuple[int, Numbered]]:
    """The introduction, then one section per ``##`` heading (headings inside code fences do not count)."""
    sections: list[tuple[int, Numbered]] = [(first_line, [])]
    in_fence = False
    for offset, line in enumerate(lines):
        number = first_line + offset
        if FENCE.match(line):
            in_fence = not in_fence
        if not in_fence and QUESTION_HEADING.match(line):
            sections.append((number, [(number, line)]))
        else:
            sections[-1][1].append((number, line))
    return sections


def parse_question(path: str, heading_line: int, section: Numbered, problems: list[Problem]) -> QuestionSource:
    def problem(line: int, message: str) -> None:
        problems.append(Problem(path, line, message))

    heading = QUESTION_HEADING.match(section[0][1])
    assert heading is not None
    title, tokens = split_attributes(heading.group("rest"))
    if tokens is None or attribute_id(tokens) is None:
        problem(heading_line, "question heading has no id: add {#some-id}")
        tokens = tokens or []
    question_id = attribute_id(tokens) or ""
    settings: dict[str, str] = {}
    for token in tokens:
        if token.startswith("#"):
            continue
        key, equals, value = token.partition("=")
        if not equals or key not in QUESTION_ATTRIBUTES:
            problem(heading_line, f"unknown question attribute '{token}' (use points=, type=, scoring=, required=)")
            continue
        settings[key] = value
    points, points_given = 1, "points" in settings
    if points_given:
        if settings["points"].isdigit():
            points = int(settings["points"])
        else:
            problem(heading_line, "points must be a whole number of 0 or more")
    question_type = settings.get("type", "")
    if question_type and question_type not in REGISTRY:
        problem(heading_line, f"unknown question type '{question_type}' (use {', '.join(REGISTRY)})")
        question_type = ""
    scoring = settings.get("scoring", "all")
    if scoring not in ("all", "partial"):
        problem(heading_line, "scoring must be 'partial' (leave it out for all-or-nothing)")
        scoring = "all"
    required = True
    if "required" in settings:
        if settings["required"] not in ("true", "false"):
            problem(heading_line, "required must be true or false")
        required = settings["required"] != "false"

    body = section[1:]
    kind = question_type or ("single" if find_block_start(body, REGISTRY["single"].starts_block) is not None else "")
    qtype = REGISTRY.get(kind)
    answers = Answers()
    if qtype is None:
        problem(heading_line, "question has no type: add type=... to the heading, or a list of '- [ ]' options")
        start = end = len(body)
    elif not qtype.missing_block:
        start = end = len(body)
    else:
        found = find_block_start(body, qtype.starts_block)
        if found is None:
            problem(heading_line, qtype.missing_block)
            start = end = len(body)
        else:
            start, end = found, find_block_end(body, found, qtype.is_item)
            answers = qtype.read_block(path, body[start:end], problems)
    options, numeric, accepted = answers.options, answers.numeric, answers.accepted
    # A task list with more than one option marked [x] and no type= is read as multiple choice.
    if not question_type and kind == "single" and sum(option.correct for option in options) > 1:
        kind = "multiple"
    scored = REGISTRY[kind].scored if kind else True
    stem = body[:start]
    explanation = body[end:] if scored else []
    return QuestionSource(
        id=question_id, title=title, type=kind, type_given=bool(question_type),
        points=points if scored else 0,
        points_given=points_given, scoring=scoring, required=required, required_given="required" in settings,
        stem=joined(stem), stem_line=stem[0][0] if stem else heading_line + 1,
        explanation=joined(explanation), explanation_line=explanation[0][0] if explanation else heading_line,
        options=tuple(options), numeric=numeric, accepted=tuple(answer for _, answer in accepted), path=path,
        line=heading_line, accepted_lines=tuple(number for number, _ in accepted),
    )
