"""Fixtures for the fault tests: short time-outs and retries, and learners who completed the module for real."""

from __future__ import annotations

import pytest

from tests.support.load_scenario import module_plan, run_crowd
from tests.support.platform_emulator import FAST_GRADE_DELIVERY


@pytest.fixture
def test_config(test_config: dict) -> dict:
    return {**test_config, **FAST_GRADE_DELIVERY}


@pytest.fixture
def completed(lti_world, db) -> list[str]:
    """Three learners who launched, read, passed the quiz and completed; their final scores wait in the outbox."""
    recorder = run_crowd(lti_world.platform_state, module_plan(db), learners=3, seconds=60, concurrency=3,
                         prefix="fault")
    assert recorder.errors == [] and len(recorder.completed) == 3
    return recorder.completed
