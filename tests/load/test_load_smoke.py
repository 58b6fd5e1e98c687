"""The load test's scenario with five learners, so CI runs the same code as ``bench/load_test.py``.

On SQLite it also guards the write lock taken when a request's transaction begins (``lti_tool/db.py``): without it,
three learners saving answers at once got 500s ("database is locked").
"""

from __future__ import annotations

import pytest

from lti_tool.db import session_factory
from lti_tool.lti.outbox import OutboxSettings, run_until_idle
from tests.support.load_scenario import check_grades, format_report, module_plan, run_crowd


@pytest.mark.slow
def test_five_concurrent_learners_complete_without_errors_and_every_grade_arrives_once(app, lti_world, db):
    plan = module_plan(db)
    recorder = run_crowd(lti_world.platform_state, plan, learners=5, seconds=60, concurrency=3, prefix="smoke")
    report = format_report(recorder)
    assert recorder.errors == [], report
    assert len(recorder.completed) == 5, report
    run_until_idle(session_factory(app), OutboxSettings.from_config(app.config))
    db.expire_all()
    assert check_grades(db, lti_world.platform_state, recorder.completed) == []
