"""The read models a tutor's pages stand on: who is where, in a fixed number of queries."""

from __future__ import annotations

from contextlib import contextmanager

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from lti_tool.learning.course_matrix import course_matrix
from lti_tool.learning.learner_detail import GRADE_SYNC, STARTED, learner_detail
from lti_tool.learning.matrix_cells import (
    COMPLETED_NOT_PASSED,
    COMPLETED_PASSED,
    IN_PROGRESS,
    NOT_STARTED,
    OVERDUE,
    MatrixFilters,
)
from lti_tool.learning.question_analysis import question_analysis
from lti_tool.models import GradeSync
from tests.support import tutor_factories as f


def names(matrix) -> list[str]:
    return [row.name for row in matrix.rows]


def test_matrix_lists_active_learners_only_without_tutors_preview_or_inactive(db: Session):
    s = f.Scenario(db)
    db.commit()
    matrix = course_matrix(db, s.course.id)
    assert names(matrix) == ["Amara Okafor", "Bilal Haddad", "Chen Wei", "Dara Nowak"]


def test_matrix_has_a_column_per_module_and_per_edition_of_a_session_module(db: Session):
    s = f.Scenario(db)
    db.commit()
    labels = [c.label for c in course_matrix(db, s.course.id).columns]
    assert labels == ["Portfolio and ARCP (Spring 2026)", "Portfolio and ARCP (Autumn 2026)",
                      "Supervising international medical graduates"]


def test_cells_carry_state_scores_attempts_version_overdue_and_latest_grade_sync(db: Session):
    s = f.Scenario(db)
    db.commit()
    rows = {row.name: row for row in course_matrix(db, s.course.id).rows}
    amara = rows["Amara Okafor"].cells
    assert amara[("img-supervision", None)].bucket == COMPLETED_PASSED
    assert amara[("img-supervision", None)].grade_sync.status == "failed"
    assert amara[("img-supervision", None)].version == 1
    assert amara[("portfolio-arcp", s.spring.id)].attempts == 3
    assert amara[("portfolio-arcp", s.spring.id)].best_score == 1.0
    assert rows["Bilal Haddad"].cells[("portfolio-arcp", s.spring.id)].bucket == OVERDUE
    assert rows["Bilal Haddad"].cells[("img-supervision", None)].bucket == IN_PROGRESS
    assert rows["Chen Wei"].cells[("img-supervision", None)].bucket == COMPLETED_NOT_PASSED
    dara = rows["Dara Nowak"].cells
    assert dara[("img-supervision", None)].bucket == NOT_STARTED
    assert dara[("portfolio-arcp", s.spring.id)].bucket == OVERDUE, "the spring edition's due date has passed"
    assert dara[("portfolio-arcp", s.autumn.id)].bucket == NOT_STARTED


def test_who_has_not_started_the_supervisor_module(db: Session):
    s = f.Scenario(db)
    db.commit()
    matrix = course_matrix(db, s.course.id, filters=MatrixFilters(state="not_started", module="img-supervision"))
    assert names(matrix) == ["Dara Nowak"]
    assert [c.module_slug for c in matrix.columns] == ["img-supervision"]


def test_who_failed_the_arcp_quiz_twice(db: Session):
    s = f.Scenario(db)
    db.commit()
    twice = MatrixFilters(quiz="portfolio-arcp-check", failed_attempts=2)
    assert names(course_matrix(db, s.course.id, filters=twice)) == ["Amara Okafor"]
    once = MatrixFilters(quiz="portfolio-arcp-check", failed_attempts=1)
    assert names(course_matrix(db, s.course.id, filters=once)) == ["Amara Okafor", "Bilal Haddad"]


def test_failed_attempts_without_a_quiz_means_at_any_one_quiz(db: Session):
    s = f.Scenario(db)
    db.commit()
    assert names(course_matrix(db, s.course.id, filters=MatrixFilters(failed_attempts=2))) == ["Amara Okafor"]


def test_search_matches_name_email_and_sourcedid_case_insensitively(db: Session):
    s = f.Scenario(db)
    db.commit()
    for needle in ("okafor", "AMARA@", "ao1"):
        assert names(course_matrix(db, s.course.id, filters=MatrixFilters(search=needle))) == ["Amara Okafor"]


def test_edition_filter_keeps_that_editions_column_and_completed_covers_passed_and_not(db: Session):
    s = f.Scenario(db)
    db.commit()
    matrix = course_matrix(db, s.course.id, filters=MatrixFilters(edition_id=s.spring.id, state="completed"))
    assert [c.edition_name for c in matrix.columns] == ["Spring 2026"]
    assert names(matrix) == ["Amara Okafor"]
    completed = course_matrix(db, s.course.id, filters=MatrixFilters(module="img-supervision", state="completed"))
    assert names(completed) == ["Amara Okafor", "Chen Wei"]


def test_role_filter_lists_tutors_who_take_a_module(db: Session):
    s = f.Scenario(db)
    db.commit()
    assert names(course_matrix(db, s.course.id, filters=MatrixFilters(role="tutor"))) == ["Dr Tutor"]


