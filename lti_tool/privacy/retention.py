"""The retention purge: short-lived LTI state once it has expired, and learner records once they are old.

Learner records go a set number of days after their last activity (``LEARNER_RETENTION_DAYS``). A learner's
progress in a module goes with everything hanging from it (page views, attempts, answers, reflections, the
certificate, grade rows) - but never while one of its grade rows is still undelivered (pending, or failed and
waiting for a tutor to resend it): grades are never silently dropped, so such progress is kept and counted as
held back until the grade book has it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, delete, exists, func, or_, select, update
from sqlalchemy.orm import Session

from ..models import (
    AccessToken,
    Answer,
    Attempt,
    AuditEntry,
    Certificate,
    Enrollment,
    GradeSync,
    Launch,
    OidcState,
    PageView,
    Progress,
    Reflection,
    User,
)

UNDELIVERED = ("pending", "failed")
# A hand-off token carries a launch from the platform's iframe into a new window within minutes; an hour is
# far beyond any real use of one.
HANDOFF_KEPT = timedelta(hours=1)


@dataclass
class PurgeReport:
    """Rows removed (or, in a dry run, that would be removed), by what they are; and progress held back."""

    removed: dict[str, int] = field(default_factory=dict)
    held_for_undelivered_grades: int = 0
    dry_run: bool = False

    def lines(self) -> list[str]:
        verb = "would remove" if self.dry_run else "removed"
        out = [f"{verb} {count} {what}" for what, count in self.removed.items()]
        if self.held_for_undelivered_grades:
            out.append(f"kept {self.held_for_undelivered_grades} old progress record(s) whose grades are not yet "
                       "delivered (see `flask grades status`; they go once the grade book has them)")
        return out


def _old_progress(cutoff: datetime) -> ColumnElement[bool]:
    return Progress.last_activity_at < cutoff


def _has_undelivered_grade() -> ColumnElement[bool]:
    return exists().where(GradeSync.progress_id == Progress.id, GradeSync.status.in_(UNDELIVERED))


def _expired_progress(cutoff: datetime) -> Select[int]:
    return select(Progress.id).where(_old_progress(cutoff), ~_has_undelivered_grade())


def _expired_enrollments(cutoff: datetime) -> Select[int]:
    """Enrolments last launched (or, from a roster only, created) before the cut-off, with no progress left in
    that course once the expired progress is gone."""
    created = select(User.created_at).where(User.id == Enrollment.user_id).scalar_subquery()
    kept_progress = exists().where(Progress.user_id == Enrollment.user_id, Progress.course_id == Enrollment.course_id,
                                   Progress.id.not_in(_expired_progress(cutoff)))
    old = or_(Enrollment.last_launch_at < cutoff, and_(Enrollment.last_launch_at.is_(None), created < cutoff))
    return select(Enrollment.id).where(old, ~kept_progress)


def _expired_users(cutoff: datetime, now: datetime) -> Select[int]:
    """People inactive since before the cut-off with nothing left: no progress, enrolment or live launch."""
    kept_progress = exists().where(Progress.user_id == User.id, Progress.id.not_in(_expired_progress(cutoff)))
    kept_enrollment = exists().where(Enrollment.user_id == User.id,
                                     Enrollment.id.not_in(_expired_enrollments(cutoff)))
    live_launch = exists().where(Launch.user_id == User.id, Launch.expires_at >= now)
    last_seen = func.coalesce(User.last_launch_at, User.created_at)
    return select(User.id).where(last_seen < cutoff, ~kept_progress, ~kept_enrollment, ~live_launch)


def _count(session: Session, query: Select[Any]) -> int:
    return session.scalar(select(func.count()).select_from(query.subquery())) or 0


def purge(session: Session, *, now: datetime, learner_retention_days: int, dry_run: bool = False,
          actor: str = "cli") -> PurgeReport:
    """Remove what has outlived its purpose, with its audit entry; flushes, and the caller commits. A dry run
    only counts.

    ``learner_retention_days`` of 0 keeps learner records (they then go only by erasure, one person at a time).
    """
    report = PurgeReport(dry_run=dry_run)
    stale_handoffs = and_(Launch.handoff_token.is_not(None), Launch.created_at < now - HANDOFF_KEPT,
                          Launch.expires_at >= now)
    short_lived: dict[str, tuple[Any, ColumnElement[bool]]] = {
        "expired launches": (Launch, Launch.expires_at < now),
        "expired OIDC states and nonces": (OidcState, OidcState.expires_at < now),
        "expired access tokens": (AccessToken, AccessToken.expires_at < now),
    }
    for what, (model, condition) in short_lived.items():
        report.removed[what] = session.scalar(select(func.count()).select_from(model).where(condition)) or 0
    report.removed["unused hand-off tokens"] = _count(session, select(Launch.id).where(stale_handoffs))
    # Children before parents; each query names the rows by id, so it can both count them and remove them.
    learner: dict[str, tuple[Any, Select[Any]]] = {}
    if learner_retention_days > 0:
        cutoff = now - timedelta(days=learner_retention_days)
        progress = _expired_progress(cutoff)
        attempts = select(Attempt.id).where(Attempt.progress_id.in_(progress))
        learner = {
            "answers": (Answer, select(Answer.id).where(Answer.attempt_id.in_(attempts))),
            "quiz attempts": (Attempt, attempts),
            "page views": (PageView, select(PageView.id).where(PageView.progress_id.in_(progress))),
            "reflections": (Reflection, select(Reflection.id).where(Reflection.progress_id.in_(progress))),
            "certificates": (Certificate, select(Certificate.id).where(Certificate.progress_id.in_(progress))),
            "grade rows sent or superseded": (GradeSync,
                                              select(GradeSync.id).where(GradeSync.progress_id.in_(progress))),
            "progress records": (Progress, progress),
            "enrolments": (Enrollment, _expired_enrollments(cutoff)),
            "people": (User, _expired_users(cutoff, now)),
        }
        for what, (_model, query) in learner.items():
            report.removed[what] = _count(session, query)
        report.held_for_undelivered_grades = _count(
            session, select(Progress.id).where(_old_progress(cutoff), _has_undelivered_grade()))
    if dry_run:
        return report
    session.execute(update(Launch).where(stale_handoffs).values(handoff_token=None))
    for model, condition in short_lived.values():
        session.execute(delete(model).where(condition), execution_options={"synchronize_session": False})
    for model, query in learner.values():
        # Each query is run again as its turn comes; it finds the same rows it counted, since what the earlier
        # deletions removed (children, expired progress) is exactly what it already left out.
        ids = session.scalars(query).all()
        for start in range(0, len(ids), 500):
            session.execute(delete(model).where(model.id.in_(ids[start:start + 500])),
                            execution_options={"synchronize_session": False})
    session.add(AuditEntry(actor=actor, action="data.purge", target="retention", details={
        "learner_retention_days": learner_retention_days, "removed": report.removed,
        "held_for_undelivered_grades": report.held_for_undelivered_grades}))
    session.flush()
    return report
