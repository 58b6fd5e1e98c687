"""Read models for tutors: the course completion matrix, one learner's detail and per-question analysis.

``course_matrix`` runs a fixed number of queries whatever the roster size: enrolments, progress, attempt
counts and the latest grade sync are each loaded in bulk and joined in Python. The read models never write;
The one write a tutor can make from these pages, re-sending a failed score, is ``grades.resend``.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from sqlalchemy import case, func, select, union
from sqlalchemy.orm import Session

from ..content.question_types import is_choice, is_reflection
from ..errors import NotFound
from ..models import (
    Answer,
    Attempt,
    Course,
    Edition,
    Enrollment,
    GradeSync,
    Module,
    ModuleVersion,
    Option,
    Page,
    PageView,
    Progress,
    Question,
    Quiz,
    QuizVersion,
    Reflection,
    ResourceLink,
    User,
    utcnow,
)
from ..numbers import positive_int_or_none
from ..vocabulary import TEST_USER_ROLES

NOT_STARTED, IN_PROGRESS, COMPLETED = "not_started", "in_progress", "completed"
COMPLETED_PASSED, COMPLETED_NOT_PASSED, OVERDUE = "completed_passed", "completed_not_passed", "overdue"

# Summary buckets are exclusive: overdue wins over not started / in progress.
BUCKETS = (NOT_STARTED, IN_PROGRESS, COMPLETED_PASSED, COMPLETED_NOT_PASSED, OVERDUE)
BUCKET_LABELS = {
    NOT_STARTED: "Not started",
    IN_PROGRESS: "In progress",
    COMPLETED_PASSED: "Completed",
    COMPLETED_NOT_PASSED: "Completed, not passed",
    OVERDUE: "Overdue",
}
STATE_FILTERS = {COMPLETED: "Completed (passed or not)", **BUCKET_LABELS}
SORTS = ("name", "state", "score", "last_activity")
ROLES = ("learner", "tutor", "admin")
TAG = re.compile(r"<[^>]+>")
BUCKET_RANK = {bucket: rank for rank, bucket in enumerate(BUCKETS)}


@dataclass(frozen=True)
class MatrixFilters:
    """What a tutor asked to see. ``role`` defaults to learners; supervisors who take a module as Instructors
    can be listed with ``role="tutor"``. ``failed_attempts`` counts submitted, not-passed attempts at ``quiz``
    (at any one quiz when no quiz is chosen)."""

    state: str | None = None
    module: str | None = None
    edition_id: int | None = None
    role: str = "learner"
    search: str = ""
    quiz: str | None = None
    failed_attempts: int | None = None
    sort: str = "name"
    descending: bool = False

    @classmethod
    def from_params(cls, params: Mapping[str, str]) -> MatrixFilters:
        """Filters from query-string values; values the tool does not know are ignored, not errors."""

        def text(name: str) -> str:
            return (params.get(name) or "").strip()

        def positive_int(name: str) -> int | None:
            value = text(name)
            return positive_int_or_none(value)

        return cls(
            state=text("state") if text("state") in STATE_FILTERS else None,
            module=text("module") or None,
            edition_id=positive_int("edition"),
            role=text("role") if text("role") in ROLES else "learner",
            search=text("q")[:200],
            quiz=text("quiz") or None,
            failed_attempts=positive_int("failed_attempts"),
            sort=text("sort") if text("sort") in SORTS else "name",
            descending=text("dir") == "desc",
        )

    def as_params(self, **changes: Any) -> dict[str, str]:
        """The query string that reproduces these filters (with ``changes``), for links and exports."""
        chosen = replace(self, **changes)
        params = {
            "state": chosen.state or "", "module": chosen.module or "",
            "edition": str(chosen.edition_id or ""), "role": "" if chosen.role == "learner" else chosen.role,
            "q": chosen.search, "quiz": chosen.quiz or "",
            "failed_attempts": str(chosen.failed_attempts or ""),
            "sort": "" if chosen.sort == "name" else chosen.sort, "dir": "desc" if chosen.descending else "",
        }
        return {key: value for key, value in params.items() if value}


@dataclass(frozen=True)
class Column:
    """A module in the course, or one edition of a session module."""

    module_slug: str
    module_title: str
    edition_id: int | None = None
    edition_name: str = ""
    due_at: datetime | None = None

    @property
    def key(self) -> tuple[str, int | None]:
        return (self.module_slug, self.edition_id)

    @property
    def label(self) -> str:
        return f"{self.module_title} ({self.edition_name})" if self.edition_name else self.module_title


@dataclass(frozen=True)
class GradeSyncState:
    id: int
    status: str
    last_error: str | None


@dataclass(frozen=True)
class Cell:
    state: str
    overdue: bool = False
    passed: bool | None = None
    score: float | None = None
    attempts: int = 0
    best_score: float | None = None
    last_activity_at: datetime | None = None
    completed_at: datetime | None = None
    version: int | None = None
    grade_sync: GradeSyncState | None = None

    @property
    def bucket(self) -> str:
        if self.state == COMPLETED:
            return COMPLETED_NOT_PASSED if self.passed is False else COMPLETED_PASSED
        return OVERDUE if self.overdue else self.state

    @property
    def label(self) -> str:
        return BUCKET_LABELS[self.bucket]


@dataclass(frozen=True)
class LearnerRow:
    user_id: int
    name: str
    email: str
    sourcedid: str
    role: str
    source: str
    cells: dict[tuple[str, int | None], Cell]
    failed_attempts: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class QuizChoice:
    slug: str
    title: str


@dataclass(frozen=True)
class CourseMatrix:
    course_id: int
    course_title: str
    roster_synced_at: datetime | None
    roster_error: str | None
    columns: list[Column]
    all_columns: list[Column]
    rows: list[LearnerRow]
    summary: dict[tuple[str, int | None], dict[str, int]]
    quizzes: list[QuizChoice]
    filters: MatrixFilters
    total_people: int

    def export_rows(self):
        """One (row, column, cell) per learner and shown module: the shape of the CSV and xlsx exports."""
        for row in self.rows:
            for column in self.columns:
                yield row, column, row.cells[column.key]


def _modules_in_course(session: Session, course_id: int) -> dict[str, tuple[str, str, int | None]]:
    """slug -> (title, kind, current version id) for modules bound to a link, with editions or with progress."""
    used = union(
        select(ResourceLink.module_slug.label("slug")).where(ResourceLink.course_id == course_id,
                                                            ResourceLink.module_slug.is_not(None)),
        select(Progress.module_slug).where(Progress.course_id == course_id),
        select(Edition.module_slug).where(Edition.course_id == course_id),
    ).subquery()
    rows = session.execute(
        select(used.c.slug, ModuleVersion.title, Module.kind, Module.current_version_id)
        .outerjoin(Module, Module.slug == used.c.slug)
        .outerjoin(ModuleVersion, ModuleVersion.id == Module.current_version_id)
    ).all()
    return {slug: (title or slug, kind or "module", version_id) for slug, title, kind, version_id in rows}


def _columns(modules: dict[str, tuple[str, str, int | None]], editions: list[Edition]) -> list[Column]:
    by_module: dict[str, list[Edition]] = defaultdict(list)
    for edition in editions:
        by_module[edition.module_slug].append(edition)
    columns: list[Column] = []
    for slug, (title, kind, _version) in sorted(modules.items(), key=lambda item: item[1][0].lower()):
        module_editions = sorted(by_module.get(slug, []), key=lambda e: e.opens_at)
        if kind == "session" and module_editions:
            columns.extend(Column(slug, title, e.id, e.name, e.due_at) for e in module_editions)
        else:
            columns.append(Column(slug, title))
    return columns


def _quizzes(session: Session, version_ids: list[int]) -> list[QuizChoice]:
    if not version_ids:
        return []
    rows = session.execute(
        select(Quiz.slug, QuizVersion.title).join(QuizVersion, QuizVersion.quiz_id == Quiz.id)
        .join(Page, Page.quiz_version_id == QuizVersion.id).where(Page.module_version_id.in_(version_ids))
        .distinct()
    ).all()
    return sorted({QuizChoice(slug, title) for slug, title in rows}, key=lambda q: q.title.lower())


def course_matrix(session: Session, course_id: int, *, filters: MatrixFilters | None = None) -> CourseMatrix:
    """Every active enrolment of the chosen role (learners by default) × every module used in the course."""
    filters = filters or MatrixFilters()
    course = session.execute(select(Course.title, Course.roster_synced_at, Course.roster_error)
                             .where(Course.id == course_id)).first()
    if course is None:
        raise NotFound("This course is not known to the tool.")
    now = utcnow()

    people = session.execute(
        select(Enrollment.user_id, Enrollment.role, Enrollment.source, Enrollment.lti_roles, User.name,
               User.given_name, User.family_name, User.email, User.person_sourcedid, User.sub)
        .join(User, User.id == Enrollment.user_id)
        .where(Enrollment.course_id == course_id, Enrollment.status == "active")
    ).all()
    modules = _modules_in_course(session, course_id)
    editions = list(session.scalars(select(Edition).where(Edition.course_id == course_id)))
    all_columns = _columns(modules, editions)
    edition_due = {e.id: e.due_at for e in editions}

    progress_rows = session.execute(
        select(Progress.id, Progress.user_id, Progress.module_slug, Progress.edition_id, Progress.state,
               Progress.passed, Progress.score, Progress.completed_at, Progress.last_activity_at,
               ModuleVersion.number)
        .join(ModuleVersion, ModuleVersion.id == Progress.module_version_id)
        .where(Progress.course_id == course_id)
    ).all()
    attempt_rows = session.execute(
        select(Attempt.progress_id, Quiz.slug,
               func.count(Attempt.submitted_at),
               func.sum(case((Attempt.submitted_at.is_not(None) & Attempt.passed.is_(False), 1), else_=0)),
               func.max(Attempt.score))
        .join(Progress, Progress.id == Attempt.progress_id)
        .join(QuizVersion, QuizVersion.id == Attempt.quiz_version_id).join(Quiz, Quiz.id == QuizVersion.quiz_id)
        .where(Progress.course_id == course_id)
        .group_by(Attempt.progress_id, Quiz.slug)
    ).all()
    latest_sync = (select(func.max(GradeSync.id).label("id")).where(GradeSync.course_id == course_id)
                   .group_by(GradeSync.progress_id).subquery())
    sync_rows = session.execute(
        select(GradeSync.progress_id, GradeSync.id, GradeSync.status, GradeSync.last_error)
        .join(latest_sync, latest_sync.c.id == GradeSync.id)
    ).all()
    quizzes = _quizzes(session, [version for _t, _k, version in modules.values() if version])

    attempts: dict[int, int] = Counter()
    best: dict[int, float] = {}
    failed_by_progress: dict[int, dict[str, int]] = defaultdict(dict)
    for progress_id, quiz_slug, submitted, failed, best_score in attempt_rows:
        attempts[progress_id] += submitted
        if best_score is not None:
            best[progress_id] = max(best.get(progress_id, best_score), best_score)
        if failed:
            failed_by_progress[progress_id][quiz_slug] = int(failed)
    syncs = {progress_id: GradeSyncState(sync_id, status, error) for progress_id, sync_id, status, error in sync_rows}

    cells_by_user: dict[int, dict[tuple[str, int | None], Cell]] = defaultdict(dict)
    failed_by_user: dict[int, Counter[str]] = defaultdict(Counter)
    for (progress_id, user_id, slug, edition_id, state, passed, score, completed_at, last_activity,
         version) in progress_rows:
        base_state, overdue = _state_and_overdue(state, edition_due.get(edition_id) if edition_id else None, now)
        cells_by_user[user_id][(slug, edition_id)] = Cell(
            state=base_state, overdue=overdue, passed=passed, score=score, attempts=attempts[progress_id],
            best_score=best.get(progress_id), last_activity_at=last_activity, completed_at=completed_at,
            version=version, grade_sync=syncs.get(progress_id))
        for quiz_slug, failed in failed_by_progress.get(progress_id, {}).items():
            failed_by_user[user_id][quiz_slug] += failed

    rows: list[LearnerRow] = []
    for user_id, role, source, lti_roles, name, given, family, email, sourcedid, sub in people:
        if role != filters.role or TEST_USER_ROLES.intersection(lti_roles or []):
            continue
        display = name or " ".join(p for p in (given, family) if p) or sourcedid or f"User {sub[:8]}"
        known = cells_by_user.get(user_id, {})
        cells = {}
        for column in all_columns:
            overdue = column.due_at is not None and column.due_at < now
            cells[column.key] = known.get(column.key) or Cell(state=NOT_STARTED, overdue=overdue)
        rows.append(LearnerRow(user_id, display, email, sourcedid, role, source, cells,
                               dict(failed_by_user.get(user_id, {}))))

    columns = [c for c in all_columns
               if (filters.module is None or c.module_slug == filters.module)
               and (filters.edition_id is None or c.edition_id == filters.edition_id)]
    total_people = len(rows)
    rows = [row for row in rows if _row_matches(row, columns, filters)]
    summary = {c.key: {bucket: 0 for bucket in BUCKETS} for c in columns}
    for row in rows:
        for column in columns:
            summary[column.key][row.cells[column.key].bucket] += 1
    rows.sort(key=_sort_key(filters.sort, columns), reverse=filters.descending)
    return CourseMatrix(course_id, course.title, course.roster_synced_at, course.roster_error, columns,
                        all_columns, rows, summary, quizzes, filters, total_people)


def _state_and_overdue(stored: str, due_at: datetime | None, now: datetime) -> tuple[str, bool]:
    """A stored progress state as (not started | in progress | completed, overdue): the learner domain may store
    ``overdue`` itself, and an edition whose due date has passed makes anything not completed overdue."""
    state = stored if stored in (NOT_STARTED, COMPLETED) else IN_PROGRESS
    return state, stored == OVERDUE or (state != COMPLETED and due_at is not None and due_at < now)


def _state_matches(cell: Cell, state: str) -> bool:
    return cell.state == COMPLETED if state == COMPLETED else cell.bucket == state


def _row_matches(row: LearnerRow, columns: list[Column], filters: MatrixFilters) -> bool:
    if filters.search:
        needle = filters.search.casefold()
        if not any(needle in value.casefold() for value in (row.name, row.email, row.sourcedid)):
            return False
    if filters.state and not any(_state_matches(row.cells[c.key], filters.state) for c in columns):
        return False
    if filters.failed_attempts:
        failed = (row.failed_attempts.get(filters.quiz, 0) if filters.quiz
                  else max(row.failed_attempts.values(), default=0))
        if failed < filters.failed_attempts:
            return False
    return True


def _sort_key(sort: str, columns: list[Column]):
    """Sorting by state, score or activity uses the shown columns (one column when a module is chosen)."""
    epoch = datetime.min.replace(tzinfo=utcnow().tzinfo)

    def key(row: LearnerRow):
        cells = [row.cells[c.key] for c in columns]
        if sort == "state":
            return (sum(BUCKET_RANK[c.bucket] for c in cells), row.name.casefold())
        if sort == "score":
            scores = [c.score for c in cells if c.score is not None]
            return (sum(scores) / len(scores) if scores else -1.0, row.name.casefold())
        if sort == "last_activity":
            return (max((c.last_activity_at for c in cells if c.last_activity_at), default=epoch),
                    row.name.casefold())
        return (row.name.casefold(), row.email.casefold())

    return key


# ------------------------------------------------------------------------------------------ learner detail

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


@dataclass(frozen=True)
class TimelineEvent:
    at: datetime
    what: str
    detail: str = ""


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


def _options_by_question(session: Session, quiz_version_ids: set[int]):
    """(quiz version id, question slug) -> (Question, {option slug: Option}) for the given versions."""
    if not quiz_version_ids:
        return {}
    questions = list(session.scalars(select(Question).where(Question.quiz_version_id.in_(quiz_version_ids))))
    options = list(session.scalars(select(Option).where(Option.question_id.in_([q.id for q in questions]))))
    by_question: dict[int, dict[str, Option]] = defaultdict(dict)
    for option in options:
        by_question[option.question_id][option.slug] = option
    return {(q.quiz_version_id, q.slug): (q, by_question[q.id]) for q in questions}


def _chosen_slugs(response: Any) -> list[str]:
    """The option slugs a choice response names; responses are a slug, a list of slugs or a dict with them."""
    if isinstance(response, str):
        return [response]
    if isinstance(response, bool):
        return [str(response).lower()]
    if isinstance(response, list):
        return [str(item) for item in response if isinstance(item, str | int)]
    if isinstance(response, dict):
        for key in ("option", "options", "choice", "choices"):
            if key in response:
                return _chosen_slugs(response[key])
    return []


def _response_text(response: Any, options: dict[str, Option]) -> str:
    chosen = _chosen_slugs(response)
    if chosen and all(slug in options for slug in chosen):
        return "; ".join(_plain(options[slug].text_html) for slug in chosen)
    if isinstance(response, list):
        return "; ".join(str(item) for item in response)
    if isinstance(response, dict):
        return "; ".join(f"{key}: {value}" for key, value in response.items())
    return "" if response is None else str(response)


def _plain(html: str) -> str:
    """Option text is stored as sanitised HTML; show it as text in tables and exports."""
    return TAG.sub("", html).strip()


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
    questions = _options_by_question(session, {a.quiz_version_id for a in attempts})
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
                chosen = [options[s] for s in _chosen_slugs(answer.response) if s in options]
                details.append(AnswerDetail(
                    question_slug=answer.question_slug,
                    question_title=question.title if question else answer.question_slug,
                    question_type=question.type if question else "",
                    response_text=_response_text(answer.response, options),
                    is_correct=answer.is_correct, points=answer.points,
                    max_points=question.points if question else 0,
                    feedback_html=[o.feedback_html for o in chosen if o.feedback_html],
                    explanation_html=question.explanation_html if question else ""))
            attempt_details.append(AttemptDetail(attempt.id, quiz_titles.get(attempt.quiz_version_id, ""),
                                                 attempt.number, attempt.started_at, attempt.submitted_at,
                                                 attempt.score, attempt.passed, details))
        timeline = [TimelineEvent(progress.started_at, "Started", f"version {number}")]
        timeline += [TimelineEvent(v.viewed_at, "Viewed page",
                                   page_titles.get((progress.module_version_id, v.page_slug), v.page_slug))
                     for v in views if v.progress_id == progress.id]
        for attempt in attempt_details:
            name = f"{attempt.quiz_title} #{attempt.number}"
            timeline.append(TimelineEvent(attempt.started_at, "Started attempt", name))
            if attempt.submitted_at:
                outcome = "passed" if attempt.passed else "not passed"
                score = f"{attempt.score:.0%}" if attempt.score is not None else "no score"
                timeline.append(TimelineEvent(attempt.submitted_at, "Submitted attempt",
                                              f"{name}: {score}, {outcome}"))
        if progress.completed_at:
            timeline.append(TimelineEvent(progress.completed_at, "Completed", ""))
        for sync in (s for s in syncs if s.progress_id == progress.id):
            detail = sync.status + (f": {sync.last_error}" if sync.last_error else "")
            timeline.append(TimelineEvent(sync.sent_at or sync.created_at, "Grade sent to Blackboard"
                                          if sync.status == "sent" else "Grade sync", detail))
        timeline.sort(key=lambda event: event.at)
        latest = next((s for s in reversed(syncs) if s.progress_id == progress.id), None)
        state, overdue = _state_and_overdue(progress.state, due_at, now)
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


# ------------------------------------------------------------------------------------------ question analysis

@dataclass(frozen=True)
class QuestionStats:
    slug: str
    title: str
    type: str
    answered: int
    correct: int
    most_chosen_wrong: str | None
    most_chosen_wrong_count: int

    @property
    def share_correct(self) -> float | None:
        return self.correct / self.answered if self.answered else None


@dataclass(frozen=True)
class QuizAnalysis:
    quiz_slug: str
    quiz_title: str
    attempts: int
    questions: list[QuestionStats]


def question_analysis(session: Session, course_id: int, quiz_slug: str) -> QuizAnalysis:
    """Per question, over submitted attempts in this course: how many answered, the share correct and the wrong
    option chosen most often (choice questions). Question and option ids are stable across quiz versions."""
    quiz = session.scalars(select(Quiz).where(Quiz.slug == quiz_slug)).first()
    if quiz is None:
        raise NotFound("There is no quiz with this id.")
    submitted = (select(Attempt.id, Attempt.quiz_version_id)
                 .join(Progress, Progress.id == Attempt.progress_id)
                 .join(QuizVersion, QuizVersion.id == Attempt.quiz_version_id)
                 .where(Progress.course_id == course_id, QuizVersion.quiz_id == quiz.id,
                        Attempt.submitted_at.is_not(None))).subquery()
    attempt_count = session.scalar(select(func.count()).select_from(submitted)) or 0
    answers = session.execute(
        select(submitted.c.quiz_version_id, Answer.question_slug, Answer.response, Answer.is_correct)
        .join(Answer, Answer.attempt_id == submitted.c.id)
    ).all()
    version_ids = {row[0] for row in answers} | ({quiz.current_version_id} if quiz.current_version_id else set())
    questions = _options_by_question(session, version_ids)
    current = quiz.current_version_id

    answered: Counter[str] = Counter()
    correct: Counter[str] = Counter()
    wrong_choices: dict[str, Counter[str]] = defaultdict(Counter)
    wrong_text: dict[str, str] = {}
    for version_id, slug, response, is_correct in answers:
        answered[slug] += 1
        correct[slug] += 1 if is_correct else 0
        question, options = questions.get((version_id, slug), (None, {}))
        if question is None or not is_choice(question.type):
            continue
        for chosen in _chosen_slugs(response):
            option = options.get(chosen)
            if option is not None and not option.is_correct:
                wrong_choices[slug][chosen] += 1
                wrong_text[chosen] = _plain(option.text_html)

    ordered: dict[str, Question] = {}
    for (_version_id, slug), (question, _options) in sorted(
            questions.items(), key=lambda item: (item[0][0] != current, item[1][0].position)):
        ordered.setdefault(slug, question)
    stats = []
    for slug, question in sorted(ordered.items(), key=lambda item: item[1].position):
        if is_reflection(question.type):
            continue
        top = wrong_choices[slug].most_common(1)
        stats.append(QuestionStats(slug, question.title, question.type, answered[slug], correct[slug],
                                   wrong_text[top[0][0]] if top else None, top[0][1] if top else 0))
    title = next((q.quiz_version.title for q in ordered.values()), quiz_slug) if ordered else quiz_slug
    return QuizAnalysis(quiz_slug, title, attempt_count, stats)


# ------------------------------------------------------------------------------------------ exports and wording

EXPORT_HEADERS = ["Name", "Email", "Person id", "Listed from", "Module", "Module id", "Edition", "State", "Score %",
                  "Submitted attempts", "Best score %", "Last activity (UTC)", "Completed (UTC)", "Overdue",
                  "Version", "Grade sync", "Grade sync error"]
# What Excel, LibreOffice and Google Sheets read as the start of a formula or command (OWASP CSV injection), with
# the full-width forms some of them accept too.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "|", "%", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def spreadsheet_cell(value: Any) -> Any:
    """Every text cell of every export goes through here: a leading apostrophe keeps text that starts like a
    formula (after any leading spaces) as text. Numbers and empty cells pass unchanged."""
    if isinstance(value, str) and value.lstrip(" ").startswith(FORMULA_START):
        return "'" + value
    return value


def _percent(value: float | None) -> float | None:
    return round(value * 100, 1) if value is not None else None


def _utc_text(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value else ""


def export_record(row: LearnerRow, column: Column, cell: Cell) -> list[Any]:
    """One export line, every cell through :func:`spreadsheet_cell`; numbers stay numbers so spreadsheets can
    sort and sum them."""
    sync = cell.grade_sync
    return [spreadsheet_cell(value) for value in (
        row.name, row.email, row.sourcedid, "Blackboard roster" if row.source == "nrps" else "Launch",
        column.module_title, column.module_slug, column.edition_name, cell.label, _percent(cell.score),
        cell.attempts, _percent(cell.best_score), _utc_text(cell.last_activity_at), _utc_text(cell.completed_at),
        "yes" if cell.overdue else "no", cell.version, sync.status if sync else "",
        (sync.last_error or "") if sync else "")]


def ago(then: datetime, now: datetime) -> str:
    seconds = max(0, int((now - then).total_seconds()))
    for size, unit in ((86400, "day"), (3600, "hour"), (60, "minute")):
        if seconds >= size:
            count = seconds // size
            return f"{count} {unit}{'' if count == 1 else 's'} ago"
    return "just now"


def roster_status(matrix: CourseMatrix, now: datetime | None = None) -> tuple[str, bool]:
    """The line above the matrix saying where the list of people comes from; True when it is a problem."""
    now = now or utcnow()
    if matrix.roster_error:
        return (f"The roster could not be loaded from Blackboard: {matrix.roster_error}. Only people who have "
                "opened the tool are listed.", True)
    if matrix.roster_synced_at is None:
        return ("The roster has not been loaded from Blackboard yet: only people who have opened the tool are "
                "listed, so “not started” may miss people.", True)
    return f"Roster from Blackboard, updated {ago(matrix.roster_synced_at, now)}.", False
