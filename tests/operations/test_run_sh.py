"""``./run.sh`` as a new developer uses it: a local launch's completed module reaches the local platform's grade
book within seconds (a grades worker runs beside the server), and Ctrl-C stops the server and the worker."""

from __future__ import annotations

import os
import signal
import subprocess
import time

import pytest
import requests
from sqlalchemy.orm import Session

from lti_tool import REPO_ROOT
from lti_tool.db import make_engine
from tests.support.gunicorn import free_port
from tests.support.load_scenario import Recorder, learner_journey, module_plan

SUPERVISION_COLUMN = "li-img-supervision"


def wait_for(check, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            found = check()
        except requests.RequestException:
            found = None
        if found:
            return found
        time.sleep(0.25)
    raise AssertionError(f"{what} within {seconds} s")


class DevPlatform:
    """The local platform ``run.sh`` mounts at /dev/platform, driven through its inspection API."""

    def __init__(self, base: str) -> None:
        self.base = f"{base}/dev/platform"

    def prepare_launch(self, **scenario) -> str:
        response = requests.post(f"{self.base}/_emulator/launches", json=scenario, timeout=10)
        response.raise_for_status()
        return response.json()["login_url"]

    def scores(self, lineitem_id: str) -> list[dict]:
        state = requests.get(f"{self.base}/_emulator/state", timeout=10).json()
        return state["contexts"]["btg-101"]["scores"].get(lineitem_id, [])


@pytest.mark.slow
def test_run_sh_sends_a_local_launchs_grade_within_seconds_and_stops_its_worker_with_the_server(tmp_path):
    port = free_port()
    database_url = f"sqlite:///{tmp_path / 'run.sqlite3'}"
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("LTI_TOOL_")}, "PORT": str(port),
           "LTI_TOOL_DATABASE_URL": database_url, "LTI_TOOL_WORKER_POLL_SECONDS": "1"}
    log = (tmp_path / "run.log").open("wb")
    server = subprocess.Popen(["./run.sh"], cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                              start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: requests.get(f"{base}/healthz", timeout=2).ok, 240, "run.sh serves the tool")
        with Session(make_engine(database_url)) as db:
            plan = module_plan(db)
        recorder = Recorder()
        learner_journey(DevPlatform(base), plan, "learner-1", recorder)
        assert recorder.completed == ["learner-1"]

        completed = wait_for(lambda: [s for s in DevPlatform(base).scores(SUPERVISION_COLUMN)
                                      if s["activityProgress"] == "Completed"], 15, "the grade reached the platform")
        assert completed[-1]["userId"] == "learner-1" and completed[-1]["scoreGiven"] == 100
    finally:
        os.killpg(server.pid, signal.SIGINT)  # Ctrl-C in the terminal
        server.wait(timeout=30)
        log.close()
    time.sleep(0.5)
    left = subprocess.run(["ps", "-o", "pid=,args=", "-g", str(server.pid)], capture_output=True, text=True).stdout
    assert "grades worker" not in left and "flask" not in left, left
    assert b"Grade worker started." in (tmp_path / "run.log").read_bytes()
