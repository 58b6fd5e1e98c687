"""Platform registrations as the tool looks them up: by issuer and client id."""

from __future__ import annotations

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from ..models import Platform

_BY_ISSUER = select(Platform).where(Platform.issuer == bindparam("b_issuer"))
_BY_ISSUER_AND_CLIENT = _BY_ISSUER.where(Platform.client_id == bindparam("b_client_id"))
_ISSUERS_FIRST_TWO = _BY_ISSUER.limit(2)


def find_platform(session: Session, issuer: str, client_id: str | None) -> Platform | None:
    """The registration for (issuer, client_id); without a client_id only when the issuer has one registration
    (Blackboard's issuer is the same for every customer, so each is told apart by its client id)."""
    if client_id:
        return session.scalars(_BY_ISSUER_AND_CLIENT, {"b_issuer": issuer, "b_client_id": client_id}).first()
    found = session.scalars(_ISSUERS_FIRST_TWO, {"b_issuer": issuer}).all()
    return found[0] if len(found) == 1 else None
