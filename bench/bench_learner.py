"""How fast the learner's two hot paths are: viewing a page and submitting a quiz, through the Flask test client.

Seeds the demo module (tests/support/learning_factories.py) on a fresh SQLite file, and on PostgreSQL too when
LTI_TOOL_BENCH_DATABASE_URL is set (a throw-away schema is created and dropped). Prints median and 95th
percentile milliseconds and requests per second. Run: ``python bench/bench_learner.py [iterations]``.
"""

from __future__ import annotations

import os
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from sqlalchemy import create_engine, select, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from lti_tool import create_app  # noqa: E402
from lti_tool.db import session_factory  # noqa: E402
from lti_tool.migrate import upgrade  # noqa: E402
from lti_tool.models import QuizVersion  # noqa: E402
from tests.support.launches import make_course, make_launch, sign_in  # noqa: E402
from tests.support.learning_factories import CORRECT_ANSWERS, publish_demo_module  # noqa: E402
from tests.support.quiz_form import answer_fields  # noqa: E402

PG_ENV = "LTI_TOOL_BENCH_DATABASE_URL"
SCHEMA = "btg_bench"


@contextmanager
def sqlite_database() -> Iterator[str]:
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/bench.sqlite3"
        upgrade(url)
        yield url


@contextmanager
def postgres_database(base_url: str) -> Iterator[str]:
    admin = create_engine(base_url)
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{SCHEMA}" CASCADE'))
        conn.execute(text(f'CREATE SCHEMA "{SCHEMA}"'))
    url = make_url(base_url).update_query_dict({"options": f"-csearch_path={SCHEMA}"}).render_as_string(
        hide_password=False)
    try:
        upgrade(url)
        yield url
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{SCHEMA}" CASCADE'))
        admin.dispose()


def timed(action: Callable[[], int], iterations: int) -> list[float]:
    durations = []
    for _ in range(iterations):
        start = time.perf_counter()
        status = action()
        durations.append((time.perf_counter() - start) * 1000)
        if status >= 400:
            raise SystemExit(f"request failed with status {status}")
    return durations


def run(database_url: str, iterations: int) -> dict[str, list[float]]:
    """Milliseconds per page view and per quiz submission, ``iterations`` of each."""
    app = create_app({"ENV": "development", "SECRET_KEY": "bench", "DATABASE_URL": database_url, "LOG_LEVEL": "ERROR"})
    with session_factory(app)() as db:
        publish_demo_module(db)
        course = make_course(db)
        arranged = make_launch(db, course, module_slug="img-demo")
        db.commit()
    client = app.test_client()
    sign_in(client, arranged)
    base = f"/course/{arranged.course_id}/module/img-demo"
    page = client.get(f"{base}/quiz/demo-check/").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    pages = [f"{base}/page/page-{n}" for n in (1, 2, 3)]
    counter = iter(range(10**9))

    def view_page() -> int:
        return client.get(pages[next(counter) % 3]).status_code

    attempt_numbers = iter(range(1, 10**9))
    submits: list[float] = []

    def submit_quiz() -> int:
        client.post(f"{base}/quiz/demo-check/start", data={"csrf_token": token})
        number = next(attempt_numbers)
        form = client.get(f"{base}/quiz/demo-check/").get_data(as_text=True)
        with session_factory(app)() as db:
            fields = answer_fields(form, db.scalars(select(QuizVersion)).one(), CORRECT_ANSWERS)
        start = time.perf_counter()
        status = client.post(f"{base}/quiz/demo-check/attempt/{number}/submit",
                             data={"csrf_token": token, **fields}).status_code
        submits.append((time.perf_counter() - start) * 1000)
        return status

    view_page()
    results = {"page view": timed(view_page, iterations)}
    timed(submit_quiz, iterations)
    results["quiz submit"] = submits
    app.extensions["db_engine"].dispose()
    return results


def main() -> None:
    iterations = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    backends: list[tuple[str, Callable[[], AbstractContextManager[str]]]] = [("sqlite", sqlite_database)]
    if os.environ.get(PG_ENV):
        backends.append(("postgresql", lambda: postgres_database(os.environ[PG_ENV])))
    print(f"{'backend':<11} {'operation':<12} {'n':>5} {'median ms':>10} {'p95 ms':>8} {'req/s':>8}")
    for name, database in backends:
        with database() as url:
            for operation, durations in run(url, iterations).items():
                median = statistics.median(durations)
                p95 = statistics.quantiles(durations, n=20)[-1]
                rate = len(durations) / (sum(durations) / 1000)
                print(f"{name:<11} {operation:<12} {len(durations):>5} {median:>10.2f} {p95:>8.2f} {rate:>8.1f}")


if __name__ == "__main__":
    main()
