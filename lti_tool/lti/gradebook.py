"""The grade port's LTI side: what a learner's progress change becomes in the platform's grade book.

The domain only reports "this learner's progress in this module changed" (``learning.grades.ProgressChange``).
Here alone it is decided whether that deserves a grade row (a learner enrolled in the course, not Blackboard's
Student Preview user, in a module with a grade column, in a course with the AGS score scope), which column the
score belongs to, and which AGS values say so (AGS §3.4.1 activityProgress, gradingProgress:
https://www.imsglobal.org/spec/lti-ags/v2p0/#activityprogress). Rows are written in the caller's transaction
and sent later by ``lti.outbox``.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from ..learning import grades
from ..learning.catalogue import GRADABLE_KINDS
from ..learning.grades import ProgressChange, timestamp_after
from ..models import (
    Course,
    Edition,
    Enrollment,
    GradeStatus,
    GradeSync,
    LineItem,
    Module,
    Progress,
    ResourceLink,
    User,
    utcnow,
)
from ..vocabulary import SCOPE_SCORE

SCORE_MAXIMUM = 100.0


class ActivityProgress(StrEnum):
    """AGS ``activityProgress``: how far the learner is with the module."""

    IN_PROGRESS = "InProgress"
    COMPLETED = "Completed"


class GradingProgress(StrEnum):
    """AGS ``gradingProgress``: whether the score is final."""

    NOT_READY = "NotReady"
    FULLY_GRADED = "FullyGraded"


def is_gradable(session: Session, user_id: int, course_id: int) -> bool:
    """A learner enrolled in the course, and not Blackboard's Student Preview user (the enrolment keeps the roles
    of the latest launch or roster sync, so it alone says so)."""
    enrollment = session.scalars(select(Enrollment).where(Enrollment.course_id == course_id,
                                                          Enrollment.user_id == user_id)).first()
    return enrollment is not None and enrollment.role == "learner" and not enrollment.is_test_user


def _module_has_column(session: Session, module_slug: str) -> bool:
    """Handbooks have no grade column; modules and session modules do."""
    kind = session.scalar(select(Module.kind).where(Module.slug == module_slug))
    return kind is None or kind in GRADABLE_KINDS


def link_serves(link: ResourceLink | None, module_slug: str, edition_id: int | None) -> bool:
    """True when ``link`` is bound to exactly this module (and edition): only then is its column this module's."""
    return link is not None and link.module_slug == module_slug and link.edition_id == edition_id


def resource_id_for(module_slug: str, edition: Edition | None) -> str:
    """The AGS resourceId of a module's grade column: one per module, or per edition of a session module."""
    return module_slug + (f"/edition-{edition.id}" if edition else "")


def remembered_column(session: Session, course_id: int, resource_id: str) -> str | None:
    """The column the tool found or made on the platform for this resourceId before (a ``LineItem``)."""
    return session.scalars(select(LineItem.url).where(LineItem.course_id == course_id,
                                                      LineItem.resource_id == resource_id)
                           .order_by(LineItem.id).limit(1)).first()


def column_for(session: Session, course_id: int, link: ResourceLink | None, edition: Edition | None,
               module_slug: str) -> str | None:
    """The grade column of a score for ``module_slug`` (in ``edition``), decided once, when its row is written;
    the sender never chooses again. The rule: one column per (course, module, edition), never shared.

    - An edition's own column, found or made for its resourceId before.
    - A link bound to this one module (and edition): the column the platform gave it in the launch's
      ``lineitem`` claim (deep linking makes one per link).
    - A module's column found or made for its resourceId before.
    - Otherwise None: the row's column is the one with its ``resourceId`` (``resource_id_for``), found on the
      platform or created when the row is sent, and remembered as a ``LineItem``. A plain course link that serves
      several modules never keeps a column: lending one module's column to another would overwrite a completed
      score with another module's.
    """
    served = link.lineitem_url if link is not None and link_serves(link, module_slug, edition.id if edition else None) \
        else None
    remembered = remembered_column(session, course_id, resource_id_for(module_slug, edition))
    return (remembered or served) if edition is not None else (served or remembered)


