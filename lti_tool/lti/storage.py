"""State and nonces in the shared database, so any worker can finish any launch.

A nonce is bound to the state it was issued with and is consumed by a single atomic UPDATE: a replayed id_token
finds it used and is refused (pylti1p3's session service keeps nonces apart from states and never consumes them).
What a launch needs later is the ``Launch`` row, written once by :func:`lti_tool.lti.recording.record_launch`.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.orm import Session, joinedload

from ..models import OidcState, utcnow

# Built once: a launch runs each of these, and building an ORM statement costs more than running it.
_INSERT_STATE = insert(OidcState)
_FIND_STATE = select(OidcState).options(joinedload(OidcState.platform)).where(OidcState.state == bindparam("b_state"))
_CONSUME_NONCE = (update(OidcState)
                  .where(OidcState.state == bindparam("b_state"), OidcState.nonce == bindparam("b_nonce"),
                         OidcState.used_at.is_(None), OidcState.expires_at > bindparam("b_now"))
                  .values(used_at=bindparam("b_now")))


def issue_state(session: Session, *, state: str, nonce: str, platform_id: int, lifetime: int,
                target_link_uri: str | None, storage_target: str | None) -> None:
    session.connection().execute(_INSERT_STATE, {
        "state": state, "nonce": nonce, "platform_id": platform_id, "target_link_uri": target_link_uri,
        "storage_target": storage_target, "expires_at": utcnow() + timedelta(seconds=lifetime)})
    session.commit()  # stored before the browser leaves for the platform, whose answer may reach another worker


def find_state(session: Session, state: str) -> OidcState | None:
    """The live state, with the platform it was issued for (one statement)."""
    row = session.scalars(_FIND_STATE, {"b_state": state}).first()
    if row is None or row.expires_at <= utcnow():
        return None
    return row


def consume_nonce(session: Session, *, state: str, nonce: str) -> bool:
    """True once for the nonce issued with this state; False for a replay, a stranger or an expired one.

    Not committed here: the launch commits it with the rows it records. Until then the UPDATE holds the row, so
    a concurrent replay waits and then finds the nonce used (or, if the launch failed, finds it still unused,
    which is no worse than the platform sending the launch again)."""
    result = session.connection().execute(_CONSUME_NONCE, {"b_state": state, "b_nonce": nonce, "b_now": utcnow()})
    return result.rowcount == 1
