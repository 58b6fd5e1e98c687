"""Quiz attempts: started with a drawn layout (``attempt_layout``), answers saved as they are given, scored on the
server.

Submitting claims the attempt with a conditional UPDATE (``submitted_at IS NULL``): of two submissions racing (two
tabs, a double click) only one scores, and the other returns the first result. Nothing about a score is read from
the browser.
"""

from __future__ import annotations

import random
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from importlib import import_module
from typing import Any, cast

from sqlalchemy import CursorResult, Select, Table, bindparam, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload
from sqlalchemy.orm.attributes import set_committed_value

from ..content.question_types import OptionResult, question_type
from ..models import Answer, Attempt, Page, Progress, Question, QuizVersion, Reflection, utcnow
from .attempt_layout import attempt_form, draw_layout, questions_of
from .completion import evaluate
from .errors import (
    AnswersIncomplete,
    AttemptAlreadySubmitted,
    AttemptNotFound,
    InvalidAnswer,
    NoAttemptsLeft,
    QuizNotInModule,
    UnknownQuestion,
)
from .scoring import is_scored, normalise, problem, score


@dataclass(frozen=True)
class QuizPlace:
    """A quiz as it appears in a learner's module version: the page that hosts it and its version."""

    page: Page
    quiz_version: QuizVersion

    @property
    def slug(self) -> str:
        return self.quiz_version.quiz.slug


def quiz_place(progress: Progress, quiz_slug: str) -> QuizPlace:
    for page in progress.module_version.pages:
        if page.quiz_version is not None and page.quiz_version.quiz.slug == quiz_slug:
            return QuizPlace(page, page.quiz_version)
    raise QuizNotInModule(quiz_slug)


def _attempts_since(progress: Progress, quiz_version: QuizVersion) -> Select[Attempt]:
    return select(Attempt).where(Attempt.progress_id == progress.id, Attempt.quiz_version_id == quiz_version.id,
                                 Attempt.started_at >= progress.version_started_at)


def attempts_used(session: Session, progress: Progress, quiz_version: QuizVersion) -> int:
    return session.scalar(select(func.count()).select_from(_attempts_since(progress, quiz_version).subquery())) or 0


def open_attempt(session: Session, progress: Progress, quiz_version: QuizVersion) -> Attempt | None:
    return session.scalars(_attempts_since(progress, quiz_version).where(Attempt.submitted_at.is_(None))
                           .order_by(Attempt.number.desc())).first()


# The statements of a submission are built once; a request only binds its values.
_ATTEMPT = select(Attempt).where(Attempt.progress_id == bindparam("progress_id"),
                                 Attempt.quiz_version_id == bindparam("quiz_version_id"),
                                 Attempt.number == bindparam("number"))
_LOCKED_ATTEMPT = (_ATTEMPT.options(joinedload(Attempt.answers)).with_for_update(of=Attempt)
                   .execution_options(populate_existing=True))
# The columns to set come with the values: {"attempt_id": ..., "submitted_at": ..., "score": ..., ...}.
_CLAIM = (update(Attempt).where(Attempt.id == bindparam("attempt_id"), Attempt.submitted_at.is_(None))
          .execution_options(synchronize_session=False))
_TOUCHED = (Progress.state, Progress.passed, Progress.score, Progress.completed_at)
_TOUCH = (update(Progress).where(Progress.id == bindparam("progress_id")).returning(*_TOUCHED)
          .execution_options(synchronize_session=False))


def get_attempt(session: Session, progress: Progress, quiz_version: QuizVersion, number: int, *,
                lock: bool = False) -> Attempt:
    """The learner's attempt ``number``. With ``lock``, the row is locked (PostgreSQL) and read with its answers
    in the same statement, as ``score_attempt(locked=True)`` needs them: a second submission waits here for the
    first to commit, then sees it submitted."""
    attempt = session.scalars(_LOCKED_ATTEMPT if lock else _ATTEMPT, {
        "progress_id": progress.id, "quiz_version_id": quiz_version.id, "number": number}).unique().one_or_none()
    if attempt is None:
        raise AttemptNotFound()
    return attempt


