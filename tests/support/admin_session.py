"""Test clients signed in without a platform: a cookie session holding a live launch, as after a real launch."""

from __future__ import annotations

import re
import secrets
from datetime import timedelta

from lti_tool.models import Launch, Platform, User, utcnow


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


def csrf_token(client, url: str = "/admin/content/") -> str:
    page = client.get(url)
    assert page.status_code == 200, page.text[:300]
    return re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
