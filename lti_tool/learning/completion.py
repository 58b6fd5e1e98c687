"""The completion rule of a module version, evaluated whenever a learner's progress changes.

A version's rule (``ModuleVersion.completion``) asks for: every page viewed (``pages: all``), the named or all
quizzes passed (``quizzes``), and every required reflection submitted (``reflections: required``). A rule that
would ask for nothing (``pages: none`` and no quiz or reflection to do, as versions of the handbook published
before the checker refused it said) asks for every page: a module is never complete before it is read. Only what
happened since the learner began their pinned version counts (``Progress.version_started_at``).

Score sent to the grade book: the mean over the module's quizzes of the best passed score (the best score when
never passed, 0 when never attempted); 1.0 for a module without quizzes. ``passed``: every quiz passed.
Each change of completion or score is reported to the grade book (``grades.progress_changed``), which decides
in the caller's transaction whether it becomes a grade row.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import CompoundSelect, bindparam, inspect, literal, null, select, union_all
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, lazyload

from ..models import Attempt, PageView, Progress, Question, QuizVersion, Reflection, utcnow
from .grades import progress_changed
from .scoring import reflection_required


@dataclass(frozen=True)
class QuizStanding:
    """Where a learner stands with one quiz of their module version."""

    slug: str
    title: str
    quiz_version_id: int
    page_slug: str
    required: bool
    attempts_used: int
    attempts_allowed: int | None
    best_score: float | None
    passed: bool
    open_attempt: int | None

    @property
    def attempts_left(self) -> int | None:
        return None if self.attempts_allowed is None else max(0, self.attempts_allowed - self.attempts_used)

    @property
    def credit(self) -> float:
        return self.best_score or 0.0


@dataclass(frozen=True)
class ReflectionItem:
    quiz_slug: str
    question_slug: str
    title: str
    page_slug: str


@dataclass(frozen=True)
class Requirements:
    """Everything the version's completion rule looks at, and what of it the learner has done."""

    pages: list[tuple[str, str]]
    pages_required: bool
    viewed: set[str]
    quizzes: list[QuizStanding]
    reflections: list[ReflectionItem]
    reflections_done: set[str] = field(default_factory=set)

    @property
    def pages_left(self) -> list[tuple[str, str]]:
        return [p for p in self.pages if p[0] not in self.viewed] if self.pages_required else []

    @property
    def quizzes_left(self) -> list[QuizStanding]:
        return [q for q in self.quizzes if q.required and not q.passed]

    @property
    def reflections_left(self) -> list[ReflectionItem]:
        return [r for r in self.reflections if r.question_slug not in self.reflections_done]

    @property
    def complete(self) -> bool:
        return not (self.pages_left or self.quizzes_left or self.reflections_left)

    @property
    def passed(self) -> bool:
        return all(q.passed for q in self.quizzes)

    @property
    def score(self) -> float:
        if not self.quizzes:
            return 1.0
        return round(sum(q.credit for q in self.quizzes) / len(self.quizzes), 4)


REFLECTIONS_CACHED = 512
_required_reflections: WeakKeyDictionary[Engine, OrderedDict[tuple[int, datetime], tuple[tuple[str, str], ...]]] = (
    WeakKeyDictionary())


def required_reflections(session: Session, quiz_version: QuizVersion) -> tuple[tuple[str, str], ...]:
    """The (slug, title) of the reflections a quiz version requires, in order.

    A published quiz version never changes, so its answer is kept (per database, for the last few hundred
    versions asked about) and a page view does not read its questions again."""
    if quiz_version.published_at is None:
        return tuple((q.slug, q.title) for q in quiz_version.questions if reflection_required(q))
    cache = _required_reflections.setdefault(session.get_bind().engine, OrderedDict())
    key = (quiz_version.id, quiz_version.published_at)  # an id reused after a restore is another version
    found = cache.get(key)
    if found is None:
        loaded = "questions" in inspect(quiz_version).dict
        questions = quiz_version.questions if loaded else session.scalars(
            select(Question).options(lazyload(Question.options))
            .where(Question.quiz_version_id == quiz_version.id).order_by(Question.position))
        found = tuple((q.slug, q.title) for q in questions if reflection_required(q))
        cache[key] = found
        if len(cache) > REFLECTIONS_CACHED:
            cache.popitem(last=False)
    cache.move_to_end(key)
    return found


@dataclass(frozen=True)
class AttemptRecord:
    quiz_version_id: int
    number: int
    submitted: bool
    score: float | None
    passed: bool | None


@dataclass(frozen=True)
class LearnerRecord:
    """What the learner has done in their version: pages viewed, reflections submitted, quiz attempts."""

    viewed: set[str]
    reflected: set[str]
    attempts: list[AttemptRecord]


