"""The audit log: every admin action, who did it and to what."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .models import AuditEntry, User


def record(session: Session, actor: str, action: str, target: str, details: dict[str, Any]) -> None:
    session.add(AuditEntry(actor=actor, action=action, target=target, details=details))
    session.commit()


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


def entries(session: Session, page: int = 1, per_page: int = 50, target: str | None = None) -> AuditPage:
    """One page of the log, newest first, only about ``target`` when one is named; ``page`` is clamped to the
    pages there are."""
    where = [AuditEntry.target == target] if target is not None else []
    total = session.scalar(select(func.count()).select_from(AuditEntry).where(*where)) or 0
    page_count = max(1, -(-total // per_page))
    page = min(max(page, 1), page_count)
    rows = session.scalars(select(AuditEntry).where(*where).order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
                           .offset((page - 1) * per_page).limit(per_page)).all()
    return AuditPage(list(rows), page, page_count, total)
