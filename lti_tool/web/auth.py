"""The one helper that gives views the current launch, and the role checks every route uses.

A browser may hold launches for several courses at once (two tabs, two courses); the session maps each
course to its latest launch id, and the launch itself lives in the shared database.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Blueprint, g, render_template, request, session, url_for

from ..db import get_session
from ..errors import Forbidden, ToolError
from ..lti.context import LaunchContext
from ..lti.launches import end_launches, find_handoff, live_launch_owners, load_launch, redeem_own_handoff
from ..lti.roles import at_least

SESSION_KEY = "launches"
MAX_LAUNCHES = 12
NO_COURSE = "-"
ROLE_ATTRIBUTE = "required_role"  # set on every view these decorators guard; the role-safety test reads it
HANDOFF_PARAMETER = "handoff"  # the one-time token a launch's redirect carries to its first page
HANDOFF_SECONDS = 300


class SessionExpired(ToolError):
    code = "session_expired"
    status = 401
    title = "Please open this from your course again"

    def __init__(self) -> None:
        super().__init__(
            "We could not find your launch from the course. It may have expired, or your browser may be "
            "blocking this tool's cookie inside the course page.",
            advice="Open the link again from your course page in Blackboard (or your learning platform). If it "
                   "keeps happening, open the link in a new window or tab.",
        )


def adopt_launch(context: LaunchContext) -> None:
    """Add a launch to this browser's session. Against session fixation and mix-ups on shared computers, the
    launches of another person do not carry over: they end, on the server too. The caller commits."""
    earlier = list((session.get(SESSION_KEY) or {}).values())
    if earlier:
        owners = live_launch_owners(get_session(), earlier)
        if any(owners.get(launch_id) != context.user_id for launch_id in earlier):
            end_launches(get_session(), [launch_id for launch_id, user_id in owners.items()
                                         if user_id != context.user_id])
            session.clear()
    remember_launch(context)


def remember_launch(context: LaunchContext) -> None:
    launches: dict[str, str] = dict(session.get(SESSION_KEY) or {})
    key = str(context.course_id) if context.course_id is not None else NO_COURSE
    launches.pop(key, None)
    launches[key] = context.launch_id
    while len(launches) > MAX_LAUNCHES:
        launches.pop(next(iter(launches)))
    session[SESSION_KEY] = launches
    session.permanent = False


def current_launch(course_id: int | None = None) -> LaunchContext:
    """The launch for this course (or the latest launch when no course is named)."""
    launches: dict[str, str] = session.get(SESSION_KEY) or {}
    if course_id is not None:
        launch_id = launches.get(str(course_id))
    else:
        launch_id = next(reversed(launches.values()), None) if launches else None
    context = load_launch(get_session(), launch_id) if launch_id else None
    if context is None:
        raise SessionExpired()
    g.current_launch = context
    return context


def admin_launch(*, content: bool = False) -> LaunchContext:
    """Admin pages are not tied to one course: the newest live launch that makes this person an administrator
    (with content rights, for the authoring pages)."""
    launches: dict[str, str] = session.get(SESSION_KEY) or {}
    for launch_id in reversed(list(launches.values())):
        context = load_launch(get_session(), launch_id)
        if context is not None and (context.may_edit_content if content else context.is_admin):
            g.current_launch = context
            return context
    if not launches:
        raise SessionExpired()
    if content:
        raise Forbidden("Editing the shared modules and quizzes needs content rights, which the tool's operator "
                        "grants from the command line.")
    raise Forbidden("These pages are for administrators of the tool: institution or system administrators of "
                    "your platform. A course role is not enough.")


def require_course_role(role: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Route decorator: the route's ``course_id`` must have a live launch with at least ``role``."""

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def wrapped(*args: Any, course_id: int, **kwargs: Any) -> Any:
            context = current_launch(course_id)
            if not at_least(context.role, role):
                raise Forbidden(f"This page is for {role}s of this course.")
            return view(*args, launch=context, course_id=course_id, **kwargs)

        setattr(wrapped, ROLE_ATTRIBUTE, role)
        return wrapped

    return decorate


def require_admin(view: Callable[..., Any]) -> Callable[..., Any]:
    """Route decorator: an administrator of some platform; the view limits what it shows to
    ``launch.administers(platform_id)``."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        return view(*args, launch=admin_launch(), **kwargs)

    setattr(wrapped, ROLE_ATTRIBUTE, "admin")
    return wrapped


def require_content_rights(view: Callable[..., Any]) -> Callable[..., Any]:
    """Route decorator: an administrator granted the right to edit the shared modules and quizzes."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        return view(*args, launch=admin_launch(content=True), **kwargs)

    setattr(wrapped, ROLE_ATTRIBUTE, "admin")
    return wrapped


bp = Blueprint("session", __name__)


@bp.before_app_request
def arrive_from_launch() -> Any:
    """The first page after a launch carries the launch's one-time hand-off token. When the session cookie came
    back with it, the token is used up (one statement, committed at once) and the page is served; when the frame
    dropped the cookie, the page offers the token's new-window link instead. A used or unknown token changes
    nothing: the page decides from the session, as it always does."""
    token = request.args.get(HANDOFF_PARAMETER) if request.method == "GET" else None
    if not token:
        return None
    db = get_session()
    held = list((session.get(SESSION_KEY) or {}).values())
    if redeem_own_handoff(db, token, held):
        # Committed at once: a request must hold no write lock while it may wait on another (the platform
        # origins' refresh lock is held by requests that wait for the database's write lock on SQLite).
        db.commit()
        return None
    context = find_handoff(db, token, HANDOFF_SECONDS)
    if context is None or context.launch_id in held:
        return None
    return render_template("lti/open_in_new_window.html", url=url_for("lti.resume", h=token, window="new")), 200


@bp.app_template_global()
def signed_in_launch() -> LaunchContext | None:
    """The launch this request was let in with, for the page header (who, which course role, ``is_admin`` for the
    link to /admin/), at no extra query; None on pages that need no launch."""
    return g.get("current_launch")


@bp.route("/sign-out", methods=["GET", "POST"])
def sign_out():
    """End this browser's session with the tool (its launches end on the server too); GET asks first."""
    if request.method == "POST":
        end_launches(get_session(), list((session.get(SESSION_KEY) or {}).values()))
        get_session().commit()
        session.clear()
        return render_template("signed_out.html", done=True)
    return render_template("signed_out.html", done=False)
