"""Who launched from where: users, courses, their enrolments, resource links and launches."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ColumnElement, ForeignKey, String, UniqueConstraint, and_, cast, or_
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..vocabulary import TEST_USER_ROLES, is_test_user
from .admin import AdminGrant
from .base import Base, utcnow
from .lti import Deployment, Platform


class User(Base):
    """A person as a platform knows them (keyed by the platform's `sub`)."""

    __tablename__ = "user_account"
    __table_args__ = (UniqueConstraint("platform_id", "sub"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform_id: Mapped[int] = mapped_column(ForeignKey("platform.id", ondelete="CASCADE"))
    sub: Mapped[str] = mapped_column(String(255))
    name: Mapped[str] = mapped_column(String(300), default="")
    given_name: Mapped[str] = mapped_column(String(200), default="")
    family_name: Mapped[str] = mapped_column(String(200), default="")
    email: Mapped[str] = mapped_column(String(300), default="")
    person_sourcedid: Mapped[str] = mapped_column(String(255), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_launch_at: Mapped[datetime | None]

    platform: Mapped[Platform] = relationship()
    admin_grant: Mapped[AdminGrant | None] = relationship(viewonly=True)

    @property
    def display_name(self) -> str:
        return display_name(self.name, self.given_name, self.family_name, self.person_sourcedid, self.sub)


def display_name(name: str, given_name: str, family_name: str, person_sourcedid: str, sub: str) -> str:
    """A person's name as pages show it, from whichever of the platform's fields it sent."""
    full = name or " ".join(p for p in (given_name, family_name) if p)
    return full or person_sourcedid or f"User {sub[:8]}"


class Course(Base):
    """A platform context (a Blackboard course) and the service endpoints it offered."""

    __tablename__ = "course"
    __table_args__ = (UniqueConstraint("deployment_id", "context_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    deployment_id: Mapped[int] = mapped_column(ForeignKey("deployment.id", ondelete="CASCADE"))
    context_id: Mapped[str] = mapped_column(String(255))
    title: Mapped[str] = mapped_column(String(500), default="")
    label: Mapped[str] = mapped_column(String(255), default="")
    lineitems_url: Mapped[str | None] = mapped_column(String(1000))
    ags_scopes: Mapped[list[str]] = mapped_column(JSON, default=list)
    memberships_url: Mapped[str | None] = mapped_column(String(1000))
    roster_synced_at: Mapped[datetime | None]
    roster_error: Mapped[str | None] = mapped_column(String(1000))

    deployment: Mapped[Deployment] = relationship()


class Enrollment(Base):
    """A user's role in a course, from a launch or from the NRPS roster."""

    __tablename__ = "enrollment"
    __table_args__ = (UniqueConstraint("course_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(20))
    lti_roles: Mapped[list[str]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(20), default="active")
    source: Mapped[str] = mapped_column(String(20), default="launch")
    last_launch_at: Mapped[datetime | None]

    course: Mapped[Course] = relationship()
    user: Mapped[User] = relationship()

    @hybrid_property
    def is_test_user(self) -> bool:
        """Blackboard's Student Preview user, from the roles this enrolment keeps (the latest launch's or roster
        sync's): the one place the tool asks, so grades, rosters and the tutor's views agree."""
        return is_test_user(self.lti_roles or [])

    @is_test_user.inplace.expression
    @classmethod
    def _is_test_user_expression(cls) -> ColumnElement[bool]:
        # The roles are a JSON list: matched as text, a role with its quotes, so a roster of thousands is not decoded.
        roles_text = cast(cls.lti_roles, String)
        return and_(cls.lti_roles.is_not(None),
                    or_(*(roles_text.contains(json.dumps(role), autoescape=True) for role in sorted(TEST_USER_ROLES))))


class ResourceLink(Base):
    """A placement of the tool in a course; bound to a module (and edition) by deep linking or an instructor."""

    __tablename__ = "resource_link"
    __table_args__ = (UniqueConstraint("course_id", "resource_link_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"), index=True)
    resource_link_id: Mapped[str] = mapped_column(String(255))
    title: Mapped[str] = mapped_column(String(500), default="")
    module_slug: Mapped[str | None] = mapped_column(String(64))
    edition_id: Mapped[int | None] = mapped_column(ForeignKey("edition.id", ondelete="SET NULL"))
    # The platform's grade column for this link (the launch's AGS ``lineitem`` claim). LTI state, written only by
    # lti/: the launch records it, ``ags.forget_lineitem`` drops it when the platform deleted the column, and
    # ``gradebook.repair_columns`` drops a column an older release let the link adopt.
    lineitem_url: Mapped[str | None] = mapped_column(String(1000))
    # The AGS scopes the latest launch through this link offered (None: not known; the course's are used).
    ags_scopes: Mapped[list[str] | None] = mapped_column(JSON)
    custom: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    course: Mapped[Course] = relationship()


class Launch(Base):
    """A validated launch: what the browser session may do, kept in the shared database."""

    __tablename__ = "launch"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    course_id: Mapped[int | None] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"))
    resource_link_pk: Mapped[int | None] = mapped_column(ForeignKey("resource_link.id", ondelete="SET NULL"))
    role: Mapped[str] = mapped_column(String(20))
    message_type: Mapped[str] = mapped_column(String(50))
    claims: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(index=True)
    handoff_token: Mapped[str | None] = mapped_column(String(64), unique=True)

    user: Mapped[User] = relationship()
    course: Mapped[Course | None] = relationship()
    resource_link: Mapped[ResourceLink | None] = relationship()
