"""Benchmark the tutor pages: the course view (its first page) and the CSV export at 2,000 learners × 10 modules
(one course) and 10,000 × 10 (a whole deanery), each beside its target.

Run: ``python bench/bench_tutor.py [--sizes 2000x10 10000x10] [--profile]`` (SQLite in a temporary folder). With
``LTI_TOOL_BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test`` it also runs on PostgreSQL,
in a schema of its own that it drops afterwards. ``--profile`` prints a pyinstrument call tree of one course view.
"""

from __future__ import annotations

import argparse
import os
import secrets
import statistics
import sys
import tempfile
import time
import tracemalloc
from datetime import timedelta
from pathlib import Path

from sqlalchemy import create_engine, event, insert, select, text
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from lti_tool import REPO_ROOT, create_app
from lti_tool.db import session_factory
from lti_tool.migrate import upgrade
from lti_tool.models import (
    Answer,
    Attempt,
    Course,
    Deployment,
    Enrollment,
    GradeSync,
    Launch,
    Module,
    ModuleVersion,
    Page,
    Platform,
    Progress,
    Quiz,
    QuizVersion,
    ResourceLink,
    User,
    utcnow,
)

ENV = "LTI_TOOL_BENCH_DATABASE_URL"
LEARNER_ROLE = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"


def seed(session, learners: int, modules: int) -> tuple[int, int]:
    """Bulk-insert a course with ``learners`` × ``modules`` progress rows, one quiz attempt and one grade sync
    each; returns (course id, tutor user id)."""
    now = utcnow()
    platform = Platform(name="Blackboard", issuer="https://bb.bench", client_id="bench", auth_login_url="x",
                        auth_token_url="x", keyset_url="x")
    session.add(platform)
    session.flush()
    deployment = Deployment(platform_id=platform.id, deployment_id="bench", is_active=True)
    session.add(deployment)
    session.flush()
    course = Course(deployment_id=deployment.id, context_id="bench", title="Benchmark course",
                    roster_synced_at=now - timedelta(minutes=5))
    session.add(course)
    session.flush()

    version_ids, quiz_version_ids = [], []
    for m in range(modules):
        module = Module(slug=f"module-{m:02d}", kind="module")
        session.add(module)
        session.flush()
        version = ModuleVersion(module_id=module.id, number=1, title=f"Module {m:02d}", digest="d")
        quiz = Quiz(slug=f"quiz-{m:02d}")
        session.add_all([version, quiz])
        session.flush()
        quiz_version = QuizVersion(quiz_id=quiz.id, number=1, title=f"Quiz {m:02d}", digest="d")
        session.add(quiz_version)
        session.flush()
        module.current_version_id, quiz.current_version_id = version.id, quiz_version.id
        session.add(Page(module_version_id=version.id, slug="check", position=1, title="Check", html="",
                         quiz_version_id=quiz_version.id))
        session.add(ResourceLink(course_id=course.id, resource_link_id=f"rl-{m}", module_slug=module.slug))
        version_ids.append(version.id)
        quiz_version_ids.append(quiz_version.id)
    session.flush()

    session.execute(insert(User), [
        {"platform_id": platform.id, "sub": f"sub-{n}", "name": f"Learner {n:05d}", "email": f"l{n}@nhs.example",
         "person_sourcedid": f"SID{n:05d}"} for n in range(learners + 1)])
    user_ids = session.scalars(select(User.id).where(User.platform_id == platform.id).order_by(User.id)).all()
    tutor_id, learner_ids = user_ids[0], user_ids[1:]
    session.execute(insert(Enrollment), [
        {"course_id": course.id, "user_id": uid, "role": "tutor" if uid == tutor_id else "learner",
         "lti_roles": [LEARNER_ROLE], "status": "active", "source": "nrps"} for uid in user_ids])
    session.execute(insert(Progress), [
        {"user_id": uid, "course_id": course.id, "module_slug": f"module-{m:02d}", "edition_key": 0,
         "module_version_id": version_ids[m], "state": "completed" if (n + m) % 3 else "in_progress",
         "passed": True if (n + m) % 3 else None, "score": 0.8 if (n + m) % 3 else None, "started_at": now,
         "completed_at": now if (n + m) % 3 else None, "last_activity_at": now - timedelta(minutes=n % 500)}
        for n, uid in enumerate(learner_ids) for m in range(modules)])
    progress = session.execute(select(Progress.id, Progress.user_id, Progress.module_slug)
                               .where(Progress.course_id == course.id)).all()
    session.execute(insert(Attempt), [
        {"progress_id": pid, "quiz_version_id": quiz_version_ids[int(slug[-2:])], "number": 1,
         "layout": [{"question": "q1"}], "started_at": now, "submitted_at": now, "points": 1.0,
         "max_points": 1.0, "score": 1.0 if pid % 4 else 0.0, "passed": bool(pid % 4)} for pid, _uid, slug in progress])
    attempts = session.execute(select(Attempt.id)).scalars().all()
    session.execute(insert(Answer), [
        {"attempt_id": aid, "question_slug": "q1", "response": "a", "is_correct": bool(aid % 4), "points": 1.0,
         "saved_at": now} for aid in attempts])
    session.execute(insert(GradeSync), [
        {"progress_id": pid, "course_id": course.id, "user_sub": f"sub-{uid}", "lineitem_url": "x",
         "activity_progress": "Completed", "grading_progress": "FullyGraded", "timestamp": now.isoformat(),
         "status": "failed" if pid % 7 == 0 else "sent", "last_error": "503" if pid % 7 == 0 else None,
         "next_attempt_at": now, "created_at": now} for pid, uid, _slug in progress])
    session.commit()
    return course.id, tutor_id


