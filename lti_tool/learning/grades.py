"""What the grade book should show for a learner's progress, written to the outbox in the caller's transaction.

The score is decided here from stored progress, never from anything the browser sends. Sending happens
later, outside the request (``lti_tool.lti.outbox``), so a platform that is down loses nothing. Only
learners are graded: tutors and Blackboard's Student Preview user never get a row.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from ..errors import Conflict, NotFound
from ..models import (
    Course,
    Edition,
    Enrollment,
    GradeSync,
    Launch,
    LineItem,
    Progress,
    ResourceLink,
    User,
    utcnow,
)
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
    lineitem_url = known_column(link, edition, progress.module_slug)
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


def link_serves(link: ResourceLink | None, module_slug: str, edition_id: int | None) -> bool:
    """True when ``link`` is bound to exactly this module (and edition): only then is its column this module's."""
    return link is not None and link.module_slug == module_slug and link.edition_id == edition_id


def known_column(link: ResourceLink | None, edition: Edition | None, module_slug: str) -> str | None:
    """The grade column a score for ``module_slug`` (in ``edition``) goes to, when it is known before asking
    the platform. The rule: one column per (course, module, edition), never shared.

    - An edition's own column (deep-linked for that edition, or found or made for it before).
    - A link bound to this one module (and edition): the column the platform gave it in the launch's
      ``lineitem`` claim, or the one deep linking made for it.
    - Otherwise None: the column is found on the platform by ``resourceId`` (``resource_id_for``) or created,
      and remembered as a ``LineItem``. A plain course link that serves several modules never keeps a column:
      lending one module's column to another would overwrite a completed score with another module's.
    """
    if edition is not None and edition.lineitem_url:
        return edition.lineitem_url
    if link is not None and link.lineitem_url and link_serves(link, module_slug, edition.id if edition else None):
        return link.lineitem_url
    return None


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


@dataclass
class ColumnRepair:
    """What ``repair_columns`` changed: links that gave up a borrowed column, scores queued again."""

    links_unbound: int = 0
    pending_moved: int = 0
    queued: int = 0


def _misplaced_rows(session: Session, course_id: int) -> list[GradeSync]:
    """Sent scores that landed in a column belonging to another (module, edition): a column the tool found or
    made for another resourceId, or one that received the scores of several resourceIds."""
    owner = dict(session.execute(select(LineItem.url, LineItem.resource_id).where(LineItem.course_id == course_id,
                                                                                   LineItem.resource_id != "")).all())
    sent = list(session.scalars(select(GradeSync).where(GradeSync.course_id == course_id,
                                                        GradeSync.status == "sent",
                                                        GradeSync.lineitem_url.is_not(None))
                                .order_by(GradeSync.id)))
    resources_by_column: dict[str, set[str]] = defaultdict(set)
    for row in sent:
        resources_by_column[row.lineitem_url or ""].add(row.resource_id)
    return [row for row in sent
            if owner.get(row.lineitem_url or "", row.resource_id) != row.resource_id
            or (row.lineitem_url not in owner and len(resources_by_column[row.lineitem_url or ""]) > 1)]


def _resent_since(session: Session, progress_id: int, after_id: int, misplaced_ids: set[int]) -> bool:
    later = session.scalars(select(GradeSync.id).where(GradeSync.progress_id == progress_id, GradeSync.id > after_id,
                                                       GradeSync.status.in_(("pending", "sent"))))
    return any(row_id not in misplaced_ids for row_id in later)


def repair_columns(session: Session) -> ColumnRepair:
    """Undo what releases that let a course link adopt one grade column did (commits; safe to run again).

    A link not bound to the module of a column the tool found or made for it gives that column up; pending
    scores aimed at a column through such a link are pointed back at their own; and every learner's progress
    whose score went to another module's column, or whose column received another module's score, is queued
    again with its current state, so each column ends with the score of its own (module, edition).
    """
    report = ColumnRepair()
    owner = {(course_id, url): resource_id for course_id, url, resource_id in session.execute(
        select(LineItem.course_id, LineItem.url, LineItem.resource_id).where(LineItem.resource_id != ""))}
    for link in session.scalars(select(ResourceLink).where(ResourceLink.lineitem_url.is_not(None))):
        resource_id = owner.get((link.course_id, link.lineitem_url or ""))
        edition = session.get(Edition, link.edition_id) if link.edition_id is not None else None
        if resource_id is not None and (not link.module_slug
                                        or resource_id != resource_id_for(link.module_slug, edition)):
            link.lineitem_url = None
            report.links_unbound += 1
    session.flush()
    for row in session.scalars(select(GradeSync).where(GradeSync.status == "pending",
                                                       GradeSync.lineitem_url.is_not(None))):
        progress = session.get(Progress, row.progress_id)
        link = session.get(ResourceLink, row.resource_link_pk) if row.resource_link_pk is not None else None
        edition = session.get(Edition, row.edition_id) if row.edition_id is not None else None
        right = known_column(link, edition, progress.module_slug) if progress is not None else None
        if row.lineitem_url != right:
            row.lineitem_url = right
            report.pending_moved += 1
    session.flush()
    for course_id in session.scalars(select(GradeSync.course_id).distinct()):
        misplaced = _misplaced_rows(session, course_id)
        misplaced_ids = {row.id for row in misplaced}
        to_resend: dict[int, int] = {}
        for row in misplaced:
            to_resend[row.progress_id] = row.id
            progress = session.get(Progress, row.progress_id)
            column_owner = owner.get((course_id, row.lineitem_url or ""))
            if progress is None or column_owner is None:
                continue
            for other in session.scalars(select(Progress).where(Progress.course_id == course_id,
                                                                Progress.user_id == progress.user_id)):
                other_edition = session.get(Edition, other.edition_id) if other.edition_id else None
                if resource_id_for(other.module_slug, other_edition) == column_owner:
                    to_resend[other.id] = max(to_resend.get(other.id, 0), row.id)
        for progress_id, after_id in sorted(to_resend.items()):
            if _resent_since(session, progress_id, after_id, misplaced_ids):
                continue
            progress = session.get(Progress, progress_id)
            last = session.scalars(select(GradeSync).where(GradeSync.progress_id == progress_id)
                                   .order_by(GradeSync.id.desc()).limit(1)).first()
            if progress is not None and queue_grade(session, progress, comment=last.comment if last else ""):
                report.queued += 1
    session.commit()
    return report
