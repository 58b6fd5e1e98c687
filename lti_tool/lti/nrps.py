"""The course roster from Names and Role Provisioning Services, so tutors see who has not launched yet.

NRPS 2.0 (https://www.imsglobal.org/spec/lti-nrps/v2p0/): the membership container is paged with
``Link: <…>; rel="next"`` (§2.4.1). Every member becomes a ``User`` and an ``Enrollment`` with source ``nrps``
(also people first seen at a launch); people the platform no longer lists become inactive. Blackboard's Student
Preview user is kept but flagged (``is_test_user``) so dashboards can leave it out. The roster is reused for
ROSTER_CACHE_SECONDS; a platform without NRPS, or one that fails, leaves a plain message in
``Course.roster_error`` for the tutor view.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import requests
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..errors import NotFound
from ..models import Course, Deployment, Enrollment, Platform, User, utcnow
from ..settings import DEFAULTS
from ..vocabulary import SCOPE_NRPS
from . import claims as c
from .roles import decide_role
from .service_token import ServiceClient, ServiceError

NRPS_SCOPES = (SCOPE_NRPS,)
MAX_PAGES = 200
IN_CHUNK = 500


@dataclass(frozen=True)
class RosterMember:
    user_id: int
    sub: str
    name: str
    email: str
    role: str
    status: str
    source: str
    is_test_user: bool
    last_launch_at: Any


def fetch_members(client: ServiceClient, memberships_url: str, page_size: int) -> list[dict[str, Any]]:
    """Every member, across all pages."""
    members: list[dict[str, Any]] = []
    url: str | None = memberships_url
    params: dict[str, Any] | None = {"limit": page_size}
    for _ in range(MAX_PAGES):
        if url is None:
            return members
        response = client.request("GET", url, NRPS_SCOPES, what="roster",
                                  params=params, headers={"Accept": c.MEDIA_MEMBERSHIP_CONTAINER})
        body = response.json()
        page = body.get("members") if isinstance(body, dict) else None
        members.extend(m for m in page or [] if isinstance(m, dict) and isinstance(m.get("user_id"), str))
        url, params = response.links.get("next", {}).get("url"), None
    raise ServiceError(f"roster: more than {MAX_PAGES} pages; stopped following the platform's links",
                       retryable=False)


def _users_by_sub(session: Session, platform_id: int, subs: list[str]) -> dict[str, User]:
    found: dict[str, User] = {}
    for start in range(0, len(subs), IN_CHUNK):
        chunk = subs[start:start + IN_CHUNK]
        found.update({u.sub: u for u in session.scalars(select(User).where(User.platform_id == platform_id,
                                                                           User.sub.in_(chunk)))})
    return found


def store_members(session: Session, course: Course, platform_id: int, members: list[dict[str, Any]]) -> None:
    """Upsert users and enrolments for the listed members; mark everyone else in the course inactive."""
    users = _users_by_sub(session, platform_id, [m["user_id"] for m in members])
    enrollments = {e.user_id: e for e in session.scalars(select(Enrollment).where(Enrollment.course_id == course.id))}
    listed: set[int] = set()
    for member in members:
        user = users.get(member["user_id"])
        if user is None:
            user = User(platform_id=platform_id, sub=member["user_id"])
            session.add(user)
            users[user.sub] = user
        for attr, key in (("name", "name"), ("given_name", "given_name"), ("family_name", "family_name"),
                          ("email", "email"), ("person_sourcedid", "lis_person_sourcedid")):
            value = member.get(key)
            if isinstance(value, str) and value:
                setattr(user, attr, value[:300])
        session.flush()
        roles = [r for r in member.get("roles") or [] if isinstance(r, str)]
        enrollment = enrollments.get(user.id)
        if enrollment is None:
            enrollment = Enrollment(course_id=course.id, user_id=user.id, source="nrps")
            session.add(enrollment)
            enrollments[user.id] = enrollment
        enrollment.role = decide_role(roles).role
        enrollment.lti_roles = roles
        enrollment.source = "nrps"  # listed by the platform: the roster is the authority from now on
        # NRPS §2.3: Active, Inactive or Deleted; absent means Active.
        enrollment.status = "active" if str(member.get("status") or "Active").lower() == "active" else "inactive"
        listed.add(user.id)
    for user_id, enrollment in enrollments.items():
        if user_id not in listed:
            enrollment.status = "inactive"


def _platform(session: Session, course: Course) -> Platform:
    return session.scalars(select(Platform).join(Deployment, Deployment.platform_id == Platform.id)
                           .where(Deployment.id == course.deployment_id)).one()


def members_of(session: Session, course_id: int) -> list[RosterMember]:
    rows = session.execute(select(Enrollment, User).join(User, User.id == Enrollment.user_id)
                           .where(Enrollment.course_id == course_id)).all()
    members = [
        RosterMember(user_id=user.id, sub=user.sub, name=user.display_name, email=user.email, role=e.role,
                     status=e.status, source=e.source, is_test_user=e.is_test_user,
                     last_launch_at=e.last_launch_at)
        for e, user in rows
    ]
    return sorted(members, key=lambda m: (m.name.lower(), m.sub))


def refresh_roster(session: Session, course: Course, *, http: requests.Session, timeout: float,
                   page_size: int) -> None:
    """Fetch and store the roster now; on failure keep the old one and record why."""
    course.roster_synced_at = utcnow()
    if not course.memberships_url:
        course.roster_error = ("Blackboard did not offer this course's roster (Names and Roles) to the tool, so "
                               "only people who have opened the tool are listed. Ask the Blackboard administrator "
                               "to allow memberships for the tool's deployment.")
        session.commit()  # the roster is a cache of the platform's: kept whatever the page that asked does
        return
    platform = _platform(session, course)
    try:
        members = fetch_members(ServiceClient(session, platform, http=http, timeout=timeout),
                                course.memberships_url, page_size)
    except ServiceError as exc:
        session.rollback()
        course.roster_synced_at = utcnow()
        course.roster_error = f"The roster could not be fetched from Blackboard: {exc.message}"[:1000]
        session.commit()  # why the roster is old is kept with it, like the roster itself
        return
    store_members(session, course, platform.id, members)
    course.roster_error = None
    session.commit()  # a cache of the platform's roster, fetched outside the request's own unit of work


def refresh_if_stale(session: Session, course_id: int, *, refresh: bool = False,
                     cache_seconds: float = DEFAULTS["ROSTER_CACHE_SECONDS"],
                     timeout: float = DEFAULTS["HTTP_TIMEOUT_SECONDS"], page_size: int = 100,
                     http: requests.Session | None = None) -> None:
    """Fetch the roster from the platform when older than ``cache_seconds`` or asked to; list nobody (the tutor
    view reads only the page of people it shows)."""
    course = session.get(Course, course_id)
    if course is None:
        raise NotFound(f"There is no course number {course_id}.")
    stale = course.roster_synced_at is None or course.roster_synced_at < utcnow() - timedelta(seconds=cache_seconds)
    if refresh or stale:
        if http is None:
            with requests.Session() as own:
                refresh_roster(session, course, http=own, timeout=timeout, page_size=page_size)
        else:
            refresh_roster(session, course, http=http, timeout=timeout, page_size=page_size)


def roster(session: Session, course_id: int, *, refresh: bool = False,
           cache_seconds: float = DEFAULTS["ROSTER_CACHE_SECONDS"], timeout: float = DEFAULTS["HTTP_TIMEOUT_SECONDS"],
           page_size: int = 100, http: requests.Session | None = None) -> list[RosterMember]:
    """The course's members (refreshed from the platform when older than ``cache_seconds`` or asked to)."""
    refresh_if_stale(session, course_id, refresh=refresh, cache_seconds=cache_seconds, timeout=timeout,
                     page_size=page_size, http=http)
    return members_of(session, course_id)
