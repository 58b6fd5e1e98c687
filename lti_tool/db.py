"""The database engine and the one-session-per-request rule.

Domain code receives a ``Session`` argument and never imports Flask; views get theirs from
:func:`get_session`, which opens one per request and closes it at teardown (rolled back if the
request failed).
"""

from __future__ import annotations

from pathlib import Path

from flask import Flask, g
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from .settings import SettingsError

DatabaseError = SQLAlchemyError  # what views catch when the database does not answer, without importing SQLAlchemy


def make_engine(url: str, *, for_requests: bool = False) -> Engine:
    """SQLite gets a busy time-out and foreign keys; PostgreSQL gets a checked pool.

    On SQLite, the transactions of form submissions begin IMMEDIATE (``for_requests``): a deferred transaction
    that has read and then writes after another connection committed fails at once with "database is locked"
    (its snapshot is stale, so the busy time-out cannot help), which concurrent learners saw as 500s; an
    immediate one waits its turn for the write lock instead. GET requests and sessions outside requests stay
    deferred: reading never waits, and a GET that calls a platform (a roster, a token) holds no lock while the
    platform calls back for the tool's keys.
    """
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):
            if for_requests:
                dbapi_connection.isolation_level = None  # the driver's own BEGIN is replaced by the one below
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        if for_requests:
            @event.listens_for(engine, "begin")
            def _begin_immediate(connection):
                connection.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=10)


def default_database_url(instance_path: str) -> str:
    return f"sqlite:///{Path(instance_path) / 'lti_tool.sqlite3'}"


def init_app(app: Flask) -> None:
    url = app.config["DATABASE_URL"]
    try:
        engine = make_engine(url, for_requests=True)
    except (ArgumentError, NoSuchModuleError) as exc:
        raise SettingsError(f"LTI_TOOL_DATABASE_URL is not a database URL this tool can use ({exc}); use "
                            "sqlite:///PATH or postgresql+psycopg://USER@HOST/NAME") from exc
    app.extensions["db_engine"] = engine
    app.extensions["db_submit_sessionmaker"] = sessionmaker(engine, expire_on_commit=False)
    deferred = make_engine(url) if url.startswith("sqlite") else engine
    app.extensions["db_read_engine"] = deferred
    app.extensions["db_sessionmaker"] = sessionmaker(deferred, expire_on_commit=False)

    @app.teardown_appcontext
    def _close_session(exc: BaseException | None) -> None:
        session: Session | None = g.pop("db_session", None)
        if session is not None:
            if exc is not None:
                session.rollback()
            session.close()


def get_session() -> Session:
    """The request's session, opened on first use (immediate transactions for form submissions on SQLite)."""
    from flask import current_app, request

    if "db_session" not in g:
        kind = "db_sessionmaker" if request.method in ("GET", "HEAD", "OPTIONS") else "db_submit_sessionmaker"
        g.db_session = current_app.extensions[kind]()
    return g.db_session


def session_factory(app: Flask) -> sessionmaker[Session]:
    """For CLI commands and workers that run outside a request."""
    return app.extensions["db_sessionmaker"]


def database_answers() -> bool:
    """Whether the request's database answers a trivial query (for the load balancers' health check)."""
    try:
        get_session().execute(text("SELECT 1"))
    except Exception:
        return False
    return True
