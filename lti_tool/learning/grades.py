"""The grade port: the domain reports "this learner's progress in this module changed", nothing more.

Whether that deserves a grade row, which column it goes to and what the platform is told are decided in
``lti_tool.lti.gradebook``, the grade book the app factory connects here. The score itself is decided by the
domain from stored progress (``completion``), never from anything the browser sends. Also here: what the
outbox holds, for tutors and commands (counts, failed rows, the latest row, a re-send of a failed one).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..errors import Conflict, NotFound
from ..models import GradeStatus, GradeSync, Progress, utcnow


@dataclass(frozen=True)
class ProgressChange:
    """This learner's progress in this module (and edition) changed: where it stands now, and why."""

    progress_id: int
    user_id: int
    course_id: int
    module_slug: str
    module_title: str
    edition_id: int | None
    resource_link_pk: int | None
    completed: bool
    score: float | None
    completed_at: datetime | None
    comment: str

    @classmethod
    def of(cls, progress: Progress, *, comment: str) -> ProgressChange:
        version = progress.module_version
        return cls(progress_id=progress.id, user_id=progress.user_id, course_id=progress.course_id,
                   module_slug=progress.module_slug,
                   module_title=version.title if version is not None else progress.module_slug,
                   edition_id=progress.edition_id, resource_link_pk=progress.resource_link_pk,
                   completed=progress.state == "completed", score=progress.score,
                   completed_at=progress.completed_at, comment=comment)


class GradeBook(Protocol):
    """Whatever hears of progress changes; it writes in the caller's transaction and never commits."""

    def progress_changed(self, session: Session, change: ProgressChange) -> None: ...


_grade_book: GradeBook | None = None


def connect_grade_book(book: GradeBook) -> None:
    global _grade_book
    _grade_book = book


def progress_changed(session: Session, progress: Progress, *, comment: str) -> None:
    """Tell the grade book that ``progress`` changed (started, completed, rescored, moved to a new version)."""
    if _grade_book is None:
        raise RuntimeError("No grade book is connected: build the app with lti_tool.create_app() first.")
    _grade_book.progress_changed(session, ProgressChange.of(progress, comment=comment))


def timestamp_after(session: Session, progress_id: int) -> str:
    """ISO 8601 with milliseconds, strictly later than any earlier score for this progress (platforms reject
    a score whose timestamp is not newer than the last one)."""
    now = utcnow()
    last = session.scalars(select(GradeSync.timestamp).where(GradeSync.progress_id == progress_id)
                           .order_by(GradeSync.id.desc()).limit(1)).first()
    if last:
        previous = parse_timestamp(last)
        if now <= previous:
            now = previous + timedelta(milliseconds=1)
    return format_timestamp(now)


def format_timestamp(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def parse_timestamp(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def resend(session: Session, grade_sync_id: int, *, course_id: int | None = None) -> GradeSync:
    """Give a failed score another go as a new pending row with a new timestamp (the failed row stays).
    ``course_id``: a tutor may only re-send their own course's scores."""
    old = session.get(GradeSync, grade_sync_id, populate_existing=True)
    if old is None or (course_id is not None and old.course_id != course_id):
        raise NotFound(f"There is no grade send number {grade_sync_id} in this course.")
    if old.status != GradeStatus.FAILED:
        raise Conflict(f"Only a failed grade send can be sent again; number {grade_sync_id} is {old.status}.")
    newer = session.scalars(select(GradeSync.id).where(
        GradeSync.progress_id == old.progress_id, GradeSync.id > old.id,
        GradeSync.status.in_((GradeStatus.PENDING, GradeStatus.SENT)))).first()
    if newer is not None:
        raise Conflict(f"A newer score for the same learner and module exists (number {newer}); nothing to resend.")
    row = GradeSync(
        progress_id=old.progress_id, course_id=old.course_id, user_sub=old.user_sub,
        lineitem_url=None if old.last_status == 404 else old.lineitem_url,  # its column is gone: find or make one
        lineitems_url=old.lineitems_url, resource_id=old.resource_id, label=old.label, edition_id=old.edition_id,
        resource_link_pk=old.resource_link_pk, score_given=old.score_given, score_maximum=old.score_maximum,
        activity_progress=old.activity_progress, grading_progress=old.grading_progress, comment=old.comment,
        timestamp=timestamp_after(session, old.progress_id), submitted_at=old.submitted_at,
        next_attempt_at=utcnow(), resent_from_id=old.id,
    )
    session.add(row)
    session.flush()
    return row


def status_counts(session: Session, course_id: int | None = None) -> dict[str, int]:
    """How many grade sends are in each status, for a course or for everything."""
    query = select(GradeSync.status)
    if course_id is not None:
        query = query.where(GradeSync.course_id == course_id)
    counts = Counter(session.scalars(query))
    return {status.value: counts.get(status, 0) for status in GradeStatus}


def failed_rows(session: Session, course_id: int | None = None, limit: int = 50) -> list[GradeSync]:
    query = select(GradeSync).where(GradeSync.status == GradeStatus.FAILED).order_by(GradeSync.id.desc()).limit(limit)
    if course_id is not None:
        query = query.where(GradeSync.course_id == course_id)
    return list(session.scalars(query))


def latest_for_progress(session: Session, progress_id: int) -> GradeSync | None:
    """The row that says what the platform shows (or will show) for this progress, for "sent ✓ / pending"."""
    return session.scalars(select(GradeSync).where(GradeSync.progress_id == progress_id,
                                                   GradeSync.status != GradeStatus.SUPERSEDED)
                           .order_by(GradeSync.id.desc()).limit(1)).first()
