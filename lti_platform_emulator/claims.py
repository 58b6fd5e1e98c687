"""The id_token a launch carries (LTI Core §5), shaped like Blackboard Learn's.

Security tests call this through `PlatformState.build_claims`, alter the result and sign
it with `sign_id_token`, so everything a valid launch needs is built here and nowhere else.
"""

from typing import Any

from . import constants as c
from .records import Course, LaunchScenario, Member
from .settings import PlatformSettings
from .urls import PlatformUrls

ID_TOKEN_LIFETIME = 300


def build_id_token_claims(
    *,
    scenario: LaunchScenario,
    nonce: str,
    issuer: str,
    settings: PlatformSettings,
    course: Course,
    person: Member,
    urls: PlatformUrls,
    now: int,
) -> dict[str, Any]:
    claims: dict[str, Any] = {
        "iss": issuer,
        "aud": settings.client_id,
        "azp": settings.client_id,
        "sub": scenario.user_id,
        "iat": now,
        "exp": now + ID_TOKEN_LIFETIME,
        "nonce": nonce,
        c.CLAIM_MESSAGE_TYPE: scenario.message_type,
        c.CLAIM_VERSION: c.LTI_VERSION,
        c.CLAIM_DEPLOYMENT_ID: settings.deployment_id,
        c.CLAIM_TARGET_LINK_URI: scenario.target_link_uri,
        c.CLAIM_ROLES: list(scenario.roles),
        c.CLAIM_CONTEXT: course.claim(),
        c.CLAIM_TOOL_PLATFORM: {
            "guid": settings.platform_guid,
            "product_family_code": c.PRODUCT_FAMILY_CODE,
            "name": c.PLATFORM_NAME,
        },
        c.CLAIM_LAUNCH_PRESENTATION: {
            "document_target": "iframe",
            "return_url": urls.build("launch_return"),
            "locale": "en-GB",
        },
        c.CLAIM_LIS: {"person_sourcedid": person.sourcedid},
    }
    if scenario.pii:
        claims.update(
            name=person.name,
            given_name=person.given_name,
            family_name=person.family_name,
            email=person.email,
        )
    link = course.resource_links.get(scenario.resource_link_id or "")
    custom = {**(link.custom if link else {}), **scenario.custom}
    if custom:
        claims[c.CLAIM_CUSTOM] = custom
    if scenario.message_type == c.MESSAGE_RESOURCE_LINK and link is not None:
        claims[c.CLAIM_RESOURCE_LINK] = {"id": link.id, "title": link.title}
    if scenario.ags:
        claims[c.CLAIM_AGS_ENDPOINT] = _ags_claim(
            scenario, course, urls, settings.offered_ags_scopes or c.AGS_SCOPES
        )
    if scenario.nrps:
        claims[c.CLAIM_NRPS] = {
            "context_memberships_url": urls.build("memberships", context_id=course.id),
            "service_versions": ["2.0"],
        }
    if scenario.message_type == c.MESSAGE_DEEP_LINKING:
        claims[c.CLAIM_DL_SETTINGS] = {
            "deep_link_return_url": urls.build("deep_link_return"),
            "accept_types": list(c.DL_ACCEPT_TYPES),
            "accept_presentation_document_targets": list(c.DL_ACCEPT_TARGETS),
            "accept_multiple": True,
            "auto_create": True,
            "data": scenario.deep_link_data,
        }
    claims.update(scenario.extra_claims)
    for name in scenario.omit_claims:
        claims.pop(name, None)
    return claims


def _ags_claim(
    scenario: LaunchScenario,
    course: Course,
    urls: PlatformUrls,
    offered_scopes: tuple[str, ...],
) -> dict[str, Any]:
    """Graded links carry `lineitem` as well as `lineitems` (Blackboard ags docs)."""
    claim: dict[str, Any] = {
        "scope": list(offered_scopes),
        "lineitems": urls.build("lineitems", context_id=course.id),
    }
    link = course.resource_links.get(scenario.resource_link_id or "")
    is_link_launch = scenario.message_type == c.MESSAGE_RESOURCE_LINK
    if is_link_launch and link is not None and link.lineitem_id in course.lineitems:
        claim["lineitem"] = urls.build(
            "lineitem", context_id=course.id, lineitem_id=link.lineitem_id
        )
    return claim
