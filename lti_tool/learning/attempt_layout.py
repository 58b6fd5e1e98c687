"""What an attempt shows: the questions it drew, their options' order and the random field token of each.

The layout is drawn once per attempt and stored on it, so a reload, a second tab or a later review shows what the
learner saw. Form names and values are the layout's tokens, mapped back to question and option ids here, so the
page source carries no id that gives an answer away; attempts started before tokens keep their ids as names.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, inspect, select
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value

from ..content.question_types import question_type
from ..models import Attempt, Option, Question, QuizVersion

FIELD_PREFIX = "q-"
TOKEN_BITS = 48


def draw_layout(quiz_version: QuizVersion, rng: random.Random) -> list[dict[str, Any]]:
    questions = list(quiz_version.questions)
    if quiz_version.pick and quiz_version.pick < len(questions):
        chosen = set(id(q) for q in rng.sample(questions, quiz_version.pick))
        questions = [q for q in questions if id(q) in chosen]
    if quiz_version.shuffle in ("questions", "both"):
        rng.shuffle(questions)
    shuffle_options = quiz_version.shuffle in ("options", "both")
    taken: set[str] = set()
    layout = []
    for question in questions:
        options = list(question.options)
        entry: dict[str, Any] = {"question": question.slug, "field": _token(rng, taken)}
        answer_field = question_type(question.type).answer_field
        if answer_field == "positions":
            entry["options"] = [o.slug for o in _shuffled_out_of_order(options, rng)]
        elif answer_field == "pairs":
            entry["options"] = [o.slug for o in (_shuffled(options, rng) if shuffle_options else options)]
            entry["meanings"] = [o.slug for o in _shuffled(options, rng)]
            entry["meaning_values"] = {o.slug: _token(rng, taken) for o in options}
        else:
            entry["options"] = [o.slug for o in (_shuffled(options, rng) if shuffle_options else options)]
        entry["values"] = {o.slug: _token(rng, taken) for o in options}
        layout.append(entry)
    return layout


def _token(rng: random.Random, taken: set[str]) -> str:
    """A field token no other question or option of the attempt has; it says nothing about the content."""
    while True:
        token = f"{rng.getrandbits(TOKEN_BITS):012x}"
        if token not in taken:
            taken.add(token)
            return token


def _field(entry: dict[str, Any]) -> str:
    return str(entry.get("field") or entry["question"])


def _values(entry: dict[str, Any], key: str = "values", slugs_key: str = "options") -> dict[str, str]:
    """Option id -> the value the form uses for it (the id itself in attempts made before tokens)."""
    return entry.get(key) or {slug: slug for slug in entry.get(slugs_key, [])}


def _shuffled(options: list[Option], rng: random.Random) -> list[Option]:
    """Shuffled, with pinned options ("None of the above") kept last in their authored order."""
    free = [o for o in options if not o.pinned]
    rng.shuffle(free)
    return free + [o for o in options if o.pinned]


def _shuffled_out_of_order(options: list[Option], rng: random.Random) -> list[Option]:
    """Items to order are always shown shuffled, and never already in the right order."""
    shown = list(options)
    for _ in range(20):
        rng.shuffle(shown)
        if len(shown) < 2 or shown != options:
            return shown
    return list(reversed(options))


def questions_of(attempt: Attempt) -> dict[str, Question]:
    _load_questions(attempt.quiz_version)
    return {q.slug: q for q in attempt.quiz_version.questions}


_QUESTIONS_WITH_OPTIONS = (select(Question).options(joinedload(Question.options))
                           .where(Question.quiz_version_id == bindparam("quiz_version_id"))
                           .order_by(Question.position))


def _load_questions(quiz_version: QuizVersion) -> None:
    """The version's questions with their options in one statement (not two), unless already loaded."""
    state = inspect(quiz_version)
    if "questions" in state.dict or state.session is None:
        return
    questions = state.session.scalars(_QUESTIONS_WITH_OPTIONS, {"quiz_version_id": quiz_version.id}).unique().all()
    set_committed_value(quiz_version, "questions", list(questions))


def responses_from_form(attempt: Attempt, form: Mapping[str, list[str]],
                        only: str | None = None) -> dict[str, Any]:
    """Raw responses per question id from posted fields (``q-<field>`` and ``q-<field>--<option value>``), with
    the attempt's tokens mapped back to option ids; ``only`` is one question's field token."""
    questions = questions_of(attempt)
    found: dict[str, Any] = {}
    for entry in attempt.layout:
        slug = entry["question"]
        if only is not None and _field(entry) != only:
            continue
        question = questions[slug]
        name = FIELD_PREFIX + _field(entry)
        values = _values(entry)
        option_of = {value: option for option, value in values.items()}
        answer_field = question_type(question.type).answer_field
        if answer_field in ("pairs", "positions"):
            meaning_of = {value: option for option, value in _values(entry, "meaning_values", "meanings").items()}
            parts = {option: form[f"{name}--{values[option]}"][-1] for option in entry["options"]
                     if f"{name}--{values[option]}" in form}
            if answer_field == "pairs":
                parts = {term: meaning_of.get(meaning, meaning) for term, meaning in parts.items()}
            if parts or f"{name}--present" in form:
                found[slug] = parts
        elif answer_field == "options":
            if name in form or f"{name}--present" in form:
                found[slug] = [option_of.get(v, v) for v in form.get(name, []) if v]
        elif name in form:
            value = form[name][-1]
            found[slug] = option_of.get(value, value) if answer_field == "option" else value
    return found


@dataclass(frozen=True)
class FormOption:
    """An option as the form shows it: ``value`` is its opaque token in this attempt."""

    value: str
    option: Option


@dataclass(frozen=True)
class QuestionForm:
    """One question as the attempt shows it: its field token, options in the attempt's order, the saved
    response (in option ids: the template compares, never prints them)."""

    number: int
    question: Question
    field: str
    options: list[FormOption]
    meanings: list[FormOption]
    response: Any

    @property
    def name(self) -> str:
        return FIELD_PREFIX + self.field


def attempt_form(attempt: Attempt) -> list[QuestionForm]:
    questions = questions_of(attempt)
    saved = {a.question_slug: a.response for a in attempt.answers}
    forms = []
    for number, entry in enumerate(attempt.layout, 1):
        question = questions[entry["question"]]
        by_slug = {o.slug: o for o in question.options}
        values, meaning_values = _values(entry), _values(entry, "meaning_values", "meanings")
        forms.append(QuestionForm(
            number=number, question=question, field=_field(entry),
            options=[FormOption(values[s], by_slug[s]) for s in entry.get("options", [])],
            meanings=[FormOption(meaning_values[s], by_slug[s]) for s in entry.get("meanings", [])],
            response=saved.get(question.slug)))
    return forms
