"""What every page shares: the header naming who is signed in, their role in this course and where they can go,
and the site icon."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from flask import Blueprint, current_app, g, request, session, url_for
from sqlalchemy.exc import SQLAlchemyError

from ..db import get_session
from ..errors import ToolError
from ..lti.identity import signed_in
from ..lti.launch import LaunchContext, load_launch
from ..lti.roles import ADMIN, LEARNER, TUTOR
from .auth import SESSION_KEY, any_launch_with_role

bp = Blueprint("site", __name__)

ROLE_LABELS = {LEARNER: "Learner", TUTOR: "Tutor", ADMIN: "Administrator"}


@dataclass(frozen=True)
class NavLink:
    label: str
    url: str
    current: bool


@dataclass(frozen=True)
class PageHeader:
    name: str
    role: str
    course_title: str
    links: list[NavLink]
    return_url: str | None


def can_open_admin_pages() -> bool:
    """Whether this browser may open the admin pages: the same rule the admin pages themselves apply."""
    try:
        any_launch_with_role(ADMIN)
    except ToolError:
        return False
    return True


def _launch_for_this_page() -> LaunchContext | None:
    """The launch the page is shown under: the one for the course in the URL, the admin launch on admin pages,
    the deep-linking launch on the picker, else (an error page, a public page) the latest one."""
    launches: dict[str, str] = session.get(SESSION_KEY) or {}
    if not launches:
        return None
    args = request.view_args or {}
    db = get_session()
    if str(args.get("course_id")) in launches:
        return load_launch(db, launches[str(args["course_id"])])
    if "launch_id" in args and args["launch_id"] in launches.values():
        return load_launch(db, args["launch_id"])
    if (request.blueprint or "").startswith("admin"):
        try:
            return any_launch_with_role(ADMIN)
        except ToolError:
            return None
    return load_launch(db, next(reversed(launches.values())))


def _links(launch: LaunchContext, admin: bool) -> list[NavLink]:
    endpoint = request.endpoint or ""
    links = []
    if launch.course_id is not None and not launch.is_deep_linking:
        if launch.role == LEARNER:
            links.append(NavLink("Your modules", url_for("learner.course_home", course_id=launch.course_id),
                                 endpoint.startswith("learner.")))
        else:
            links.append(NavLink("Course progress", url_for("tutor.course_view", course_id=launch.course_id),
                                 endpoint.startswith("tutor.")))
            links.append(NavLink("Editions", url_for("editions.index", course_id=launch.course_id),
                                 endpoint.startswith("editions.")))
    if admin:
        links.append(NavLink("Administration", url_for("admin.home"), endpoint.startswith("admin")))
    return links


def page_header() -> PageHeader | None:
    """The header of the page being rendered, or None when nobody is signed in (or the database is away)."""
    if "page_header" not in g:
        try:
            launch = _launch_for_this_page()
            if launch is None:
                g.page_header = None
            else:
                who = signed_in(get_session(), launch)
                g.page_header = PageHeader(name=who.name, role=ROLE_LABELS[launch.role],
                                           course_title=who.course_title,
                                           links=_links(launch, can_open_admin_pages()),
                                           return_url=launch.return_url)
        except SQLAlchemyError:
            current_app.logger.warning("page header left out: the database did not answer")
            g.page_header = None
    return g.page_header


@bp.app_context_processor
def _header() -> dict:
    return {"page_header": page_header, "can_open_admin_pages": can_open_admin_pages}


@bp.app_template_filter("as_number")
def as_number(value: float | int | None) -> str:
    """A number as a person writes it: 7 not 7.0, 0.5 stays 0.5, at most two decimals."""
    if value is None:
        return "–"
    rounded = round(float(value), 2)
    return str(int(rounded)) if rounded.is_integer() else f"{rounded:.2f}".rstrip("0")


@bp.get("/favicon.ico")
def favicon():
    """Browsers ask for /favicon.ico on every page whatever the markup says; answer with the tool's logo."""
    response = current_app.response_class(_logo(current_app.static_folder or ""), mimetype="image/svg+xml")
    response.cache_control.max_age = 86400
    response.cache_control.public = True
    return response


@cache
def _logo(static_folder: str) -> bytes:
    return (Path(static_folder) / "logo.svg").read_bytes()
