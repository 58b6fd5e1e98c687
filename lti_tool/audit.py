"""The audit log: every admin action, who did it and to what."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from .models import AuditEntry


def record(session: Session, actor: str, action: str, target: str, details: dict[str, Any]) -> None:
    session.add(AuditEntry(actor=actor, action=action, target=target, details=details))
    session.commit()
