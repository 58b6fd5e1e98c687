"""What is due for review: the current published modules, their pages and quizzes, by ``next_review``.

The command ``content review-due`` and the admin page read the same list. A version published before review
dates were recorded has no ``next_review`` and counts as past due: nobody has said when to check it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import Module, Quiz

DEFAULT_WITHIN_DAYS = 30
KIND_ORDER = {"module": 0, "page": 1, "quiz": 2}


@dataclass(frozen=True)
class ReviewItem:
    """A module, page or quiz with its review dates. ``module`` is the module slug (empty for a quiz)."""

    kind: str
    module: str
    slug: str
    title: str
    last_reviewed: date | None
    reviewed_by: str
    next_review: date | None

    @property
    def label(self) -> str:
        """``img-supervision``, ``img-supervision/first-meeting`` or ``quiz img-supervision-check``."""
        if self.kind == "page":
            return f"{self.module}/{self.slug}"
        return self.slug if self.kind == "module" else f"quiz {self.slug}"

    def past_due(self, today: date) -> bool:
        return self.next_review is None or self.next_review <= today


def reviewed_items(session: Session) -> list[ReviewItem]:
    """Every current module version, its pages and every current quiz version."""
    items = []
    for module in session.scalars(select(Module).where(Module.current_version_id.is_not(None))):
        version = module.current_version
        assert version is not None
        items.append(ReviewItem("module", module.slug, module.slug, version.title, version.last_reviewed,
                                version.reviewed_by, version.next_review))
        items.extend(ReviewItem("page", module.slug, page.slug, page.title, page.last_reviewed, page.reviewed_by,
                                page.next_review) for page in version.pages)
    for quiz in session.scalars(select(Quiz).where(Quiz.current_version_id.is_not(None))):
        current = quiz.current_version
        assert current is not None
        items.append(ReviewItem("quiz", "", quiz.slug, current.title, current.last_reviewed, current.reviewed_by,
                                current.next_review))
    return items


def review_due(session: Session, today: date, within_days: int = DEFAULT_WITHIN_DAYS) -> list[ReviewItem]:
    """Items whose next review is past or falls within ``within_days`` of ``today``, the most overdue first."""
    horizon = today + timedelta(days=within_days)
    due = [item for item in reviewed_items(session) if item.next_review is None or item.next_review <= horizon]
    return sorted(due, key=lambda item: (item.next_review or date.min, item.module or item.slug,
                                         KIND_ORDER[item.kind], item.slug))
