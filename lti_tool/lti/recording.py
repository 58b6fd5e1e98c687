"""A validated launch written down: the person, course, resource link and enrolment it names, and the ``Launch``
row the browser session points at. Only the claims the tool uses later are kept (LTI Core §5.4, §6)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import bindparam, insert, select
from sqlalchemy.orm import Session, joinedload
from sqlalchemy.orm.attributes import set_committed_value

from ..models import Course, Deployment, Enrollment, Launch, Platform, ResourceLink, User, utcnow
from ..numbers import positive_int_or_none
from . import claims as c
from .admin_access import admin_claims
from .context import LaunchContext, LaunchSettings
from .roles import decide_role

LAST_SEEN_RESOLUTION = timedelta(hours=1)
# Built once: every launch runs each of these, and building an ORM statement costs more than running it.
# The user comes with their command-line grant, so a launch costs no extra query for it.
_FIND_USER = select(User).options(joinedload(User.admin_grant)).where(User.platform_id == bindparam("b_platform_id"),
                                                                        User.sub == bindparam("b_sub"))
_FIND_COURSE = select(Course).where(Course.deployment_id == bindparam("b_deployment_id"),
                                    Course.context_id == bindparam("b_context_id"))
_FIND_LINK = select(ResourceLink).where(ResourceLink.course_id == bindparam("b_course_id"),
                                        ResourceLink.resource_link_id == bindparam("b_link_id"))
_INSERT_LAUNCH = insert(Launch)
_FIND_ENROLLMENT = select(Enrollment).where(Enrollment.course_id == bindparam("b_course_id"),
                                            Enrollment.user_id == bindparam("b_user_id"))


def _custom(body: dict[str, Any]) -> dict[str, Any]:
    custom = body.get(c.CUSTOM)
    if not isinstance(custom, dict):
        return {}
    # Blackboard sends unresolved substitution variables literally ("$CourseGroup.id"); treat them as absent.
    return {k: v for k, v in custom.items() if not (isinstance(v, str) and v.startswith("$"))}


def _update(row: object, **values: Any) -> None:
    """Set only what differs: a relaunch that changes nothing leaves the row clean, so nothing is flushed."""
    for attr, value in values.items():
        if getattr(row, attr) != value:
            setattr(row, attr, value)


def _upsert_user(session: Session, platform: Platform, body: dict[str, Any]) -> tuple[User, bool]:
    """The launching user, updated from the claims, and whether they are new here."""
    user = session.scalars(_FIND_USER, {"b_platform_id": platform.id, "b_sub": body["sub"]}).first()
    created = user is None
    if user is None:
        user = User(platform_id=platform.id, sub=body["sub"])
        set_committed_value(user, "admin_grant", None)  # someone new has no grant: no query to find that out
        session.add(user)
    _update(user, **{attr: value[:300] for attr in ("name", "given_name", "family_name", "email")
                     if isinstance(value := body.get(attr), str) and value})
    lis = body.get(c.LIS)
    if isinstance(lis, dict) and isinstance(lis.get("person_sourcedid"), str):
        _update(user, person_sourcedid=lis["person_sourcedid"][:255])
    now = utcnow()
    # Retention reads when someone was last seen; to the hour is plenty, so a relaunch within the hour writes nothing.
    if user.last_launch_at is None or now - user.last_launch_at >= LAST_SEEN_RESOLUTION:
        user.last_launch_at = now
    if created:
        session.flush()  # its id, for the rows that follow
    return user, created


def _upsert_course(session: Session, deployment: Deployment, body: dict[str, Any]) -> Course | None:
    context = body.get(c.CONTEXT)
    if not isinstance(context, dict) or not context.get("id"):
        return None
    course = session.scalars(_FIND_COURSE, {"b_deployment_id": deployment.id,
                                            "b_context_id": str(context["id"])}).first()
    created = course is None
    if course is None:
        course = Course(deployment_id=deployment.id, context_id=str(context["id"]))
        session.add(course)
    _update(course, title=str(context.get("title") or course.title or "")[:500],
            label=str(context.get("label") or course.label or "")[:255])
    ags = body.get(c.AGS_ENDPOINT)
    if isinstance(ags, dict):
        # Keep the endpoints from every launch: grades are sent later, outside any request.
        _update(course, lineitems_url=ags.get("lineitems") or course.lineitems_url,
                ags_scopes=[s for s in ags.get("scope", []) if isinstance(s, str)])
    nrps = body.get(c.NRPS_SERVICE)
    if isinstance(nrps, dict) and nrps.get("context_memberships_url"):
        _update(course, memberships_url=nrps["context_memberships_url"])
    if created:
        session.flush()  # its id, for the rows that follow
    return course


def _upsert_resource_link(session: Session, course: Course, body: dict[str, Any],
                          custom: dict[str, Any]) -> ResourceLink | None:
    link = body.get(c.RESOURCE_LINK)
    if not isinstance(link, dict) or not link.get("id"):
        return None
    row = session.scalars(_FIND_LINK, {"b_course_id": course.id, "b_link_id": str(link["id"])}).first()
    created = row is None
    if row is None:
        row = ResourceLink(course_id=course.id, resource_link_id=str(link["id"]))
        session.add(row)
    _update(row, title=str(link.get("title") or row.title or "")[:500], custom=custom)
    if custom.get("module") and not row.module_slug:
        row.module_slug = str(custom["module"])[:64]
    if positive_int_or_none(custom.get("edition")) and not row.edition_id:
        row.edition_id = positive_int_or_none(custom["edition"])
    ags = body.get(c.AGS_ENDPOINT)
    if isinstance(ags, dict):
        # Only these scopes may be asked for when sending this link's grades (a strict platform refuses others).
        _update(row, ags_scopes=[s for s in ags.get("scope", []) if isinstance(s, str)])
        if ags.get("lineitem"):
            _update(row, lineitem_url=ags["lineitem"])
    if created:
        session.flush()  # its id, for the launch row
    return row


def _http_url(url: object) -> str | None:
    """``url`` when it is a plausible http(s) address from the platform, else None."""
    if not isinstance(url, str) or len(url) > 2000:
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    return url if parts.scheme in ("https", "http") and parts.netloc else None


def _return_url(body: dict[str, Any]) -> str | None:
    """The platform's launch_presentation return_url (LTI Core §6.1.2), when it is an http(s) address."""
    presentation = body.get(c.LAUNCH_PRESENTATION)
    return _http_url(presentation.get("return_url") if isinstance(presentation, dict) else None)