# Targets of issue #11, on PostgreSQL: the view of one course, and the first page of a whole deanery's roster.
TARGETS_MS = {2000: 150, 10000: 600}


def run(database_url: str, label: str, learners: int, modules: int, repeats: int,
        profile: bool = False) -> dict[str, str]:
    upgrade(database_url)
    app = create_app({"ENV": "development", "SECRET_KEY": "bench", "DATABASE_URL": database_url,
                      "CONTENT_DIR": str(REPO_ROOT), "LOG_LEVEL": "WARNING"})
    with session_factory(app)() as session:
        started = time.perf_counter()
        course_id, tutor_id = seed(session, learners, modules)
        seeded = time.perf_counter() - started
        launch = Launch(id=secrets.token_hex(16), user_id=tutor_id, course_id=course_id, role="tutor",
                        message_type="LtiResourceLinkRequest", claims={"custom": {}},
                        expires_at=utcnow() + timedelta(hours=1))
        session.add(launch)
        session.commit()
        launch_id = launch.id

    client = app.test_client()
    with client.session_transaction() as flask_session:
        flask_session["launches"] = {str(course_id): launch_id}
    statements: list[str] = []
    event.listen(app.extensions["db_read_engine"], "before_cursor_execute",
                 lambda *args: statements.append(args[2]))

    view_url = f"/course/{course_id}/tutor/"
    started = time.perf_counter()
    assert client.get(view_url).status_code == 200
    first_request = time.perf_counter() - started
    timings = []
    for _ in range(repeats):
        statements.clear()
        started = time.perf_counter()
        response = client.get(view_url)
        timings.append(time.perf_counter() - started)
        assert response.status_code == 200, response.status_code
    view_queries = len(statements)
    if profile:
        from pyinstrument import Profiler  # here, not at the top: only --profile needs it

        with Profiler(interval=0.0005) as profiler:
            client.get(view_url)
        print(f"\n===== {label}, {learners} × {modules}: one course view =====")
        print(profiler.output_text(unicode=False, color=False, show_all=False, short_mode=True))

    export_url = f"/course/{course_id}/tutor/export.csv"
    started = time.perf_counter()
    response = client.get(export_url, buffered=False)
    chunks = iter(response.response)
    first = next(chunks)
    first_byte = time.perf_counter() - started
    lines = first.count(b"\n") + sum(chunk.count(b"\n") for chunk in chunks)
    total = time.perf_counter() - started
    response.close()
    # A second export under tracemalloc, which slows allocation too much to time the first one with it.
    tracemalloc.start()
    response = client.get(export_url, buffered=False)
    for _chunk in response.response:
        pass
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    response.close()
    app.extensions["db_engine"].dispose()
    return {
        "database": label, "learners × modules": f"{learners} × {modules}", "seed s": f"{seeded:.1f}",
        "first request ms": f"{first_request * 1000:.0f}",
        "view median ms": f"{statistics.median(timings) * 1000:.0f}",
        "target ms": f"≤ {TARGETS_MS[learners]} (PostgreSQL)" if learners in TARGETS_MS else "",
        "view min/max ms": f"{min(timings) * 1000:.0f}/{max(timings) * 1000:.0f}",
        "view queries": str(view_queries), "CSV rows": str(lines - 1),
        "CSV first byte ms": f"{first_byte * 1000:.0f}", "CSV total ms": f"{total * 1000:.0f}",
        "CSV peak MiB": f"{peak / 2**20:.1f}",
    }


def postgres_schema_url(url: str, schema: str) -> str:
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine.dispose()
    return make_url(url).update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(
        hide_password=False)


def drop_schema(url: str, schema: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="+", default=["2000x10", "10000x10"],
                        help="learners x modules, one course each")
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--profile", action="store_true", help="print a pyinstrument tree of one course view")
    parser.add_argument("--no-sqlite", action="store_true", help="PostgreSQL only")
    args = parser.parse_args()
    sizes = [tuple(int(n) for n in size.split("x")) for size in args.sizes]
    pg = os.environ.get(ENV)
    printed = False
    for learners, modules in sizes:
        if not args.no_sqlite:
            with tempfile.TemporaryDirectory() as folder:
                printed = show(run(f"sqlite:///{Path(folder) / 'bench.sqlite3'}", "SQLite", learners, modules,
                                   args.repeats, args.profile), printed)
        if pg:
            schema = f"btg_bench_tutor_{os.getpid()}"
            try:
                printed = show(run(postgres_schema_url(pg, schema), "PostgreSQL", learners, modules, args.repeats,
                                   args.profile), printed)
            finally:
                drop_schema(pg, schema)


def show(result: dict[str, str], printed: bool) -> bool:
    """One result line as soon as it is measured (a 10,000-learner seed takes minutes); headers before the first."""
    if not printed:
        print(" | ".join(result))
    print(" | ".join(result.values()), flush=True)
    return True

if __name__ == "__main__":
    main()
