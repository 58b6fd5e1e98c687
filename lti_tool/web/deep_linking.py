"""Deep linking: an instructor picks modules, and the platform gets a signed response with grade columns.

Also the page where an instructor binds a course link that points at no module yet.
"""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, session, url_for

from ..db import get_session
from ..errors import Conflict, Forbidden
from ..learning import catalogue, editions
from ..lti import deep_linking
from ..lti.context import LaunchContext
from ..lti.launches import load_launch
from ..lti.roles import TUTOR, at_least
from ..numbers import positive_int_or_none
from .auth import SESSION_KEY, SessionExpired, require_course_role
from .lti import tool_url
from .security import allow_form_action

bp = Blueprint("deep_linking", __name__, url_prefix="/lti/deep-link")


def _instructor_launch(launch_id: str) -> LaunchContext:
    """The deep-linking launch, only in the browser that made it and only for instructors and admins."""
    context = load_launch(get_session(), launch_id)
    if context is None or launch_id not in (session.get(SESSION_KEY) or {}).values():
        raise SessionExpired()
    if not at_least(context.role, TUTOR):
        raise Forbidden("Only instructors can add this tool's modules to a course.")
    return context


def _choice_page(context: LaunchContext, dl: deep_linking.DeepLinkRequest, *, error: str = "", status: int = 200):
    db = get_session()
    modules = catalogue.published_modules(db)
    by_module = {m.slug: editions.list_editions(db, context.course_id, m.slug)
                 for m in modules if m.has_editions and context.course_id is not None}
    return render_template("deep_linking/choose.html", title="Add a module", modules=modules, by_module=by_module,
                           launch_id=context.launch_id, accept_multiple=dl.accept_multiple, error=error,
                           chosen=request.form.getlist("module"), form=request.form,
                           local=editions.local_input_value), status


def _edition_for(context: LaunchContext, module: catalogue.CatalogueEntry):
    """The edition chosen (or created now) for a session module."""
    db = get_session()
    value = request.form.get(f"edition-{module.slug}", "")
    if context.course_id is None:
        raise Conflict("Editions belong to a course; add session modules from inside a course.")
    if value == "new":
        prefix = f"new-{module.slug}-"
        return editions.create_edition(
            db, course_id=context.course_id, module_slug=module.slug, name=request.form.get(prefix + "name", ""),
            opens_at=editions.parse_local(request.form.get(prefix + "opens", ""), "opening"),
            due_at=editions.parse_local(request.form.get(prefix + "due", ""), "due"),
            closes_at=editions.parse_local(request.form.get(prefix + "closes", ""), "closing"),
            created_by=f"user:{context.user_id}",
        )
    edition_id = positive_int_or_none(value)
    if edition_id is None:
        raise Conflict(f"Choose an edition of “{module.title}”, or create a new one.")
    return editions.get_edition(db, context.course_id, edition_id)


@bp.get("/<launch_id>")
def choose(launch_id: str):
    context = _instructor_launch(launch_id)
    return _choice_page(context, deep_linking.request_for_launch(get_session(), launch_id))


@bp.post("/<launch_id>")
def respond(launch_id: str):
    context = _instructor_launch(launch_id)
    db = get_session()
    dl = deep_linking.request_for_launch(db, launch_id)
    try:
        choices = []
        for slug in request.form.getlist("module"):
            module = catalogue.find_module(db, slug)
            choices.append(deep_linking.Choice(module, _edition_for(context, module) if module.has_editions else None))
        token = deep_linking.response_jwt(db, dl, choices, tool_url("lti.launch"),
                                          message=f"Added {len(choices)} module(s) from Bridging the Gaps.")
    except Conflict as exc:
        db.rollback()
        return _choice_page(context, dl, error=exc.message, status=400)
    db.commit()
    allow_form_action(dl.return_url)
    return render_template("deep_linking/return.html", title="Returning to Blackboard", action=dl.return_url,
                           jwt=token, count=len(choices))


@bp.route("/course/<int:course_id>/bind", methods=["GET", "POST"])
@require_course_role("tutor")
def bind(launch: LaunchContext, course_id: int):
    """Point the link this instructor launched from at a module (and edition)."""
    db = get_session()
    if launch.resource_link_pk is None:
        raise Conflict("This launch did not come from a course link, so there is nothing to bind.")
    modules = catalogue.published_modules(db)
    error = ""
    if request.method == "POST":
        slug = request.form.get("module", "")
        edition_value = request.form.get(f"edition-{slug}", "")
        try:
            catalogue.bind_resource_link(db, course_id=course_id, resource_link_pk=launch.resource_link_pk,
                                         module_slug=slug,
                                         edition_id=positive_int_or_none(edition_value))
        except Conflict as exc:
            db.rollback()
            error = exc.message
        else:
            db.commit()
            return redirect(url_for("learner.module_home", course_id=course_id, module_slug=slug), code=303)
    by_module = {m.slug: editions.list_editions(db, course_id, m.slug) for m in modules if m.has_editions}
    return render_template("deep_linking/bind.html", title="Choose what this link opens", modules=modules,
                           by_module=by_module, course_id=course_id, error=error), 400 if error else 200
