"""A learner's progress through a module: started once, pinned to a version, moved only by a major change.

Which modules a course offers: every published module while any of its links is a plain link (the tool placed
without picking a module), else the modules its links are bound to. Editions never narrow it: an edition only
says which run of its own session module a learner is in. The module the launch is bound to and every module
the learner has started in the course are always offered, so no learner loses a module they began.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from types import EllipsisType

from sqlalchemy import CompoundSelect, bindparam, delete, literal, select, union
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload
from sqlalchemy.orm.attributes import set_committed_value

from ..models import Edition, Module, ModuleVersion, Page, PageView, Progress, ResourceLink, utcnow
from .completion import (
    QuizStanding,
    ReflectionItem,
    completion_stands,
    evaluate,
    requirements,
)
from .errors import ModuleNotAvailable, PageNotInModule
from .grades import progress_changed

ACTIVITY_RESOLUTION = timedelta(minutes=1)


@dataclass(frozen=True)
class Learner:
    """Who is learning where: the key of a Progress row (an edition makes a separate run of the module)."""

    user_id: int
    course_id: int
    edition_id: int | None = None
    resource_link_pk: int | None = None


@dataclass(frozen=True)
class Resumed:
    progress: Progress
    started: bool = False
    moved_from: int | None = None

    @property
    def notice(self) -> str | None:
        if self.moved_from is None:
            return None
        version = self.progress.module_version
        return (f"This module has changed significantly since you started (version {self.moved_from} → "
                f"{version.number}). You have been moved to the new version and need to complete it again.")


# Built once, like the statements of every learner request below: a request only binds its values.
_LINKED_SLUGS = select(ResourceLink.module_slug, literal(True)).where(ResourceLink.course_id == bindparam("course_id"))
_LINKED_OR_STARTED_SLUGS: CompoundSelect[str | None, bool] = union(
    _LINKED_SLUGS, select(Progress.module_slug, literal(False)).where(
        Progress.course_id == bindparam("course_id"), Progress.user_id == bindparam("user_id")))


def course_module_slugs(session: Session, course_id: int, bound_slug: str | None = None,
                        user_id: int | None = None) -> list[str] | None:
    """Slugs this course offers (the launch's module first), or None when it offers every published module."""
    # One statement for every question: does a link place the tool without a module (a NULL slug), which modules
    # the links bind, and which the learner has already started.
    if user_id is None:
        rows = session.execute(_LINKED_SLUGS, {"course_id": course_id}).all()
    else:
        rows = session.execute(_LINKED_OR_STARTED_SLUGS, {"course_id": course_id, "user_id": user_id}).all()
    linked = {slug for slug, from_link in rows if from_link}
    if None in linked or not linked:
        return None
    bound = {slug for slug, _ in rows if slug is not None}
    if bound_slug:
        bound.add(bound_slug)
    return sorted(bound, key=lambda s: (s != bound_slug, s))


def course_modules(session: Session, course_id: int, bound_slug: str | None = None,
                   user_id: int | None = None) -> list[ModuleVersion]:
    """The current versions of the modules this course offers (to ``user_id``), the launch's module first, each
    with its module and pages."""
    slugs = course_module_slugs(session, course_id, bound_slug, user_id)
    query = select(Module).options(joinedload(Module.current_version)).where(Module.current_version_id.is_not(None))
    if slugs is not None:
        query = query.where(Module.slug.in_(slugs))
    modules = list(session.scalars(query.options(joinedload(Module.current_version)
                                                 .joinedload(ModuleVersion.pages))).unique())
    for module in modules:
        # The session keeps no module the caller does not hold: give each version the module it belongs to.
        set_committed_value(module.current_version, "module", module)
    order = {s: i for i, s in enumerate(slugs or [])}
    versions = [m.current_version for m in modules if m.current_version is not None]
    versions.sort(key=lambda v: (order.get(v.module.slug, 0), v.module.slug != bound_slug, v.title.casefold()))
    return versions


# The statements every learner request runs are built once; a request only binds its values.
_MODULE_WITH_PAGES = (select(Module).options(joinedload(Module.current_version).joinedload(ModuleVersion.pages))
                      .where(Module.slug == bindparam("slug")))
_PROGRESS = select(Progress).where(
    Progress.user_id == bindparam("user_id"), Progress.course_id == bindparam("course_id"),
    Progress.module_slug == bindparam("module_slug"), Progress.edition_key == bindparam("edition_key"))


def module_for_course(session: Session, course_id: int, module_slug: str, bound_slug: str | None = None,
                      user_id: int | None = None) -> Module:
    """The published module, if this course offers it (to ``user_id``); ModuleNotAvailable otherwise.

    Its current version comes with its pages: every learner page reads them."""
    module = session.scalars(_MODULE_WITH_PAGES, {"slug": module_slug}).unique().one_or_none()
    # The module the launch's link binds is always offered (course_module_slugs puts it first): no need to ask.
    slugs = None if module_slug == bound_slug else course_module_slugs(session, course_id, bound_slug, user_id)
    if module is None or module.current_version is None or (slugs is not None and module_slug not in slugs):
        raise ModuleNotAvailable(module_slug)
    return module


def learner_progress(session: Session, user_id: int, course_id: int) -> dict[tuple[str, int], Progress]:
    """Every progress of the learner in the course, by module slug and edition key, in one statement."""
    rows = session.scalars(select(Progress).where(Progress.user_id == user_id, Progress.course_id == course_id))
    return {(p.module_slug, p.edition_key): p for p in rows}


def find_progress(session: Session, learner: Learner, module_slug: str) -> Progress | None:
    return session.scalars(_PROGRESS, {"user_id": learner.user_id, "course_id": learner.course_id,
                                       "module_slug": module_slug, "edition_key": learner.edition_id or 0}
                           ).one_or_none()


def _major_change_since(session: Session, progress: Progress, current: ModuleVersion) -> bool:
    pinned = progress.module_version
    changes = session.scalars(select(ModuleVersion.change).where(
        ModuleVersion.module_id == current.module_id, ModuleVersion.number > pinned.number,
        ModuleVersion.number <= current.number))
    return "major" in set(changes)


def start_or_resume(session: Session, learner: Learner, module: Module, *, start: bool = True,
                    now: datetime | None = None) -> Resumed | None:
    """The learner's progress in ``module``, started on the current version when ``start`` (else None).

    A learner keeps the version they started unless a later version is marked ``major``: then they are moved
    to the current version, their page views and completion are cleared, and ``Resumed.notice`` says so.
    """
    now = now or utcnow()
    current = module.current_version
    if current is None:
        raise ModuleNotAvailable(module.slug)
    progress = find_progress(session, learner, module.slug)
    if progress is None:
        if not start:
            return None
        return _start(session, learner, module, current, now)
    if progress.module_version_id != current.id and _major_change_since(session, progress, current):
        moved_from = progress.module_version.number
        was_completed = progress.state == "completed"
        session.execute(delete(PageView).where(PageView.progress_id == progress.id))
        progress.module_version_id = current.id
        progress.module_version = current
        progress.version_started_at = now
        progress.state, progress.passed, progress.score, progress.completed_at = "in_progress", None, None, None
        progress.last_activity_at = now
        session.flush()
        if was_completed:
            progress_changed(session, progress, comment=f"Moved to version {current.number} of {current.title}; "
                                                         "to be completed again")
        return Resumed(progress, moved_from=moved_from)
    return Resumed(progress)


def _start(session: Session, learner: Learner, module: Module, current: ModuleVersion, now: datetime) -> Resumed:
    progress = Progress(user_id=learner.user_id, course_id=learner.course_id, module_slug=module.slug,
                        edition_id=learner.edition_id, edition_key=learner.edition_id or 0,
                        module_version_id=current.id, resource_link_pk=learner.resource_link_pk,
                        state="in_progress", started_at=now, version_started_at=now, last_activity_at=now)
    progress.module_version = current
    try:
        with session.begin_nested():
            session.add(progress)
    except IntegrityError:
        # Another request (a second tab) started the same progress a moment earlier: use theirs.
        existing = find_progress(session, learner, module.slug)
        assert existing is not None
        return Resumed(existing)
    progress_changed(session, progress, comment=f"Started version {current.number} of {current.title}")
    return Resumed(progress, started=True)


def page_of(version: ModuleVersion, page_slug: str) -> Page:
    for page in version.pages:
        if page.slug == page_slug:
            return page
    raise PageNotInModule(page_slug)


def record_page_view(session: Session, progress: Progress, page_slug: str, *, now: datetime | None = None,
                     seen: bool = False) -> bool:
    """Note that the learner saw this page (once; later views change nothing). True when it was new.

    ``seen``: the caller already knows the learner viewed it, so it is not looked up again. The last activity
    moves only when it is older than tutors can see (they read it to the minute): re-reading pages writes
    nothing."""
    page_of(progress.module_version, page_slug)
    now = now or utcnow()
    if progress.last_activity_at is None or now - progress.last_activity_at >= ACTIVITY_RESOLUTION:
        progress.last_activity_at = now
    if seen:
        return False
    view_id = session.scalars(select(PageView.id).where(
        PageView.progress_id == progress.id, PageView.page_slug == page_slug)).first()
    if view_id is not None:
        return False
    try:
        with session.begin_nested():
            session.add(PageView(progress_id=progress.id, page_slug=page_slug, viewed_at=now))
    except IntegrityError:
        return False
    evaluate(session, progress, now=now)
    return True


@dataclass(frozen=True)
class PageStatus:
    slug: str
    title: str
    viewed: bool
    quiz_slug: str | None


@dataclass(frozen=True)
class ModuleStatus:
    """What the overview shows: state, what is done, what is left."""

    version: ModuleVersion
    progress: Progress | None
    state: str
    passed: bool | None
    score: float | None
    pages: list[PageStatus]
    quizzes: list[QuizStanding]
    reflections_left: list[ReflectionItem]
    left: list[str]
    edition: Edition | None

    @property
    def pages_viewed(self) -> int:
        return sum(1 for p in self.pages if p.viewed)

    @property
    def pages_total(self) -> int:
        return len(self.pages)

    @property
    def percent(self) -> int:
        return round(100 * self.pages_viewed / self.pages_total) if self.pages_total else 0

    @property
    def next_page(self) -> str | None:
        """Where "Start" or "Continue" leads: the first page not yet viewed, else the first page."""
        unviewed = [p.slug for p in self.pages if not p.viewed]
        return unviewed[0] if unviewed else (self.pages[0].slug if self.pages else None)


def module_status(session: Session, learner: Learner, module: Module, *, now: datetime | None = None,
                  progress: Progress | None | EllipsisType = ...) -> ModuleStatus:
    """The learner's state in a module: not_started, in_progress, completed or overdue (edition past due).

    ``progress``: the learner's progress in it (None: not started) when the caller has already looked it up."""
    now = now or utcnow()
    edition = session.get(Edition, learner.edition_id) if learner.edition_id else None
    if isinstance(progress, EllipsisType):
        progress = find_progress(session, learner, module.slug)
    version = progress.module_version if progress else module.current_version
    assert version is not None
    quiz_of_page = {p.slug: p.quiz_version.quiz.slug for p in version.pages if p.quiz_version is not None}
    if progress is None:
        pages = [PageStatus(p.slug, p.title, False, quiz_of_page.get(p.slug)) for p in version.pages]
        state = "overdue" if edition is not None and edition.due_at < now else "not_started"
        left = [f"Read “{p.title}”" for p in pages]
        return ModuleStatus(version, None, state, None, None, pages, [], [], left, edition)
    found = requirements(session, progress)
    pages = [PageStatus(s, t, s in found.viewed, quiz_of_page.get(s)) for s, t in found.pages]
    stands = completion_stands(session, progress)
    state = "completed" if stands else "in_progress"
    passed, score = (progress.passed, progress.score) if stands or progress.state != "completed" else (None, None)
    if state != "completed" and edition is not None and edition.due_at < now:
        state = "overdue"
    left = ([f"Read “{title}”" for _, title in found.pages_left]
            + [f"Pass the quiz “{q.title}”" for q in found.quizzes_left]
            + [f"Submit your reflection “{r.title}”" for r in found.reflections_left])
    return ModuleStatus(version, progress, state, passed, score, pages, found.quizzes,
                        found.reflections_left, left, edition)
