"""Published content: modules and quizzes as immutable versions with stable ids and pre-rendered HTML."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, utcnow


class Module(Base):
    __tablename__ = "module"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    folder: Mapped[str] = mapped_column(String(255), default="")
    current_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("module_version.id", use_alter=True, name="fk_module_current_version")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The number of the version whose Markdown the module folder holds: set when the folder is published and when
    # a version is exported into it. A browser version above it means the folder is behind the browser.
    folder_version: Mapped[int | None]

    current_version: Mapped[ModuleVersion | None] = relationship(foreign_keys=[current_version_id], post_update=True)


class ModuleVersion(Base):
    """One published state of a module. Never edited after publishing."""

    __tablename__ = "module_version"
    __table_args__ = (UniqueConstraint("module_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    module_id: Mapped[int] = mapped_column(ForeignKey("module.id", ondelete="CASCADE"), index=True)
    number: Mapped[int]
    title: Mapped[str] = mapped_column(String(300))
    summary: Mapped[str] = mapped_column(Text, default="")
    audience: Mapped[str] = mapped_column(String(300), default="")
    estimated_minutes: Mapped[int] = mapped_column(default=0)
    outcomes: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    completion: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    intro_html: Mapped[str] = mapped_column(Text, default="")
    last_reviewed: Mapped[date | None]
    reviewed_by: Mapped[str] = mapped_column(String(300), default="")
    next_review: Mapped[date | None]
    digest: Mapped[str] = mapped_column(String(64))
    change: Mapped[str] = mapped_column(String(10), default="minor")
    change_note: Mapped[str] = mapped_column(Text, default="")
    origin: Mapped[str] = mapped_column(String(10), default="files")
    source_files: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    # Digest (as ``digest``) of the module's Markdown and hosted quizzes in the content folder when this version
    # was published: equal to ``digest`` for a version published from the files, the folder's state otherwise.
    folder_digest: Mapped[str] = mapped_column(String(64), default="")
    published_at: Mapped[datetime] = mapped_column(default=utcnow)
    published_by: Mapped[str] = mapped_column(String(300), default="")

    module: Mapped[Module] = relationship(foreign_keys=[module_id])
    pages: Mapped[list[Page]] = relationship(
        back_populates="module_version", order_by="Page.position", cascade="all, delete-orphan"
    )


class Page(Base):
    __tablename__ = "page"
    __table_args__ = (UniqueConstraint("module_version_id", "slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    module_version_id: Mapped[int] = mapped_column(ForeignKey("module_version.id", ondelete="CASCADE"), index=True)
    slug: Mapped[str] = mapped_column(String(64))
    position: Mapped[int]
    title: Mapped[str] = mapped_column(String(300))
    html: Mapped[str] = mapped_column(Text)
    # Each source: {"title", "url", "accessed"} (accessed is an ISO date; absent on pages published before it).
    sources: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    last_reviewed: Mapped[date | None]
    reviewed_by: Mapped[str] = mapped_column(String(300), default="")
    next_review: Mapped[date | None]
    quiz_version_id: Mapped[int | None] = mapped_column(ForeignKey("quiz_version.id"))

    module_version: Mapped[ModuleVersion] = relationship(back_populates="pages")
    # Joined (with its quiz): every page list shows which pages host a quiz, so load them with the pages.
    quiz_version: Mapped[QuizVersion | None] = relationship(lazy="joined")


class Quiz(Base):
    __tablename__ = "quiz"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    current_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("quiz_version.id", use_alter=True, name="fk_quiz_current_version")
    )

    current_version: Mapped[QuizVersion | None] = relationship(foreign_keys=[current_version_id], post_update=True)


class QuizVersion(Base):
    __tablename__ = "quiz_version"
    __table_args__ = (UniqueConstraint("quiz_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    quiz_id: Mapped[int] = mapped_column(ForeignKey("quiz.id", ondelete="CASCADE"), index=True)
    number: Mapped[int]
    title: Mapped[str] = mapped_column(String(300))
    intro_html: Mapped[str] = mapped_column(Text, default="")
    pass_mark: Mapped[int] = mapped_column(default=70)
    attempts_allowed: Mapped[int | None]
    shuffle: Mapped[str] = mapped_column(String(20), default="none")
    pick: Mapped[int | None]
    show_answers: Mapped[str] = mapped_column(String(30), default="after_submit")
    last_reviewed: Mapped[date | None]
    reviewed_by: Mapped[str] = mapped_column(String(300), default="")
    next_review: Mapped[date | None]
    sources: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    digest: Mapped[str] = mapped_column(String(64))
    source_text: Mapped[str] = mapped_column(Text, default="")
    source_path: Mapped[str] = mapped_column(String(500), default="")
    published_at: Mapped[datetime] = mapped_column(default=utcnow)

    quiz: Mapped[Quiz] = relationship(foreign_keys=[quiz_id], lazy="joined")
    questions: Mapped[list[Question]] = relationship(
        back_populates="quiz_version", order_by="Question.position", cascade="all, delete-orphan"
    )


class Question(Base):
    __tablename__ = "question"
    __table_args__ = (UniqueConstraint("quiz_version_id", "slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    quiz_version_id: Mapped[int] = mapped_column(ForeignKey("quiz_version.id", ondelete="CASCADE"), index=True)
    slug: Mapped[str] = mapped_column(String(64))
    position: Mapped[int]
    type: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(300))
    points: Mapped[int] = mapped_column(default=1)
    stem_html: Mapped[str] = mapped_column(Text, default="")
    explanation_html: Mapped[str] = mapped_column(Text, default="")
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    quiz_version: Mapped[QuizVersion] = relationship(back_populates="questions")
    # Loaded for all the questions at once when the questions load: scoring and the quiz form read them all.
    options: Mapped[list[Option]] = relationship(
        back_populates="question", order_by="Option.position", cascade="all, delete-orphan", lazy="selectin"
    )


class Option(Base):
    """A choice, a matching pair (text -> match_text) or an item to order (position = correct order)."""

    __tablename__ = "option"
    __table_args__ = (UniqueConstraint("question_id", "slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("question.id", ondelete="CASCADE"), index=True)
    slug: Mapped[str] = mapped_column(String(64))
    position: Mapped[int]
    text_html: Mapped[str] = mapped_column(Text)
    is_correct: Mapped[bool] = mapped_column(default=False)
    feedback_html: Mapped[str] = mapped_column(Text, default="")
    match_text: Mapped[str] = mapped_column(Text, default="")
    pinned: Mapped[bool] = mapped_column(default=False)

    question: Mapped[Question] = relationship(back_populates="options")