def start_attempt(session: Session, progress: Progress, quiz_version: QuizVersion, *,
                  rng: random.Random | None = None, now: datetime | None = None) -> Attempt:
    """The open attempt if there is one, else a new one with its own drawn and shuffled layout."""
    existing = open_attempt(session, progress, quiz_version)
    if existing is not None:
        return existing
    used = attempts_used(session, progress, quiz_version)
    if quiz_version.attempts_allowed is not None and used >= quiz_version.attempts_allowed:
        raise NoAttemptsLeft(quiz_version.attempts_allowed)
    number = (session.scalar(select(func.max(Attempt.number)).where(
        Attempt.progress_id == progress.id, Attempt.quiz_version_id == quiz_version.id)) or 0) + 1
    now = now or utcnow()
    attempt = Attempt(progress_id=progress.id, quiz_version_id=quiz_version.id, number=number,
                      layout=draw_layout(quiz_version, rng or random.SystemRandom()), started_at=now)
    attempt.quiz_version = quiz_version
    try:
        with session.begin_nested():
            session.add(attempt)
    except IntegrityError:
        # A second tab started the same attempt number a moment earlier: carry on with that one.
        existing = open_attempt(session, progress, quiz_version)
        if existing is None:
            raise
        return existing
    progress.last_activity_at = now
    return attempt


def _question_in(attempt: Attempt, question_slug: str) -> Question:
    if question_slug not in {entry["question"] for entry in attempt.layout}:
        raise UnknownQuestion(question_slug)
    return questions_of(attempt)[question_slug]


def _upsert_answer(attempt: Attempt, question_slug: str, response: Any, now: datetime) -> Answer:
    for answer in attempt.answers:
        if answer.question_slug == question_slug:
            answer.response, answer.saved_at = response, now
            return answer
    answer = Answer(question_slug=question_slug, response=response, saved_at=now)
    attempt.answers.append(answer)
    return answer


def _lock(session: Session, attempt: Attempt) -> None:
    """Lock the attempt row (PostgreSQL) and re-read its answers: an autosave still in flight when the learner
    presses submit, or a second press of submit, waits for the first to commit instead of inserting the same
    answer twice."""
    session.refresh(attempt, with_for_update=True)


def save_answer(session: Session, attempt: Attempt, question_slug: str, raw: Any, *,
                now: datetime | None = None) -> Answer:
    """Keep one answer as the learner gives it (autosave); refused once the attempt is submitted."""
    _lock(session, attempt)
    if attempt.submitted_at is not None:
        raise AttemptAlreadySubmitted()
    question = _question_in(attempt, question_slug)
    response, now = normalise(question, raw), now or utcnow()
    return _keep_answers(session, attempt, {question_slug: response}, now)[question_slug]


def _keep_answers(session: Session, attempt: Attempt, responses: Mapping[str, Any],
                  now: datetime) -> dict[str, Answer]:
    """Insert or update answers. Two requests for one attempt can cross (two autosaves of a question, or an
    autosave still in flight when submit is pressed; SQLite has no row lock): on a clash the later one updates."""
    try:
        with session.begin_nested():
            kept = {slug: _upsert_answer(attempt, slug, response, now) for slug, response in responses.items()}
    except IntegrityError:
        session.expire(attempt, ["answers"])
        kept = {slug: _upsert_answer(attempt, slug, response, now) for slug, response in responses.items()}
        session.flush()
    return kept


@dataclass(frozen=True)
class QuestionResult:
    number: int
    question: Question
    response: Any
    points: float | None
    is_correct: bool | None
    options: list[OptionResult]

    @property
    def answer_text(self) -> str:
        return self.response if isinstance(self.response, str) else ""


@dataclass(frozen=True)
class AttemptResult:
    attempt: Attempt
    quiz_version: QuizVersion
    questions: list[QuestionResult]
    show_answers: bool
    attempts_used: int
    attempts_left: int | None

    @property
    def percent(self) -> int:
        return round(100 * (self.attempt.score or 0.0))

    @property
    def passed(self) -> bool:
        return bool(self.attempt.passed)

    @property
    def full_marks(self) -> bool:
        return (self.attempt.score or 0.0) >= 1.0

    @property
    def can_retry(self) -> bool:
        """Another attempt is offered while attempts are left, unless this one could not be bettered."""
        if self.full_marks:
            return False
        return self.attempts_left is None or self.attempts_left > 0


