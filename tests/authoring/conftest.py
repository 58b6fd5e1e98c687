"""Authoring tests: the demo content folder (tests/content/demo_content.py), published once, and test clients
signed in as an admin, a tutor or a learner."""

from __future__ import annotations

import re
import secrets
from datetime import timedelta

import pytest

from lti_tool.content import publish
from lti_tool.models import Launch, Platform, User, utcnow
from tests.content.demo_content import demo_content, test_config  # noqa: F401 - fixtures


@pytest.fixture
def published(db, demo_content):  # noqa: F811 - the fixture above
    """The demo content published from the files: module ``demo`` v1 and quiz ``demo-check`` v1."""
    publish(db, demo_content, note="first", actor="cli")
    return demo_content


def signed_in(app, db, role: str, name: str = ""):
    """A test client whose cookie session holds a live launch with ``role`` (no course, as an admin's would be)."""
    platform = db.query(Platform).first() or Platform(
        issuer="https://blackboard.example", client_id="c", auth_login_url="https://b/login",
        auth_token_url="https://b/token", keyset_url="https://b/jwks")
    user = User(platform=platform, sub=f"{role}-{secrets.token_hex(4)}", name=name or f"A {role}")
    # "admin": an institution administrator granted content rights from the command line.
    claims = {"platform_admin": True, "grant": {"all_platforms": False, "content": True}} if role == "admin" else {}
    launch = Launch(id=secrets.token_hex(16), user=user, role="tutor" if role == "admin" else role,
                    message_type="LtiResourceLinkRequest", claims=claims, expires_at=utcnow() + timedelta(hours=1))
    db.add(launch)
    db.commit()
    client = app.test_client()
    with client.session_transaction() as session:
        session["launches"] = {"-": launch.id}
    client.user_id = user.id
    return client


@pytest.fixture
def admin(app, db, published):
    return signed_in(app, db, "admin", "Ada Admin")


def csrf_token(client, url: str = "/admin/content/") -> str:
    page = client.get(url)
    assert page.status_code == 200, page.text[:300]
    return re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
