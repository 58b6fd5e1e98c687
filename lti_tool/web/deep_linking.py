"""Deep linking: an instructor picks modules, and the platform gets a signed response with grade columns."""

from __future__ import annotations

from flask import Blueprint, render_template

from .auth import current_launch

bp = Blueprint("deep_linking", __name__, url_prefix="/lti/deep-link")


@bp.get("/<launch_id>")
def choose(launch_id: str):
    current_launch()
    return render_template("placeholder.html", title="Add a module",
                           message="Choosing modules to add to the course arrives with the grade-book features.")
