"""The grade-book side: line items the tool knows and the outbox of scores to send."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, utcnow


class GradeStatus(StrEnum):
    """Where a GradeSync row stands; the values are what the ``status`` column stores."""

    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"
    SUPERSEDED = "superseded"


class LineItem(Base):
    """A grade-book column on the platform, created by deep linking or by the tool; found again by resource_id."""

    __tablename__ = "line_item"
    __table_args__ = (UniqueConstraint("course_id", "url"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"), index=True)
    url: Mapped[str] = mapped_column(String(1000))
    label: Mapped[str] = mapped_column(String(300))
    resource_id: Mapped[str] = mapped_column(String(255), default="", index=True)
    tag: Mapped[str] = mapped_column(String(255), default="")
    score_maximum: Mapped[float] = mapped_column(default=100)
    edition_id: Mapped[int | None] = mapped_column(ForeignKey("edition.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class GradeSync(Base):
    """One score to deliver: pending -> sent, failed (with the platform's message) or superseded by a newer row
    for the same progress. Never deleted. A worker holds a row while ``claimed_until`` is in the future."""

    __tablename__ = "grade_sync"

    id: Mapped[int] = mapped_column(primary_key=True)
    progress_id: Mapped[int] = mapped_column(ForeignKey("progress.id", ondelete="CASCADE"), index=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"), index=True)
    user_sub: Mapped[str] = mapped_column(String(255))
    lineitem_url: Mapped[str | None] = mapped_column(String(1000))
    lineitems_url: Mapped[str | None] = mapped_column(String(1000))
    resource_id: Mapped[str] = mapped_column(String(255), default="")
    label: Mapped[str] = mapped_column(String(300), default="")
    edition_id: Mapped[int | None] = mapped_column(ForeignKey("edition.id", ondelete="SET NULL"))
    resource_link_pk: Mapped[int | None] = mapped_column(ForeignKey("resource_link.id", ondelete="SET NULL"))
    score_given: Mapped[float | None]
    score_maximum: Mapped[float] = mapped_column(default=100)
    activity_progress: Mapped[str] = mapped_column(String(20))
    grading_progress: Mapped[str] = mapped_column(String(20))
    comment: Mapped[str] = mapped_column(Text, default="")
    timestamp: Mapped[str] = mapped_column(String(40))
    submitted_at: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(String(12), default=GradeStatus.PENDING, index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    claimed_until: Mapped[datetime | None]
    claim_token: Mapped[str | None] = mapped_column(String(64))
    resent_from_id: Mapped[int | None] = mapped_column(ForeignKey("grade_sync.id", ondelete="SET NULL"))
    last_error: Mapped[str | None] = mapped_column(Text)
    last_status: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
