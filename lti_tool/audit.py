"""The audit log: every admin action, who did it and to what."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from .models import AuditEntry, User


def record(session: Session, actor: str, action: str, target: str, details: dict[str, Any]) -> None:
    """Add the entry to the transaction of the action it records; the caller commits both, or neither."""
    session.add(AuditEntry(actor=actor, action=action, target=target, details=details))
    session.flush()


def actor_label(session: Session, user_id: int) -> str:
    """How a person appears in the log and on versions they publish: their name and user id."""
    user = session.get(User, user_id)
    return f"{user.display_name} (user {user_id})" if user is not None else f"user:{user_id}"


@dataclass(frozen=True)
class AuditPage:
    entries: list[AuditEntry]
    page: int
    page_count: int
    total: int


ABOUT_PEOPLE_OR_PLATFORMS = ("platform:", "user:", "registration")


def entries(session: Session, page: int = 1, per_page: int = 50, *, everything: bool = True,
            platform_id: int | None = None, content: bool = False) -> AuditPage:
    """One page of the log, newest first; ``page`` is clamped to the pages there are. Unless ``everything``,
    only the entries about ``platform_id`` and, with ``content``, those about the shared content."""
    where = []
    if not everything:
        shown = [AuditEntry.target == f"platform:{platform_id}"]
        if content:
            shown.append(and_(*(AuditEntry.target.not_like(f"{prefix}%") for prefix in ABOUT_PEOPLE_OR_PLATFORMS)))
        where = [or_(*shown)]
    total = session.scalar(select(func.count()).select_from(AuditEntry).where(*where)) or 0
    page_count = max(1, -(-total // per_page))
    page = min(max(page, 1), page_count)
    rows = session.scalars(select(AuditEntry).where(*where).order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
                           .offset((page - 1) * per_page).limit(per_page)).all()
    return AuditPage(list(rows), page, page_count, total)
