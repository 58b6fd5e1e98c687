"""Profile the hot requests with pyinstrument: the launch hops, a page view, a quiz submission, the tutor view.

Run: python bench/profile_requests.py [--repeat N] [--database-url URL] [--cpu-only]
Serves the platform emulator in a thread and drives the tool through the Flask test client (so the profiler sees
the tool's own frames), SQLite in a temporary folder unless a PostgreSQL URL is given. Prints one call tree per
request kind, summed over ``--repeat`` requests, and the SQL statements each kind issues.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path
from urllib.parse import urlsplit

import requests
from pyinstrument import Profiler
from sqlalchemy import event, select

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent))
sys.path.insert(0, str(BENCH))

from serving import drop_schema, schema_url  # noqa: E402

from lti_platform_emulator import (  # noqa: E402
    DEFAULT_CONTEXT_ID,
    PlatformSettings,
    create_platform_app,
    platform_state,
    serve_in_thread,
)
from lti_tool import REPO_ROOT, create_app  # noqa: E402
from lti_tool.content import publish  # noqa: E402
from lti_tool.db import session_factory  # noqa: E402
from lti_tool.lti import registration  # noqa: E402
from lti_tool.migrate import upgrade  # noqa: E402
from lti_tool.models import Quiz, QuizVersion  # noqa: E402
from tests.support.learning_factories import CORRECT_ANSWERS, publish_demo_module  # noqa: E402
from tests.support.lti_world import form_of  # noqa: E402
from tests.support.quiz_form import answer_fields  # noqa: E402

TOOL = "http://tool.test"


def csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def profile(database_url: str, repeat: int, cpu_only: bool = False) -> None:
    app = create_app({"ENV": "testing", "SECRET_KEY": "profile", "DATABASE_URL": database_url, "LOG_LEVEL": "ERROR",
                      "CONTENT_DIR": str(REPO_ROOT), "BASE_URL": TOOL})
    settings = PlatformSettings(client_id="profile", deployment_id="profile-dep", tool_login_url=f"{TOOL}/lti/login",
                                tool_launch_url=f"{TOOL}/lti/launch", tool_jwks_url=f"{TOOL}/lti/jwks.json")
    platform_app = create_platform_app(settings)
    emulator = serve_in_thread(platform_app)
    settings.issuer = emulator.url
    with session_factory(app)() as session:
        publish(session, app.config["CONTENT_DIR"], actor="profile")
        publish_demo_module(session)
        session.commit()
        registration.add_platform(session, issuer=emulator.url, client_id="profile",
                                  auth_login_url=f"{emulator.url}/auth", auth_token_url=f"{emulator.url}/token",
                                  keyset_url=f"{emulator.url}/jwks.json", deployment_ids=("profile-dep",))
        session.commit()
    state = platform_state(platform_app)
    statements: Counter[str] = Counter()
    current = {"kind": ""}
    for engine in {app.extensions["db_engine"], app.extensions["db_read_engine"]}:
        event.listen(engine, "before_cursor_execute", lambda *a: statements.update([current["kind"]]))
    profilers: dict[str, Profiler] = {}

    cpu_ms: dict[str, list[float]] = defaultdict(list)

    def hop(kind: str, call):
        current["kind"] = kind
        profiler = None if cpu_only else profilers.setdefault(kind, Profiler(interval=0.0002))
        if profiler:
            profiler.start()
        started = time.thread_time()
        try:
            return call()
        finally:
            cpu_ms[kind].append((time.thread_time() - started) * 1000)
            if profiler:
                profiler.stop()
            current["kind"] = ""  # statements between hops (arranging the next one) count for none

    def launch(n: int, role: str = "learner", user_id: str | None = None):
        client = app.test_client()
        user_id = user_id or (f"{role}-1" if role != "learner" else f"learner-{1 + n % 3}")
        login_url = state.prepare_launch(user_id=user_id,
                                         role=role, custom={"module": "img-demo"})
        path = urlsplit(login_url)
        login = hop("launch: login", lambda: client.get(f"{path.path}?{path.query}"))
        auth = requests.get(login.headers["Location"], timeout=10)
        action, fields = form_of(auth.text)
        launched = hop("launch: POST", lambda: client.post(urlsplit(action).path, data=fields))
        first = hop("launch: first page", lambda: client.get(launched.headers["Location"]))
        assert first.status_code == 200, first.status_code
        return client, urlsplit(launched.headers["Location"]).path

    for n in range(3):  # warm-up: templates compiled, keys fetched
        launch(n)
    # A quiz passed with full marks offers no new attempt: each profiled submission is a learner of its own.
    for n in range(repeat):
        state.add_member(DEFAULT_CONTEXT_ID, f"quiz-taker-{n}", "Quiz", f"Taker {n}")
    quiz_takers = [launch(n, user_id=f"quiz-taker-{n}")[0] for n in range(repeat)]
    profilers.clear()
    cpu_ms.clear()
    statements.clear()
    for n in range(repeat):
        client, home = launch(n)
    pages = [f"{home}page/page-{n}" for n in (1, 2, 3)]
    for n in range(repeat):
        hop("page view", lambda n=n: client.get(pages[n % len(pages)]))
    quiz_home = f"{home}quiz/demo-check/"
    for client in quiz_takers:
        token = csrf(client.get(quiz_home).text)
        client.post(f"{quiz_home}start", data={"csrf_token": token})
        form = client.get(quiz_home).text
        submit = re.search(r'action="([^"]*/submit)"', form).group(1)
        with session_factory(app)() as session:
            quiz_version = session.scalars(select(QuizVersion).join(Quiz, QuizVersion.quiz_id == Quiz.id)
                                           .where(Quiz.slug == "demo-check")).one()
            fields = {"csrf_token": token, **answer_fields(form, quiz_version, CORRECT_ANSWERS)}
        response = hop("quiz submission",
                       lambda submit=submit, fields=fields, client=client: client.post(submit, data=fields))
        assert response.status_code == 303, response.status_code
    tutor, tutor_home = launch(0, role="instructor")
    for _ in range(repeat):
        hop("tutor view", lambda: tutor.get(tutor_home))
    emulator.stop()
    app.extensions["db_engine"].dispose()
    for kind, profiler in profilers.items():
        print(f"\n===== {kind}: {repeat} requests, {statements[kind] / repeat:.1f} statements each =====")
        print(profiler.output_text(unicode=False, color=False, show_all=False, short_mode=True))
    for kind, times in cpu_ms.items():
        print(f"{kind:<22} {statistics.median(times):7.2f} ms CPU median (this thread), "
              f"{statements[kind] / repeat:5.1f} statements")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--database-url")
    parser.add_argument("--cpu-only", action="store_true",
                        help="no call trees: the median CPU time of each request kind in the serving thread, which "
                             "other processes on the machine disturb far less than wall-clock time")
    args = parser.parse_args()
    if args.database_url:
        url = schema_url(args.database_url, "btg_profile")
        upgrade(url)
        try:
            profile(url, args.repeat, args.cpu_only)
        finally:
            drop_schema(args.database_url, "btg_profile")
        return
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/profile.sqlite3"
        upgrade(url)
        profile(url, args.repeat, args.cpu_only)


if __name__ == "__main__":
    main()
