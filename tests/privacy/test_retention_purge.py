"""`flask data purge`: short-lived LTI state once expired, learner records once old - never an undelivered grade."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select, update

from lti_tool.db import session_factory
from lti_tool.models import (
    AccessToken,
    AuditEntry,
    Enrollment,
    GradeSync,
    Launch,
    OidcState,
    Progress,
    User,
    utcnow,
)
from lti_tool.privacy.retention import purge
from tests.support.privacy_traces import Learner, deliver_grades, traces_of

RETENTION_DAYS = 90


def _last_active_long_ago(db, learner: Learner) -> None:
    """As if the learner's last use of the tool was RETENTION_DAYS + 10 days ago."""
    then = utcnow() - timedelta(days=RETENTION_DAYS + 10)
    db.execute(update(Progress).where(Progress.user_id == learner.user_id).values(last_activity_at=then))
    db.execute(update(Enrollment).where(Enrollment.user_id == learner.user_id).values(last_launch_at=then))
    db.execute(update(User).where(User.id == learner.user_id).values(last_launch_at=then, created_at=then))
    db.execute(update(Launch).where(Launch.user_id == learner.user_id).values(created_at=then, expires_at=then))
    db.commit()


def _purge_cli(app, *args: str):
    app.config["LEARNER_RETENTION_DAYS"] = RETENTION_DAYS
    return app.test_cli_runner().invoke(args=["data", "purge", *args])


def _count(db, model) -> int:
    return db.scalar(select(func.count()).select_from(model))


def test_old_learner_records_go_with_their_delivered_grades_and_recent_ones_stay(app, lti_world, db, learners):
    ngozi, tomasz = learners
    deliver_grades(app)
    _last_active_long_ago(db, ngozi)

    dry = _purge_cli(app, "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert "would remove 1 progress records" in dry.output and "would remove 1 people" in dry.output
    assert "would remove 1 certificates" in dry.output and "would remove 1 enrolments" in dry.output
    assert traces_of(db, ngozi), "a dry run changes nothing"
    assert _count(db, AuditEntry) == 0

    real = _purge_cli(app)
    assert real.exit_code == 0, real.output
    assert real.output.replace("removed", "would remove") == dry.output
    assert traces_of(db, ngozi) == []
    assert db.scalars(select(User.sub)).all() == [tomasz.sub]
    assert db.scalars(select(Progress.state)).all() == ["completed"]
    assert {g.user_sub for g in db.scalars(select(GradeSync))} == {tomasz.sub}
    entry = db.scalars(select(AuditEntry).where(AuditEntry.action == "data.purge")).one()
    assert entry.details["learner_retention_days"] == RETENTION_DAYS
    assert entry.details["removed"]["people"] == 1 and entry.details["removed"]["progress records"] == 1


def test_an_undelivered_grade_keeps_old_records_until_the_grade_book_has_it(app, lti_world, db, learners):
    ngozi, _ = learners
    _last_active_long_ago(db, ngozi)
    pending = db.scalars(select(GradeSync.id).where(GradeSync.user_sub == ngozi.sub,
                                                    GradeSync.status == "pending")).all()
    assert pending

    held = _purge_cli(app)
    assert held.exit_code == 0, held.output
    assert "kept 1 old progress record(s) whose grades are not yet delivered" in held.output
    assert "removed 0 people" in held.output and "removed 0 enrolments" in held.output
    db.expire_all()
    assert db.scalars(select(GradeSync.id).where(GradeSync.id.in_(pending),
                                                 GradeSync.status == "pending")).all() == pending
    assert db.scalar(select(func.count()).select_from(Progress).where(Progress.user_id == ngozi.user_id)) == 1

    deliver_grades(app)
    after = _purge_cli(app)
    assert "removed 1 progress records" in after.output and "kept" not in after.output
    assert traces_of(db, ngozi) == []


def test_a_failed_grade_also_holds_the_records_back(app, lti_world, db, learners):
    ngozi, _ = learners
    _last_active_long_ago(db, ngozi)
    db.execute(update(GradeSync).where(GradeSync.user_sub == ngozi.sub).values(status="failed"))
    db.commit()
    with session_factory(app)() as session:
        report = purge(session, now=utcnow(), learner_retention_days=RETENTION_DAYS)
        session.commit()
    assert report.held_for_undelivered_grades == 1 and report.removed["progress records"] == 0
    assert db.scalar(select(func.count()).select_from(GradeSync).where(GradeSync.user_sub == ngozi.sub)) >= 1


def test_expired_launches_states_nonces_and_tokens_go_and_learner_records_stay(app, lti_world, db, learners):
    deliver_grades(app)
    assert _count(db, Launch) == 2 and _count(db, OidcState) == 2 and _count(db, AccessToken) >= 1
    live = db.scalars(select(Launch)).first()
    live.handoff_token, live.created_at = "unused-hand-off", utcnow() - timedelta(hours=2)
    db.commit()
    with session_factory(app)() as session:
        rolled_back = purge(session, now=utcnow(), learner_retention_days=0)
        session.rollback()
    assert rolled_back.removed["unused hand-off tokens"] == 1
    assert _count(db, AuditEntry) == 0, "the audit entry belongs to the purge's own transaction"
    with session_factory(app)() as session:
        today = purge(session, now=utcnow(), learner_retention_days=0)
        session.commit()
    assert today.removed["unused hand-off tokens"] == 1 and today.removed["expired launches"] == 0
    db.expire_all()
    assert db.scalars(select(Launch.handoff_token)).all() == [None, None]
    assert db.scalars(select(AuditEntry.action)).all() == ["data.purge"]

    with session_factory(app)() as session:
        later = purge(session, now=utcnow() + timedelta(days=2), learner_retention_days=0)
        session.commit()
    assert later.removed["expired launches"] == 2 and later.removed["expired OIDC states and nonces"] == 2
    assert later.removed["expired access tokens"] >= 1
    for model in (Launch, OidcState, AccessToken):
        assert _count(db, model) == 0, model.__name__
    assert "progress records" not in later.removed
    assert _count(db, Progress) == 2 and _count(db, User) == 2 and _count(db, Enrollment) == 2
