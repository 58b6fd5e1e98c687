"""Content tests run against the small demo content folder (tests/support/demo_content.py)."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def test_config(test_config: dict, demo_content: Path) -> dict:
    return {**test_config, "CONTENT_DIR": str(demo_content)}
