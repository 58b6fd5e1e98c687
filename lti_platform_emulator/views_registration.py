"""LTI Dynamic Registration, platform side (https://www.imsglobal.org/spec/lti-dr/v1p0).

The tool fetches the OpenID configuration, then POSTs its configuration with the one-time registration
token; the emulator answers with a client_id and a deployment_id, and keeps what the tool sent.
"""

from flask import Response, jsonify, request

from .errors import ServiceError
from .web_common import current_state

REGISTRATION_TOKEN = "emulator-registration-token"
DYNAMIC_CLIENT_ID = "dynamic-client"
DYNAMIC_DEPLOYMENT_ID = "dynamic-deployment"
TOOL_CONFIGURATION = "https://purl.imsglobal.org/spec/lti-tool-configuration"


def openid_configuration() -> Response:
    state = current_state()
    urls = state.urls()
    return jsonify({
        "issuer": state.issuer(),
        "authorization_endpoint": urls.build("auth"),
        "token_endpoint": urls.build("token"),
        "jwks_uri": urls.build("jwks"),
        "registration_endpoint": urls.build("register"),
        "scopes_supported": ["openid"],
        "response_types_supported": ["id_token"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "https://purl.imsglobal.org/spec/lti-platform-configuration": {
            "product_family_code": "EmulatedLearn",
            "version": "1.0",
            "messages_supported": [{"type": "LtiResourceLinkRequest"}, {"type": "LtiDeepLinkingRequest"}],
        },
    })


def register() -> Response:
    state = current_state()
    if request.headers.get("Authorization") != f"Bearer {REGISTRATION_TOKEN}":
        raise ServiceError("invalid_token", "the registration token is missing or wrong", 401)
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or TOOL_CONFIGURATION not in body:
        raise ServiceError("invalid_client_metadata", "not an LTI tool configuration")
    for field in ("initiate_login_uri", "jwks_uri", "redirect_uris"):
        if not body.get(field):
            raise ServiceError("invalid_client_metadata", f"{field} is required")
    state.dynamic_registrations.append(body)
    return jsonify({**body, "client_id": DYNAMIC_CLIENT_ID,
                    TOOL_CONFIGURATION: {**body[TOOL_CONFIGURATION], "deployment_id": DYNAMIC_DEPLOYMENT_ID}})
