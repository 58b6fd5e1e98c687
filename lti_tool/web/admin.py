"""Admin pages: platform registration, what to paste into Blackboard, content and audit."""

from __future__ import annotations

from flask import Blueprint, render_template

from .auth import require_admin

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.get("/")
@require_admin
def home(launch):
    return render_template("placeholder.html", title="Administration",
                           message="Platform registration and content authoring live here.")
