"""What admins did, and certificates issued to learners."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, utcnow


class AuditEntry(Base):
    __tablename__ = "audit_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(300))
    action: Mapped[str] = mapped_column(String(100))
    target: Mapped[str] = mapped_column(String(300), default="")
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class Certificate(Base):
    __tablename__ = "certificate"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    progress_id: Mapped[int] = mapped_column(ForeignKey("progress.id", ondelete="CASCADE"), unique=True)
    learner_name: Mapped[str] = mapped_column(String(300))
    module_title: Mapped[str] = mapped_column(String(300))
    module_version: Mapped[int]
    completed_at: Mapped[datetime]
    hours: Mapped[float]
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)


class AdminGrant(Base):
    """Rights no launch can give, granted from the command line only: administering every platform
    (``all_platforms``) and editing the shared modules and quizzes (``content``)."""

    __tablename__ = "admin_grant"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), unique=True)
    all_platforms: Mapped[bool] = mapped_column(default=False)
    content: Mapped[bool] = mapped_column(default=False)
    granted_at: Mapped[datetime] = mapped_column(default=utcnow)


class RegistrationInvite(Base):
    """A one-time Dynamic Registration URL an admin issued: only its SHA-256 is kept; it expires and is used once."""

    __tablename__ = "registration_invite"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    created_by: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    platform_id: Mapped[int | None] = mapped_column(ForeignKey("platform.id", ondelete="SET NULL"))
