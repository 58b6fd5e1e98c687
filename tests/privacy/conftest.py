"""Privacy tests start from two learners who really used the tool (tests/support/privacy_traces.py)."""

from __future__ import annotations

import pytest

from tests.support.privacy_traces import Learner, learner_completes_module


@pytest.fixture
def learners(app, lti_world, db) -> tuple[Learner, Learner]:
    """Two learners who completed the module; their grades are still waiting in the outbox."""
    first = learner_completes_module(lti_world, db, "privacy-learner-ngozi", "Ngozi", "Adeyemi-Whitfield")
    second = learner_completes_module(lti_world, db, "privacy-learner-tomasz", "Tomasz", "Kowalczyk-Brent")
    return first, second
