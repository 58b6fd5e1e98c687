"""Who a launch signed in, in words a page header can show: the person's name and the course's title."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from ..models import Course, User
from .context import LaunchContext


@dataclass(frozen=True)
class SignedIn:
    name: str
    course_title: str


def signed_in(session: Session, context: LaunchContext) -> SignedIn:
    """The launch's person and course; both rows are usually in the session already, so this costs nothing."""
    user = session.get(User, context.user_id)
    course = session.get(Course, context.course_id) if context.course_id is not None else None
    return SignedIn(name=user.display_name if user else "",
                    course_title=(course.title or course.label or course.context_id) if course else "")
