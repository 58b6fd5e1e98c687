"""The Content-Security-Policy's platform origins come from a per-process cache, read through the request's own
database session before the view runs: never a second session per request, never a query after the view, and
right from the first request of a fresh server."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import requests
from sqlalchemy import event

from lti_tool.db import session_factory
from lti_tool.lti import registration
from tests.support.gunicorn import free_port, start_gunicorn, stop_process

LOGIN_ORIGIN = "https://learn.trust.example"
LEARNT_ORIGIN = "https://site.trust.example"


def _register(app) -> None:
    with session_factory(app)() as session:
        platform = registration.add_platform(
            session, issuer="https://learn.trust.example", client_id="c1", auth_login_url=f"{LOGIN_ORIGIN}/auth",
            auth_token_url=f"{LOGIN_ORIGIN}/token", keyset_url=f"{LOGIN_ORIGIN}/jwks", deployment_ids=("d1",))
        platform.frame_origins = [LEARNT_ORIGIN]
        session.commit()


def _ancestors(response) -> list[str]:
    return response.headers["Content-Security-Policy"].split("frame-ancestors ", 1)[1].split(";")[0].split()


def test_a_request_with_a_cold_cache_uses_one_connection_and_none_after_the_view(app):
    _register(app)
    app.extensions["platform_origins"].invalidate()
    checkouts: list[str] = []
    engines = {app.extensions["db_engine"], app.extensions["db_read_engine"]}
    listeners = []
    for engine in engines:
        def on_checkout(*_args, engine=engine) -> None:
            checkouts.append(str(engine.url))
        event.listen(engine, "checkout", on_checkout)
        listeners.append((engine, on_checkout))
    try:
        response = app.test_client().get("/no-course")
    finally:
        for engine, listener in listeners:
            event.remove(engine, "checkout", listener)
    assert response.status_code == 200
    assert LOGIN_ORIGIN in _ancestors(response) and LEARNT_ORIGIN in _ancestors(response)
    assert len(checkouts) == 1, f"one database connection per request, not {len(checkouts)}"


def test_a_platform_change_reaches_the_next_response_of_this_process(app, client, db):
    assert LOGIN_ORIGIN not in _ancestors(client.get("/no-course"))
    _register(app)
    assert LOGIN_ORIGIN in _ancestors(client.get("/no-course")), "no waiting for the cache to expire"


def test_32_concurrent_first_requests_at_a_fresh_gunicorn_all_get_the_platform_origins(app, test_config, tmp_path):
    _register(app)
    port = free_port()
    server = start_gunicorn(test_config["DATABASE_URL"], port, workers=2, log=tmp_path / "gunicorn.log")
    base = f"http://127.0.0.1:{port}"
    start = threading.Barrier(32)

    def first_request(n: int) -> tuple[int, list[str]]:
        start.wait(timeout=30)
        response = requests.get(f"{base}{'/no-course' if n % 2 else '/lti/jwks.json'}", timeout=60)
        return response.status_code, _ancestors(response)

    try:
        with ThreadPoolExecutor(32) as pool:
            results = list(pool.map(first_request, range(32)))
    finally:
        stop_process(server)
    assert [status for status, _ in results] == [200] * 32, (tmp_path / "gunicorn.log").read_text()[-3000:]
    for _, ancestors in results:
        assert LOGIN_ORIGIN in ancestors and LEARNT_ORIGIN in ancestors, ancestors
