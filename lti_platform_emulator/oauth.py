"""The client-credentials grant with a signed JWT (LTI Security Framework §4.1, RFC 7523).

Refusals copy Blackboard's `{"error": "invalid_jwt_token"}` 400, including for a float
`iat`/`exp`, which Learn rejects as "iat missing" (oat-sa/lib-lti1p3-core#153).
"""

from collections.abc import Callable
from typing import Any

import jwt

from .errors import ServiceError


def _unverified(assertion: str) -> tuple[dict[str, Any], dict[str, Any]]:
    try:
        header = jwt.get_unverified_header(assertion)
        payload = jwt.decode(assertion, options={"verify_signature": False})
    except jwt.PyJWTError as error:
        raise ServiceError(
            "invalid_jwt_token", f"client_assertion is not a JWT: {error}"
        ) from None
    return header, payload


def verify_client_assertion(
    assertion: str,
    *,
    client_id: str,
    token_url: str,
    key_for: Callable[[str | None], Any],
    remember_jti: Callable[[str, int], bool],
) -> dict[str, Any]:
    """The assertion's verified claims; `remember_jti` is False when the jti was seen before."""
    header, payload = _unverified(assertion)
    if header.get("alg") != "RS256":
        raise ServiceError(
            "invalid_jwt_token", f"alg must be RS256, not {header.get('alg')!r}"
        )
    for name in ("iss", "sub", "aud", "iat", "exp", "jti"):
        if name not in payload:
            raise ServiceError("invalid_jwt_token", f"{name} missing")
    for name in ("iat", "exp"):
        if not isinstance(payload[name], int) or isinstance(payload[name], bool):
            raise ServiceError(
                "invalid_jwt_token", f"{name} missing (must be integer seconds)"
            )
    key = key_for(header.get("kid"))
    try:
        claims = jwt.decode(
            assertion,
            key,
            algorithms=["RS256"],
            audience=token_url,
            options={"require": ["iss", "sub", "aud", "iat", "exp", "jti"]},
            leeway=5,
        )
    except jwt.PyJWTError as error:
        raise ServiceError("invalid_jwt_token", str(error)) from None
    if claims["iss"] != client_id or claims["sub"] != client_id:
        raise ServiceError(
            "invalid_jwt_token", "iss and sub must both be the client_id"
        )
    if not remember_jti(str(claims["jti"]), int(claims["exp"])):
        raise ServiceError("invalid_jwt_token", "jti has already been used")
    return claims
