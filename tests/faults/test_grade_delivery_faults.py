"""Grade delivery when the platform's token endpoint is down, and when the grades worker process is killed.

AGS answering 5xx, 429 and timing out is covered in tests/gradebook/test_grade_outbox.py
(``test_an_outage_of_503s_timeouts_and_429s_ends_with_every_score_delivered_exactly_once`` and
``test_time_out_after_the_platform_stored_the_score_is_not_sent_twice``); a platform JWKS endpoint that is down in
tests/lti/test_launch_refusals.py (``test_cached_platform_keys_keep_launches_working_when_the_jwks_endpoint_is_down``).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest
from sqlalchemy import select

from lti_tool import REPO_ROOT
from lti_tool.db import session_factory
from lti_tool.lti.outbox import run_pass
from lti_tool.models import GradeSync
from tests.support.load_scenario import check_grades
from tests.support.platform_emulator import drain


def final_rows(db) -> list[GradeSync]:
    db.expire_all()
    return db.scalars(select(GradeSync).where(GradeSync.activity_progress == "Completed")).all()


@pytest.mark.slow
def test_with_the_token_endpoint_down_scores_stay_pending_with_a_clear_error_and_arrive_once_it_is_back(
        app, db, lti_world, completed, outbox_settings):
    state = lti_world.platform_state
    state.faults.set_down("token")
    run_pass(session_factory(app), outbox_settings)
    rows = final_rows(db)
    assert len(rows) == 3
    for row in rows:
        assert row.status == "pending" and row.attempts == 1
        assert "token" in row.last_error.lower() and "503" in row.last_error, row.last_error
    assert state.course("btg-101").scores == {} or not any(state.course("btg-101").scores.values())

    state.faults.set_down("token", False)
    drain(app, outbox_settings)
    assert {row.status for row in final_rows(db)} == {"sent"}
    assert check_grades(db, state, completed) == []


@pytest.mark.slow
def test_a_grades_worker_killed_while_the_platform_holds_a_score_leaves_it_to_the_next_worker_sent_once(
        app, db, lti_world, completed, test_config, tmp_path):
    state = lti_world.platform_state
    log = (tmp_path / "worker.log").open("w")
    state.faults.delay("scores", 2.0, count=1)
    env = {**os.environ, "LTI_TOOL_ENV": "testing", "LTI_TOOL_SECRET_KEY": "x", "LTI_TOOL_LOG_LEVEL": "WARNING",
           "LTI_TOOL_DATABASE_URL": test_config["DATABASE_URL"], "LTI_TOOL_WORKER_POLL_SECONDS": "1",
           "LTI_TOOL_GRADE_CLAIM_SECONDS": "3", "LTI_TOOL_HTTP_TIMEOUT_SECONDS": "10",
           "LTI_TOOL_GRADE_RETRY_BASE_SECONDS": "1", "LTI_TOOL_GRADE_RETRY_MAX_SECONDS": "1"}
    command = [sys.executable, "-m", "flask", "--app", "lti_tool", "grades", "worker"]

    def start_worker() -> subprocess.Popen:
        return subprocess.Popen(command, env=env, cwd=REPO_ROOT, stdout=log, stderr=subprocess.STDOUT)

    worker = start_worker()
    try:
        deadline = time.monotonic() + 20
        while "scores" in state.faults.snapshot()["delays"]:  # the delayed score is now in flight
            assert time.monotonic() < deadline, (tmp_path / "worker.log").read_text()
            time.sleep(0.02)
        time.sleep(0.3)
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=10)
        assert [row.status for row in final_rows(db)].count("sent") < 3  # it died before finishing
        time.sleep(2.0)  # the platform finishes storing the score whose sender died
        worker = start_worker()
        deadline = time.monotonic() + 30
        while {row.status for row in final_rows(db)} != {"sent"}:
            assert time.monotonic() < deadline, [(r.status, r.last_error) for r in final_rows(db)]
            time.sleep(0.2)
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=15)
        log.close()
    assert check_grades(db, state, completed) == []
