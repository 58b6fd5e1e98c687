"""The asset route serves a published module's images and PDFs from its own folder, to live launches only."""

from __future__ import annotations

from datetime import timedelta

import pytest

from lti_tool.content import publish
from lti_tool.models import Launch, Platform, User, utcnow
from tests.support.demo_content import PNG


@pytest.fixture
def launched_client(app, db, demo_content):
    publish(db, demo_content)
    platform = Platform(issuer="https://blackboard.example", client_id="c", auth_login_url="https://b/login",
                        auth_token_url="https://b/token", keyset_url="https://b/jwks")
    user = User(platform=platform, sub="learner-1")
    db.add(Launch(id="launch-1", user=user, role="learner", message_type="LtiResourceLinkRequest", claims={},
                  expires_at=utcnow() + timedelta(hours=1)))
    db.commit()
    client = app.test_client()
    with client.session_transaction() as session:
        session["launches"] = {"-": "launch-1"}
    return client


def test_an_image_in_the_module_folder_is_served(launched_client):
    with launched_client.get("/content/demo/assets/images/chart.png") as response:
        assert response.status_code == 200
        assert response.mimetype == "image/png"
        assert response.data == PNG
        assert response.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("path", [
    "../../quizzes/demo-check.md",
    "..%2F..%2Fquizzes%2Fdemo-check.md",
    "..%2Fdemo%2Fimages%2Fchart.png",
    "images/../../../modules/demo/images/chart.png",
    "module.md",
    "images/missing.png",
    "images",
])
def test_paths_outside_the_folder_and_other_file_types_are_404(launched_client, path):
    assert launched_client.get(f"/content/demo/assets/{path}").status_code == 404


def test_an_unknown_module_is_404(launched_client):
    assert launched_client.get("/content/nope/assets/images/chart.png").status_code == 404


def test_without_a_live_launch_nothing_is_served(app, db, demo_content):
    publish(db, demo_content)
    db.commit()
    response = app.test_client().get("/content/demo/assets/images/chart.png")
    assert response.status_code == 401
