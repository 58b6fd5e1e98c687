"""Benchmark the grade outbox: N pending scores sent to the Blackboard emulator over loopback HTTP.

    /work/venv/bin/python bench/bench_grades.py --rows 500 --workers 1
    LTI_TOOL_BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test \
        /work/venv/bin/python bench/bench_grades.py --rows 500 --workers 4

Prints scores delivered per second and token requests per hundred scores. Uses a fresh SQLite file unless
LTI_TOOL_BENCH_DATABASE_URL names a database (whose tables it empties first).
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

from sqlalchemy import create_engine, select, text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from lti_platform_emulator import (
    DEFAULT_CONTEXT_ID,
    PlatformSettings,
    create_platform_app,
    platform_state,
    serve_in_thread,
)
from lti_tool import create_app
from lti_tool.db import session_factory
from lti_tool.learning.grades import status_counts
from lti_tool.lti import claims as c
from lti_tool.lti.gradebook import queue_grade
from lti_tool.lti.outbox import OutboxSettings, run_until_idle
from lti_tool.lti.registration import add_platform
from lti_tool.migrate import upgrade
from lti_tool.models import (
    Base,
    Course,
    Deployment,
    Enrollment,
    Module,
    ModuleVersion,
    Progress,
    User,
)

CLIENT_ID, DEPLOYMENT_ID = "bench-client", "bench-deployment"


def prepare_database(workdir: Path, url: str | None = None) -> str:
    """``url`` (or LTI_TOOL_BENCH_DATABASE_URL) migrated with its tables emptied, else a fresh SQLite file."""
    url = url or os.environ.get("LTI_TOOL_BENCH_DATABASE_URL")
    if not url:
        url = f"sqlite:///{workdir / 'bench.sqlite3'}"
        upgrade(url)
        return url
    upgrade(url)
    engine = create_engine(url)
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in reversed(Base.metadata.sorted_tables):
                conn.execute(table.delete())
    engine.dispose()
    return url


def seed(factory, emulator_url: str, rows: int) -> int:
    """A course, a module, ``rows`` learners each with one completed progress and one pending score."""
    with factory() as db:
        platform = add_platform(db, issuer=emulator_url, client_id=CLIENT_ID, auth_login_url=f"{emulator_url}/auth",
                                auth_token_url=f"{emulator_url}/token", keyset_url=f"{emulator_url}/jwks.json",
                                deployment_ids=(DEPLOYMENT_ID,))
        db.commit()
        deployment = db.scalars(select(Deployment).where(Deployment.platform_id == platform.id)).one()
        course = Course(deployment_id=deployment.id, context_id=DEFAULT_CONTEXT_ID,
                        lineitems_url=f"{emulator_url}/contexts/{DEFAULT_CONTEXT_ID}/lineitems",
                        ags_scopes=[c.SCOPE_LINEITEM, c.SCOPE_SCORE])
        module = Module(slug="img-supervision", kind="module")
        db.add_all([course, module])
        db.flush()
        version = ModuleVersion(module_id=module.id, number=1, title="Supervising IMGs", digest="b" * 64)
        db.add(version)
        db.flush()
        for n in range(rows):
            user = User(platform_id=platform.id, sub=f"seed-{n + 7}")
            db.add(user)
            db.flush()
            db.add(Enrollment(course_id=course.id, user_id=user.id, role="learner"))
            progress = Progress(user_id=user.id, course_id=course.id, module_slug="img-supervision",
                                module_version_id=version.id, state="completed", score=0.5 + (n % 50) / 100)
            db.add(progress)
            db.flush()
            queue_grade(db, progress, comment="Completed version 1")
        db.commit()
        return status_counts(db)["pending"]


def run(rows: int = 500, workers: int = 1, database_url: str | None = None) -> dict[str, float | str]:
    """Deliver ``rows`` pending scores with ``workers`` sender threads; scores/s and token requests."""
    with tempfile.TemporaryDirectory() as tmp:
        url = prepare_database(Path(tmp), database_url)
        app = create_app({"ENV": "development", "SECRET_KEY": "bench", "DATABASE_URL": url, "LOG_LEVEL": "WARNING"})
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
        tool = serve_in_thread(app)
        settings = PlatformSettings(client_id=CLIENT_ID, deployment_id=DEPLOYMENT_ID,
                                    tool_login_url=f"{tool.url}/lti/login", tool_launch_url=f"{tool.url}/lti/launch",
                                    tool_jwks_url=f"{tool.url}/lti/jwks.json")
        platform_app = create_platform_app(settings)
        emulator = serve_in_thread(platform_app)
        settings.issuer = emulator.url
        state = platform_state(platform_app)
        state.seed_roster(DEFAULT_CONTEXT_ID, rows)
        factory = session_factory(app)
        pending = seed(factory, emulator.url, rows)
        outbox_settings = OutboxSettings.from_config(app.config)
        started = time.perf_counter()
        threads = [threading.Thread(target=run_until_idle, args=(factory, outbox_settings)) for _ in range(workers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - started
        delivered = len(state.scores(DEFAULT_CONTEXT_ID, "li-img-supervision"))
        with factory() as db:
            counts = status_counts(db)
        emulator.stop()
        tool.stop()
        dialect = app.extensions["db_engine"].dialect.name
        app.extensions["db_engine"].dispose()
    return {"database": dialect, "rows queued": pending, "delivered": delivered, "seconds": elapsed,
            "scores_per_second": delivered / elapsed, "token_requests": state.token_requests,
            "token_requests_per_100": 100 * state.token_requests / max(delivered, 1), "outbox": str(counts)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=500)
    parser.add_argument("--workers", type=int, default=1, help="sender threads sharing the outbox")
    args = parser.parse_args()
    figures = run(args.rows, args.workers)
    print(f"database: {figures['database']}; workers: {args.workers}; rows queued: {figures['rows queued']}")
    print(f"delivered {figures['delivered']} scores in {figures['seconds']:.2f} s: "
          f"{figures['scores_per_second']:.1f} scores/s")
    print(f"token requests: {figures['token_requests']} ({figures['token_requests_per_100']:.2f} per hundred scores); "
          f"outbox: {figures['outbox']}")


if __name__ == "__main__":
    main()
