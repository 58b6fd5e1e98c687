"""Progress: starting once, page views, completion rule variations, major-version moves, overdue, grades queued."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from lti_tool.learning.progress import Learner, module_status, record_page_view, start_or_resume
from lti_tool.models import Edition, GradeSync, PageView, utcnow
from tests.support.launches import make_course, make_launch
from tests.support.learning_factories import CORRECT_ANSWERS, module, pass_quiz, publish_demo_module, publish_version


def grades(db, progress):
    return db.scalars(select(GradeSync).where(GradeSync.progress_id == progress.id).order_by(GradeSync.id)).all()


def view_all(db, progress):
    for page in progress.module_version.pages:
        record_page_view(db, progress, page.slug)


def test_starting_queues_one_in_progress_grade_and_resuming_queues_none(db, learner):
    publish_demo_module(db)
    first = start_or_resume(db, learner, module(db))
    again = start_or_resume(db, learner, module(db))
    assert first.started and not again.started and again.progress.id == first.progress.id
    rows = grades(db, first.progress)
    assert [(r.activity_progress, r.grading_progress, r.score_given) for r in rows] == [
        ("InProgress", "NotReady", None)]
    assert rows[0].comment == "Started version 1 of Supervising IMGs"


def test_page_views_are_recorded_once(db, learner):
    publish_demo_module(db)
    progress = start_or_resume(db, learner, module(db)).progress
    assert record_page_view(db, progress, "page-1") is True
    assert record_page_view(db, progress, "page-1") is False
    assert db.scalars(select(PageView).where(PageView.progress_id == progress.id)).all()[0].page_slug == "page-1"


def test_not_started_in_progress_and_completed_states_with_what_is_left(db, learner):
    publish_demo_module(db)
    assert module_status(db, learner, module(db)).state == "not_started"
    progress = start_or_resume(db, learner, module(db)).progress
    record_page_view(db, progress, "page-1")
    status = module_status(db, learner, module(db))
    assert (status.state, status.pages_viewed, status.pages_total) == ("in_progress", 1, 3)
    assert status.left == ["Read “Page 2”", "Read “Page 3”", "Pass the quiz “Check your understanding”",
                           "Submit your reflection “Your reflection”"]
    assert status.next_page == "page-2"
    view_all(db, progress)
    pass_quiz(db, progress)
    status = module_status(db, learner, module(db))
    assert (status.state, status.passed, status.score, status.left) == ("completed", True, 1.0, [])


def test_completion_queues_a_completed_fully_graded_score_with_the_version_in_the_comment(db, learner):
    publish_demo_module(db)
    progress = start_or_resume(db, learner, module(db)).progress
    view_all(db, progress)
    pass_quiz(db, progress, {**CORRECT_ANSWERS, "induction": ["ihs"]})
    last = grades(db, progress)[-1]
    assert (last.activity_progress, last.grading_progress, last.score_given) == ("Completed", "FullyGraded", 92.86)
    assert last.comment == "Completed version 1 of Supervising IMGs"
    assert progress.completed_at is not None


def test_a_better_later_score_queues_an_updated_grade(db, learner):
    publish_demo_module(db)
    progress = start_or_resume(db, learner, module(db)).progress
    view_all(db, progress)
    pass_quiz(db, progress, {**CORRECT_ANSWERS, "induction": ["ihs"]})
    pass_quiz(db, progress)
    assert [r.score_given for r in grades(db, progress)] == [None, 92.86, 100.0]


def test_a_failed_quiz_does_not_complete_a_module_that_requires_it(db, learner):
    publish_demo_module(db)
    progress = start_or_resume(db, learner, module(db)).progress
    view_all(db, progress)
    pass_quiz(db, progress, {**CORRECT_ANSWERS, "arcp-o5": "o1", "body": "no", "hours": "2"})
    assert progress.state == "in_progress"
    assert module_status(db, learner, module(db)).left == ["Pass the quiz “Check your understanding”"]


def test_quizzes_none_completes_on_pages_alone_but_not_passed(db, learner):
    publish_demo_module(db, completion={"pages": "all", "quizzes": "none", "reflections": "optional"})
    progress = start_or_resume(db, learner, module(db)).progress
    view_all(db, progress)
    assert (progress.state, progress.passed, progress.score) == ("completed", False, 0.0)


def test_quizzes_listed_by_slug_are_the_ones_required(db, learner):
    publish_demo_module(db, completion={"pages": "none", "quizzes": ["demo-check"], "reflections": "optional"})
    progress = start_or_resume(db, learner, module(db)).progress
    record_page_view(db, progress, "page-1")
    assert progress.state == "in_progress"
    pass_quiz(db, progress)
    assert progress.state == "completed"


def test_pages_none_and_a_passed_quiz_complete_without_reading(db, learner):
    publish_demo_module(db, completion={"pages": "none", "quizzes": "all", "reflections": "required"})
    progress = start_or_resume(db, learner, module(db)).progress
    pass_quiz(db, progress)
    assert progress.state == "completed"


def test_a_module_without_quizzes_scores_one_on_completion(db, learner):
    publish_version(db, pages=2)
    progress = start_or_resume(db, learner, module(db)).progress
    view_all(db, progress)
    assert (progress.state, progress.score, progress.passed) == ("completed", 1.0, True)


def test_a_handbook_queues_no_grades(db, learner):
    publish_version(db, "handbook", kind="handbook", pages=1)
    progress = start_or_resume(db, learner, module(db, "handbook")).progress
    view_all(db, progress)
    assert progress.state == "completed" and grades(db, progress) == []


def test_a_handbook_completes_only_when_every_page_has_been_read(db, learner):
    publish_version(db, "handbook", kind="handbook", pages=5)
    progress = start_or_resume(db, learner, module(db, "handbook")).progress
    record_page_view(db, progress, "page-1")
    assert (progress.state, progress.score) == ("in_progress", None)
    assert module_status(db, learner, module(db, "handbook")).left[0] == "Read “Page 2”"
    view_all(db, progress)
    assert (progress.state, progress.score) == ("completed", 1.0)


def test_a_version_whose_rule_asks_for_nothing_still_needs_every_page(db, learner):
    """Versions published before the checker refused such a rule (the handbook said pages: none)."""
    version = publish_version(db, "handbook", kind="handbook", pages=5)
    version.completion = {"pages": "none", "quizzes": "none", "reflections": "optional"}
    db.flush()
    progress = start_or_resume(db, learner, module(db, "handbook")).progress
    record_page_view(db, progress, "page-1")
    assert progress.state == "in_progress" and progress.completed_at is None
    view_all(db, progress)
    assert progress.state == "completed"


def test_a_tutor_trying_the_module_out_is_not_graded(db):
    publish_version(db, pages=1)
    tutor = make_launch(db, make_course(db, "course-t"), role="tutor", module_slug="img-demo")
    progress = start_or_resume(db, Learner(tutor.user_id, tutor.course_id), module(db)).progress
    view_all(db, progress)
    assert progress.state == "completed" and grades(db, progress) == []


def test_a_minor_new_version_keeps_the_learner_on_theirs(db, learner):
    publish_demo_module(db)
    start_or_resume(db, learner, module(db))
    publish_version(db, pages=4, change="minor")
    resumed = start_or_resume(db, learner, module(db))
    assert resumed.progress.module_version.number == 1 and resumed.notice is None


def test_a_major_new_version_moves_the_learner_and_clears_completion(db, learner):
    publish_demo_module(db)
    progress = start_or_resume(db, learner, module(db)).progress
    view_all(db, progress)
    pass_quiz(db, progress)
    assert progress.state == "completed"
    publish_version(db, pages=2, change="major")
    publish_version(db, pages=2, change="minor")
    resumed = start_or_resume(db, learner, module(db))
    assert resumed.moved_from == 1 and resumed.progress.module_version.number == 3
    assert "version 1 → 3" in resumed.notice
    assert (resumed.progress.state, resumed.progress.score, resumed.progress.completed_at) == ("in_progress", None,
                                                                                             None)
    assert module_status(db, learner, module(db)).pages_viewed == 0
    last = grades(db, progress)[-1]
    assert (last.activity_progress, last.score_given) == ("InProgress", None)
    view_all(db, resumed.progress)
    assert resumed.progress.state == "completed"
    assert grades(db, progress)[-1].comment == "Completed version 3 of Supervising IMGs"


def test_an_edition_past_its_due_date_shows_overdue_until_completed(db, arranged):
    publish_version(db, pages=1)
    now = utcnow()
    edition = Edition(course_id=arranged.course_id, module_slug="img-demo", name="Spring 2027",
                      opens_at=now - timedelta(days=30), due_at=now - timedelta(days=1),
                      closes_at=now + timedelta(days=30))
    db.add(edition)
    db.flush()
    learner = Learner(arranged.user_id, arranged.course_id, edition_id=edition.id)
    assert module_status(db, learner, module(db)).state == "overdue"
    progress = start_or_resume(db, learner, module(db)).progress
    assert progress.edition_key == edition.id
    assert module_status(db, learner, module(db)).state == "overdue"
    record_page_view(db, progress, "page-1")
    assert module_status(db, learner, module(db)).state == "completed"
    other_run = Learner(arranged.user_id, arranged.course_id)
    assert module_status(db, other_run, module(db)).state == "not_started"
