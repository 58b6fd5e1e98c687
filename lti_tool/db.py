"""The database engine and the one-session-per-request rule.

Domain code receives a ``Session`` argument and never imports Flask; views get theirs from
:func:`get_session`, which opens one per request and closes it at teardown (rolled back if the
request failed).
"""

from __future__ import annotations

from pathlib import Path

from flask import Flask, g
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker


def make_engine(url: str) -> Engine:
    """SQLite gets a busy time-out and foreign keys; PostgreSQL gets a checked pool."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):  # noqa: ANN001
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=10)


def default_database_url(instance_path: str) -> str:
    return f"sqlite:///{Path(instance_path) / 'lti_tool.sqlite3'}"


def init_app(app: Flask) -> None:
    engine = make_engine(app.config["DATABASE_URL"])
    app.extensions["db_engine"] = engine
    app.extensions["db_sessionmaker"] = sessionmaker(engine, expire_on_commit=False)

    @app.teardown_appcontext
    def _close_session(exc: BaseException | None) -> None:
        session: Session | None = g.pop("db_session", None)
        if session is not None:
            if exc is not None:
                session.rollback()
            session.close()


def get_session() -> Session:
    """The request's session, opened on first use."""
    from flask import current_app

    if "db_session" not in g:
        g.db_session = current_app.extensions["db_sessionmaker"]()
    return g.db_session


def session_factory(app: Flask) -> sessionmaker[Session]:
    """For CLI commands and workers that run outside a request."""
    return app.extensions["db_sessionmaker"]
