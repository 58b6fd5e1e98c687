"""Launches already recorded: the live one a browser session names, the one-time hand-off token that carries a
launch into a new window, and ending launches. Views get a :class:`LaunchContext` or plain values, never rows."""

from __future__ import annotations

import secrets
from collections.abc import Collection
from datetime import timedelta
from typing import Any

from sqlalchemy import Row, bindparam, select, update
from sqlalchemy.orm import Session

from ..models import Course, Launch, ResourceLink, User, utcnow
from ..models.people import display_name
from .context import LaunchContext
from .recording import course_title, launch_context

# Plain columns, not rows: every request after a launch runs this, and loading four ORM objects costs more than
# the query. The person's name and the course's title come along for the page header.
_WITH_PERSON_COURSE_AND_LINK = (
    select(Launch.id, Launch.user_id, Launch.course_id, Launch.resource_link_pk, Launch.role, Launch.message_type,
           Launch.claims, Launch.created_at, Launch.expires_at, User.platform_id, User.name, User.given_name,
           User.family_name, User.person_sourcedid, User.sub, Course.title, Course.label, Course.context_id,
           ResourceLink.module_slug, ResourceLink.edition_id)
    .join(User, User.id == Launch.user_id)
    .outerjoin(Course, Course.id == Launch.course_id)
    .outerjoin(ResourceLink, ResourceLink.id == Launch.resource_link_pk))
_BY_ID = _WITH_PERSON_COURSE_AND_LINK.where(Launch.id == bindparam("b_id"))
_BY_HANDOFF = _WITH_PERSON_COURSE_AND_LINK.where(Launch.handoff_token == bindparam("b_token"))
_REDEEM = update(Launch).where(Launch.id == bindparam("b_id")).values(handoff_token=None)
_REDEEM_OWN = (update(Launch).where(Launch.handoff_token == bindparam("b_token"),
                                    Launch.id.in_(bindparam("b_ids", expanding=True)))
               .values(handoff_token=None))


def _context(row: Row[Any]) -> LaunchContext:
    return launch_context(
        launch_id=row.id, platform_id=row.platform_id, user_id=row.user_id, course_id=row.course_id,
        resource_link_pk=row.resource_link_pk, role=row.role, message_type=row.message_type, claims=row.claims,
        link_module_slug=row.module_slug, link_edition_id=row.edition_id,
        person_name=display_name(row.name, row.given_name, row.family_name, row.person_sourcedid, row.sub),
        course_title=course_title(row.title, row.label, row.context_id) if row.course_id is not None else "")


def load_launch(session: Session, launch_id: str) -> LaunchContext | None:
    """The live launch with this id, in one statement (its user, course and resource link joined)."""
    row = session.execute(_BY_ID, {"b_id": launch_id}).first()
    if row is None or row.expires_at <= utcnow():
        return None
    return _context(row)


def issue_handoff() -> str:
    """A new one-time token that carries a launch to its first page (or, when the frame drops the session cookie,
    into a new window through ``/lti/resume``); :func:`lti_tool.lti.launch.validate_launch` stores it with the
    launch, so minting it costs no statement."""
    return secrets.token_urlsafe(24)


def find_handoff(session: Session, token: str, max_age_seconds: int) -> LaunchContext | None:
    """The launch a hand-off token names, if the token is fresh and the launch live; the token stays usable
    until :func:`redeem_handoff` (the page that offers a new window hands it on)."""
    row = session.execute(_BY_HANDOFF, {"b_token": token}).first() if token else None
    if row is None or row.created_at < utcnow() - timedelta(seconds=max_age_seconds) or row.expires_at <= utcnow():
        return None
    return _context(row)


def redeem_handoff(session: Session, launch_id: str) -> None:
    """Use up the launch's hand-off token: it signs a browser in once. The caller commits."""
    session.connection().execute(_REDEEM, {"b_id": launch_id})


def redeem_own_handoff(session: Session, token: str, launch_ids: Collection[str]) -> bool:
    """Use up ``token`` if it belongs to one of the launches this browser already holds (its session cookie came
    back with the first page); one statement. False when it does not, or was used already. The caller commits."""
    if not token or not launch_ids:
        return False
    return session.connection().execute(_REDEEM_OWN, {"b_token": token, "b_ids": list(launch_ids)}).rowcount == 1


def live_launch_owners(session: Session, launch_ids: Collection[str]) -> dict[str, int]:
    """Launch id → user id, for those of ``launch_ids`` still live."""
    if not launch_ids:
        return {}
    rows = session.execute(select(Launch.id, Launch.user_id).where(Launch.id.in_(launch_ids),
                                                                    Launch.expires_at > utcnow()))
    return {launch_id: user_id for launch_id, user_id in rows}


def end_launches(session: Session, launch_ids: Collection[str]) -> None:
    """Expire launches on the server, so a copy of an old session cookie no longer opens them. The caller
    commits."""
    if launch_ids:
        session.execute(update(Launch).where(Launch.id.in_(launch_ids)).values(expires_at=utcnow()))
