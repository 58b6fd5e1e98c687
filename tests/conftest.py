"""Fixtures: a real database per test (SQLite file, or PostgreSQL when LTI_TOOL_TEST_DATABASE_URL names one), the
app on it, and the shipped content published; the fixture modules in tests/support/ (``pytest_plugins``) add the
LTI world, the emulator registered with the tool, the demo content folder and headless Chromium.

The schema is built once per test process through the Alembic migrations, so every run also proves the
migrations; each test then starts from empty tables. Under pytest-xdist each worker gets its own
PostgreSQL schema.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from lti_tool import REPO_ROOT, create_app
from lti_tool.migrate import upgrade
from lti_tool.models import Base

PG_ENV = "LTI_TOOL_TEST_DATABASE_URL"
# Shared fixtures beyond the database and the app; helpers without fixtures are imported from tests.support.
pytest_plugins = [
    "tests.support.lti_world",
    "tests.support.platform_emulator",
    "tests.support.demo_content",
    "tests.support.browser",
]


def _worker() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    pg = os.environ.get(PG_ENV)
    if not pg:
        path = tmp_path_factory.mktemp("db") / "test.sqlite3"
        url = f"sqlite:///{path}"
        upgrade(url)
        yield url
        return
    # A schema per test process: several runs may share one PostgreSQL database (CI, developers, benchmarks).
    schema = f"btg_test_{_worker()}_{os.getpid()}"
    admin = create_engine(pg)
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    admin.dispose()
    url = make_url(pg).update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(hide_password=False)
    upgrade(url)
    yield url
    admin = create_engine(pg)
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture
def clean_database(database_url: str) -> Iterator[str]:
    engine = create_engine(database_url)
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in reversed(Base.metadata.sorted_tables):
                conn.execute(table.delete())
    engine.dispose()
    yield database_url


@pytest.fixture
def test_config(clean_database: str, tmp_path: Path) -> dict:
    return {
        "ENV": "testing",
        "SECRET_KEY": "test-secret-key",
        "DATABASE_URL": clean_database,
        "CONTENT_DIR": str(REPO_ROOT),
        "LOG_LEVEL": "WARNING",
    }


@pytest.fixture
def app(test_config: dict):
    app = create_app(test_config)
    yield app
    app.extensions["db_engine"].dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def db(app):
    """A session outside any request, for arranging and asserting."""
    from lti_tool.db import session_factory

    with session_factory(app)() as session:
        yield session


@pytest.fixture
def published(app):
    """The shipped modules and quizzes, published as they would be by `flask dev setup`."""
    from lti_tool.content import publish
    from lti_tool.db import session_factory

    with session_factory(app)() as session:
        report = publish(session, app.config["CONTENT_DIR"], actor="tests")
        session.commit()
        return report


# Hypothesis: "ci" (the default) keeps the model-based test of the course under two minutes; "long" explores
# more (`pytest tests/model --hypothesis-profile=long`). Examples drive real servers, so no deadline.
settings.register_profile("ci", max_examples=6, stateful_step_count=18, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
settings.register_profile("long", max_examples=60, stateful_step_count=40, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
settings.load_profile("ci")
