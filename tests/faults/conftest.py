"""Fixtures for the fault tests: short time-outs and retries, and learners who completed the module for real."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import select

from lti_tool.db import session_factory
from lti_tool.lti.outbox import OutboxSettings, run_until_idle
from lti_tool.models import GradeSync
from tests.load.scenario import module_plan, run_crowd


@pytest.fixture
def test_config(test_config: dict) -> dict:
    return {**test_config, "HTTP_TIMEOUT_SECONDS": 2, "GRADE_RETRY_BASE_SECONDS": 0.05,
            "GRADE_RETRY_MAX_SECONDS": 0.3, "GRADE_CLAIM_SECONDS": 30}


@pytest.fixture
def outbox_settings(app) -> OutboxSettings:
    return OutboxSettings.from_config(app.config)


@pytest.fixture
def completed(lti_world, db) -> list[str]:
    """Three learners who launched, read, passed the quiz and completed; their final scores wait in the outbox."""
    recorder = run_crowd(lti_world.platform_state, module_plan(db), learners=3, seconds=60, concurrency=3,
                         prefix="fault")
    assert recorder.errors == [] and len(recorder.completed) == 3
    return recorder.completed


def drain(app, settings: OutboxSettings, seconds: float = 20.0) -> None:
    """Run the outbox until nothing is pending (retries wait their short back-off)."""
    factory = session_factory(app)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        run_until_idle(factory, settings)
        with factory() as session:
            if not session.scalars(select(GradeSync.id).where(GradeSync.status == "pending")).first():
                return
        time.sleep(0.1)
    raise AssertionError("scores still pending after the outbox ran")
