"""PostgreSQL restarted under load: a private cluster (initdb/pg_ctl in a temporary folder, on a free port), never
the machine's shared one. During the outage the tool answers with its error page, not a traceback; afterwards the
pools recover, no attempt is half-written and every completed learner's grade arrives exactly once."""

from __future__ import annotations

import glob
import logging
import os
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import select

from lti_platform_emulator import (
    DEFAULT_CONTEXT_ID,
    PlatformSettings,
    create_platform_app,
    platform_state,
    serve_in_thread,
)
from lti_tool import REPO_ROOT, create_app
from lti_tool.content import publish
from lti_tool.db import session_factory
from lti_tool.lti import registration
from lti_tool.lti.outbox import OutboxSettings, run_until_idle
from lti_tool.migrate import upgrade
from lti_tool.models import Attempt, GradeSync, Progress, User
from tests.support.gunicorn import free_port, start_gunicorn, stop_process
from tests.support.load_scenario import Recorder, check_grades, launch_and_read, module_plan, run_crowd

BINARIES = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))


@dataclass
class PrivatePostgres:
    bindir: Path
    datadir: Path
    port: int

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    @property
    def log(self) -> Path:
        return self.datadir.parent / "server.log"

    def pg_ctl(self, action: str, *args: str) -> None:
        """start, stop or restart; the server writes to its log file, never to our pipes."""
        logging_to = ("-l", str(self.log)) if action in ("start", "restart") else ()
        run_as_postgres([str(self.bindir / "pg_ctl"), action, "-D", str(self.datadir), "-w", "-t", "30",
                         *logging_to, *args], self.log)


def run_as_postgres(command: list[str], log: Path) -> None:
    """initdb and pg_ctl refuse to run as root; run them as the postgres user then."""
    if os.geteuid() == 0:
        command = ["runuser", "-u", "postgres", "--", *command]
    done = subprocess.run(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                          timeout=60)
    assert done.returncode == 0, f"{' '.join(command)} failed: {log.read_text()[-2000:] if log.exists() else ''}"


@pytest.fixture
def private_postgres() -> Iterator[PrivatePostgres]:
    if not BINARIES:
        missing = "PostgreSQL server binaries (/usr/lib/postgresql/*/bin/pg_ctl, initdb) are not installed"
        if os.environ.get("CI"):
            pytest.fail(f"{missing}: CI must run the restart test")
        pytest.skip(missing)
    bindir = Path(BINARIES[-1]).parent
    folder = Path(tempfile.mkdtemp(prefix="btg-private-pg-"))
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
    server = PrivatePostgres(bindir, folder / "data", free_port())
    run_as_postgres([str(bindir / "initdb"), "-D", str(server.datadir), "-U", "postgres", "-A", "trust",
                     "--no-sync", "-E", "UTF8"], server.log)
    with (server.datadir / "postgresql.conf").open("a") as conf:  # every start and restart uses these
        conf.write(f"\nport = {server.port}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '{folder}'\n"
                   "fsync = off\n")
    server.pg_ctl("start")
    try:
        yield server
    finally:
        try:
            server.pg_ctl("stop", "-m", "immediate")
        finally:
            shutil.rmtree(folder, ignore_errors=True)


@pytest.mark.slow
def test_a_postgres_restart_under_load_loses_no_grade_and_half_writes_no_attempt(private_postgres, tmp_path):
    url = private_postgres.url
    upgrade(url)
    app = create_app({"ENV": "testing", "SECRET_KEY": "fault-secret", "DATABASE_URL": url, "LOG_LEVEL": "WARNING",
                      "CONTENT_DIR": str(REPO_ROOT), "HTTP_TIMEOUT_SECONDS": 5})
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    factory = session_factory(app)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    settings = PlatformSettings(client_id="pg-fault", deployment_id="pg-fault-dep", tool_login_url=f"{base}/lti/login",
                                tool_launch_url=f"{base}/lti/launch", tool_jwks_url=f"{base}/lti/jwks.json")
    platform_app = create_platform_app(settings)
    emulator = serve_in_thread(platform_app)
    settings.issuer = emulator.url
    state = platform_state(platform_app)
    with factory() as session:
        publish(session, REPO_ROOT, actor="fault test")
        registration.add_platform(session, issuer=emulator.url, client_id="pg-fault",
                                  auth_login_url=f"{emulator.url}/auth", auth_token_url=f"{emulator.url}/token",
                                  keyset_url=f"{emulator.url}/jwks.json", deployment_ids=("pg-fault-dep",))
        session.commit()
        plan = module_plan(session)
    tool = start_gunicorn(url, port, workers=2, log=tmp_path / "gunicorn.log")
    try:
        crowd: dict[str, Recorder] = {}
        runner = threading.Thread(target=lambda: crowd.setdefault("during", run_crowd(
            state, plan, learners=16, seconds=30, concurrency=4, prefix="restart",
            arrival_seconds=0.3)))
        runner.start()
        time.sleep(1.5)
        private_postgres.pg_ctl("restart", "-m", "fast")
        runner.join(timeout=120)
        during = crowd["during"]
        assert during.completed, during.errors  # learners who came after the restart completed
        assert len(during.errors) == len(during.failed_responses), during.errors  # every failure was an answer
        for response in during.failed_responses:
            assert response.status_code in (500, 503) and "Traceback" not in response.text
            assert "<title>Something went wrong" in response.text or "<title>" in response.text

        state.add_member(DEFAULT_CONTEXT_ID, "outage-1", "Ada", "Obi", role="learner")
        browser, module_url = launch_and_read(state, plan, "outage-1", Recorder())
        private_postgres.pg_ctl("stop", "-m", "fast")
        try:
            outage = browser.get(module_url + "/", timeout=30)
        finally:
            private_postgres.pg_ctl("start")
        assert outage.status_code in (500, 503), outage.status_code
        assert "Traceback" not in outage.text and "<title>" in outage.text

        after = run_crowd(state, plan, learners=4, seconds=30, concurrency=4, prefix="recovered")
        assert after.errors == [], after.errors  # the pools reconnected (pool_pre_ping)

        run_until_idle(factory, OutboxSettings.from_config(app.config))
        with factory() as session:
            for attempt in session.scalars(select(Attempt)):
                submitted = attempt.submitted_at is not None
                assert (attempt.score is not None) == submitted and (attempt.passed is not None) == submitted
            completed_subs = session.scalars(select(User.sub).join(Progress, Progress.user_id == User.id)
                                             .where(Progress.state == "completed")).all()
            # a learner whose submission committed just before the outage hit the result page is complete too
            assert set(during.completed + after.completed) <= set(completed_subs)
            assert session.scalars(select(GradeSync).where(GradeSync.status == "pending")).all() == []
            assert check_grades(session, state, completed_subs) == []
    finally:
        stop_process(tool)
        emulator.stop()
        app.extensions["db_engine"].dispose()
