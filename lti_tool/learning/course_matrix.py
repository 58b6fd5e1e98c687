"""The tutor's course completion matrix: every active enrolment of a role × every module used in the course.

A fixed number of statements whatever the roster: the people are listed once, and one aggregate query serves
the filters, the sort and the summary. When the view filters people or sorts them by their progress, it gives
each person's bucket and score in every shown column (one row per person, not per cell); the default view,
everyone of a role by name, needs no standing per person, and the database counts its summary (a few rows
per column). Only the rows asked for (one page, or every row for an export) load their cells in full. The read
model never writes; the one write a tutor can make from these pages, re-sending a failed score, is
``grades.resend``.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import ColumnElement, Select, and_, case, func, or_, select, union
from sqlalchemy.orm import Session

from ..errors import NotFound
from ..models import (
    Attempt,
    Course,
    Edition,
    Enrollment,
    GradeSync,
    Module,
    ModuleVersion,
    Page,
    Progress,
    Quiz,
    QuizVersion,
    ResourceLink,
    User,
    utcnow,
)
from .matrix_cells import (
    BUCKET_RANK,
    BUCKETS,
    COMPLETED,
    COMPLETED_NOT_PASSED,
    COMPLETED_PASSED,
    IN_PROGRESS,
    NOT_STARTED,
    OVERDUE,
    Cell,
    Column,
    GradeSyncState,
    LearnerRow,
    MatrixFilters,
    bucket_matches,
    state_and_overdue,
)


@dataclass(frozen=True)
class QuizChoice:
    slug: str
    title: str


@dataclass(frozen=True)
class CourseMatrix:
    """``rows`` are the asked page of the people matching the filters (all of them when no page was asked);
    ``matched`` counts them over every page, and ``summary`` covers them all."""

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
    matched: int
    page: int = 1
    page_count: int = 1

    def export_rows(self) -> Iterator[tuple[LearnerRow, Column, Cell]]:
        """One (row, column, cell) per learner and shown module: the shape of the CSV and xlsx exports."""
        for row in self.rows:
            for column in self.columns:
                yield row, column, row.cells[column.key]


class _Person(NamedTuple):
    """One of everyone enrolled: a named tuple, as thousands are made for each view."""

    user_id: int
    name: str
    email: str
    sourcedid: str
    role: str
    source: str


@dataclass(frozen=True)
class _Standing:
    """A person's bucket rank and score in each shown column (in column order) and latest activity there."""

    ranks: tuple[int, ...]
    scores: tuple[float | None, ...]
    last_activity_at: datetime | None


def _progress_slugs(course_id: int) -> Select[tuple[str | None]]:
    """The module slugs of a course's progress, each found by one probe of the (course, module) index for the
    next slug after the last (a loose index scan): as many probes as modules, not a pass over every progress
    row of the course. The last probe finds none, hence the filter."""
    in_course = Progress.course_id == course_id
    found = (select(func.min(Progress.module_slug).label("slug")).where(in_course)
             .cte("progress_slug", recursive=True))
    following = select(func.min(Progress.module_slug)).where(in_course, Progress.module_slug > found.c.slug)
    found = found.union_all(select(following.scalar_subquery()).where(found.c.slug.is_not(None)))
    return select(found.c.slug).where(found.c.slug.is_not(None))


