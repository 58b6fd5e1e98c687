"""Server-side scoring by question type: what counts as an answer, what it is worth, and what was wrong.

Responses are stored as JSON in a normalised shape per type:

- single / truefalse: the chosen option id (``"o5"``)
- multiple: the chosen option ids (``["o1", "o3"]``)
- numeric: the text as typed (``"4.5"``); parsed here, so "4,5" can be explained rather than lost
- text, reflection: the text as typed
- match: term option id -> the option id whose meaning was picked (``{"ihs": "ihs", "cnst": "gmc"}``)
- order: item option id -> the position chosen, 1-based (``{"a": 1, "b": 2}``)

Partial credit: ``multiple`` with ``scoring: partial`` gives max(0, (right chosen - wrong chosen) / right total);
``match`` gives the share of terms matched correctly; ``order`` gives the share of items in their correct
position (an item one place out scores nothing for that item, so a single slip costs two items at most).
A question is "correct" only with full marks. Reflections are never scored.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

from ..models import Question
from .errors import InvalidAnswer

SCORED_TYPES = frozenset({"single", "multiple", "truefalse", "numeric", "text", "match", "order"})
CHOICE_TYPES = frozenset({"single", "multiple", "truefalse"})


@dataclass(frozen=True)
class Scored:
    fraction: float
    points: float
    is_correct: bool


def is_scored(question: Question) -> bool:
    return question.type in SCORED_TYPES


def reflection_required(question: Question) -> bool:
    return question.type == "reflection" and bool((question.settings or {}).get("required", True))


def _option_slugs(question: Question) -> set[str]:
    return {o.slug for o in question.options}


def _collapse(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().casefold()


def parse_number(text: str) -> float | None:
    try:
        value = float(text.strip().replace("\u2212", "-"))
    except (ValueError, AttributeError):
        return None
    return value if math.isfinite(value) else None


def normalise(question: Question, raw: Any) -> Any:
    """The stored shape of ``raw`` for this question, or InvalidAnswer when it cannot belong to it."""
    kind = question.type
    slugs = _option_slugs(question)
    if kind in ("single", "truefalse"):
        if raw in (None, ""):
            return None
        if not isinstance(raw, str) or raw not in slugs:
            raise InvalidAnswer("That choice is not one of this question's options.")
        return raw
    if kind == "multiple":
        chosen = [raw] if isinstance(raw, str) else list(raw or [])
        if not all(isinstance(c, str) and c in slugs for c in chosen):
            raise InvalidAnswer("A choice is not one of this question's options.")
        return sorted(set(chosen))
    if kind in ("numeric", "text", "reflection"):
        if raw is None:
            return ""
        if not isinstance(raw, str):
            raise InvalidAnswer("The answer must be text.")
        return raw[:20000]
    if kind == "match":
        if not isinstance(raw, dict):
            raise InvalidAnswer("A matching answer pairs each term with a meaning.")
        pairs = {}
        for term, meaning in raw.items():
            if term not in slugs or (meaning not in ("", None) and meaning not in slugs):
                raise InvalidAnswer("A term or meaning is not part of this question.")
            if meaning:
                pairs[term] = meaning
        return pairs
    if kind == "order":
        if not isinstance(raw, dict):
            raise InvalidAnswer("An ordering answer gives a position for each item.")
        positions = {}
        for item, position in raw.items():
            if item not in slugs:
                raise InvalidAnswer("An item is not part of this question.")
            if position in ("", None):
                continue
            try:
                number = int(position)
            except (TypeError, ValueError) as exc:
                raise InvalidAnswer("A position must be a whole number.") from exc
            if not 1 <= number <= len(slugs):
                raise InvalidAnswer(f"Positions run from 1 to {len(slugs)}.")
            positions[item] = number
        return positions
    raise InvalidAnswer(f"Unknown question type “{kind}”.")


def problem(question: Question, response: Any) -> str | None:
    """Why this response cannot be submitted yet (for the error summary), or None."""
    kind = question.type
    if kind in ("single", "truefalse"):
        return None if response else "Choose an answer"
    if kind == "multiple":
        return None if response else "Choose at least one answer"
    if kind == "numeric":
        if not (response or "").strip():
            return "Enter a number"
        return None if parse_number(response) is not None else "Enter a number, like 4.5"
    if kind == "text":
        return None if (response or "").strip() else "Enter your answer"
    if kind == "reflection":
        if reflection_required(question) and not (response or "").strip():
            return "Write your reflection"
        return None
    if kind == "match":
        missing = len(question.options) - len(response or {})
        return "Choose a meaning for every term" if missing else None
    if kind == "order":
        given = response or {}
        if len(given) < len(question.options):
            return "Choose a position for every item"
        if len(set(given.values())) != len(given):
            return "Use each position once"
        return None
    return None


def score(question: Question, response: Any) -> Scored | None:
    """What ``response`` is worth; None for questions that are never scored."""
    if not is_scored(question):
        return None
    fraction = _fraction(question, response)
    fraction = min(1.0, max(0.0, fraction))
    return Scored(fraction=fraction, points=round(fraction * question.points, 4), is_correct=fraction >= 1.0)


def _fraction(question: Question, response: Any) -> float:
    kind = question.type
    settings = question.settings or {}
    if kind in ("single", "truefalse"):
        correct = {o.slug for o in question.options if o.is_correct}
        return 1.0 if response in correct else 0.0
    if kind == "multiple":
        correct = {o.slug for o in question.options if o.is_correct}
        chosen = set(response or [])
        if settings.get("scoring") == "partial":
            return max(0.0, (len(chosen & correct) - len(chosen - correct)) / len(correct)) if correct else 0.0
        return 1.0 if chosen == correct else 0.0
    if kind == "numeric":
        value = parse_number(response or "")
        if value is None or settings.get("answer") is None:
            return 0.0
        tolerance = abs(float(settings.get("tolerance") or 0.0))
        # A hair of slack so that 4.5 +- 0.5 accepts 5.0 despite binary floating point.
        return 1.0 if abs(value - float(settings["answer"])) <= tolerance + 1e-9 else 0.0
    if kind == "text":
        given = _collapse(response or "")
        return 1.0 if given and given in {_collapse(a) for a in settings.get("accepted", [])} else 0.0
    if kind == "match":
        meanings = {o.slug: _collapse(o.match_text) for o in question.options}
        pairs = response or {}
        right = sum(1 for term in meanings if term in pairs and meanings.get(pairs[term]) == meanings[term])
        return right / len(meanings) if meanings else 0.0
    if kind == "order":
        correct = {o.slug: rank for rank, o in enumerate(sorted(question.options, key=lambda o: o.position), 1)}
        given = response or {}
        right = sum(1 for item, rank in correct.items() if given.get(item) == rank)
        return right / len(correct) if correct else 0.0
    return 0.0
