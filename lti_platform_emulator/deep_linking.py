"""Checking the tool's deep linking response (Deep Linking 2.0 §4.5, Blackboard's list).

Blackboard also wants `sub`; pylti1p3 omits it and Learn appears to cope, so it is
optional here but must equal the client_id when sent.
"""

from collections.abc import Callable
from typing import Any

import jwt

from . import constants as c
from .errors import BrowserError


def verify_deep_link_response(
    token: str,
    *,
    client_id: str,
    issuer: str,
    deployment_id: str,
    key_for: Callable[[str | None], Any],
) -> dict[str, Any]:
    """The verified claims of a `JWT` form field posted to the return URL."""
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError as error:
        raise BrowserError(
            "invalid_jwt", f"the JWT field is not a JWT: {error}"
        ) from None
    if header.get("alg") != "RS256":
        raise BrowserError(
            "invalid_jwt", f"alg must be RS256, not {header.get('alg')!r}"
        )
    key = key_for(header.get("kid"))
    try:
        claims = jwt.decode(
            token,
            key,
            algorithms=["RS256"],
            audience=issuer,
            issuer=client_id,
            options={"require": ["iss", "aud", "iat", "exp", "nonce"]},
            leeway=5,
        )
    except jwt.PyJWTError as error:
        raise BrowserError(
            "invalid_jwt", f"deep linking response refused: {error}"
        ) from None
    expected = {
        c.CLAIM_MESSAGE_TYPE: c.MESSAGE_DEEP_LINKING_RESPONSE,
        c.CLAIM_VERSION: c.LTI_VERSION,
        c.CLAIM_DEPLOYMENT_ID: deployment_id,
    }
    for name, value in expected.items():
        if claims.get(name) != value:
            raise BrowserError(
                "invalid_jwt", f"{name} must be {value!r}, got {claims.get(name)!r}"
            )
    if "sub" in claims and claims["sub"] != client_id:
        raise BrowserError("invalid_jwt", "sub, when sent, must be the client_id")
    items = claims.get(c.CLAIM_DL_CONTENT_ITEMS, [])
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        raise BrowserError("invalid_jwt", "content_items must be a list of objects")
    return claims
