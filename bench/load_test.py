"""Load test: a bounded crowd of scripted learners against gunicorn and PostgreSQL, then a grade-delivery check.

Run: python bench/load_test.py [--learners N] [--seconds S] [--workers W] [--concurrency C] [--database-url URL]

Each learner launches through the platform emulator (in a thread), opens the module overview, reads every page,
takes the quiz (start, save each answer and reflection, submit with the correct answers from the database) and
opens the completion page. Prints requests/s and p50/p95/p99 latency per request type and overall, and the first
errors (any status outside 2xx/3xx). Then delivers the grades with the outbox (as `flask grades sync` does) and
checks that every learner who completed has a sent grade row and exactly one final score (Completed,
FullyGraded) in the emulator's grade book. Exits non-zero on any error or failed check. Needs PostgreSQL
(--database-url or LTI_TOOL_BENCH_DATABASE_URL); it works in a schema of its own and drops it afterwards.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from serving import PG_ENV, drop_schema, free_port, schema_url, start_gunicorn, stop, tool_env  # noqa: E402

from lti_platform_emulator import PlatformSettings, create_platform_app, platform_state, serve_in_thread  # noqa: E402
from lti_tool import REPO_ROOT, create_app  # noqa: E402
from lti_tool.content import publish  # noqa: E402
from lti_tool.db import session_factory  # noqa: E402
from lti_tool.learning.grades import status_counts  # noqa: E402
from lti_tool.lti import registration  # noqa: E402
from lti_tool.lti.outbox import OutboxSettings, run_until_idle  # noqa: E402
from lti_tool.migrate import upgrade  # noqa: E402
from tests.support.load_scenario import check_grades, format_report, module_plan, run_crowd  # noqa: E402

SCHEMA = "btg_load_test"


def run(database_url: str, learners: int, seconds: float, workers: int, concurrency: int) -> int:
    url = schema_url(database_url, SCHEMA)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    settings = PlatformSettings(client_id="load", deployment_id="load-dep", tool_login_url=f"{base}/lti/login",
                                tool_launch_url=f"{base}/lti/launch", tool_jwks_url=f"{base}/lti/jwks.json")
    platform_app = create_platform_app(settings)
    emulator = serve_in_thread(platform_app)
    settings.issuer = emulator.url
    tool = None
    try:
        upgrade(url)
        app = create_app({"ENV": "development", "SECRET_KEY": "bench", "DATABASE_URL": url, "LOG_LEVEL": "WARNING",
                          "CONTENT_DIR": str(REPO_ROOT)})
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
        factory = session_factory(app)
        with factory() as session:
            publish(session, REPO_ROOT, actor="load test")
            registration.add_platform(session, issuer=emulator.url, client_id="load",
                                      auth_login_url=f"{emulator.url}/auth", auth_token_url=f"{emulator.url}/token",
                                      keyset_url=f"{emulator.url}/jwks.json", deployment_ids=("load-dep",))
            session.commit()
            plan = module_plan(session)
        tool = start_gunicorn("lti_tool:create_app()", port, workers, tool_env(url, port))
        state = platform_state(platform_app)
        print(f"Load test: {learners} learners, {concurrency} at a time, at most {seconds:.0f} s; gunicorn "
              f"{workers} workers × 4 threads; PostgreSQL; {len(plan.page_slugs)} pages, {len(plan.quizzes)} quiz")
        recorder = run_crowd(state, plan, learners=learners, seconds=seconds, concurrency=concurrency)
        print(format_report(recorder))
        started = time.perf_counter()
        result = run_until_idle(factory, OutboxSettings.from_config(app.config))
        elapsed = time.perf_counter() - started
        with factory() as session:
            problems = check_grades(session, state, recorder.completed)
            counts = status_counts(session)
        print(f"Grades: sent {result.sent}, retry {result.retry}, failed {result.failed} in {elapsed:.2f} s; "
              f"outbox {counts}; token requests {state.token_requests}")
        if problems:
            print(f"Grade check FAILED for {len(problems)} learners:")
            print("\n".join(f"  {p}" for p in problems[:10]))
        else:
            print(f"Grade check passed: all {len(recorder.completed)} learners who completed have a sent grade row "
                  "and exactly one final score (Completed, FullyGraded) in the grade book.")
        app.extensions["db_engine"].dispose()
        return 1 if recorder.errors or problems or not recorder.completed else 0
    finally:
        if tool is not None:
            stop(tool)
        emulator.stop()
        drop_schema(database_url, SCHEMA)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=120, help="start no new learner after this many seconds")
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=16, help="learners active at the same time")
    parser.add_argument("--database-url", default=os.environ.get(PG_ENV))
    args = parser.parse_args()
    if not args.database_url or not args.database_url.startswith("postgresql"):
        sys.exit("The load test needs PostgreSQL: pass --database-url postgresql+psycopg://USER@HOST:5432/DB or set "
                 f"{PG_ENV} (it uses a schema of its own, {SCHEMA}, and drops it afterwards).")
    sys.exit(run(args.database_url, args.learners, args.seconds, args.workers, args.concurrency))


if __name__ == "__main__":
    main()
