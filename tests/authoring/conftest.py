"""Authoring tests: the demo content folder (tests/support/demo_content.py), published once, and a test client
signed in as an admin (tests/support/admin_session.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from lti_tool.content import publish
from tests.support.admin_session import signed_in


@pytest.fixture
def test_config(test_config: dict, demo_content: Path) -> dict:
    return {**test_config, "CONTENT_DIR": str(demo_content)}


@pytest.fixture
def published(db, demo_content):
    """The demo content published from the files: module ``demo`` v1 and quiz ``demo-check`` v1."""
    publish(db, demo_content, note="first", actor="cli")
    db.commit()
    return demo_content


@pytest.fixture
def admin(app, db, published):
    return signed_in(app, db, "admin", "Ada Admin")
