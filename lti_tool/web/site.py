"""What every page shares: the header naming who is signed in, their role in this course and where they can go,
and the site icon."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from flask import Blueprint, current_app, g, request, session, url_for

from ..content.question_types import question_type
from ..db import DatabaseError, get_session
from ..lti.context import LaunchContext
from ..lti.launches import load_launch
from ..lti.roles import ADMIN, LEARNER, TUTOR
from .auth import SESSION_KEY, signed_in_launch

bp = Blueprint("site", __name__)

ROLE_LABELS = {LEARNER: "Learner", TUTOR: "Tutor", ADMIN: "Tutor"}


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
    """Whether the launch this page is shown under makes the person an administrator of their platform: the
    rule the admin pages apply (institution or system administrator roles, never a course role)."""
    launch = _launch_for_this_page()
    return launch is not None and launch.is_admin


def _launch_for_this_page() -> LaunchContext | None:
    """The launch the page is shown under: the one for the course in the URL, the admin launch on admin pages,
    the deep-linking launch on the picker, else (an error page, a public page) the latest one."""
    let_in = signed_in_launch()
    if let_in is not None:
        return let_in
    launches: dict[str, str] = session.get(SESSION_KEY) or {}
    if not launches:
        return None
    args = request.view_args or {}
    db = get_session()
    if str(args.get("course_id")) in launches:
        return load_launch(db, launches[str(args["course_id"])])
    if "launch_id" in args and args["launch_id"] in launches.values():
        return load_launch(db, args["launch_id"])
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
                role = ROLE_LABELS[launch.role] + (", administrator" if launch.is_admin else "")
                g.page_header = PageHeader(name=launch.person_name, role=role,
                                           course_title=launch.course_title,
                                           links=_links(launch, launch.is_admin),
                                           return_url=launch.return_url)
        except DatabaseError:
            current_app.logger.warning("page header left out: the database did not answer")
            g.page_header = None
    return g.page_header


@bp.app_context_processor
def _header() -> dict:
    return {"page_header": page_header, "can_open_admin_pages": can_open_admin_pages}


# Templates ask a question's type which form field, result and marks to show.
bp.add_app_template_global(question_type)


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