_VIEW, _REFLECTION, _ATTEMPT = 0, 1, 2
_NOTHING = [null()] * 4
# Built once: a request only binds the progress and the start of its version.
_LEARNER_RECORD: CompoundSelect[*tuple[Any, ...]] = union_all(
    select(literal(_ATTEMPT), null(), Attempt.quiz_version_id, Attempt.number,
           Attempt.submitted_at.is_not(None), Attempt.score, Attempt.passed).where(
        Attempt.progress_id == bindparam("progress_id"), Attempt.started_at >= bindparam("since")),
    select(literal(_VIEW), PageView.page_slug, null(), *_NOTHING).where(
        PageView.progress_id == bindparam("progress_id"), PageView.viewed_at >= bindparam("since")),
    select(literal(_REFLECTION), Reflection.question_slug, null(), *_NOTHING).where(
        Reflection.progress_id == bindparam("progress_id"), Reflection.submitted_at.is_not(None),
        Reflection.submitted_at >= bindparam("since")))


def learner_record(session: Session, progress: Progress) -> LearnerRecord:
    """Everything since the learner began their version, in one statement (attempts by number)."""
    rows = session.execute(_LEARNER_RECORD, {"progress_id": progress.id,
                                             "since": progress.version_started_at}).all()
    attempts = [AttemptRecord(quiz_version_id, number, bool(submitted), score, passed)
                for kind, _, quiz_version_id, number, submitted, score, passed in rows if kind == _ATTEMPT]
    return LearnerRecord(viewed={row[1] for row in rows if row[0] == _VIEW},
                         reflected={row[1] for row in rows if row[0] == _REFLECTION},
                         attempts=sorted(attempts, key=lambda a: a.number))


def requirements(session: Session, progress: Progress) -> Requirements:
    version = progress.module_version
    rule = version.completion or {}
    quiz_rule = rule.get("quizzes", "all")
    record = learner_record(session, progress)
    quizzes: list[QuizStanding] = []
    reflections: list[ReflectionItem] = []
    for page in version.pages:
        if page.quiz_version_id is None:
            continue
        quiz_version = session.get(QuizVersion, page.quiz_version_id)
        assert quiz_version is not None
        slug = quiz_version.quiz.slug
        attempts = [a for a in record.attempts if a.quiz_version_id == quiz_version.id]
        submitted = [a for a in attempts if a.submitted]
        passed_scores = [a.score or 0.0 for a in submitted if a.passed]
        any_scores = [a.score or 0.0 for a in submitted]
        best = max(passed_scores) if passed_scores else (max(any_scores) if any_scores else None)
        required = quiz_rule == "all" or (isinstance(quiz_rule, list) and slug in quiz_rule)
        open_attempt = next((a.number for a in attempts if not a.submitted), None)
        quizzes.append(QuizStanding(
            slug=slug, title=quiz_version.title, quiz_version_id=quiz_version.id, page_slug=page.slug,
            required=required, attempts_used=len(attempts), attempts_allowed=quiz_version.attempts_allowed,
            best_score=best, passed=bool(passed_scores), open_attempt=open_attempt))
        if rule.get("reflections", "required") == "required":
            reflections += [ReflectionItem(slug, question_slug, title, page.slug)
                            for question_slug, title in required_reflections(session, quiz_version)]
    done = record.reflected if reflections else set()
    pages_required = rule.get("pages", "all") == "all" or not (any(q.required for q in quizzes) or reflections)
    return Requirements(pages=[(p.slug, p.title) for p in version.pages], pages_required=pages_required,
                        viewed=record.viewed, quizzes=quizzes, reflections=reflections, reflections_done=done)


def completion_stands(session: Session, progress: Progress) -> bool:
    """Whether the progress is really completed. A completion recorded under a rule that asked for nothing
    (a handbook's ``pages: none``, before the checker refused it) while pages are still unread never was one:
    it shows no "Completed" and earns no certificate until every page has been read."""
    if progress.state != "completed":
        return False
    if (progress.module_version.completion or {}).get("pages") != "none":
        return True
    return requirements(session, progress).complete


def evaluate(session: Session, progress: Progress, *, now: datetime | None = None, locked: bool = False) -> bool:
    """Apply the rule to ``progress``; True when its completion or score changed (and the grade book was told).
    ``locked``: the caller has locked and re-read the progress row in this transaction."""
    session.flush()
    if not locked:
        # Lock the row (PostgreSQL) so that a page view and a quiz submission finishing together queue one grade.
        session.refresh(progress, with_for_update=True)
    found = requirements(session, progress)
    if not found.complete:
        return False
    version = progress.module_version
    if progress.state != "completed":
        progress.state = "completed"
        progress.completed_at = now or utcnow()
        comment = f"Completed version {version.number} of {version.title}"
    elif progress.score != found.score or progress.passed != found.passed:
        comment = f"Score updated for version {version.number} of {version.title}"
    else:
        return False
    progress.passed = found.passed
    progress.score = found.score
    session.flush()
    progress_changed(session, progress, comment=comment)
    return True
