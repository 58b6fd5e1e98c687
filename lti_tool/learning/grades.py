"""What the grade book should show for a learner's progress, written to the outbox in the caller's transaction.

The score is decided here from stored progress, never from anything the browser sends. Sending happens
later, outside the request (``lti_tool.lti.ags``), so a platform that is down loses nothing.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import Course, Edition, GradeSync, Progress, ResourceLink, User, utcnow
from ..vocabulary import SCOPE_SCORE

SCORE_MAXIMUM = 100.0


def _timestamp_after(session: Session, progress_id: int) -> str:
    """ISO 8601 with milliseconds, strictly later than any earlier score for this progress (platforms reject
    a score whose timestamp is not newer than the last one)."""
    now = utcnow()
    last = session.scalars(select(GradeSync.timestamp).where(GradeSync.progress_id == progress_id)
                           .order_by(GradeSync.id.desc()).limit(1)).first()
    if last:
        previous = datetime.fromisoformat(last.replace("Z", "+00:00"))
        if now <= previous:
            now = previous + timedelta(milliseconds=1)
    return now.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def queue_grade(session: Session, progress: Progress, *, comment: str) -> GradeSync | None:
    """Add the score ``progress`` now deserves to the outbox; None when this course has no grade book for us."""
    course = session.get(Course, progress.course_id)
    user = session.get(User, progress.user_id)
    if course is None or user is None:
        return None
    link = session.get(ResourceLink, progress.resource_link_pk) if progress.resource_link_pk else None
    edition = session.get(Edition, progress.edition_id) if progress.edition_id else None
    lineitem_url = (edition.lineitem_url if edition else None) or (link.lineitem_url if link else None)
    if SCOPE_SCORE not in (course.ags_scopes or []) or not (lineitem_url or course.lineitems_url):
        return None
    completed = progress.state == "completed"
    row = GradeSync(
        progress_id=progress.id, course_id=course.id, user_sub=user.sub, lineitem_url=lineitem_url,
        lineitems_url=course.lineitems_url,
        resource_id=f"{progress.module_slug}" + (f"/edition-{edition.id}" if edition else ""),
        label=(progress.module_version.title if progress.module_version else progress.module_slug)
        + (f" ({edition.name})" if edition else ""),
        score_given=round((progress.score or 0.0) * SCORE_MAXIMUM, 2) if completed else None,
        score_maximum=SCORE_MAXIMUM,
        activity_progress="Completed" if completed else "InProgress",
        grading_progress="FullyGraded" if completed else "NotReady",
        comment=comment, timestamp=_timestamp_after(session, progress.id),
    )
    session.add(row)
    return row
