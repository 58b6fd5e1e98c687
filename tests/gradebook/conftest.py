"""Gradebook tests use the tool and the emulator on loopback HTTP (tests/support/platform_emulator.py) with grade
delivery that times out and retries quickly."""

from __future__ import annotations

import pytest

from tests.support.platform_emulator import FAST_GRADE_DELIVERY


@pytest.fixture
def test_config(test_config: dict) -> dict:
    return {**test_config, **FAST_GRADE_DELIVERY}
