"""Quiz attempts: limits, stable layouts, autosave, server scoring, double submission, reflections."""

from __future__ import annotations

import random
import threading

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from lti_tool.learning import attempt_layout, quizzes
from lti_tool.learning.errors import AnswersIncomplete, AttemptAlreadySubmitted, NoAttemptsLeft, UnknownQuestion
from lti_tool.learning.progress import start_or_resume
from lti_tool.models import Attempt, GradeSync, Module, Progress, Reflection
from tests.support.learning_factories import CORRECT_ANSWERS, publish_demo_module


def begin(db, learner, **quiz_options):
    publish_demo_module(db, **quiz_options)
    module = db.scalars(select(Module).where(Module.slug == "img-demo")).one()
    progress = start_or_resume(db, learner, module).progress
    return progress, quizzes.quiz_place(progress, "demo-check").quiz_version


def test_attempts_allowed_is_enforced_after_submissions(db, learner):
    progress, quiz = begin(db, learner, attempts_allowed=2)
    for _ in range(2):
        attempt = quizzes.start_attempt(db, progress, quiz)
        quizzes.submit_attempt(db, progress, attempt, CORRECT_ANSWERS)
    with pytest.raises(NoAttemptsLeft):
        quizzes.start_attempt(db, progress, quiz)


def test_starting_again_resumes_the_open_attempt_instead_of_using_another(db, learner):
    progress, quiz = begin(db, learner, attempts_allowed=1)
    first = quizzes.start_attempt(db, progress, quiz)
    assert quizzes.start_attempt(db, progress, quiz).id == first.id


def test_pick_draws_that_many_questions_and_the_layout_stays_with_the_attempt(db, learner):
    progress, quiz = begin(db, learner, pick=3, shuffle="both")
    attempt = quizzes.start_attempt(db, progress, quiz, rng=random.Random(7))
    layout = [dict(e) for e in attempt.layout]
    assert len(layout) == 3
    db.commit()
    db.expire_all()
    again = quizzes.start_attempt(db, progress, quiz, rng=random.Random(99))
    assert again.id == attempt.id and again.layout == layout
    assert [f.question.slug for f in attempt_layout.attempt_form(again)] == [e["question"] for e in layout]


def test_option_shuffle_keeps_pinned_options_last(db, learner):
    progress, quiz = begin(db, learner, shuffle="options")
    for seed in range(8):
        layout = attempt_layout.draw_layout(quiz, random.Random(seed))
        induction = next(e for e in layout if e["question"] == "induction")
        assert induction["options"][-1] == "none"
        assert sorted(induction["options"]) == ["golf", "ihs", "none", "rota"]


def test_order_items_are_never_shown_in_the_correct_order(db, learner):
    progress, quiz = begin(db, learner)
    for seed in range(20):
        steps = next(e for e in attempt_layout.draw_layout(quiz, random.Random(seed)) if e["question"] == "steps")
        assert steps["options"] != ["meet", "plan", "review"]


def test_saving_an_answer_upserts_and_refuses_unknown_questions(db, learner):
    progress, quiz = begin(db, learner)
    attempt = quizzes.start_attempt(db, progress, quiz)
    quizzes.save_answer(db, attempt, "arcp-o5", "o1")
    quizzes.save_answer(db, attempt, "arcp-o5", "o5")
    assert [(a.question_slug, a.response) for a in attempt.answers] == [("arcp-o5", "o5")]
    with pytest.raises(UnknownQuestion):
        quizzes.save_answer(db, attempt, "not-in-this-quiz", "x")


def test_answers_cannot_change_after_submission(db, learner):
    progress, quiz = begin(db, learner)
    attempt = quizzes.start_attempt(db, progress, quiz)
    quizzes.submit_attempt(db, progress, attempt, CORRECT_ANSWERS)
    with pytest.raises(AttemptAlreadySubmitted):
        quizzes.save_answer(db, attempt, "arcp-o5", "o1")


def test_submitting_with_unanswered_questions_lists_them_and_keeps_the_valid_answers(db, learner):
    progress, quiz = begin(db, learner)
    attempt = quizzes.start_attempt(db, progress, quiz)
    with pytest.raises(AnswersIncomplete) as caught:
        quizzes.submit_attempt(db, progress, attempt, {"arcp-o5": "o5", "hours": "lots"})
    assert caught.value.errors["hours"] == "Enter a number, like 4.5"
    assert "arcp-o5" not in caught.value.errors and "reflect" in caught.value.errors
    assert attempt.submitted_at is None
    assert {a.question_slug: a.response for a in attempt.answers} == {"arcp-o5": "o5", "hours": "lots"}


