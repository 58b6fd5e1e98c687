"""Platform registrations as the tool looks them up: by issuer and client id."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import Platform


def find_platform(session: Session, issuer: str, client_id: str | None) -> Platform | None:
    """The registration for (issuer, client_id); without a client_id only when the issuer has one registration
    (Blackboard's issuer is the same for every customer, so each is told apart by its client id)."""
    query = select(Platform).where(Platform.issuer == issuer)
    if client_id:
        return session.scalars(query.where(Platform.client_id == client_id)).first()
    found = session.scalars(query.limit(2)).all()
    return found[0] if len(found) == 1 else None