def record_change(session: Session, change: ProgressChange) -> GradeSync | None:
    """Add the score ``change`` deserves to the outbox; None when it deserves none (see the module docstring).
    Older unsent rows for the same progress are superseded."""
    course = session.get(Course, change.course_id)
    user = session.get(User, change.user_id)
    if (course is None or user is None or not is_gradable(session, user.id, course.id)
            or not _module_has_column(session, change.module_slug)):
        return None
    link = session.get(ResourceLink, change.resource_link_pk) if change.resource_link_pk else None
    edition = session.get(Edition, change.edition_id) if change.edition_id else None
    lineitem_url = column_for(session, course.id, link, edition, change.module_slug)
    if SCOPE_SCORE not in (course.ags_scopes or []) or not (lineitem_url or course.lineitems_url):
        return None
    now = utcnow()
    session.execute(
        update(GradeSync)
        .where(GradeSync.progress_id == change.progress_id, GradeSync.status == GradeStatus.PENDING,
               or_(GradeSync.claimed_until.is_(None), GradeSync.claimed_until < now))
        .values(status=GradeStatus.SUPERSEDED, last_error="A newer score for the same progress replaced this one.")
        .execution_options(synchronize_session=False)
    )
    completed = change.completed
    row = GradeSync(
        progress_id=change.progress_id, course_id=course.id, user_sub=user.sub, lineitem_url=lineitem_url,
        lineitems_url=course.lineitems_url, resource_id=resource_id_for(change.module_slug, edition),
        label=change.module_title + (f" ({edition.name})" if edition else ""),
        edition_id=edition.id if edition else None, resource_link_pk=link.id if link else None,
        score_given=round((change.score or 0.0) * SCORE_MAXIMUM, 2) if completed else None,
        score_maximum=SCORE_MAXIMUM,
        activity_progress=ActivityProgress.COMPLETED if completed else ActivityProgress.IN_PROGRESS,
        grading_progress=GradingProgress.FULLY_GRADED if completed else GradingProgress.NOT_READY,
        comment=change.comment, timestamp=timestamp_after(session, change.progress_id),
        submitted_at=(change.completed_at or now) if completed else None, next_attempt_at=now,
    )
    session.add(row)
    session.flush()
    return row


def queue_grade(session: Session, progress: Progress, *, comment: str) -> GradeSync | None:
    """The row for ``progress`` as it stands now (``record_change`` of its change)."""
    return record_change(session, ProgressChange.of(progress, comment=comment))


class AgsGradeBook:
    """The grade book the domain reports to: every change goes to the AGS outbox."""

    def progress_changed(self, session: Session, change: ProgressChange) -> None:
        record_change(session, change)


def connect() -> None:
    """Make the AGS outbox the grade book that hears of every progress change (the app factory calls this)."""
    grades.connect_grade_book(AgsGradeBook())


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
                                                        GradeSync.status == GradeStatus.SENT,
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
                                                       GradeSync.status.in_((GradeStatus.PENDING, GradeStatus.SENT))))
    return any(row_id not in misplaced_ids for row_id in later)


def repair_columns(session: Session) -> ColumnRepair:
    """Undo what releases that let a course link adopt one grade column did (safe to run again; the caller commits).

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
    for row in session.scalars(select(GradeSync).where(GradeSync.status == GradeStatus.PENDING,
                                                       GradeSync.lineitem_url.is_not(None))):
        progress = session.get(Progress, row.progress_id)
        row_link = session.get(ResourceLink, row.resource_link_pk) if row.resource_link_pk is not None else None
        edition = session.get(Edition, row.edition_id) if row.edition_id is not None else None
        right = (column_for(session, row.course_id, row_link, edition, progress.module_slug)
                 if progress is not None else None)
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
    session.flush()
    return report