def test_a_fully_correct_attempt_scores_one_and_passes(db, learner):
    progress, quiz = begin(db, learner)
    result = quizzes.submit_attempt(db, progress, quizzes.start_attempt(db, progress, quiz), CORRECT_ANSWERS)
    assert (result.attempt.points, result.attempt.max_points, result.percent, result.passed) == (7, 7, 100, True)
    assert all(q.is_correct for q in result.questions if q.question.type != "reflection")


def test_partial_answers_score_partially_and_fail_below_the_pass_mark(db, learner):
    progress, quiz = begin(db, learner, pass_mark=80)
    answers = {**CORRECT_ANSWERS, "induction": ["ihs"], "terms": {"cnst": "ihs", "ihs": "cnst", "arcp": "arcp"},
               "hours": "47"}
    result = quizzes.submit_attempt(db, progress, quizzes.start_attempt(db, progress, quiz), answers)
    assert result.attempt.points == pytest.approx(5 + 0.5 + 1 / 3 - 1, abs=1e-3)
    assert not result.passed


def test_a_double_submission_is_counted_once_and_returns_the_first_result(db, learner):
    progress, quiz = begin(db, learner)
    attempt = quizzes.start_attempt(db, progress, quiz)
    first = quizzes.submit_attempt(db, progress, attempt, CORRECT_ANSWERS)
    db.commit()
    wrong = {**CORRECT_ANSWERS, "arcp-o5": "o1"}
    second = quizzes.submit_attempt(db, progress, attempt, wrong)
    db.commit()
    assert second.attempt.score == first.attempt.score == 1.0
    assert db.scalar(select(Attempt.submitted_at).where(Attempt.id == attempt.id)) == first.attempt.submitted_at
    assert len(db.scalars(select(GradeSync).where(GradeSync.activity_progress == "Completed")).all()) == 0


def test_reflections_are_copied_into_private_reflection_rows(db, learner):
    progress, quiz = begin(db, learner)
    quizzes.submit_attempt(db, progress, quizzes.start_attempt(db, progress, quiz), CORRECT_ANSWERS)
    row = db.scalars(select(Reflection).where(Reflection.progress_id == progress.id)).one()
    assert (row.quiz_slug, row.question_slug, row.text) == ("demo-check", "reflect", CORRECT_ANSWERS["reflect"])
    assert row.submitted_at is not None


def test_show_answers_after_pass_hides_feedback_on_a_failed_attempt(db, learner):
    progress, quiz = begin(db, learner, show_answers="after_pass")
    failed = quizzes.submit_attempt(db, progress, quizzes.start_attempt(db, progress, quiz),
                                    {**CORRECT_ANSWERS, "arcp-o5": "o1", "body": "x", "hours": "1"})
    assert not failed.passed and not failed.show_answers
    passed = quizzes.submit_attempt(db, progress, quizzes.start_attempt(db, progress, quiz), CORRECT_ANSWERS)
    assert passed.show_answers


def test_two_threads_submitting_the_same_attempt_score_it_once(app, db, learner, database_url):
    progress, quiz = begin(db, learner)
    attempt = quizzes.start_attempt(db, progress, quiz)
    for page in progress.module_version.pages:
        from lti_tool.learning.progress import record_page_view

        record_page_view(db, progress, page.slug)
    db.commit()
    engine = create_engine(database_url, connect_args={"timeout": 30} if database_url.startswith("sqlite") else {})
    barrier = threading.Barrier(2)
    scores, errors = [], []

    def submit(answers):
        try:
            with Session(engine, expire_on_commit=False) as session:
                mine = session.get(Progress, progress.id)
                their_attempt = session.get(Attempt, attempt.id)
                barrier.wait(timeout=10)
                result = quizzes.submit_attempt(session, mine, their_attempt, answers)
                session.commit()
                scores.append(result.attempt.score)
        except Exception as exc:
            errors.append(exc)

    threads = [threading.Thread(target=submit, args=(CORRECT_ANSWERS,)),
               threading.Thread(target=submit, args=({**CORRECT_ANSWERS, "arcp-o5": "o1"},))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    engine.dispose()
    assert errors == []
    assert len(scores) == 2 and scores[0] == scores[1]
    db.expire_all()
    completed = db.scalars(select(GradeSync).where(GradeSync.progress_id == progress.id,
                                                   GradeSync.activity_progress == "Completed")).all()
    assert len(completed) == 1
    assert completed[0].score_given == round(scores[0] * 100, 2)
