"""Several workers on one outbox, and the `grades worker` command stopping cleanly on SIGTERM."""

from __future__ import annotations

import ast
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

from sqlalchemy import select

from lti_tool import REPO_ROOT
from lti_tool.lti import outbox
from lti_tool.models import GradeSync
from tests.support.platform_emulator import learner, progress_for, record_score, statuses

SAMPLE_LINEITEM = "li-img-supervision"


def test_four_workers_deliver_every_score_exactly_once_and_share_the_token(db, course, emulator, factory,
                                                                           outbox_settings):
    subs = [f"seed-{n}" for n in range(7, 67)]
    emulator.state.seed_roster("btg-101", 60)
    for sub in subs:
        record_score(db, progress_for(db, course, learner(db, course, sub)), 0.7)
    workers = [threading.Thread(target=outbox.run_until_idle, args=(factory, outbox_settings)) for _ in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    delivered = Counter(s["userId"] for s in emulator.scores(SAMPLE_LINEITEM))
    assert delivered == Counter(subs)
    assert set(statuses(db).values()) == {"sent"}
    if db.get_bind().dialect.name == "postgresql":
        assert emulator.state.token_requests == 1  # the others waited on the platform row and reused it
    else:
        assert emulator.state.token_requests <= 4


def test_grades_worker_command_sends_then_stops_cleanly_on_sigterm(app, db, course, emulator, test_config):
    row = record_score(db, progress_for(db, course, learner(db, course, "learner-1")), 0.9)
    env = {**os.environ, "LTI_TOOL_ENV": "testing", "LTI_TOOL_SECRET_KEY": "x",
           "LTI_TOOL_DATABASE_URL": test_config["DATABASE_URL"], "LTI_TOOL_WORKER_POLL_SECONDS": "1",
           "LTI_TOOL_LOG_LEVEL": "WARNING"}
    worker = subprocess.Popen([sys.executable, "-m", "flask", "--app", "lti_tool", "grades", "worker"], env=env,
                              cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and statuses(db).get(row.id) != "sent":
            time.sleep(0.1)
        assert statuses(db)[row.id] == "sent"
        worker.send_signal(signal.SIGTERM)
        output, _ = worker.communicate(timeout=15)
    finally:
        if worker.poll() is None:
            worker.kill()
    assert worker.returncode == 0, output
    assert "sent 1, retry 0, failed 0" in output and "Grade worker stopped." in output
    assert len(emulator.scores(SAMPLE_LINEITEM)) == 1
    assert db.scalars(select(GradeSync.attempts)).one() == 1


def test_grade_domain_modules_import_neither_flask_nor_pylti1p3():
    for name in ("grades.py", "editions.py", "catalogue.py"):
        tree = ast.parse((Path(REPO_ROOT) / "lti_tool" / "learning" / name).read_text())
        imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
        imported |= {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
        assert not any(m.split(".")[0] in {"flask", "pylti1p3", "requests"} for m in imported), name
        assert not any(m.split(".")[0] in {"lti", "web", "cli"} for m in imported), name