def _modules_in_course(session: Session, course_id: int) -> dict[str, tuple[str, str, int | None]]:
    """slug -> (title, kind, current version id) for modules bound to a link, with editions or with progress."""
    used = union(
        select(ResourceLink.module_slug.label("slug")).where(ResourceLink.course_id == course_id,
                                                            ResourceLink.module_slug.is_not(None)),
        _progress_slugs(course_id),
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


def _enrolled(course_id: int, role: str) -> ColumnElement[bool]:
    """Active enrolments of ``role``, without the platform's test users (Blackboard's Student Preview)."""
    return and_(Enrollment.course_id == course_id, Enrollment.status == "active", Enrollment.role == role,
                ~Enrollment.is_test_user)


def _people(session: Session, course_id: int, role: str) -> list[_Person]:
    rows = session.execute(
        select(Enrollment.user_id, Enrollment.role, Enrollment.source, User.name, User.given_name, User.family_name,
               User.email, User.person_sourcedid, User.sub)
        .join(User, User.id == Enrollment.user_id)
        .where(_enrolled(course_id, role))
    ).all()
    return [_Person(user_id, name or " ".join(p for p in (given, family) if p) or sourcedid or f"User {sub[:8]}",
                    email, sourcedid, role_, source)
            for user_id, role_, source, name, given, family, email, sourcedid, sub in rows]


def _in_column(column: Column) -> ColumnElement[bool]:
    edition = Progress.edition_id == column.edition_id if column.edition_id else Progress.edition_id.is_(None)
    return and_(Progress.module_slug == column.module_slug, edition)


def _in_columns(columns: list[Column]) -> ColumnElement[bool]:
    """Progress in any of ``columns``: the modules without editions in one IN, each edition column on its own."""
    plain = [column.module_slug for column in columns if not column.edition_id]
    tests = [_in_column(column) for column in columns if column.edition_id]
    if plain:
        tests.append(and_(Progress.module_slug.in_(plain), Progress.edition_id.is_(None)))
    return or_(*tests)


def _rank(now: datetime) -> ColumnElement[int]:
    """The bucket rank of a progress row (joined to its edition), as Cell.bucket decides it from
    state_and_overdue."""
    return case(
        (Progress.state == COMPLETED,
         case((Progress.passed.is_(False), BUCKET_RANK[COMPLETED_NOT_PASSED]),
              else_=BUCKET_RANK[COMPLETED_PASSED])),
        (Progress.state == OVERDUE, BUCKET_RANK[OVERDUE]),
        (Edition.due_at < now, BUCKET_RANK[OVERDUE]),
        (Progress.state == NOT_STARTED, BUCKET_RANK[NOT_STARTED]),
        else_=BUCKET_RANK[IN_PROGRESS])


def _summary(session: Session, course_id: int, role: str, columns: list[Column], now: datetime,
             headcount: int) -> dict[tuple[str, int | None], dict[str, int]]:
    """How many of the ``headcount`` people enrolled as ``role`` are in each bucket of each shown column, counted
    by the database: a few rows per column instead of a standing per person. Whoever has no progress in a column
    is in its missing bucket."""
    summary = {column.key: dict.fromkeys(BUCKETS, 0) for column in columns}
    if not columns:
        return summary
    cells = (select(Progress.module_slug, Progress.edition_id, _rank(now).label("rank"))
             .outerjoin(Edition, Edition.id == Progress.edition_id)
             .where(Progress.course_id == course_id, _in_columns(columns),
                    Progress.user_id.in_(select(Enrollment.user_id).where(_enrolled(course_id, role))))
             .subquery())
    rows = session.execute(select(cells.c.module_slug, cells.c.edition_id, cells.c.rank, func.count())
                           .group_by(cells.c.module_slug, cells.c.edition_id, cells.c.rank)).all()
    for slug, edition_id, rank, count in rows:
        summary[(slug, edition_id)][BUCKETS[rank]] = count
    for column in columns:
        counts = summary[column.key]
        counts[column.missing_bucket(now)] += headcount - sum(counts.values())
    return summary


def _standings(session: Session, course_id: int, columns: list[Column], now: datetime) -> dict[int, _Standing]:
    """user id -> standing in the shown columns, for everyone with progress there: one row per person."""
    if not columns:
        return {}
    rank = _rank(now)
    places = [_in_column(column) for column in columns]
    rows = session.execute(
        select(Progress.user_id, func.max(Progress.last_activity_at),
               *(func.max(case((place, rank))) for place in places),
               *(func.max(case((place, Progress.score))) for place in places))
        .outerjoin(Edition, Edition.id == Progress.edition_id)
        .where(Progress.course_id == course_id, _in_columns(columns))
        .group_by(Progress.user_id)
    ).all()
    width = len(columns)
    return {row[0]: _Standing(tuple(row[2:2 + width]), tuple(row[2 + width:]), row[1]) for row in rows}


def _failing(session: Session, course_id: int, filters: MatrixFilters) -> set[int]:
    """People with at least ``filters.failed_attempts`` submitted, not-passed attempts at the chosen quiz (at any
    one quiz when none is chosen), over all their progress in the course."""
    query = (select(Progress.user_id).join(Attempt, Attempt.progress_id == Progress.id)
             .join(QuizVersion, QuizVersion.id == Attempt.quiz_version_id).join(Quiz, Quiz.id == QuizVersion.quiz_id)
             .where(Progress.course_id == course_id, Attempt.submitted_at.is_not(None), Attempt.passed.is_(False))
             .group_by(Progress.user_id, Quiz.slug).having(func.count() >= filters.failed_attempts))
    if filters.quiz:
        query = query.where(Quiz.slug == filters.quiz)
    return set(session.scalars(query))


_Row = tuple[_Person, list[int], _Standing | None]
_RowKey = tuple[float | datetime | str, str]


def _sort_key(sort: str, epoch: datetime) -> Callable[[_Row], _RowKey]:
    """Sorting by state, score or activity uses the shown columns (one column when a module is chosen)."""

    def key(item: _Row) -> _RowKey:
        person, ranks, standing = item
        if sort == "state":
            return (sum(ranks), person.name.casefold())
        if sort == "score":
            scores = [s for s in standing.scores if s is not None] if standing else []
            return (sum(scores) / len(scores) if scores else -1.0, person.name.casefold())
        if sort == "last_activity":
            return ((standing.last_activity_at if standing else None) or epoch, person.name.casefold())
        return (person.name.casefold(), person.email.casefold())

    return key


def _needs_standings(filters: MatrixFilters) -> bool:
    """Whether each person's standing is needed: to filter people out or to sort by it. Otherwise everyone of the
    role matches, sorted by name, and the summary is counted in the database."""
    return bool(filters.state or filters.search or filters.failed_attempts) or filters.sort != "name"


def _matching(session: Session, course_id: int, filters: MatrixFilters, columns: list[Column],
              people: list[_Person], now: datetime) -> tuple[list[_Row], dict[tuple[str, int | None], dict[str, int]]]:
    """The people matching ``filters``, each with their ranks and standing, and the summary of them."""
    standings = _standings(session, course_id, columns, now)
    failing = _failing(session, course_id, filters) if filters.failed_attempts else None
    missing = [BUCKET_RANK[column.missing_bucket(now)] for column in columns]
    needle = filters.search.casefold()
    matching: list[_Row] = []
    for person in people:
        if needle and not any(needle in value.casefold() for value in (person.name, person.email, person.sourcedid)):
            continue
        if failing is not None and person.user_id not in failing:
            continue
        standing = standings.get(person.user_id)
        ranks = ([missing[i] if r is None else r for i, r in enumerate(standing.ranks)] if standing
                 else missing)
        if filters.state and not any(bucket_matches(BUCKETS[r], filters.state) for r in ranks):
            continue
        matching.append((person, ranks, standing))

    summary = {c.key: dict.fromkeys(BUCKETS, 0) for c in columns}
    tallies = [Counter(ranks[i] for _p, ranks, _s in matching) for i in range(len(columns))]
    for column, tally in zip(columns, tallies, strict=True):
        for rank, count in tally.items():
            summary[column.key][BUCKETS[rank]] = count
    return matching, summary


def course_matrix(session: Session, course_id: int, *, filters: MatrixFilters | None = None,
                  page: int | None = None, page_size: int = 100) -> CourseMatrix:
    """The matrix of the people matching ``filters``: page ``page`` of ``page_size`` rows (clamped to the pages
    there are), or every row when ``page`` is None."""
    filters = filters or MatrixFilters()
    course = session.execute(select(Course.title, Course.roster_synced_at, Course.roster_error)
                             .where(Course.id == course_id)).first()
    if course is None:
        raise NotFound("This course is not known to the tool.")
    now = utcnow()
    modules = _modules_in_course(session, course_id)
    editions = list(session.scalars(select(Edition).where(Edition.course_id == course_id)))
    all_columns = _columns(modules, editions)
    columns = [c for c in all_columns
               if (filters.module is None or c.module_slug == filters.module)
               and (filters.edition_id is None or c.edition_id == filters.edition_id)]
    people = _people(session, course_id, filters.role)
    quizzes = _quizzes(session, [version for _t, _k, version in modules.values() if version])
    if _needs_standings(filters):
        matching, summary = _matching(session, course_id, filters, columns, people, now)
    else:
        matching = [(person, [], None) for person in people]
        summary = _summary(session, course_id, filters.role, columns, now, len(people))
    matching.sort(key=_sort_key(filters.sort, datetime.min.replace(tzinfo=now.tzinfo)),
                  reverse=filters.descending)

    page_count = max(1, -(-len(matching) // page_size))
    if page is None:
        shown, page = [person for person, _r, _s in matching], 1
    else:
        page = min(max(page, 1), page_count)
        shown = [person for person, _r, _s in matching[(page - 1) * page_size: page * page_size]]
    rows = _rows(session, course_id, all_columns, editions, shown, now, whole_course=len(shown) == len(matching))
    return CourseMatrix(course_id, course.title, course.roster_synced_at, course.roster_error, columns,
                        all_columns, rows, summary, quizzes, filters, len(people), len(matching), page, page_count)


def _rows(session: Session, course_id: int, all_columns: list[Column], editions: list[Edition],
          people: list[_Person], now: datetime, *, whole_course: bool) -> list[LearnerRow]:
    """Full rows for ``people``: their progress, attempt counts and latest grade sync, read for the whole course
    when every matching person is shown (an export) and for these people only otherwise (a page)."""
    if not people:
        return []
    mine = Progress.course_id == course_id
    if not whole_course:
        mine = and_(mine, Progress.user_id.in_([person.user_id for person in people]))
    progress_rows = session.execute(
        select(Progress.id, Progress.user_id, Progress.module_slug, Progress.edition_id, Progress.state,
               Progress.passed, Progress.score, Progress.completed_at, Progress.last_activity_at,
               ModuleVersion.number)
        .join(ModuleVersion, ModuleVersion.id == Progress.module_version_id).where(mine)
    ).all()
    # A page names its progress rows: PostgreSQL then reads their attempts through the index instead of
    # hash-joining every attempt in the course.
    progress_ids = select(Progress.id).where(mine) if whole_course else [row.id for row in progress_rows]
    attempt_rows = session.execute(
        select(Attempt.progress_id, Quiz.slug,
               func.count(Attempt.submitted_at),
               func.sum(case((Attempt.submitted_at.is_not(None) & Attempt.passed.is_(False), 1), else_=0)),
               func.max(Attempt.score))
        .join(QuizVersion, QuizVersion.id == Attempt.quiz_version_id).join(Quiz, Quiz.id == QuizVersion.quiz_id)
        .where(Attempt.progress_id.in_(progress_ids)).group_by(Attempt.progress_id, Quiz.slug)
    ).all()
    theirs = and_(GradeSync.course_id == course_id, GradeSync.progress_id.in_(progress_ids))
    latest_sync = select(func.max(GradeSync.id).label("id")).where(theirs).group_by(GradeSync.progress_id).subquery()
    # ``theirs`` on both sides: the outer rows come through the progress index too, not a scan of the course's.
    sync_rows = session.execute(
        select(GradeSync.progress_id, GradeSync.id, GradeSync.status, GradeSync.last_error)
        .join(latest_sync, latest_sync.c.id == GradeSync.id).where(theirs)
    ).all()

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
    edition_due = {e.id: e.due_at for e in editions}

    cells_by_user: dict[int, dict[tuple[str, int | None], Cell]] = defaultdict(dict)
    failed_by_user: dict[int, Counter[str]] = defaultdict(Counter)
    for (progress_id, user_id, slug, edition_id, state, passed, score, completed_at, last_activity,
         version) in progress_rows:
        base_state, overdue = state_and_overdue(state, edition_due.get(edition_id) if edition_id else None, now)
        cells_by_user[user_id][(slug, edition_id)] = Cell(
            state=base_state, overdue=overdue, passed=passed, score=score, attempts=attempts[progress_id],
            best_score=best.get(progress_id), last_activity_at=last_activity, completed_at=completed_at,
            version=version, grade_sync=syncs.get(progress_id))
        for quiz_slug, failed in failed_by_progress.get(progress_id, {}).items():
            failed_by_user[user_id][quiz_slug] += failed

    missing = {column.key: Cell(state=NOT_STARTED, overdue=column.due_at is not None and column.due_at < now)
               for column in all_columns}
    rows = []
    for person in people:
        known = cells_by_user.get(person.user_id, {})
        cells = {key: known.get(key) or empty for key, empty in missing.items()}
        rows.append(LearnerRow(person.user_id, person.name, person.email, person.sourcedid, person.role,
                               person.source, cells, dict(failed_by_user.get(person.user_id, {}))))
    return rows
