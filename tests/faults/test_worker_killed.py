"""A gunicorn worker killed (SIGKILL) in the middle of a quiz submission: the master replaces it, the learner's
request fails, the next requests succeed, and the attempt is submitted wholly or not at all."""

from __future__ import annotations

import os
import signal
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import requests
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

from lti_platform_emulator import DEFAULT_CONTEXT_ID
from lti_tool.models import Attempt, Progress, User
from tests.support.gunicorn import (
    free_port,
    serve_emulator_launches_to,
    start_gunicorn,
    stop_process,
    wait_healthy,
    worker_pids,
)
from tests.support.load_scenario import Recorder, check_grades, launch_and_read, module_plan, start_quiz
from tests.support.platform_emulator import drain


@contextmanager
def submission_held(database_url: str, attempt_id: int) -> Iterator[None]:
    """Make the submission wait inside its transaction: PostgreSQL locks the attempt row (the request has written
    by then and blocks on its update); SQLite holds the write lock (the request waits to begin)."""
    if database_url.startswith("sqlite"):
        connection = sqlite3.connect(make_url(database_url).database, isolation_level=None)
        connection.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            connection.execute("ROLLBACK")
            connection.close()
        return
    engine = create_engine(database_url)
    with engine.connect() as connection:
        connection.execute(text("SELECT id FROM attempt WHERE id = :id FOR UPDATE"), {"id": attempt_id})
        try:
            yield
        finally:
            connection.rollback()
    engine.dispose()


def attempt_of(db, user_sub: str) -> Attempt:
    db.expire_all()
    return db.scalars(select(Attempt).join(Progress).join(User, User.id == Progress.user_id)
                      .where(User.sub == user_sub)).one()


def assert_whole_or_nothing(attempt: Attempt) -> None:
    submitted = attempt.submitted_at is not None
    assert (attempt.score is not None) == submitted and (attempt.passed is not None) == submitted, attempt


@pytest.mark.slow
def test_a_worker_killed_mid_submission_is_replaced_and_the_attempt_is_submitted_wholly_or_not_at_all(
        app, db, lti_world, clean_database, outbox_settings, tmp_path):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = tmp_path / "gunicorn.log"
    tool = start_gunicorn(clean_database, port, workers=1, log=log)
    try:
        serve_emulator_launches_to(lti_world, base)
        state = lti_world.platform_state
        state.add_member(DEFAULT_CONTEXT_ID, "killed-1", "Ada", "Obi", role="learner")
        plan = module_plan(db)
        recorder = Recorder()
        browser, module_url = launch_and_read(state, plan, "killed-1", recorder)
        [quiz] = plan.quizzes
        attempt_url, token, answers = start_quiz(browser, module_url, quiz, recorder)
        attempt = attempt_of(db, "killed-1")
        outcome: dict[str, object] = {}

        def submit() -> None:
            try:
                outcome["response"] = browser.post(attempt_url + "submit", timeout=30,
                                                   data={"csrf_token": token, **answers})
            except requests.RequestException as problem:
                outcome["error"] = problem

        [first_worker] = worker_pids(tool)
        with submission_held(clean_database, attempt.id):
            sender = threading.Thread(target=submit)
            sender.start()
            time.sleep(1.0)
            assert sender.is_alive(), outcome  # the submission is waiting mid-request
            os.kill(first_worker, signal.SIGKILL)
            sender.join(timeout=20)
        assert "error" in outcome or outcome["response"].status_code >= 500, outcome
        assert_whole_or_nothing(attempt_of(db, "killed-1"))

        wait_healthy(base, log)
        deadline = time.monotonic() + 20
        while worker_pids(tool) in ([], [first_worker]):
            assert time.monotonic() < deadline, "the master did not replace the killed worker"
            time.sleep(0.1)
        retried = browser.post(attempt_url + "submit", data={"csrf_token": token, **answers}, timeout=30)
        assert retried.status_code == 200 and "attempt/" in retried.url, retried.text[:300]
        done = attempt_of(db, "killed-1")
        assert done.submitted_at is not None and done.score == 1.0
        assert_whole_or_nothing(done)
        assert "You have completed" in browser.get(module_url + "/complete", timeout=10).text
        drain(app, outbox_settings)
    finally:
        stop_process(tool)
    db.expire_all()
    assert check_grades(db, lti_world.platform_state, ["killed-1"]) == []
