"""Editions: dated runs of a session module in a course (the bi-annual ARCP sessions).

Each edition is a repeat enrolment, not a reset: learners get separate progress (``Progress.edition_id`` and
``edition_key``) and a separate grade-book column (resourceId ``<module>/edition-<id>``, end date = due).
Past editions stay readable.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from ..errors import Conflict, NotFound
from ..models import Edition as Edition  # re-exported: the views name the type through this module
from ..models import Module, utcnow

LOCAL_ZONE = ZoneInfo("Europe/London")
UPCOMING, OPEN, CLOSED = "upcoming", "open", "closed"


def parse_local(text: str, field: str) -> datetime:
    """A date-time typed into a form (UK local time, ``YYYY-MM-DDTHH:MM``) as an aware datetime."""
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError as exc:
        raise Conflict(f"The {field} date “{text}” is not a date and time.") from exc
    return value.replace(tzinfo=LOCAL_ZONE) if value.tzinfo is None else value


def local_input_value(moment: datetime) -> str:
    """The value a ``datetime-local`` input shows for a stored moment."""
    return moment.astimezone(LOCAL_ZONE).strftime("%Y-%m-%dT%H:%M")


def _check_dates(opens_at: datetime, due_at: datetime, closes_at: datetime) -> None:
    if not opens_at < due_at:
        raise Conflict("An edition must open before it is due.")
    if not due_at <= closes_at:
        raise Conflict("An edition cannot close before it is due.")


def _session_module(session: Session, module_slug: str) -> Module:
    module = session.scalars(select(Module).where(Module.slug == module_slug)).first()
    if module is None:
        raise NotFound(f"There is no module “{module_slug}”.")
    if module.kind != "session":
        raise Conflict(f"“{module_slug}” is not a session module, so it has no editions.")
    return module


def _check_name(session: Session, course_id: int, module_slug: str, name: str, edition_id: int | None) -> str:
    name = name.strip()
    if not name:
        raise Conflict("Give the edition a name, for example “Spring 2027”.")
    if len(name) > 100:
        raise Conflict("An edition's name can be at most 100 characters.")
    clash = session.scalars(select(Edition.id).where(Edition.course_id == course_id,
                                                     Edition.module_slug == module_slug, Edition.name == name)).first()
    if clash is not None and clash != edition_id:
        raise Conflict(f"This course already has an edition called “{name}”.")
    return name


def create_edition(session: Session, *, course_id: int, module_slug: str, name: str, opens_at: datetime,
                   due_at: datetime, closes_at: datetime, created_by: str = "") -> Edition:
    _session_module(session, module_slug)
    _check_dates(opens_at, due_at, closes_at)
    edition = Edition(course_id=course_id, module_slug=module_slug,
                      name=_check_name(session, course_id, module_slug, name, None),
                      opens_at=opens_at, due_at=due_at, closes_at=closes_at, created_by=created_by[:300])
    session.add(edition)
    session.flush()
    return edition


def get_edition(session: Session, course_id: int, edition_id: int) -> Edition:
    edition = session.get(Edition, edition_id)
    if edition is None or edition.course_id != course_id:
        raise NotFound(f"There is no edition number {edition_id} in this course.")
    return edition


def update_edition(session: Session, *, course_id: int, edition_id: int, name: str | None = None,
                   opens_at: datetime | None = None, due_at: datetime | None = None,
                   closes_at: datetime | None = None) -> Edition:
    """Rename or re-date an edition (its grade column keeps its id; the new due date applies to new columns)."""
    edition = get_edition(session, course_id, edition_id)
    opens_at, due_at, closes_at = opens_at or edition.opens_at, due_at or edition.due_at, closes_at or edition.closes_at
    _check_dates(opens_at, due_at, closes_at)
    if name is not None:
        edition.name = _check_name(session, course_id, edition.module_slug, name, edition.id)
    edition.opens_at, edition.due_at, edition.closes_at = opens_at, due_at, closes_at
    session.flush()
    return edition


_NEWEST_FIRST = (Edition.opens_at.desc(), Edition.id.desc())
# Built once (every learner request asks): a request only binds the course and module.
_COURSE_EDITIONS = select(Edition).where(Edition.course_id == bindparam("course_id")).order_by(*_NEWEST_FIRST)
_MODULE_EDITIONS = (select(Edition).where(Edition.course_id == bindparam("course_id"),
                                          Edition.module_slug == bindparam("module_slug"))
                    .order_by(*_NEWEST_FIRST))


def list_editions(session: Session, course_id: int, module_slug: str | None = None) -> list[Edition]:
    """Newest first."""
    if module_slug is None:
        return list(session.scalars(_COURSE_EDITIONS, {"course_id": course_id}))
    return list(session.scalars(_MODULE_EDITIONS, {"course_id": course_id, "module_slug": module_slug}))


def edition_state(edition: Edition, now: datetime | None = None) -> str:
    now = now or utcnow()
    if now < edition.opens_at:
        return UPCOMING
    return OPEN if now < edition.closes_at else CLOSED


def open_edition(session: Session, course_id: int, module_slug: str, now: datetime | None = None, *,
                 launch_edition_id: int | None = None, course_editions: list[Edition] | None = None
                 ) -> Edition | None:
    """The edition a learner lands in: the one the launch names, else the one open now (the latest to open),
    else the most recent one that has opened, else the next to open; None when the module has none.

    ``course_editions``: every edition of the course, newest first, when the caller has read them already."""
    now = now or utcnow()
    editions = (list_editions(session, course_id, module_slug) if course_editions is None
                else [e for e in course_editions if e.module_slug == module_slug])
    if launch_edition_id is not None:
        named = next((e for e in editions if e.id == launch_edition_id), None)
        if named is not None:
            return named
    open_now = [e for e in editions if edition_state(e, now) == OPEN]
    if open_now:
        return open_now[0]
    opened = [e for e in editions if e.opens_at <= now]
    if opened:
        return opened[0]
    return min(editions, key=lambda e: e.opens_at) if editions else None