def test_sorting_by_state_and_score_and_descending(db: Session):
    s = f.Scenario(db)
    db.commit()
    by_score = course_matrix(db, s.course.id, filters=MatrixFilters(module="img-supervision", sort="score",
                                                                     descending=True))
    assert names(by_score)[:2] == ["Amara Okafor", "Chen Wei"]
    by_state = course_matrix(db, s.course.id, filters=MatrixFilters(module="img-supervision", sort="state"))
    assert names(by_state) == ["Dara Nowak", "Bilal Haddad", "Amara Okafor", "Chen Wei"]


def test_summary_counts_per_module(db: Session):
    s = f.Scenario(db)
    db.commit()
    summary = course_matrix(db, s.course.id).summary[("img-supervision", None)]
    assert summary == {NOT_STARTED: 1, IN_PROGRESS: 1, COMPLETED_PASSED: 1, COMPLETED_NOT_PASSED: 1, OVERDUE: 0}


def test_the_summary_counted_by_the_database_matches_the_one_tallied_from_each_persons_standing(db: Session):
    s = f.Scenario(db)
    # Progress of people the matrix leaves out must not be counted either.
    f.progress(db, s.preview, s.course, s.supervision, state="completed", passed=True, score=1.0)
    f.progress(db, s.gone, s.course, s.arcp, state="completed", passed=False, score=0.2, edition=s.autumn)
    db.commit()
    for role in ("learner", "tutor"):
        by_name = course_matrix(db, s.course.id, filters=MatrixFilters(role=role), page=1, page_size=2)
        by_state = course_matrix(db, s.course.id, filters=MatrixFilters(role=role, sort="state"), page=1,
                                 page_size=2)
        assert by_name.summary == by_state.summary
        assert all(sum(counts.values()) == by_name.matched for counts in by_name.summary.values())
    learners = course_matrix(db, s.course.id).summary
    assert learners[("portfolio-arcp", s.spring.id)] == {NOT_STARTED: 0, IN_PROGRESS: 0, COMPLETED_PASSED: 1,
                                                         COMPLETED_NOT_PASSED: 0, OVERDUE: 3}


def test_filters_from_query_params_ignore_unknown_values_and_round_trip():
    filters = MatrixFilters.from_params({"state": "bogus", "module": "img-supervision", "failed_attempts": "-2",
                                         "sort": "score", "dir": "desc", "q": "  amara "})
    assert filters == MatrixFilters(module="img-supervision", search="amara", sort="score", descending=True)
    assert MatrixFilters.from_params(filters.as_params()) == filters


@contextmanager
def count_queries(db: Session):
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    engine = db.get_bind()
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


def seed_roster(db: Session, course, versions, quiz_version, learners: int) -> None:
    for n in range(learners):
        user = f.person(db, course, name=f"Learner {n:04d}")
        for version in versions:
            row = f.progress(db, user, course, version, state="completed" if n % 2 else "in_progress",
                             passed=True if n % 2 else None, score=0.8 if n % 2 else None)
            if version is versions[0]:
                f.attempt(db, row, quiz_version, answers={"q1": ("a", n % 3 == 0)})
                f.grade_sync(db, row, status="failed" if n % 5 == 0 else "sent")
    db.commit()


def test_course_matrix_runs_the_same_number_of_queries_for_10_and_200_learners(app, db: Session):
    small, large = f.course(db), f.course(db)
    versions = [f.module(db, f"module-{i}") for i in range(3)]
    quiz_version = f.quiz(db, versions[0], "quiz-0", questions=[{"slug": "q1", "options": [("a", "A", True)]}])
    seed_roster(db, small, versions, quiz_version, 10)
    seed_roster(db, large, versions, quiz_version, 200)
    counts = []
    for course, expected_rows, page in ((small, 10, None), (large, 200, None), (small, 5, 1), (large, 5, 2)):
        from lti_tool.db import session_factory

        with session_factory(app)() as fresh, count_queries(fresh) as statements:
            matrix = course_matrix(fresh, course.id, filters=MatrixFilters(sort="score"), page=page, page_size=5)
            assert len(matrix.rows) == expected_rows
            counts.append(len(statements))
    assert counts[0] == counts[1] == counts[2] == counts[3]
    assert counts[0] <= 10


def test_a_page_of_the_matrix_holds_its_rows_and_counts_every_matching_person(db: Session):
    s = f.Scenario(db)
    db.commit()
    everyone = course_matrix(db, s.course.id, filters=MatrixFilters(sort="state"))
    first = course_matrix(db, s.course.id, filters=MatrixFilters(sort="state"), page=1, page_size=3)
    second = course_matrix(db, s.course.id, filters=MatrixFilters(sort="state"), page=2, page_size=3)
    assert names(first) + names(second) == names(everyone) and len(names(first)) == 3
    assert (first.matched, first.page_count, second.page) == (4, 2, 2)
    assert first.summary == second.summary == everyone.summary
    assert [r.cells for r in second.rows] == [r.cells for r in everyone.rows[3:]]
    beyond = course_matrix(db, s.course.id, filters=MatrixFilters(sort="state"), page=99, page_size=3)
    assert beyond.page == 2 and names(beyond) == names(second)


