"""Arranging people and launches without a platform: the rows a validated launch would have written."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.orm import Session

from lti_tool.models import Course, Deployment, Enrollment, Launch, Platform, ResourceLink, User, utcnow
from lti_tool.vocabulary import SCOPE_LINEITEM, SCOPE_SCORE


@dataclass(frozen=True)
class Arranged:
    launch_id: str
    course_id: int
    user_id: int
    resource_link_pk: int | None


def make_course(session: Session, context_id: str = "course-1", *, platform: Platform | None = None) -> Course:
    if platform is None:
        platform = Platform(name="Blackboard", issuer=f"https://bb.example/{secrets.token_hex(4)}",
                            client_id="client-1", auth_login_url="https://bb.example/auth",
                            auth_token_url="https://bb.example/token", keyset_url="https://bb.example/jwks")
        session.add(platform)
        session.flush()
    deployment = Deployment(platform_id=platform.id, deployment_id=f"dep-{context_id}", is_active=True)
    session.add(deployment)
    session.flush()
    course = Course(deployment_id=deployment.id, context_id=context_id, title=f"Course {context_id}",
                    lineitems_url=f"https://bb.example/{context_id}/lineitems",
                    ags_scopes=[SCOPE_LINEITEM, SCOPE_SCORE])
    session.add(course)
    session.flush()
    return course


def make_launch(session: Session, course: Course, *, role: str = "learner", module_slug: str | None = None,
                edition_id: int | None = None, sub: str | None = None) -> Arranged:
    """A live launch of a (new) user into ``course``; the resource link is bound to ``module_slug``."""
    user = User(platform_id=course.deployment.platform_id, sub=sub or secrets.token_hex(8), name="Dr Ada Obi")
    session.add(user)
    session.flush()
    session.add(Enrollment(course_id=course.id, user_id=user.id, role=role))
    link = None
    if module_slug:
        link = ResourceLink(course_id=course.id, resource_link_id=f"link-{module_slug}-{secrets.token_hex(3)}",
                            title=module_slug, module_slug=module_slug, edition_id=edition_id,
                            lineitem_url=f"https://bb.example/lineitems/{module_slug}")
        session.add(link)
        session.flush()
    launch = Launch(id=secrets.token_hex(16), user_id=user.id, course_id=course.id,
                    resource_link_pk=link.id if link else None, role=role,
                    message_type="LtiResourceLinkRequest", claims={}, expires_at=utcnow() + timedelta(hours=8))
    session.add(launch)
    session.commit()
    return Arranged(launch.id, course.id, user.id, link.id if link else None)


def sign_in(client, arranged: Arranged) -> None:
    """Put the launch in the browser session, as /lti/launch does."""
    with client.session_transaction() as flask_session:
        launches = dict(flask_session.get("launches") or {})
        launches[str(arranged.course_id)] = arranged.launch_id
        flask_session["launches"] = launches
