"""The deep-linking response: the modules an instructor chose, as a signed LtiDeepLinkingResponse.

Deep Linking 2.0 §4.5 (https://www.imsglobal.org/spec/lti-dl/v2p0/#deep-linking-response-message) and
Blackboard's list of required claims (background §3.6): iss = client_id, aud = the platform's issuer,
sub = client_id (pylti1p3 leaves it out; Learn's list has it), iat/exp/nonce, deployment_id, message type,
version, ``data`` echoed exactly. The JWT is built here with PyJWT and the tool's key, so the header always
names the ``kid`` (Blackboard refuses "kid must be non-empty", P12). Each item is an ``ltiResourceLink`` to
the tool's one registered launch URL, with the module and edition in ``custom`` (never in the URL, P12), and a
``lineItem`` for gradable modules so the Blackboard column exists before the first attempt.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from typing import Any

import jwt
from sqlalchemy.orm import Session

from ..errors import Conflict, NotFound
from ..learning.catalogue import CatalogueEntry
from ..learning.grades import format_timestamp
from ..models import Edition, Launch, Platform
from . import claims as c
from . import keys
from .gradebook import SCORE_MAXIMUM, resource_id_for

RESPONSE_LIFETIME_SECONDS = 600


@dataclass(frozen=True)
class DeepLinkRequest:
    """What the platform asked for, kept from the deep-linking launch."""

    platform_id: int
    deployment_id: str
    return_url: str
    data: Any
    accept_multiple: bool
    accept_types: tuple[str, ...]


@dataclass(frozen=True)
class Choice:
    module: CatalogueEntry
    edition: Edition | None = None


def request_for_launch(session: Session, launch_id: str) -> DeepLinkRequest:
    row = session.get(Launch, launch_id)
    settings = row.claims.get(c.DEEP_LINKING_SETTINGS) if row is not None else None
    if row is None or row.message_type != c.MESSAGE_DEEP_LINKING or not isinstance(settings, dict):
        raise NotFound("This is not a launch for adding content; open “add content” from your course again.")
    return DeepLinkRequest(
        platform_id=row.user.platform_id,
        deployment_id=str(row.claims.get(c.DEPLOYMENT_ID, "")), return_url=str(settings["deep_link_return_url"]),
        data=settings.get("data"), accept_multiple=settings.get("accept_multiple", True) is not False,
        accept_types=tuple(settings.get("accept_types") or ("ltiResourceLink",)),
    )


def content_item(choice: Choice, launch_url: str) -> dict[str, Any]:
    module, edition = choice.module, choice.edition
    title = module.title + (f" ({edition.name})" if edition else "")
    item: dict[str, Any] = {
        "type": "ltiResourceLink",
        "title": title,
        "url": launch_url,
        "custom": {"module": module.slug, **({"edition": str(edition.id)} if edition else {})},
    }
    if module.summary:
        item["text"] = module.summary[:1000]
    if module.gradable:
        line_item: dict[str, Any] = {"scoreMaximum": SCORE_MAXIMUM, "label": title,
                                     "resourceId": resource_id_for(module.slug, edition), "tag": module.slug}
        if edition is not None:
            line_item["endDateTime"] = format_timestamp(edition.due_at)
        item["lineItem"] = line_item
    return item


def response_jwt(session: Session, request: DeepLinkRequest, choices: list[Choice], launch_url: str,
                 message: str = "") -> str:
    if not choices:
        raise Conflict("Choose at least one module to add.")
    if len(choices) > 1 and not request.accept_multiple:
        raise Conflict("Blackboard accepts one item here; choose a single module.")
    if "ltiResourceLink" not in request.accept_types:
        raise Conflict("This place in Blackboard does not accept links to the tool.")
    platform = session.get(Platform, request.platform_id)
    if platform is None:
        raise NotFound("The platform of this launch is no longer registered.")
    key = keys.signing_key(session)
    now = int(time.time())
    claims: dict[str, Any] = {
        "iss": platform.client_id,
        "aud": platform.issuer,
        "sub": platform.client_id,
        "iat": now,
        "exp": now + RESPONSE_LIFETIME_SECONDS,
        "nonce": secrets.token_urlsafe(24),
        c.DEPLOYMENT_ID: request.deployment_id,
        c.MESSAGE_TYPE: c.MESSAGE_DEEP_LINKING_RESPONSE,
        c.VERSION: c.LTI_VERSION,
        c.DL_CONTENT_ITEMS: [content_item(choice, launch_url) for choice in choices],
    }
    if request.data is not None:
        claims[c.DL_DATA] = request.data
    if message:
        claims[c.DL_MSG] = message
    return jwt.encode(claims, key.private_pem, algorithm="RS256", headers={"kid": key.kid})
