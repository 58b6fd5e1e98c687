"""Launches already recorded: the live one a browser session names, the one-time hand-off token that carries a
launch into a new window, and ending launches. Views get a :class:`LaunchContext` or plain values, never rows."""

from __future__ import annotations

import secrets
from collections.abc import Collection
from datetime import timedelta

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session, joinedload

from ..models import Launch, utcnow
from .context import LaunchContext
from .recording import context_from_row

_WITH_PERSON_COURSE_AND_LINK = select(Launch).options(joinedload(Launch.user), joinedload(Launch.course),
                                                       joinedload(Launch.resource_link))
_BY_ID = _WITH_PERSON_COURSE_AND_LINK.where(Launch.id == bindparam("b_id"))
_BY_HANDOFF = _WITH_PERSON_COURSE_AND_LINK.where(Launch.handoff_token == bindparam("b_token"))
_REDEEM = update(Launch).where(Launch.id == bindparam("b_id")).values(handoff_token=None)
_REDEEM_OWN = (update(Launch).where(Launch.handoff_token == bindparam("b_token"),
                                    Launch.id.in_(bindparam("b_ids", expanding=True)))
               .values(handoff_token=None))


def load_launch(session: Session, launch_id: str) -> LaunchContext | None:
    """The live launch with this id, in one statement (its user, course and resource link joined).

    The row stays referenced by the session for the rest of the request, so the page header's look-ups of the
    person and the course find them in the session instead of asking the database again."""
    row = session.scalars(_BY_ID, {"b_id": launch_id}).first()
    if row is None or row.expires_at <= utcnow():
        return None
    session.info.setdefault("launch_rows", []).append(row)
    return context_from_row(row)


def issue_handoff() -> str:
    """A new one-time token that carries a launch to its first page (or, when the frame drops the session cookie,
    into a new window through ``/lti/resume``); :func:`lti_tool.lti.launch.validate_launch` stores it with the
    launch, so minting it costs no statement."""
    return secrets.token_urlsafe(24)


def find_handoff(session: Session, token: str, max_age_seconds: int) -> LaunchContext | None:
    """The launch a hand-off token names, if the token is fresh and the launch live; the token stays usable
    until :func:`redeem_handoff` (the page that offers a new window hands it on)."""
    row = session.scalars(_BY_HANDOFF, {"b_token": token}).first() if token else None
    if row is None or row.created_at < utcnow() - timedelta(seconds=max_age_seconds) or row.expires_at <= utcnow():
        return None
    return context_from_row(row)


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
