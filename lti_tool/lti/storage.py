"""State and nonces in the shared database, so any worker can finish any launch.

pylti1p3 keeps nonces for a day and never consumes them, and keeps state in a cookie or a process-local
cache. Here a nonce is bound to the state it was issued with and is consumed by a single atomic UPDATE:
a replayed id_token finds it used and is refused. pylti1p3's key/value launch-data store is not used: what a
launch needs later is the ``Launch`` row, written once by :func:`lti_tool.lti.launch.record_launch`.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from pylti1p3.launch_data_storage.base import LaunchDataStorage
from pylti1p3.session import SessionService
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session, joinedload

from ..models import KeyValue, OidcState, utcnow


class NoLaunchDataStorage(LaunchDataStorage[Any]):
    """Refuses pylti1p3's key/value writes: state, nonce and launch live in their own tables."""

    def get_session_cookie_name(self) -> str | None:
        return None

    def get_value(self, key: str) -> Any:
        return None

    def set_value(self, key: str, value: Any, exp: int | None = None) -> None:
        raise RuntimeError("pylti1p3's launch-data store is not used; state and launches have their own tables")

    def check_value(self, key: str) -> bool:
        return False


class StatelessSessionService(SessionService):
    """pylti1p3 needs a session service; ours holds nothing (state and nonce live in ``OidcState``)."""

    def __init__(self) -> None:
        self.data_storage = NoLaunchDataStorage()


def issue_state(session: Session, *, state: str, nonce: str, platform_id: int, lifetime: int,
                target_link_uri: str | None, storage_target: str | None) -> None:
    session.add(OidcState(state=state, nonce=nonce, platform_id=platform_id, target_link_uri=target_link_uri,
                          storage_target=storage_target, expires_at=utcnow() + timedelta(seconds=lifetime)))
    session.commit()


def find_state(session: Session, state: str) -> OidcState | None:
    """The live state, with the platform it was issued for (one statement)."""
    row = session.scalars(select(OidcState).options(joinedload(OidcState.platform))
                          .where(OidcState.state == state)).first()
    if row is None or row.expires_at <= utcnow():
        return None
    return row


def consume_nonce(session: Session, *, state: str, nonce: str) -> bool:
    """True once for the nonce issued with this state; False for a replay, a stranger or an expired one.

    Not committed here: the launch commits it with the rows it records. Until then the UPDATE holds the row, so
    a concurrent replay waits and then finds the nonce used (or, if the launch failed, finds it still unused,
    which is no worse than the platform sending the launch again)."""
    result = session.execute(
        update(OidcState)
        .where(OidcState.state == state, OidcState.nonce == nonce, OidcState.used_at.is_(None),
               OidcState.expires_at > utcnow())
        .values(used_at=utcnow())
    )
    return result.rowcount == 1  # type: ignore[attr-defined]


def purge_expired(session: Session) -> int:
    """Drop states past their life and launch data (written by earlier versions) past its expiry; returns rows
    removed."""
    now = utcnow()
    removed = session.execute(delete(OidcState).where(OidcState.expires_at < now - timedelta(days=1))).rowcount
    removed += session.execute(delete(KeyValue).where(KeyValue.expires_at < now)).rowcount
    session.commit()
    return int(removed or 0)


__all__ = ["NoLaunchDataStorage", "StatelessSessionService", "consume_nonce", "find_state", "issue_state",
           "purge_expired", "select"]