def submit_attempt(session: Session, progress: Progress, attempt: Attempt,
                   responses: Mapping[str, Any] | None = None, *, now: datetime | None = None) -> AttemptResult:
    """Score the attempt once and review it. Raises AnswersIncomplete (after saving what was valid) when
    questions are unanswered; a second submission of the same attempt returns the first result unchanged."""
    score_attempt(session, progress, attempt, responses, now=now)
    return attempt_result(session, progress, attempt)


def score_attempt(session: Session, progress: Progress, attempt: Attempt,
                  responses: Mapping[str, Any] | None = None, *, now: datetime | None = None,
                  locked: bool = False) -> None:
    """Score the attempt once, without the review (a submission redirects to the result page, which shows it).
    Raises AnswersIncomplete (after saving what was valid) when questions are unanswered; a second submission
    of the same attempt changes nothing. ``locked``: the caller read the attempt with ``get_attempt(lock=True)``
    in this transaction."""
    now = now or utcnow()
    if not locked:
        _lock(session, attempt)
    if attempt.submitted_at is not None:
        return
    questions = questions_of(attempt)
    final = {a.question_slug: a.response for a in attempt.answers}
    errors: dict[str, str] = {}
    given: dict[str, Any] = {}
    for slug, raw in (responses or {}).items():
        question = _question_in(attempt, slug)
        try:
            given[slug] = final[slug] = normalise(question, raw)
        except InvalidAnswer as exc:
            errors[slug] = exc.message
    for entry in attempt.layout:
        slug = entry["question"]
        if slug not in errors:
            message = problem(questions[slug], final.get(slug))
            if message:
                errors[slug] = message
    if errors:
        _keep_answers(session, attempt, given, now)
        raise AnswersIncomplete({e["question"]: errors[e["question"]] for e in attempt.layout
                                 if e["question"] in errors})
    scored = {slug: score(questions[slug], final.get(slug)) for slug in (e["question"] for e in attempt.layout)}
    max_points = float(sum(questions[s].points for s, r in scored.items() if r is not None))
    points = float(sum(r.points for r in scored.values() if r is not None))
    fraction = round(points / max_points, 4) if max_points else 1.0
    passed = fraction * 100 >= attempt.quiz_version.pass_mark - 1e-9
    marks = {"submitted_at": now, "points": points, "max_points": max_points, "score": fraction, "passed": passed}
    claimed = cast(CursorResult[Any], session.execute(  # an UPDATE's result has its rowcount
        _CLAIM, {"attempt_id": attempt.id, **marks}))
    if claimed.rowcount != 1:
        session.refresh(attempt)
        return
    for name, value in marks.items():  # what this statement wrote: no need to read the row (and its answers) back
        set_committed_value(attempt, name, value)
    _store_scored_answers(session, attempt, final, scored, now)
    reflections = [questions[slug] for slug in (e["question"] for e in attempt.layout)
                   if not is_scored(questions[slug]) and (final.get(slug) or "").strip()]
    _keep_reflections(session, progress, attempt, reflections, final, now)
    _touch_and_lock(session, progress, now)
    evaluate(session, progress, now=now, locked=True)


def _store_scored_answers(session: Session, attempt: Attempt, final: Mapping[str, Any],
                          scored: Mapping[str, Any], now: datetime) -> None:
    """Every answer of the layout with its points, in one statement: new ones inserted, autosaved ones updated
    (an autosave that got in first is overwritten by the scored answer)."""
    rows = [{"attempt_id": attempt.id, "question_slug": slug, "response": final.get(slug), "saved_at": now,
             "points": result.points if result else None, "is_correct": result.is_correct if result else None}
            for slug, result in ((e["question"], scored[e["question"]]) for e in attempt.layout)]
    session.flush()
    session.execute(_upsert(session, Answer), rows)
    for answer in attempt.answers:
        session.expire(answer)
    session.expire(attempt, ["answers"])


