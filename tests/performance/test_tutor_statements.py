"""The tutor's course view issues the same number of statements whatever the roster and the modules: its page of
people is read in full, everyone else only through aggregates."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session

from lti_tool.models import Course, utcnow
from tests.support import tutor_factories as f


def _course_with(db: Session, learners: int, modules: int) -> tuple[Course, object]:
    course = f.course(db)
    course.roster_synced_at = utcnow() - timedelta(minutes=1)  # fresh: no roster fetch during the request
    versions = [f.module(db, f"m{learners}-{n}") for n in range(modules)]
    quiz_version = f.quiz(db, versions[0], f"q{learners}", questions=[{"slug": "q1", "options": [("a", "A", True)]}])
    for n in range(learners):
        user = f.person(db, course, name=f"Learner {n:03d}")
        for version in versions:
            row = f.progress(db, user, course, version, state="completed" if n % 2 else "in_progress",
                             passed=True if n % 2 else None, score=0.5 if n % 2 else None)
            if version is versions[0]:
                f.attempt(db, row, quiz_version, answers={"q1": ("a", n % 3 == 0)})
                f.grade_sync(db, row, status="failed" if n % 4 == 0 else "sent", last_error="503")
    tutor = f.person(db, course, role="tutor", name="Tutor")
    return course, f.launch(db, tutor, course)


def test_the_tutor_course_view_issues_as_many_statements_for_a_large_roster_and_more_modules(
        app, client, db, statements, monkeypatch):
    from lti_tool.web import tutor as tutor_views

    monkeypatch.setattr(tutor_views, "PAGE_SIZE", 4)  # several pages, so the large roster is paged
    small, small_launch = _course_with(db, 3, 1)
    large, large_launch = _course_with(db, 24, 3)
    db.commit()
    f.sign_in(client, small_launch, large_launch)
    client.get(f"/course/{small.id}/tutor/")  # the first request fills caches every later request shares
    counts = []
    for course, query in ((small, ""), (large, ""), (large, "?sort=score&dir=desc&page=3"),
                          (large, "?state=completed&sort=state")):
        statements.clear()
        response = client.get(f"/course/{course.id}/tutor/{query}")
        assert response.status_code == 200
        counts.append(statements.count("GET "))
    assert len(set(counts)) == 1, statements.report()
