"""Data-subject requests: everything the tool holds about one person, as JSON, and its erasure.

A person is found by the platform's issuer and their ``sub`` (the id the platform gives them). Erasure removes the
person, their enrolments, launches and learner records, and takes their name and tool user id out of the audit
log, content versions and editions they authored (replaced by ``ERASED``). Certificates are revoked: the public
check at ``/verify/<code>`` confirms a name, and without the name it could confirm nothing about the holder.
Grades not yet delivered to the platform block erasure unless the caller discards them on purpose.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, delete, func, or_, select
from sqlalchemy.orm import Session

from ..errors import Conflict, NotFound
from ..models import (
    Answer,
    Attempt,
    AuditEntry,
    Base,
    Certificate,
    Course,
    Deployment,
    Edition,
    Enrollment,
    GradeSync,
    Launch,
    ModuleVersion,
    PageView,
    Platform,
    Progress,
    Reflection,
    ResourceLink,
    User,
    utcnow,
)
from .retention import UNDELIVERED

ERASED = "erased person"


class UndeliveredGrades(Conflict):
    code = "undelivered_grades"
    title = "Grades not yet delivered"


def find_person(session: Session, issuer: str, sub: str) -> User:
    user = session.scalars(select(User).join(Platform, Platform.id == User.platform_id)
                           .where(Platform.issuer == issuer, User.sub == sub)).first()
    if user is None:
        raise NotFound(f"No person with sub {sub!r} from the platform {issuer!r} is stored.")
    return user


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def row_data(row: Base) -> dict[str, Any]:
    """Every column of a row, JSON-ready: an export hides nothing the table holds."""
    return {column.key: _plain(getattr(row, column.key)) for column in row.__mapper__.column_attrs}


def _names(column: Any, user: User) -> ColumnElement[bool]:
    """A text column holding ``user:<id>`` or an actor label ``Name (user <id>)`` (``audit.actor_label``)."""
    return or_(column == f"user:{user.id}", column.like(f"%(user {user.id})"))


def _audit_entries(session: Session, user: User) -> list[AuditEntry]:
    naming = or_(_names(AuditEntry.actor, user), _names(AuditEntry.target, user))
    by_label = session.scalars(select(AuditEntry).where(naming).order_by(AuditEntry.id)).all()
    seen = {entry.id for entry in by_label}
    # Details are free-form: any that quote the person's sub or e-mail address name them too.
    needles = [n for n in (user.sub, user.email) if n]
    quoting = [entry for entry in session.scalars(select(AuditEntry).order_by(AuditEntry.id))
               if entry.id not in seen and any(n in str(entry.details) for n in needles)]
    return sorted([*by_label, *quoting], key=lambda entry: entry.id)


def _platform_courses(user: User) -> Any:
    return select(Course.id).join(Deployment, Deployment.id == Course.deployment_id).where(
        Deployment.platform_id == user.platform_id)


def _grade_rows(session: Session, user: User, progress_ids: list[int]) -> list[GradeSync]:
    return list(session.scalars(select(GradeSync).where(
        or_(GradeSync.progress_id.in_(progress_ids),
            (GradeSync.user_sub == user.sub) & GradeSync.course_id.in_(_platform_courses(user))))
        .order_by(GradeSync.id)))


def _launch_without_token(launch: Launch) -> dict[str, Any]:
    """A launch as stored, except a live hand-off token: it would sign whoever reads the export in as the person."""
    data = row_data(launch)
    if data["handoff_token"]:
        data["handoff_token"] = "(withheld: a one-time sign-in token)"
    return data


def export_person(session: Session, user: User, *, actor: str = "cli", reference: str = "") -> dict[str, Any]:
    """Everything stored about the person, table by table, with an audit entry (flushed; the caller commits)."""
    progress = list(session.scalars(select(Progress).where(Progress.user_id == user.id).order_by(Progress.id)))
    progress_ids = [p.id for p in progress]
    attempts = list(session.scalars(select(Attempt).where(Attempt.progress_id.in_(progress_ids))
                                    .order_by(Attempt.id)))
    enrollments = list(session.scalars(select(Enrollment).where(Enrollment.user_id == user.id)
                                       .order_by(Enrollment.id)))
    courses = {e.course_id for e in enrollments} | {p.course_id for p in progress}
    platform = session.get(Platform, user.platform_id)
    data: dict[str, Any] = {
        "exported_at": _plain(utcnow()),
        "platform": {"issuer": platform.issuer, "name": platform.name} if platform else None,
        "person": row_data(user),
        "courses": [{"id": c.id, "context_id": c.context_id, "title": c.title, "label": c.label}
                    for c in session.scalars(select(Course).where(Course.id.in_(courses)).order_by(Course.id))],
        "enrolments": [row_data(e) for e in enrollments],
        "launches": [_launch_without_token(launch) for launch in session.scalars(
            select(Launch).where(Launch.user_id == user.id).order_by(Launch.created_at))],
        "progress": [row_data(p) for p in progress],
        "page_views": [row_data(v) for v in session.scalars(
            select(PageView).where(PageView.progress_id.in_(progress_ids)).order_by(PageView.id))],
        "quiz_attempts": [row_data(a) for a in attempts],
        "answers": [row_data(a) for a in session.scalars(
            select(Answer).where(Answer.attempt_id.in_([a.id for a in attempts])).order_by(Answer.id))],
        "reflections": [row_data(r) for r in session.scalars(
            select(Reflection).where(Reflection.progress_id.in_(progress_ids)).order_by(Reflection.id))],
        "certificates": [row_data(c) for c in session.scalars(
            select(Certificate).where(Certificate.progress_id.in_(progress_ids)).order_by(Certificate.id))],
        "grade_rows": [row_data(g) for g in _grade_rows(session, user, progress_ids)],
        "audit_entries": [row_data(a) for a in _audit_entries(session, user)],
        "content_versions_published": [
            {"module_id": v.module_id, "number": v.number, "title": v.title, "published_by": v.published_by,
             "published_at": _plain(v.published_at)}
            for v in session.scalars(select(ModuleVersion).where(_names(ModuleVersion.published_by, user))
                                     .order_by(ModuleVersion.id))],
        "editions_created": [row_data(e) for e in session.scalars(
            select(Edition).where(_names(Edition.created_by, user)).order_by(Edition.id))],
    }
    session.add(AuditEntry(actor=actor, action="person.export", target=f"user:{user.id}",
                           details={"reference": reference}))
    session.flush()
    return data


@dataclass
class ErasureReport:
    reference: str
    removed: dict[str, int] = field(default_factory=dict)
    anonymised: dict[str, int] = field(default_factory=dict)
    discarded_undelivered_grades: int = 0


def erase_person(session: Session, user: User, *, discard_undelivered_grades: bool = False, actor: str = "cli",
                 reference: str = "") -> ErasureReport:
    """Remove the person and everything about them, or take their name out where a record must stay, with an
    audit entry that does not identify them (flushed; the caller commits).

    Raises :class:`UndeliveredGrades` when a grade of theirs has not reached the platform, unless
    ``discard_undelivered_grades`` says to erase those too (the grade book then never gets them).
    """
    progress_ids = list(session.scalars(select(Progress.id).where(Progress.user_id == user.id)))
    grade_rows = _grade_rows(session, user, progress_ids)
    undelivered = [g for g in grade_rows if g.status in UNDELIVERED]
    if undelivered and not discard_undelivered_grades:
        counts = {status: sum(1 for g in undelivered if g.status == status) for status in UNDELIVERED}
        raise UndeliveredGrades(
            f"{len(undelivered)} grade(s) of this person have not reached the platform's grade book yet "
            f"(pending {counts['pending']}, failed {counts['failed']}). Deliver them first (`flask grades sync`; "
            "`flask grades resend ID` for failed ones), or erase anyway with --discard-undelivered-grades.",
            advice="Nothing was erased.")
    report = ErasureReport(reference=reference or secrets.token_hex(6),
                           discarded_undelivered_grades=len(undelivered))
    attempts = select(Attempt.id).where(Attempt.progress_id.in_(progress_ids))
    doomed: list[tuple[str, Any, ColumnElement[bool]]] = [
        ("answers", Answer, Answer.attempt_id.in_(attempts)),
        ("quiz attempts", Attempt, Attempt.progress_id.in_(progress_ids)),
        ("page views", PageView, PageView.progress_id.in_(progress_ids)),
        ("reflections", Reflection, Reflection.progress_id.in_(progress_ids)),
        ("certificates", Certificate, Certificate.progress_id.in_(progress_ids)),
        ("grade rows", GradeSync, GradeSync.id.in_([g.id for g in grade_rows])),
        ("progress records", Progress, Progress.id.in_(progress_ids)),
        ("enrolments", Enrollment, Enrollment.user_id == user.id),
        ("launches", Launch, Launch.user_id == user.id),
    ]
    for what, model, condition in doomed:
        report.removed[what] = session.scalar(select(func.count()).select_from(model).where(condition)) or 0
        session.execute(delete(model).where(condition), execution_options={"synchronize_session": False})
    report.anonymised = _anonymise(session, user)
    session.delete(user)
    report.removed["people"] = 1
    session.flush()
    session.add(AuditEntry(actor=actor, action="person.erase", target=f"erasure:{report.reference}", details={
        "removed": report.removed, "anonymised": report.anonymised,
        "discarded_undelivered_grades": report.discarded_undelivered_grades}))
    session.flush()
    return report


def _anonymise(session: Session, user: User) -> dict[str, int]:
    """Records that must stay (who did what, who published a version) keep the act and lose the person."""
    identifiers = [n for n in (user.sub, user.email, user.name, user.person_sourcedid) if n]
    entries = _audit_entries(session, user)
    for entry in entries:
        entry.actor = _scrub(entry.actor, user)
        entry.target = _scrub(entry.target, user)
        entry.details = _scrub_json(entry.details, identifiers)
    versions = session.scalars(select(ModuleVersion).where(_names(ModuleVersion.published_by, user))).all()
    for version in versions:
        version.published_by = ERASED
    editions = session.scalars(select(Edition).where(_names(Edition.created_by, user))).all()
    for edition in editions:
        edition.created_by = ERASED
    # Custom parameters may carry substitutions of the last launcher's details (e.g. $User.username).
    links = [link for link in session.scalars(select(ResourceLink).where(ResourceLink.course_id.in_(
        _platform_courses(user)))) if any(n in str(link.custom) for n in identifiers)]
    for link in links:
        link.custom = _scrub_json(link.custom, identifiers)
    return {"audit entries": len(entries), "content versions": len(versions), "editions": len(editions),
            "resource links": len(links)}


def _scrub(text: str, user: User) -> str:
    if text == f"user:{user.id}" or text.endswith(f"(user {user.id})"):
        return ERASED
    return text


def _scrub_json(value: Any, identifiers: list[str]) -> Any:
    if isinstance(value, dict):
        return {k: _scrub_json(v, identifiers) for k, v in value.items()}
    if isinstance(value, list):
        return [_scrub_json(v, identifiers) for v in value]
    if isinstance(value, str) and any(n in value for n in identifiers):
        return ERASED
    return value
