"""State, nonces and launch data in the shared database, so any worker can finish any launch.

pylti1p3 keeps nonces for a day and never consumes them, and keeps state in a cookie or a process-local
cache. Here a nonce is bound to the state it was issued with and is consumed by a single atomic UPDATE:
a replayed id_token finds it used and is refused.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from pylti1p3.launch_data_storage.base import LaunchDataStorage
from pylti1p3.session import SessionService
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from ..models import KeyValue, OidcState, utcnow


class DatabaseLaunchDataStorage(LaunchDataStorage[Any]):
    """Key/value storage with expiry; no session cookie needed (so it works when cookies are blocked)."""

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session

    def get_session_cookie_name(self) -> str | None:
        return None

    def can_set_keys_expiration(self) -> bool:
        return True

    def get_value(self, key: str) -> Any:
        row = self.session.get(KeyValue, key)
        if row is None or (row.expires_at is not None and row.expires_at <= utcnow()):
            return None
        return row.value

    def set_value(self, key: str, value: Any, exp: int | None = None) -> None:
        expires = utcnow() + timedelta(seconds=exp) if exp else None
        row = self.session.get(KeyValue, key)
        if row is None:
            self.session.add(KeyValue(key=key, value=value, expires_at=expires))
        else:
            row.value, row.expires_at = value, expires
        self.session.flush()

    def check_value(self, key: str) -> bool:
        return self.get_value(key) is not None


class DatabaseSessionService(SessionService):
    """pylti1p3's session service with launch data in the database; state and nonce live in ``OidcState``."""

    def __init__(self, session: Session) -> None:
        self.data_storage = DatabaseLaunchDataStorage(session)


def issue_state(session: Session, *, state: str, nonce: str, platform_id: int, lifetime: int,
                target_link_uri: str | None, storage_target: str | None) -> None:
    session.add(OidcState(state=state, nonce=nonce, platform_id=platform_id, target_link_uri=target_link_uri,
                          storage_target=storage_target, expires_at=utcnow() + timedelta(seconds=lifetime)))
    session.commit()


def find_state(session: Session, state: str) -> OidcState | None:
    row = session.get(OidcState, state)
    if row is None or row.expires_at <= utcnow():
        return None
    return row


def consume_nonce(session: Session, *, state: str, nonce: str) -> bool:
    """True once for the nonce issued with this state; False for a replay, a stranger or an expired one."""
    result = session.execute(
        update(OidcState)
        .where(OidcState.state == state, OidcState.nonce == nonce, OidcState.used_at.is_(None),
               OidcState.expires_at > utcnow())
        .values(used_at=utcnow())
    )
    session.commit()
    return result.rowcount == 1  # type: ignore[attr-defined]


def purge_expired(session: Session) -> int:
    """Drop states past their life and launch data past its expiry; returns rows removed."""
    now = utcnow()
    removed = session.execute(delete(OidcState).where(OidcState.expires_at < now - timedelta(days=1))).rowcount
    removed += session.execute(delete(KeyValue).where(KeyValue.expires_at < now)).rowcount
    session.commit()
    return int(removed or 0)


__all__ = ["DatabaseLaunchDataStorage", "DatabaseSessionService", "consume_nonce", "find_state", "issue_state",
           "purge_expired", "select"]
