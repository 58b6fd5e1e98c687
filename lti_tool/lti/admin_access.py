"""Who administers what: platform administrators from their launch's roles, and rights only the command line
grants (every platform; shared content), recorded in the audit log.

A launch keeps what it was given (``claims["platform_admin"]`` from its roles, ``claims["grant"]`` from the
grant at launch time), so no page needs another query; granting or revoking rewrites the live launches of
that person at once.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..audit import record
from ..errors import NotFound
from ..models import AdminGrant, Launch, User, utcnow

COMMAND_LINE = "command line"


def grant_claims(grant: AdminGrant | None) -> dict[str, bool]:
    """What a launch keeps of a person's grant."""
    if grant is None:
        return {"all_platforms": False, "content": False}
    return {"all_platforms": bool(grant.all_platforms), "content": bool(grant.content)}


def _refresh_live_launches(session: Session, user_id: int, grant: AdminGrant | None) -> None:
    rows = session.scalars(select(Launch).where(Launch.user_id == user_id, Launch.expires_at > utcnow()))
    for row in rows:
        row.claims = {**row.claims, "grant": grant_claims(grant)}


def _user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(f"No user with id {user_id}. The person must have launched the tool once; the audit log "
                       "and the admin pages show user ids.")
    return user


def grant(session: Session, user_id: int, *, all_platforms: bool, content: bool) -> AdminGrant:
    """Add rights to a person (never removes any); audited."""
    user = _user(session, user_id)
    row = session.scalars(select(AdminGrant).where(AdminGrant.user_id == user.id)).first()
    if row is None:
        row = AdminGrant(user_id=user.id, all_platforms=False, content=False)
        session.add(row)
    row.all_platforms = row.all_platforms or all_platforms
    row.content = row.content or content
    session.flush()
    _refresh_live_launches(session, user.id, row)
    record(session, COMMAND_LINE, "admin.grant", f"user:{user.id}",
           {"platform_id": user.platform_id, "all_platforms": all_platforms, "content": content})
    return row


def revoke(session: Session, user_id: int, *, all_platforms: bool, content: bool) -> AdminGrant | None:
    """Take rights away (both when neither is named); the person's open sessions lose them at once; audited."""
    user = _user(session, user_id)
    row = session.scalars(select(AdminGrant).where(AdminGrant.user_id == user.id)).first()
    if not (all_platforms or content):
        all_platforms = content = True
    if row is not None:
        row.all_platforms = row.all_platforms and not all_platforms
        row.content = row.content and not content
        if not (row.all_platforms or row.content):
            session.delete(row)
            row = None
        session.flush()
    _refresh_live_launches(session, user.id, row)
    record(session, COMMAND_LINE, "admin.revoke", f"user:{user.id}",
           {"platform_id": user.platform_id, "all_platforms": all_platforms, "content": content})
    return row


def grants(session: Session) -> list[tuple[AdminGrant, User]]:
    rows = session.execute(select(AdminGrant, User).join(User, User.id == AdminGrant.user_id).order_by(AdminGrant.id))
    return [(grant, user) for grant, user in rows]


def admin_claims(is_platform_admin: bool, grant: AdminGrant | None) -> dict[str, Any]:
    """The part of a launch's stored claims that says what it may administer."""
    return {"platform_admin": is_platform_admin, "grant": grant_claims(grant)}
