"""The tool under the production gunicorn settings, started and stopped as a subprocess on a free loopback port."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

from lti_tool import REPO_ROOT


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
