"""Fixtures for the fault tests: short time-outs and retries, and learners who completed the module for real."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from sqlalchemy import select

from lti_tool import REPO_ROOT
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


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gunicorn(database_url: str, port: int, workers: int, log: Path) -> subprocess.Popen:
    """The tool under the production gunicorn settings (config/gunicorn.conf.py) on loopback."""
    env = {**os.environ, "LTI_TOOL_ENV": "testing", "LTI_TOOL_SECRET_KEY": "fault-secret",
           "LTI_TOOL_DATABASE_URL": database_url, "LTI_TOOL_BASE_URL": f"http://127.0.0.1:{port}",
           "LTI_TOOL_LOG_LEVEL": "WARNING", "LTI_TOOL_RATE_LIMIT_LTI": "100000 per minute",
           "GUNICORN_BIND": f"127.0.0.1:{port}", "GUNICORN_WORKERS": str(workers), "GUNICORN_THREADS": "4"}
    with log.open("wb") as out:
        process = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", "config/gunicorn.conf.py",
                                    "lti_tool:create_app()"], cwd=REPO_ROOT, env=env, stdout=out,
                                   stderr=subprocess.STDOUT)
    try:
        wait_healthy(f"http://127.0.0.1:{port}", log)
    except AssertionError:
        stop_process(process)
        raise
    return process


def wait_healthy(base: str, log: Path, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if requests.get(f"{base}/healthz", timeout=5).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.1)
    raise AssertionError(f"the tool did not answer: {log.read_text()[-2000:]}")


def stop_process(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def worker_pids(master: subprocess.Popen) -> list[int]:
    return [int(pid) for pid in Path(f"/proc/{master.pid}/task/{master.pid}/children").read_text().split()]


def serve_emulator_launches_to(world, base: str) -> None:
    """Make the emulator send its launches to ``base`` (a gunicorn-served tool) instead of the in-thread tool."""
    world.settings.tool_login_url = f"{base}/lti/login"
    world.settings.tool_launch_url = f"{base}/lti/launch"
    world.settings.tool_jwks_url = f"{base}/lti/jwks.json"
