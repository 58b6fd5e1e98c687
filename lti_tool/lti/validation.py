"""id_token validation as plain functions over PyJWT, each check named by the step it takes.

Spec: LTI Core §5 (https://www.imsglobal.org/spec/lti/v1p3/#required-message-claims) and the 1EdTech Security
Framework §5.1.3 (https://www.imsglobal.org/spec/security/v1p0/#authentication-response-validation).
Checks, in order: state issued by us and bound to this browser; JWT shape; registered issuer and client;
RS256 signature against the platform's JWKS (re-fetched once for an unknown kid); exp/iat with leeway;
aud and azp; nonce consumed once; an active deployment; message type, version and required claims.
Every refusal is a :class:`LaunchError` with a stable code; nothing here logs personal data.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from typing import Any

import jwt
from jwt.utils import base64url_decode
from sqlalchemy import bindparam, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..models import Deployment, OidcState, Platform, utcnow
from . import claims as c
from . import platform_keys, storage
from .config import find_platform
from .context import LaunchSettings
from .errors import LaunchError, relaunch
from .login import state_cookie_name

log = logging.getLogger(__name__)
_FIND_DEPLOYMENT = select(Deployment).where(Deployment.platform_id == bindparam("b_platform_id"),
                                            Deployment.deployment_id == bindparam("b_deployment_id"))


class NeedsPlatformStorage(Exception):
    """The state cookie did not come back, but the platform offered storage: check the state there first."""

    def __init__(self, storage_target: str) -> None:
        super().__init__(storage_target)
        self.storage_target = storage_target


def check_state(session: Session, form: Mapping[str, str], cookies: Mapping[str, str],
                storage_checked: bool) -> OidcState:
    """The live state this launch answers, bound to this browser by its cookie (or by the platform's storage)."""
    state = form.get("state")
    if not state:
        raise relaunch("state_missing", "The launch arrived without its `state` parameter.")
    if not form.get("id_token"):
        raise LaunchError("id_token_missing", "The launch arrived without an id_token.")
    row = storage.find_state(session, state)
    if row is None:
        raise relaunch("state_unknown", "This launch was not started here, or it took too long and expired.")
    bound = cookies.get(state_cookie_name(state)) == state
    if not bound and row.storage_target and not storage_checked:
        raise NeedsPlatformStorage(row.storage_target)
    if not bound and not (row.storage_target and storage_checked):
        raise LaunchError(
            "state_not_bound",
            "Your browser did not keep the cookie that ties this launch to you, so it cannot be trusted.",
            status=403,
            advice="Open the link from your course in a new window or tab, or allow cookies for this tool.",
        )
    return row


def unverified_parts(id_token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The header and body of a compact JWT, not yet trusted: only their shape is checked here."""
    segments = id_token.split(".")
    if len(segments) != 3:
        raise LaunchError("jwt_malformed", "The id_token is not a well-formed JWT.")
    try:
        header, body = (json.loads(base64url_decode(s.encode("ascii"))) for s in segments[:2])
    except (ValueError, UnicodeError, RecursionError) as exc:
        raise LaunchError("jwt_malformed", "The id_token is not a well-formed JWT.") from exc
    if not isinstance(header, dict) or not isinstance(body, dict):
        raise LaunchError("jwt_malformed", "The id_token is not a well-formed JWT.")
    return header, body


def check_registration(session: Session, issued_for: OidcState, body: dict[str, Any]) -> Platform:
    """The registered platform the token names (issuer and audience), the one the login was for, with azp."""
    iss, aud = body.get("iss"), body.get("aud")
    if not isinstance(iss, str) or not iss:
        raise LaunchError("iss_missing", "The id_token does not say which platform issued it.")
    audiences = aud if isinstance(aud, list) else [aud]
    known = issued_for.platform

    def registered(client_id: str) -> Platform | None:
        # The login's platform is already loaded: no second query for the usual single audience.
        return known if (known.issuer, known.client_id) == (iss, client_id) else find_platform(session, iss, client_id)

    platform = next((p for p in (registered(a) for a in audiences if isinstance(a, str)) if p), None)
    if platform is None and session.scalars(select(Platform.id).where(Platform.issuer == iss)).first():
        raise LaunchError("aud_invalid", "The id_token is not addressed to this tool.")
    if platform is None:
        raise LaunchError("platform_unknown", "The platform that issued this launch is not registered here.",
                          advice="An administrator of the tool must register this platform first.")
    if platform.id != issued_for.platform_id:
        raise LaunchError("issuer_mismatch", "The launch came from a different platform than the login.")
    if len(audiences) > 1 and body.get("azp") != platform.client_id:
        raise LaunchError("azp_invalid", "The id_token has several audiences but no `azp` naming this tool.")
    if "azp" in body and body.get("azp") != platform.client_id:
        raise LaunchError("azp_invalid", "The id_token's authorised party (`azp`) is not this tool.")
    return platform


def check_signature(session: Session, platform: Platform, id_token: str, header: dict[str, Any],
                    body: dict[str, Any], settings: LaunchSettings) -> None:
    """RS256 by a key of the platform's JWKS, exp/iat with leeway, and issued no earlier than the login allows."""
    if header.get("alg") != "RS256":
        raise LaunchError("alg_invalid", "The id_token must be signed with RS256.")
    kid = header.get("kid")
    if not kid or not isinstance(kid, str):
        raise LaunchError("kid_missing", "The id_token's header does not name its signing key (`kid`).")
    jwk = platform_keys.key_for(session, platform, kid, cache_seconds=settings.jwks_cache_seconds,
                                timeout=settings.http_timeout)
    try:
        key = jwt.PyJWK.from_dict({**jwk, "alg": "RS256"})
        jwt.decode(
            id_token, key=key, algorithms=["RS256"], audience=platform.client_id, issuer=platform.issuer,
            leeway=settings.leeway, options={"require": ["exp", "iat", "iss", "aud"]},
        )
    except jwt.ExpiredSignatureError as exc:
        raise relaunch("token_expired", "The launch token has expired.") from exc
    except jwt.ImmatureSignatureError as exc:
        raise LaunchError("token_not_yet_valid",
                          "The launch token was issued in the future; check the clocks.") from exc
    except jwt.MissingRequiredClaimError as exc:
        raise LaunchError("claim_missing", f"The id_token lacks the required claim `{exc.claim}`.") from exc
    except jwt.InvalidAudienceError as exc:
        raise LaunchError("aud_invalid", "The id_token is not addressed to this tool.") from exc
    except jwt.InvalidIssuerError as exc:
        raise LaunchError("iss_invalid", "The id_token's issuer does not match the platform.") from exc
    except (jwt.InvalidTokenError, jwt.PyJWKError) as exc:
        raise LaunchError("signature_invalid", "The id_token's signature could not be verified.") from exc
    iat = body.get("iat")
    oldest = utcnow().timestamp() - settings.state_seconds - settings.leeway
    if not isinstance(iat, int | float) or iat < oldest:
        raise LaunchError("token_stale", "The launch token was issued too long ago.")


def consume_nonce(session: Session, state: OidcState, body: dict[str, Any]) -> None:
    """The nonce issued with this state, used now and never again (the caller's commit makes it stick)."""
    nonce = body.get("nonce")
    if not nonce or not isinstance(nonce, str):
        raise LaunchError("nonce_missing", "The id_token has no nonce.")
    if not storage.consume_nonce(session, state=state.state, nonce=nonce):
        raise relaunch("nonce_invalid", "This launch has already been used, or its nonce was not issued here.")


def active_deployment(session: Session, platform: Platform, body: dict[str, Any]) -> Deployment:
    """The deployment the launch comes from, if an admin has switched it on; an unknown one is recorded, off."""
    deployment_id = body.get(c.DEPLOYMENT_ID)
    if not deployment_id or not isinstance(deployment_id, str):
        raise LaunchError("deployment_id_missing", "The launch does not say which deployment it comes from.")
    row = session.scalars(_FIND_DEPLOYMENT, {"b_platform_id": platform.id, "b_deployment_id": deployment_id}).first()
    if row is None:
        row = _record_unknown_deployment(session, platform.id, deployment_id)
    if not row.is_active:
        session.execute(update(Deployment).where(Deployment.id == row.id)
                        .values(refused_launches=Deployment.refused_launches + 1))
        session.commit()  # counted although the launch is refused (the refusal rolls the request back)
        raise LaunchError(
            "deployment_inactive",
            f"This tool has not yet been switched on for deployment “{deployment_id}”.",
            status=403,
            advice="Ask your course administrator to ask the tool's administrator to activate this deployment "
                   "(Admin → Platforms). Nothing else is needed from you.",
        )
    return row


def _record_unknown_deployment(session: Session, platform_id: int, deployment_id: str) -> Deployment:
    """Remember a deployment we have never seen, inactive, so an admin can switch it on (django-lti's pattern)."""
    row = Deployment(platform_id=platform_id, deployment_id=deployment_id, is_active=False)
    session.add(row)
    try:
        session.commit()  # remembered for an admin to switch on, although this launch is refused
    except IntegrityError:
        session.rollback()
        row = session.scalars(select(Deployment).where(Deployment.platform_id == platform_id,
                                                       Deployment.deployment_id == deployment_id)).one()
    log.warning("launch from unknown deployment recorded as inactive (platform %s)", platform_id)
    return row


def check_message(body: dict[str, Any]) -> None:
    """A message type we handle, LTI 1.3.0, a user, roles, and what that type requires (LTI Core §5.3,
    Deep Linking §4.4)."""
    message_type = body.get(c.MESSAGE_TYPE)
    if not message_type:
        raise LaunchError("message_type_missing", "The launch does not say what kind of message it is.")
    if message_type not in c.SUPPORTED_MESSAGES:
        raise LaunchError("message_type_unsupported", f"This tool does not handle “{message_type}” messages.")
    version = body.get(c.VERSION)
    if version is None:
        raise LaunchError("version_missing", "The launch does not say which LTI version it uses.")
    if version != c.LTI_VERSION:
        raise LaunchError("version_invalid", "Only LTI 1.3.0 launches are accepted.")
    if not body.get("sub") or not isinstance(body.get("sub"), str):
        raise LaunchError("user_missing", "The launch does not identify the user (`sub`).")
    if not isinstance(body.get(c.ROLES), list):
        raise LaunchError("roles_missing", "The launch has no roles claim (an empty list is fine).")
    if message_type == c.MESSAGE_RESOURCE_LINK:
        link = body.get(c.RESOURCE_LINK)
        if not isinstance(link, dict) or not link.get("id"):
            raise LaunchError("resource_link_missing", "The launch has no resource link id.")
    else:
        _check_deep_linking_settings(body.get(c.DEEP_LINKING_SETTINGS))
    context = body.get(c.CONTEXT)
    if context is not None and (not isinstance(context, dict) or not context.get("id")):
        raise LaunchError("context_invalid", "The launch's context claim has no id.")


def _check_deep_linking_settings(settings: object) -> None:
    if not isinstance(settings, dict) or not settings.get("deep_link_return_url"):
        raise LaunchError("deep_linking_settings_missing", "The deep-linking request has no return URL.")
    accept_types = settings.get("accept_types")
    if not isinstance(accept_types, list) or "ltiResourceLink" not in accept_types:
        raise LaunchError("launch_invalid", "The deep-linking request does not accept LTI resource links.")
    if not settings.get("accept_presentation_document_targets"):
        raise LaunchError("launch_invalid", "The deep-linking request names no presentation target.")