def _remember_frame_origin(platform: Platform, body: dict[str, Any]) -> None:
    """The site that frames the tool (a Learn site behind Blackboard's shared issuer) and receives its
    deep-linking answers may frame it again and receive forms: the Content-Security-Policy lists it."""
    presentation = body.get(c.LAUNCH_PRESENTATION)
    settings = body.get(c.DEEP_LINKING_SETTINGS)
    urls = (presentation.get("return_url") if isinstance(presentation, dict) else None,
            settings.get("deep_link_return_url") if isinstance(settings, dict) else None)
    for url in map(_http_url, urls):
        if url is None:
            continue
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        if origin not in (platform.frame_origins or []):
            platform.frame_origins = [*(platform.frame_origins or []), origin][-50:]


def record_launch(session: Session, platform: Platform, deployment: Deployment, body: dict[str, Any],
                  launch_id: str, settings: LaunchSettings, handoff_token: str | None = None) -> LaunchContext:
    decision = decide_role(body.get(c.ROLES) or [])
    _remember_frame_origin(platform, body)
    custom = _custom(body)
    user, new_user = _upsert_user(session, platform, body)
    course = _upsert_course(session, deployment, body)
    link = _upsert_resource_link(session, course, body, custom) if course else None
    if course is not None:
        enrollment = None if new_user else session.scalars(
            _FIND_ENROLLMENT, {"b_course_id": course.id, "b_user_id": user.id}).first()
        if enrollment is None:
            enrollment = Enrollment(course_id=course.id, user_id=user.id, role=decision.role)
            session.add(enrollment)
        _update(enrollment, role=decision.role, lti_roles=list(body.get(c.ROLES) or []), status="active")
        now = utcnow()
        if enrollment.last_launch_at is None or now - enrollment.last_launch_at >= LAST_SEEN_RESOLUTION:
            enrollment.last_launch_at = now  # read by retention, like the person's: to the hour
    kept = {k: body[k] for k in (c.MESSAGE_TYPE, c.DEEP_LINKING_SETTINGS, c.LAUNCH_PRESENTATION, c.DEPLOYMENT_ID)
            if k in body}
    claims = {**kept, "custom": custom, **admin_claims(decision.is_platform_admin, user.admin_grant)}
    # Written once and read back only as plain columns (launches.load_launch): no ORM object for it.
    session.connection().execute(_INSERT_LAUNCH, {
        "id": launch_id, "user_id": user.id, "course_id": course.id if course else None,
        "resource_link_pk": link.id if link else None, "role": decision.role, "message_type": body[c.MESSAGE_TYPE],
        "claims": claims, "expires_at": utcnow() + timedelta(seconds=settings.launch_seconds),
        "handoff_token": handoff_token})
    return launch_context(
        launch_id=launch_id, platform_id=platform.id, user_id=user.id, course_id=course.id if course else None,
        resource_link_pk=link.id if link else None, role=decision.role, message_type=body[c.MESSAGE_TYPE],
        claims=claims,
        link_module_slug=link.module_slug if link else None, link_edition_id=link.edition_id if link else None,
        person_name=user.display_name,
        course_title=course_title(course.title, course.label, course.context_id) if course else "")


def launch_context(*, launch_id: str, platform_id: int, user_id: int, course_id: int | None,
                   resource_link_pk: int | None, role: str, message_type: str, claims: dict[str, Any],
                   link_module_slug: str | None, link_edition_id: int | None, person_name: str,
                   course_title: str) -> LaunchContext:
    """What a recorded launch lets the browser do; the link's module and edition win over the launch's custom
    parameters, which stand in when the link names none."""
    custom = dict(claims.get("custom") or {})
    grant = claims.get("grant") or {}
    module_slug = link_module_slug or (str(custom["module"]) if custom.get("module") else None)
    edition_id = link_edition_id if link_edition_id is not None else positive_int_or_none(custom.get("edition"))
    return LaunchContext(
        launch_id=launch_id, platform_id=platform_id, user_id=user_id, course_id=course_id,
        resource_link_pk=resource_link_pk, role=role, message_type=message_type, module_slug=module_slug,
        edition_id=edition_id, custom=custom, return_url=_return_url(claims),
        is_platform_admin=bool(claims.get("platform_admin")),
        administers_all_platforms=bool(grant.get("all_platforms")), may_edit_content=bool(grant.get("content")),
        person_name=person_name, course_title=course_title,
    )


def course_title(title: str | None, label: str | None, context_id: str) -> str:
    return title or label or context_id
