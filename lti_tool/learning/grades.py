"""What the grade book should show for a learner's progress, written to the outbox in the caller's transaction.

The score is decided here from stored progress, never from anything the browser sends. Sending happens
later, outside the request (``lti_tool.lti.outbox``), so a platform that is down loses nothing. Only
learners are graded: tutors and Blackboard's Student Preview user never get a row.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from ..errors import Conflict, NotFound
from ..models import Course, Edition, Enrollment, GradeSync, Launch, Progress, ResourceLink, User, utcnow
from ..vocabulary import SCOPE_SCORE

SCORE_MAXIMUM = 100.0
STATUSES = ("pending", "sent", "failed", "superseded")
GRADABLE_KINDS = frozenset({"module", "session"})


def _timestamp_after(session: Session, progress_id: int) -> str:
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


def _is_test_user(roles: list[str]) -> bool:
    # Blackboard's Student Preview user; both the lti/system and lis/v2/system spellings end the same way.
    return any(isinstance(r, str) and r.endswith("/person#TestUser") for r in roles)


def is_gradable(session: Session, user_id: int, course_id: int) -> bool:
    """A learner enrolled in the course, not a tutor and not Blackboard's Student Preview user."""
    enrollment = session.scalars(select(Enrollment).where(Enrollment.course_id == course_id,
                                                          Enrollment.user_id == user_id)).first()
    if enrollment is None or enrollment.role != "learner" or _is_test_user(enrollment.lti_roles or []):
        return False
    latest = session.scalars(select(Launch).where(Launch.user_id == user_id, Launch.course_id == course_id)
                             .order_by(Launch.created_at.desc()).limit(1)).first()
    return not (latest is not None and latest.claims.get("test_user"))


def queue_grade(session: Session, progress: Progress, *, comment: str) -> GradeSync | None:
    """Add the score ``progress`` now deserves to the outbox; None when this course has no grade book for us
    or the person is not a gradable learner. Older unsent rows for the same progress are superseded."""
    course = session.get(Course, progress.course_id)
    user = session.get(User, progress.user_id)
    if course is None or user is None or not is_gradable(session, user.id, course.id):
        return None
    link = session.get(ResourceLink, progress.resource_link_pk) if progress.resource_link_pk else None
    edition = session.get(Edition, progress.edition_id) if progress.edition_id else None
    lineitem_url = (edition.lineitem_url if edition else None) or (link.lineitem_url if link else None)
    if SCOPE_SCORE not in (course.ags_scopes or []) or not (lineitem_url or course.lineitems_url):
        return None
    completed = progress.state == "completed"
    now = utcnow()
    session.execute(
        update(GradeSync)
        .where(GradeSync.progress_id == progress.id, GradeSync.status == "pending",
               or_(GradeSync.claimed_until.is_(None), GradeSync.claimed_until < now))
        .values(status="superseded", last_error="A newer score for the same progress replaced this one.")
        .execution_options(synchronize_session=False)
    )
    row = GradeSync(
        progress_id=progress.id, course_id=course.id, user_sub=user.sub, lineitem_url=lineitem_url,
        lineitems_url=course.lineitems_url, resource_id=resource_id_for(progress.module_slug, edition),
        label=(progress.module_version.title if progress.module_version else progress.module_slug)
        + (f" ({edition.name})" if edition else ""),
        edition_id=edition.id if edition else None, resource_link_pk=link.id if link else None,
        score_given=round((progress.score or 0.0) * SCORE_MAXIMUM, 2) if completed else None,
        score_maximum=SCORE_MAXIMUM,
        activity_progress="Completed" if completed else "InProgress",
        grading_progress="FullyGraded" if completed else "NotReady",
        comment=comment, timestamp=_timestamp_after(session, progress.id),
        submitted_at=(progress.completed_at or now) if completed else None, next_attempt_at=now,
    )
    session.add(row)
    session.flush()
    return row


def resource_id_for(module_slug: str, edition: Edition | None) -> str:
    """The AGS resourceId of a module's grade column: one per module, or per edition of a session module."""
    return module_slug + (f"/edition-{edition.id}" if edition else "")


def resend(session: Session, grade_sync_id: int, *, course_id: int | None = None) -> GradeSync:
    """Give a failed score another go as a new pending row with a new timestamp (the failed row stays).
    ``course_id``: a tutor may only re-send their own course's scores."""
    old = session.get(GradeSync, grade_sync_id, populate_existing=True)
    if old is None or (course_id is not None and old.course_id != course_id):
        raise NotFound(f"There is no grade send number {grade_sync_id} in this course.")
    if old.status != "failed":
        raise Conflict(f"Only a failed grade send can be sent again; number {grade_sync_id} is {old.status}.")
    newer = session.scalars(select(GradeSync.id).where(GradeSync.progress_id == old.progress_id,
                                                       GradeSync.id > old.id,
                                                       GradeSync.status.in_(("pending", "sent")))).first()
    if newer is not None:
        raise Conflict(f"A newer score for the same learner and module exists (number {newer}); nothing to resend.")
    row = GradeSync(
        progress_id=old.progress_id, course_id=old.course_id, user_sub=old.user_sub,
        lineitem_url=None if old.last_status == 404 else old.lineitem_url,  # its column is gone: find or make one
        lineitems_url=old.lineitems_url, resource_id=old.resource_id, label=old.label, edition_id=old.edition_id,
        resource_link_pk=old.resource_link_pk, score_given=old.score_given, score_maximum=old.score_maximum,
        activity_progress=old.activity_progress, grading_progress=old.grading_progress, comment=old.comment,
        timestamp=_timestamp_after(session, old.progress_id), submitted_at=old.submitted_at,
        next_attempt_at=utcnow(), resent_from_id=old.id,
    )
    session.add(row)
    session.commit()
    return row


def status_counts(session: Session, course_id: int | None = None) -> dict[str, int]:
    """How many grade sends are in each status, for a course or for everything."""
    query = select(GradeSync.status)
    if course_id is not None:
        query = query.where(GradeSync.course_id == course_id)
    counts = Counter(session.scalars(query))
    return {status: counts.get(status, 0) for status in STATUSES}


def failed_rows(session: Session, course_id: int | None = None, limit: int = 50) -> list[GradeSync]:
    query = select(GradeSync).where(GradeSync.status == "failed").order_by(GradeSync.id.desc()).limit(limit)
    if course_id is not None:
        query = query.where(GradeSync.course_id == course_id)
    return list(session.scalars(query))


def latest_for_progress(session: Session, progress_id: int) -> GradeSync | None:
    """The row that says what the platform shows (or will show) for this progress, for "sent ✓ / pending"."""
    return session.scalars(select(GradeSync).where(GradeSync.progress_id == progress_id,
                                                   GradeSync.status != "superseded")
                           .order_by(GradeSync.id.desc()).limit(1)).first()
