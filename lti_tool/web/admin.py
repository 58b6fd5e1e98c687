"""Admin pages: what to paste into each platform, platform and deployment registration, and the audit log."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for

from ..audit import actor_label, entries, record
from ..db import get_session
from ..errors import Forbidden, NotFound, ToolError
from ..lti import registration
from .auth import require_admin
from .lti import tool_url

bp = Blueprint("admin", __name__, url_prefix="/admin")

AUDIT_PAGE_SIZE = 50


@bp.get("/")
@require_admin
def home(launch):
    return render_template("admin/home.html", launch=launch)


@bp.get("/audit")
@require_admin
def audit_log(launch):
    """Every admin action, newest first."""
    listing = entries(get_session(), request.args.get("page", 1, type=int) or 1, AUDIT_PAGE_SIZE,
                      everything=launch.administers_all_platforms, platform_id=launch.platform_id,
                      content=launch.may_edit_content)
    return render_template("admin/audit.html", listing=listing)


@bp.get("/setup")
@require_admin
def setup(launch):
    """Exactly what to paste into Blackboard's developer portal, Moodle and Canvas."""
    urls = {
        "login": tool_url("lti.login"),
        "launch": tool_url("lti.launch"),
        "jwks": tool_url("lti.jwks"),
        "registration": tool_url("lti.dynamic_registration"),
    }
    return render_template("admin/setup.html", urls=urls, domain=urlsplit(urls["launch"]).netloc)


@bp.get("/platforms")
@require_admin
def platforms(launch):
    shown = [p for p in registration.list_platforms(get_session()) if launch.administers(p.id)]
    return render_template("admin/platforms.html", platforms=shown, presets=registration.PRESETS,
                           may_add=launch.administers_all_platforms)


def _actor(launch) -> str:
    return actor_label(get_session(), launch.user_id)


def _in_scope(launch, platform_id: int) -> None:
    """An administrator of one platform never sees another: to them it does not exist."""
    if not launch.administers(platform_id):
        raise NotFound(f"No platform with id {platform_id}.")


def _all_platforms(launch) -> None:
    if not launch.administers_all_platforms:
        raise Forbidden("Adding and removing platforms is for administrators of every platform, granted from the "
                        "command line (`flask --app lti_tool admin grant`).")


@bp.post("/platforms")
@require_admin
def add_platform(launch):
    _all_platforms(launch)
    form = request.form
    session = get_session()
    deployments = tuple(d.strip() for d in form.get("deployment_ids", "").split(",") if d.strip())
    production = current_app.config["ENV"] == "production"
    try:
        if form.get("preset"):
            platform = registration.add_from_preset(session, form["preset"], form.get("client_id", "").strip(),
                                                    deployments, form.get("name", ""), production=production)
        else:
            platform = registration.add_platform(
                session, issuer=form.get("issuer", "").strip(), client_id=form.get("client_id", "").strip(),
                auth_login_url=form.get("auth_login_url", "").strip(),
                auth_token_url=form.get("auth_token_url", "").strip(),
                keyset_url=form.get("keyset_url", "").strip(), name=form.get("name", "").strip(),
                deployment_ids=deployments, production=production)
    except ToolError as exc:
        session.rollback()
        flash(exc.message, "error")
        return redirect(url_for("admin.platforms"))
    record(session, _actor(launch), "platform.add", f"platform:{platform.id}",
           {"issuer": platform.issuer, "client_id": platform.client_id})
    session.commit()
    flash(f"Registered {platform.name}.", "success")
    return redirect(url_for("admin.platforms"))


@bp.post("/platforms/registration-link")
@require_admin
def registration_link(launch):
    """A one-time Dynamic Registration URL (valid for an hour, used once), shown only now."""
    from ..lti import dynamic_registration  # here, not at the top: it loads pylti1p3, which only registration needs

    _all_platforms(launch)
    session = get_session()
    token = dynamic_registration.issue_invite(session, f"user:{launch.user_id}")
    record(session, _actor(launch), "registration.invite", "registration", {"valid_minutes": 60})
    session.commit()
    return render_template("admin/registration_link.html", url=tool_url("lti.dynamic_registration", invite=token))


@bp.post("/platforms/<int:platform_id>/deployments")
@require_admin
def add_deployment(launch, platform_id: int):
    _in_scope(launch, platform_id)
    deployment_id = request.form.get("deployment_id", "").strip()
    if not deployment_id:
        flash("Enter a deployment ID.", "error")
        return redirect(url_for("admin.platforms"))
    session = get_session()
    registration.add_deployment(session, platform_id, deployment_id)
    record(session, _actor(launch), "deployment.add", f"platform:{platform_id}", {"deployment_id": deployment_id})
    session.commit()
    flash(f"Deployment {deployment_id} is active.", "success")
    return redirect(url_for("admin.platforms"))


@bp.post("/platforms/<int:platform_id>/deployments/<path:deployment_id>/state")
@require_admin
def set_deployment_state(launch, platform_id: int, deployment_id: str):
    _in_scope(launch, platform_id)
    active = request.form.get("active") == "1"
    session = get_session()
    registration.set_deployment_active(session, platform_id, deployment_id, active)
    record(session, _actor(launch), "deployment.activate" if active else "deployment.deactivate",
           f"platform:{platform_id}", {"deployment_id": deployment_id})
    session.commit()
    flash(f"Deployment {deployment_id} is {'active' if active else 'inactive'}.", "success")
    return redirect(url_for("admin.platforms"))


@bp.post("/platforms/<int:platform_id>/remove")
@require_admin
def remove_platform(launch, platform_id: int):
    _all_platforms(launch)
    if request.form.get("confirm") != "yes":
        flash("Tick the box to confirm removing the platform and everything recorded under it.", "error")
        return redirect(url_for("admin.platforms"))
    session = get_session()
    registration.remove_platform(session, platform_id)
    record(session, _actor(launch), "platform.remove", f"platform:{platform_id}", {})
    session.commit()
    flash("Platform removed.", "success")
    return redirect(url_for("admin.platforms"))
