"""The tool's own RSA keys: made on first use, kept in the database, rotated with a grace period.

Platforms verify the tool's signed messages (deep-linking responses, service token requests) against
``/lti/jwks.json``, which lists the signing key and retired keys still inside their grace period.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..models import ToolKey, utcnow


def _new_key() -> ToolKey:
    from jwcrypto.jwk import JWK  # here, not at the top: a key is made once per deployment, not per worker

    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    jwk = JWK.from_pem(pem.encode())
    kid = jwk.thumbprint()
    public = json.loads(jwk.export_public())
    public.update({"kid": kid, "alg": "RS256", "use": "sig"})
    return ToolKey(kid=kid, private_pem=pem, public_jwk=public)


def signing_key(session: Session) -> ToolKey:
    """The key that signs now; created (and committed) the first time it is needed."""
    key = _current_key(session)
    if key is not None:
        return key
    key = _new_key()
    session.add(key)
    try:
        session.commit()  # the first key serves every worker from now on, whatever happens to this request
    except IntegrityError:  # another worker created one at the same moment
        session.rollback()
    key = _current_key(session)
    assert key is not None  # ours, or the one the other worker committed
    return key


def _current_key(session: Session) -> ToolKey | None:
    return session.scalars(
        select(ToolKey).where(ToolKey.retired_at.is_(None)).order_by(ToolKey.created_at.desc(), ToolKey.id.desc())
    ).first()


def rotate(session: Session, grace: timedelta) -> ToolKey:
    """Add a new signing key; the old ones stay published for ``grace`` (flushed; the caller commits)."""
    now = utcnow()
    for old in session.scalars(select(ToolKey).where(ToolKey.retired_at.is_(None))):
        old.retired_at = now
        old.published_until = now + grace
    key = _new_key()
    session.add(key)
    session.flush()
    return key


def published_jwks(session: Session) -> dict[str, Any]:
    signing_key(session)
    now = utcnow()
    keys = session.scalars(select(ToolKey).order_by(ToolKey.created_at.desc(), ToolKey.id.desc())).all()
    return {
        "keys": [k.public_jwk for k in keys if k.retired_at is None or (k.published_until and k.published_until > now)]
    }
