"""Browser steps: the local launch page, login initiation, OIDC auth, deep link return.

OIDC flow: LTI Core §4 and the Security Framework §5.1.1 (third-party initiated login).
"""

from urllib.parse import parse_qsl

from flask import redirect, render_template, request
from werkzeug.wrappers import Response

from . import constants as c
from .deep_linking import verify_deep_link_response
from .errors import BrowserError
from .keys import sign_id_token
from .web_common import current_state

# What the OIDC authorization request must say (Security Framework §5.1.1.2).
_FIXED_AUTH_PARAMS = {
    "response_type": "id_token",
    "response_mode": "form_post",
    "prompt": "none",
}


def launch_page() -> str:
    """The development "local launch page": launch the tool as anyone, without an LMS."""
    state = current_state()
    return render_template(
        "launch_page.html",
        people=list(state.people.values()),
        roles=[name for name in c.ROLE_PRESETS if name != "student_preview"],
        courses=list(state.courses.values()),
    )


def _custom_params(text: str) -> dict[str, str]:
    custom: dict[str, str] = {}
    for line in text.replace("&", "\n").splitlines():
        name, separator, value = line.partition("=")
        if not line.strip():
            continue
        if not separator or not name.strip():
            raise BrowserError(
                "invalid_request", f"custom parameter {line!r} is not name=value"
            )
        custom[name.strip()] = value.strip()
    return custom


def launch_start() -> Response | str:
    """Prepare a scenario and send the browser to the tool's login URL, as Learn does."""
    params = request.values
    role = params.get("role") or None
    try:
        login_url = current_state().prepare_launch(
            user_id=params.get("user_id", "learner-1"),
            role=None if role == "as_enrolled" else role,
            context_id=params.get("context_id") or "btg-101",
            resource_link_id=params.get("resource_link_id") or None,
            message_type=params.get("message_type", "resource_link"),
            custom=_custom_params(params.get("custom", "")),
            pii="no_pii" not in params,
            lti_storage_target="_parent" if params.get("framed") else params.get("lti_storage_target") or None,
        )
    except ValueError as error:
        raise BrowserError("invalid_request", str(error)) from None
    if params.get("framed"):
        return render_template("course_frame.html", title="Course", login_url=login_url)
    if params.get("initiation") == "form_post":
        action, _, query = login_url.partition("?")
        return render_template(
            "auto_post.html",
            title="Starting the launch",
            action=action,
            fields=parse_qsl(query),
        )
    return redirect(login_url, code=302)


def auth() -> str:
    """The OIDC authorization endpoint: check the tool's request, answer with an id_token."""
    state = current_state()
    params = request.values
    if "openid" not in params.get("scope", "").split():
        raise BrowserError("invalid_scope", "scope must include openid")
    for name, expected in _FIXED_AUTH_PARAMS.items():
        if params.get(name) != expected:
            raise BrowserError(
                "invalid_request",
                f"{name} must be {expected!r}, got {params.get(name)!r}",
            )
    if params.get("client_id") != state.settings.client_id:
        raise BrowserError(
            "unauthorized_client",
            f"client_id {params.get('client_id')!r} is not registered",
        )
    redirect_uri = params.get("redirect_uri", "")
    if redirect_uri not in state.settings.redirect_uris:
        raise BrowserError(
            "invalid_request",
            f"redirect_uri {redirect_uri!r} is not the registered tool redirect URL",
        )
    for name in ("nonce", "state"):
        if not params.get(name):
            raise BrowserError("invalid_request", f"{name} is required")
    hint = params.get("lti_message_hint", "")
    scenario = state.scenario(hint)
    if params.get("login_hint") != scenario.user_id:
        raise BrowserError(
            "invalid_request", "login_hint does not match the one this platform sent"
        )
    claims = state.build_claims(scenario, params["nonce"])
    id_token = sign_id_token(claims, key=state.signing_key)
    state.record_launch(hint, claims)
    return render_template(
        "auto_post.html",
        title="Launching the tool",
        action=redirect_uri,
        fields=[("id_token", id_token), ("state", params["state"])],
    )


def deep_link_return() -> str:
    """Where the tool posts its LtiDeepLinkingResponse; makes the chosen items."""
    state = current_state()
    token = request.form.get("JWT")
    if not token:
        raise BrowserError("invalid_request", "the JWT form field is missing")
    claims = verify_deep_link_response(
        token,
        client_id=state.settings.client_id,
        issuer=state.issuer(),
        deployment_id=state.settings.deployment_id,
        key_for=lambda kid: state.tool_keys.key_for(kid, BrowserError),
    )
    created = state.accept_deep_link(claims)
    return render_template(
        "deep_link_done.html",
        created=created,
        message=claims.get(c.CLAIM_DL_MSG),
        error_message=claims.get(c.CLAIM_DL_ERRORMSG),
    )


def launch_return() -> str:
    """The launch_presentation return_url; shows the message the tool sent back."""
    return render_template(
        "launch_return.html",
        message=request.args.get("lti_msg"),
        error_message=request.args.get("lti_errormsg"),
    )
