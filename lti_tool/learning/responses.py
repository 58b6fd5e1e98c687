"""How a stored answer reads for a tutor: the question and options it refers to, and its response as text.

Responses are stored as the learner sent them (a slug, a list of slugs, a dict); these turn them back into the
options they name, the same way for the learner detail page and the per-question analysis.
"""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import Option, Question

TAG = re.compile(r"<[^>]+>")


def options_by_question(session: Session,
                        quiz_version_ids: set[int]) -> dict[tuple[int, str], tuple[Question, dict[str, Option]]]:
    """(quiz version id, question slug) -> (Question, {option slug: Option}) for the given versions."""
    if not quiz_version_ids:
        return {}
    questions = list(session.scalars(select(Question).where(Question.quiz_version_id.in_(quiz_version_ids))))
    options = list(session.scalars(select(Option).where(Option.question_id.in_([q.id for q in questions]))))
    by_question: dict[int, dict[str, Option]] = defaultdict(dict)
    for option in options:
        by_question[option.question_id][option.slug] = option
    return {(q.quiz_version_id, q.slug): (q, by_question[q.id]) for q in questions}


def chosen_slugs(response: Any) -> list[str]:
    """The option slugs a choice response names; responses are a slug, a list of slugs or a dict with them."""
    if isinstance(response, str):
        return [response]
    if isinstance(response, bool):
        return [str(response).lower()]
    if isinstance(response, list):
        return [str(item) for item in response if isinstance(item, str | int)]
    if isinstance(response, dict):
        for key in ("option", "options", "choice", "choices"):
            if key in response:
                return chosen_slugs(response[key])
    return []


def response_text(response: Any, options: dict[str, Option]) -> str:
    chosen = chosen_slugs(response)
    if chosen and all(slug in options for slug in chosen):
        return "; ".join(plain(options[slug].text_html) for slug in chosen)
    if isinstance(response, list):
        return "; ".join(str(item) for item in response)
    if isinstance(response, dict):
        return "; ".join(f"{key}: {value}" for key, value in response.items())
    return "" if response is None else str(response)


def plain(html: str) -> str:
    """Option text is stored as sanitised HTML; show it as text in tables and exports."""
    return TAG.sub("", html).strip()

