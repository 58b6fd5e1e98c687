"""LTI endpoints: OIDC login, the single launch URL, the tool's JWKS, and the cookie hand-off.

Exempt from CSRF tokens: the platform posts here cross-site; state, nonce and signature protect them.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, make_response, redirect, render_template, request, session, url_for
from werkzeug.wrappers import Response

from ..db import get_session
from ..learning.catalogue import needs_binding
from ..lti import keys
from ..lti.context import LaunchContext, LaunchSettings
from ..lti.launch import validate_launch
from ..lti.launches import find_handoff, issue_handoff, redeem_handoff
from ..lti.login import AuthRedirect, start_login
from ..lti.roles import TUTOR, at_least
from ..lti.validation import NeedsPlatformStorage
from .auth import HANDOFF_PARAMETER, HANDOFF_SECONDS, adopt_launch

bp = Blueprint("lti", __name__, url_prefix="/lti")


def tool_url(endpoint: str, **values) -> str:
    """Absolute URL, from the configured public base URL when there is one."""
    base = current_app.config.get("BASE_URL")
    if base:
        return base.rstrip("/") + url_for(endpoint, **values)
    return url_for(endpoint, _external=True, **values)


def _settings() -> LaunchSettings:
    return LaunchSettings.from_config(current_app.config, secure=request.is_secure)


@bp.route("/login", methods=["GET", "POST"])
def login():
    params = (request.form if request.method == "POST" else request.args).to_dict()
    step = start_login(get_session(), params, launch_url=tool_url("lti.launch"), settings=_settings())
    if not isinstance(step, AuthRedirect):
        return render_template("lti/cookie_check.html", params=step.params)
    response: Response  # a page (Flask's Response) or a redirect (Werkzeug's, which Flask's extends)
    if step.storage_target:
        response = make_response(render_template("lti/platform_storage_login.html", next_url=step.url,
                                                 storage_target=step.storage_target, state=step.state,
                                                 nonce=step.nonce))
    else:
        response = redirect(step.url)
    _set_state_cookie(response, step)
    return response


def _set_state_cookie(response: Response, step: AuthRedirect) -> None:
    """The cookie that binds the state to this browser; inside a cross-site frame only a partitioned
    ``SameSite=None`` cookie comes back."""
    secure = request.is_secure
    response.set_cookie(step.cookie_name, step.state, max_age=step.cookie_seconds, secure=secure, path="/",
                        httponly=True, samesite="None" if secure else None, partitioned=secure)


@bp.post("/launch")
def launch():
    db = get_session()
    # The platform-storage page re-posts from this tool's own origin; a cross-site form cannot fake that Origin.
    storage_checked = (request.form.get("lti_storage_checked") == "1"
                       and request.headers.get("Origin") == request.host_url.rstrip("/"))
    handoff = issue_handoff()
    try:
        context = validate_launch(db, request.form.to_dict(), request.cookies, _settings(),
                                  storage_checked=storage_checked, handoff_token=handoff)
    except NeedsPlatformStorage as needed:
        return render_template("lti/platform_storage_launch.html", storage_target=needed.storage_target,
                               state=request.form.get("state", ""), id_token=request.form.get("id_token", ""))
    adopt_launch(context)
    target = destination(context, **{HANDOFF_PARAMETER: handoff})
    db.commit()
    return redirect(target, code=303)


@bp.get("/resume")
def resume():
    """The new-window link a first page offers when the frame dropped the session cookie (see
    :func:`.auth.arrive_from_launch`); it also still lands a browser that holds the launch."""
    token = request.args.get("h", "")
    db = get_session()
    context = find_handoff(db, token, HANDOFF_SECONDS)
    if context is None:
        return render_template("lti/resume_failed.html"), 400
    known = context.launch_id in (session.get("launches") or {}).values()
    if not known:
        if request.args.get("window") != "new":
            return render_template("lti/open_in_new_window.html",
                                   url=url_for("lti.resume", h=token, window="new")), 200
        adopt_launch(context)
    redeem_handoff(db, context.launch_id)
    db.commit()
    return redirect(destination(context), code=303)


def destination(context: LaunchContext, **query: Any) -> str:
    """Where a launch takes a person, by message type and role; ``query`` is added to the address."""
    if context.is_deep_linking:
        return url_for("deep_linking.choose", launch_id=context.launch_id, **query)
    if context.course_id is None:
        return url_for("admin.home" if context.is_admin else "learner.no_course", **query)
    if at_least(context.role, TUTOR):
        if not context.module_slug and needs_binding(get_session(), context.resource_link_pk):
            return url_for("deep_linking.bind", course_id=context.course_id, **query)
        if context.module_slug:
            return url_for("tutor.course_view", course_id=context.course_id, module=context.module_slug, **query)
        return url_for("tutor.course_view", course_id=context.course_id, **query)
    if context.module_slug:
        return url_for("learner.module_home", course_id=context.course_id, module_slug=context.module_slug,
                       **query)
    return url_for("learner.course_home", course_id=context.course_id, **query)


@bp.get("/register")
def dynamic_registration():
    """LTI Dynamic Registration: the platform opens the one-time link an admin issued (``invite``), adding
    `openid_configuration` and its own token."""
    from urllib.parse import urlsplit

    from ..lti.dynamic_registration import ToolUrls, register

    launch_url = tool_url("lti.launch")
    urls = ToolUrls(login=tool_url("lti.login"), launch=launch_url, jwks=tool_url("lti.jwks"),
                    logo=tool_url("static", filename="logo.svg"), domain=urlsplit(launch_url).netloc)
    platform = register(get_session(), urls, request.args.get("invite", ""),
                        request.args.get("openid_configuration", ""), request.args.get("registration_token"),
                        timeout=float(current_app.config["HTTP_TIMEOUT_SECONDS"]),
                        production=current_app.config["ENV"] == "production")
    return render_template("lti/registered.html", platform=platform)


@bp.get("/jwks.json")
def jwks():
    response = current_app.response_class(
        current_app.json.dumps(keys.published_jwks(get_session())), mimetype="application/json"
    )
    response.cache_control.max_age = 300
    response.cache_control.public = True
    return response


__all__ = ["bp", "destination", "tool_url"]