def test_a_page_of_a_filtered_matrix_counts_only_the_matching_people(db: Session):
    s = f.Scenario(db)
    db.commit()
    filters = MatrixFilters(module="img-supervision", state="completed", sort="score", descending=True)
    page = course_matrix(db, s.course.id, filters=filters, page=1, page_size=1)
    assert (names(page), page.matched, page.page_count) == (["Amara Okafor"], 2, 2)
    assert sum(page.summary[("img-supervision", None)].values()) == 2


def test_learner_detail_shows_answers_feedback_reflections_and_timeline(db: Session):
    s = f.Scenario(db)
    db.commit()
    detail = learner_detail(db, s.course.id, s.amara.id)
    arcp = next(m for m in detail.modules if m.module_slug == "portfolio-arcp")
    assert [a.number for a in arcp.attempts] == [1, 2, 3]
    first = arcp.attempts[0].answers[0]
    assert (first.question_title, first.response_text, first.is_correct) == ("Outcome 5", "Outcome 1", False)
    assert arcp.reflections[0].text == "I will tag my evidence every month."
    supervision = next(m for m in detail.modules if m.module_slug == "img-supervision")
    assert any(e.kind == GRADE_SYNC and "401 Unauthorized" in e.error for e in supervision.timeline)
    assert [e.kind for e in supervision.timeline][0] == STARTED


def test_learner_detail_feedback_comes_from_the_chosen_option(db: Session):
    s = f.Scenario(db)
    f.attempt(db, db.get(type(s.amara_supervision), s.amara_supervision.id), s.supervision_quiz,
              answers={"q-first": ("b", False)})
    db.commit()
    supervision = next(m for m in learner_detail(db, s.course.id, s.amara.id).modules
                       if m.module_slug == "img-supervision")
    assert supervision.attempts[-1].answers[0].feedback_html == ["<p>Too late.</p>"]


def test_learner_detail_of_someone_outside_the_course_is_not_found(db: Session):
    s = f.Scenario(db)
    db.commit()
    import pytest

    from lti_tool.errors import NotFound

    with pytest.raises(NotFound):
        learner_detail(db, s.course.id, s.other_tutor.id)


def test_question_analysis_counts_answers_share_correct_and_most_chosen_wrong_option(db: Session):
    s = f.Scenario(db)
    db.commit()
    analysis = question_analysis(db, s.course.id, "portfolio-arcp-check")
    assert analysis.attempts == 4
    outcome, areas = analysis.questions
    assert (outcome.slug, outcome.answered, outcome.correct) == ("q-outcome", 4, 1)
    assert outcome.share_correct == 0.25
    assert (outcome.most_chosen_wrong, outcome.most_chosen_wrong_count) == ("Outcome 1", 2)
    assert (areas.slug, areas.correct, areas.most_chosen_wrong) == ("q-areas", 3, None)


def test_resend_queues_a_new_pending_copy_and_keeps_the_failed_row(db: Session):
    from lti_tool.learning.grades import resend

    s = f.Scenario(db)
    db.commit()
    copy = resend(db, s.amara_sync.id, course_id=s.course.id)
    rows = db.scalars(select(GradeSync).where(GradeSync.progress_id == s.amara_supervision.id)
                      .order_by(GradeSync.id)).all()
    assert [r.status for r in rows] == ["failed", "pending"]
    assert copy.resent_from_id == rows[0].id
    assert copy.score_given == rows[0].score_given and copy.timestamp > rows[0].timestamp


def test_resend_refuses_rows_of_another_course_and_rows_that_did_not_fail(db: Session):
    import pytest

    from lti_tool.errors import Conflict, NotFound

    s = f.Scenario(db)
    sent = f.grade_sync(db, s.amara_arcp, status="sent")
    db.commit()
    from lti_tool.learning.grades import resend

    with pytest.raises(NotFound):
        resend(db, s.amara_sync.id, course_id=s.other_course.id)
    with pytest.raises(Conflict):
        resend(db, sent.id, course_id=s.course.id)


def test_a_stored_not_started_or_overdue_state_is_shown_as_such(db: Session):
    s = f.Scenario(db)
    f.progress(db, s.dara, s.course, s.supervision, state="not_started")
    f.progress(db, s.chen, s.course, s.arcp, state="overdue", edition=s.autumn)
    db.commit()
    rows = {row.name: row for row in course_matrix(db, s.course.id).rows}
    assert rows["Dara Nowak"].cells[("img-supervision", None)].bucket == NOT_STARTED
    assert rows["Chen Wei"].cells[("portfolio-arcp", s.autumn.id)].bucket == OVERDUE
    dara = learner_detail(db, s.course.id, s.dara.id).modules[0]
    assert dara.cell.bucket == NOT_STARTED
