"""One person's modules in a course, for their tutor: attempts with answers and feedback, reflections, a timeline.

Timeline events are codes with their facts (``kind`` and what it concerns); the sentences a tutor reads are
written in ``web/``.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..errors import NotFound
from ..models import (
    Answer,
    Attempt,
    Edition,
    Enrollment,
    GradeSync,
    ModuleVersion,
    Page,
    PageView,
    Progress,
    QuizVersion,
    Reflection,
    User,
    utcnow,
)
from .matrix_cells import Cell, GradeSyncState, state_and_overdue
from .responses import chosen_slugs, options_by_question, response_text


@dataclass(frozen=True)
class AnswerDetail:
    question_slug: str
    question_title: str
    question_type: str
    response_text: str
    is_correct: bool | None
    points: float | None
    max_points: int
    feedback_html: list[str]
    explanation_html: str


@dataclass(frozen=True)
class AttemptDetail:
    id: int
    quiz_title: str
    number: int
    started_at: datetime
    submitted_at: datetime | None
    score: float | None
    passed: bool | None
    answers: list[AnswerDetail]


@dataclass(frozen=True)
class ReflectionDetail:
    prompt: str
    text: str
    submitted_at: datetime | None


# What a timeline event records.
STARTED, PAGE_VIEWED, COMPLETED, GRADE_SYNC = "started", "page_viewed", "completed", "grade_sync"
ATTEMPT_STARTED, ATTEMPT_SUBMITTED = "attempt_started", "attempt_submitted"


@dataclass(frozen=True)
class TimelineEvent:
    """Something that happened in a module. ``subject`` is what it concerns: a page title or an attempt's name
    (quiz title and number); the other facts are set for the kinds they belong to."""

    at: datetime
    kind: str
    subject: str = ""
    version: int | None = None
    score: float | None = None
    passed: bool | None = None
    status: str = ""
    error: str | None = None


@dataclass(frozen=True)
class ModuleDetail:
    progress_id: int
    module_slug: str
    module_title: str
    version: int
    edition_name: str
    cell: Cell
    attempts: list[AttemptDetail]
    reflections: list[ReflectionDetail]
    timeline: list[TimelineEvent]


@dataclass(frozen=True)
class LearnerDetail:
    user_id: int
    name: str
    email: str
    sourcedid: str
    role: str
    modules: list[ModuleDetail]


def learner_detail(session: Session, course_id: int, user_id: int) -> LearnerDetail:
    """One person's modules in this course: attempts with answers and feedback, reflections and a timeline."""
    person = session.execute(
        select(Enrollment.role, User).join(User, User.id == Enrollment.user_id)
        .where(Enrollment.course_id == course_id, Enrollment.user_id == user_id)
    ).first()
    if person is None:
        raise NotFound("This person is not enrolled in this course.")
    role, user = person
    progresses = session.execute(
        select(Progress, ModuleVersion.title, ModuleVersion.number, Edition.name, Edition.due_at)
        .join(ModuleVersion, ModuleVersion.id == Progress.module_version_id)
        .outerjoin(Edition, Edition.id == Progress.edition_id)
        .where(Progress.course_id == course_id, Progress.user_id == user_id)
        .order_by(Progress.started_at)
    ).all()
    progress_ids = [row[0].id for row in progresses]
    attempts = list(session.scalars(select(Attempt).where(Attempt.progress_id.in_(progress_ids))
                                    .order_by(Attempt.started_at, Attempt.number)))
    answers = list(session.scalars(select(Answer).where(Answer.attempt_id.in_([a.id for a in attempts]))))
    quiz_titles = dict(session.execute(select(QuizVersion.id, QuizVersion.title)
                                       .where(QuizVersion.id.in_({a.quiz_version_id for a in attempts}))).all())
    questions = options_by_question(session, {a.quiz_version_id for a in attempts})
    reflections = list(session.scalars(select(Reflection).where(Reflection.progress_id.in_(progress_ids))
                                       .order_by(Reflection.updated_at)))
    views = list(session.scalars(select(PageView).where(PageView.progress_id.in_(progress_ids))
                                 .order_by(PageView.viewed_at)))
    syncs = list(session.scalars(select(GradeSync).where(GradeSync.progress_id.in_(progress_ids))
                                 .order_by(GradeSync.id)))
    page_titles = {(version_id, slug): title for version_id, slug, title in session.execute(
        select(Page.module_version_id, Page.slug, Page.title)
        .where(Page.module_version_id.in_({row[0].module_version_id for row in progresses}))).all()}

    answers_by_attempt: dict[int, list[Answer]] = defaultdict(list)
    for answer in answers:
        answers_by_attempt[answer.attempt_id].append(answer)
    now = utcnow()
    modules = []
    for progress, title, number, edition_name, due_at in progresses:
        attempt_details = []
        for attempt in (a for a in attempts if a.progress_id == progress.id):
            order = {item.get("question", item.get("slug")): i for i, item in enumerate(attempt.layout or [])
                     if isinstance(item, dict)}
            details = []
            for answer in sorted(answers_by_attempt[attempt.id],
                                 key=lambda a: (order.get(a.question_slug, len(order)), a.question_slug)):
                question, options = questions.get((attempt.quiz_version_id, answer.question_slug), (None, {}))
                chosen = [options[s] for s in chosen_slugs(answer.response) if s in options]
                details.append(AnswerDetail(
                    question_slug=answer.question_slug,
                    question_title=question.title if question else answer.question_slug,
                    question_type=question.type if question else "",
                    response_text=response_text(answer.response, options),
                    is_correct=answer.is_correct, points=answer.points,
                    max_points=question.points if question else 0,
                    feedback_html=[o.feedback_html for o in chosen if o.feedback_html],
                    explanation_html=question.explanation_html if question else ""))
            attempt_details.append(AttemptDetail(attempt.id, quiz_titles.get(attempt.quiz_version_id, ""),
                                                 attempt.number, attempt.started_at, attempt.submitted_at,
                                                 attempt.score, attempt.passed, details))
        timeline = [TimelineEvent(progress.started_at, STARTED, version=number)]
        timeline += [TimelineEvent(v.viewed_at, PAGE_VIEWED,
                                   page_titles.get((progress.module_version_id, v.page_slug), v.page_slug))
                     for v in views if v.progress_id == progress.id]
        for shown in attempt_details:
            name = f"{shown.quiz_title} #{shown.number}"
            timeline.append(TimelineEvent(shown.started_at, ATTEMPT_STARTED, name))
            if shown.submitted_at:
                timeline.append(TimelineEvent(shown.submitted_at, ATTEMPT_SUBMITTED, name, score=shown.score,
                                              passed=shown.passed))
        if progress.completed_at:
            timeline.append(TimelineEvent(progress.completed_at, COMPLETED))
        for sync in (s for s in syncs if s.progress_id == progress.id):
            timeline.append(TimelineEvent(sync.sent_at or sync.created_at, GRADE_SYNC, status=sync.status,
                                          error=sync.last_error))
        timeline.sort(key=lambda event: event.at)
        latest = next((s for s in reversed(syncs) if s.progress_id == progress.id), None)
        state, overdue = state_and_overdue(progress.state, due_at, now)
        cell = Cell(state=state, overdue=overdue,
                    passed=progress.passed, score=progress.score,
                    attempts=sum(1 for a in attempt_details if a.submitted_at),
                    best_score=max((a.score for a in attempt_details if a.score is not None), default=None),
                    last_activity_at=progress.last_activity_at, completed_at=progress.completed_at,
                    version=number,
                    grade_sync=GradeSyncState(latest.id, latest.status, latest.last_error) if latest else None)
        modules.append(ModuleDetail(
            progress.id, progress.module_slug, title, number, edition_name or "", cell, attempt_details,
            [ReflectionDetail(r.prompt, r.text, r.submitted_at) for r in reflections if r.progress_id == progress.id],
            timeline))
    return LearnerDetail(user.id, user.display_name, user.email, user.person_sourcedid, role, modules)