def _keep_reflections(session: Session, progress: Progress, attempt: Attempt, questions: list[Question],
                      final: Mapping[str, Any], now: datetime) -> None:
    """The learner's reflections from this attempt, inserted or replacing earlier ones, in one statement."""
    if not questions:
        return
    quiz_slug = attempt.quiz_version.quiz.slug
    rows = [{"progress_id": progress.id, "question_slug": q.slug, "quiz_slug": quiz_slug,
             "prompt": re.sub(r"<[^>]+>", "", q.stem_html).strip() or q.title, "text": final[q.slug],
             "submitted_at": now, "updated_at": now} for q in questions]
    session.execute(_upsert(session, Reflection), rows)


_UPSERT_KEYS: dict[type[Answer] | type[Reflection], tuple[tuple[str, ...], tuple[str, ...]]] = {
    Answer: (("attempt_id", "question_slug"), ("response", "saved_at", "points", "is_correct")),
    Reflection: (("progress_id", "question_slug"), ("quiz_slug", "prompt", "text", "submitted_at", "updated_at")),
}


def _upsert(session: Session, model: type[Answer] | type[Reflection]) -> Any:
    """The INSERT of ``model`` rows that updates a row already there (same unique key), in the session's
    database dialect. Executed with a list of rows (executemany), so one compiled statement serves any number
    of rows: a multi-row VALUES would be compiled again for every new row count."""
    return _upsert_statement(session.get_bind().dialect.name, model)


@cache
def _upsert_statement(dialect: str, model: type[Answer] | type[Reflection]) -> Any:
    keys, updated = _UPSERT_KEYS[model]
    # The dialect imported by name: the engine has loaded its own already, and importing both would put the other
    # database's dialect modules (and, on PostgreSQL, sqlite3 and libsqlite3) into every worker.
    insert = import_module(f"sqlalchemy.dialects.{'postgresql' if dialect == 'postgresql' else 'sqlite'}").insert
    # The table, not the mapped class: the rows are plain values, and the ORM's bulk path would only add work.
    statement = insert(cast(Table, model.__table__))
    return statement.on_conflict_do_update(index_elements=list(keys),
                                           set_={name: statement.excluded[name] for name in updated})


def _touch_and_lock(session: Session, progress: Progress, now: datetime) -> None:
    """Mark the learner active and lock their progress row (PostgreSQL), reading back what a concurrent request
    may have committed to it, in one statement: what ``evaluate(locked=True)`` needs."""
    session.flush()
    row = session.execute(_TOUCH, {"progress_id": progress.id, "last_activity_at": now}).one()
    set_committed_value(progress, "last_activity_at", now)
    for column, value in zip(_TOUCHED, row, strict=True):
        set_committed_value(progress, column.key, value)


def show_answers(quiz_version: QuizVersion, attempt: Attempt, attempts_left: int | None, passed_ever: bool) -> bool:
    """The quiz's ``show_answers`` policy: after any submission, after a pass, or once attempts run out."""
    if attempt.submitted_at is None:
        return False
    policy = quiz_version.show_answers
    if policy == "after_pass":
        return passed_ever
    if policy == "after_last_attempt":
        return attempts_left == 0 or passed_ever
    return True


def attempt_result(session: Session, progress: Progress, attempt: Attempt) -> AttemptResult:
    """The review of a submitted attempt: per-question marks, and answers and feedback when the policy allows."""
    quiz_version = attempt.quiz_version
    used = attempts_used(session, progress, quiz_version)
    left = None if quiz_version.attempts_allowed is None else max(0, quiz_version.attempts_allowed - used)
    passed_ever = bool(session.scalar(select(func.count()).select_from(
        _attempts_since(progress, quiz_version).where(Attempt.passed.is_(True)).subquery())))
    answers = {a.question_slug: a for a in attempt.answers}
    questions = []
    for form in attempt_form(attempt):
        question = form.question
        answer = answers.get(question.slug)
        response = answer.response if answer else None
        questions.append(QuestionResult(
            number=form.number, question=question, response=response,
            points=answer.points if answer else None, is_correct=answer.is_correct if answer else None,
            options=question_type(question.type).option_results(
                question, [shown.option for shown in form.options], response)))
    return AttemptResult(attempt=attempt, quiz_version=quiz_version, questions=questions,
                         show_answers=show_answers(quiz_version, attempt, left, passed_ever),
                         attempts_used=used, attempts_left=left)
