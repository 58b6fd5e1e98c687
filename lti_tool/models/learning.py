"""A learner's way through a module: editions, progress, page views, quiz attempts, answers, reflections."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, utcnow
from .content import ModuleVersion, QuizVersion


class Edition(Base):
    """A dated run of a session module in a course (e.g. Spring 2027), with its own attempts and grade column."""

    __tablename__ = "edition"
    __table_args__ = (UniqueConstraint("course_id", "module_slug", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"), index=True)
    module_slug: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(100))
    opens_at: Mapped[datetime]
    due_at: Mapped[datetime]
    closes_at: Mapped[datetime]
    # No longer read or written: the columns the tool finds or makes are kept in ``line_item`` (lti/ state, by
    # resourceId), not on this domain row. Left for a migration to drop.
    lineitem_url: Mapped[str | None] = mapped_column(String(1000))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str] = mapped_column(String(300), default="")


class Progress(Base):
    """One learner in one module (and edition) of one course, pinned to the version they started."""

    __tablename__ = "progress"
    # (course, module) serves every read of a course's progress, and lets the tutor's matrix find which modules
    # a course has progress in by a few index probes.
    __table_args__ = (UniqueConstraint("user_id", "course_id", "module_slug", "edition_key"),
                      Index("ix_progress_course_id_module_slug", "course_id", "module_slug"))

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"))
    module_slug: Mapped[str] = mapped_column(String(64))
    edition_id: Mapped[int | None] = mapped_column(ForeignKey("edition.id", ondelete="CASCADE"))
    edition_key: Mapped[int] = mapped_column(default=0)
    module_version_id: Mapped[int] = mapped_column(ForeignKey("module_version.id"))
    resource_link_pk: Mapped[int | None] = mapped_column(ForeignKey("resource_link.id", ondelete="SET NULL"))
    state: Mapped[str] = mapped_column(String(20), default="in_progress")
    passed: Mapped[bool | None]
    score: Mapped[float | None]
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    # When the learner began the pinned version; a move to a new major version resets it, and only page views,
    # attempts and reflections from then on count towards completion.
    version_started_at: Mapped[datetime] = mapped_column(default=utcnow)
    completed_at: Mapped[datetime | None]
    last_activity_at: Mapped[datetime] = mapped_column(default=utcnow)

    module_version: Mapped[ModuleVersion] = relationship()


class PageView(Base):
    __tablename__ = "page_view"
    __table_args__ = (UniqueConstraint("progress_id", "page_slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    progress_id: Mapped[int] = mapped_column(ForeignKey("progress.id", ondelete="CASCADE"), index=True)
    page_slug: Mapped[str] = mapped_column(String(64))
    viewed_at: Mapped[datetime] = mapped_column(default=utcnow)


class Attempt(Base):
    """One attempt at a quiz; keeps the questions and option order it was given."""

    __tablename__ = "attempt"
    __table_args__ = (UniqueConstraint("progress_id", "quiz_version_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    progress_id: Mapped[int] = mapped_column(ForeignKey("progress.id", ondelete="CASCADE"), index=True)
    quiz_version_id: Mapped[int] = mapped_column(ForeignKey("quiz_version.id"))
    number: Mapped[int]
    layout: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    submitted_at: Mapped[datetime | None]
    points: Mapped[float | None]
    max_points: Mapped[float | None]
    score: Mapped[float | None]
    passed: Mapped[bool | None]

    quiz_version: Mapped[QuizVersion] = relationship()
    answers: Mapped[list[Answer]] = relationship(back_populates="attempt", cascade="all, delete-orphan")


class Answer(Base):
    __tablename__ = "answer"
    __table_args__ = (UniqueConstraint("attempt_id", "question_slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempt.id", ondelete="CASCADE"), index=True)
    question_slug: Mapped[str] = mapped_column(String(64))
    response: Mapped[Any] = mapped_column(JSON)
    points: Mapped[float | None]
    is_correct: Mapped[bool | None]
    saved_at: Mapped[datetime] = mapped_column(default=utcnow)

    attempt: Mapped[Attempt] = relationship(back_populates="answers")


class Reflection(Base):
    """A learner's private reflection; visible to them and their course's tutors only."""

    __tablename__ = "reflection"
    __table_args__ = (UniqueConstraint("progress_id", "question_slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    progress_id: Mapped[int] = mapped_column(ForeignKey("progress.id", ondelete="CASCADE"), index=True)
    quiz_slug: Mapped[str] = mapped_column(String(64))
    question_slug: Mapped[str] = mapped_column(String(64))
    prompt: Mapped[str] = mapped_column(Text, default="")
    text: Mapped[str] = mapped_column(Text, default="")
    submitted_at: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
