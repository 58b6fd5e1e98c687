"""Where Blackboard puts the tool: inside an iframe with third-party cookies restricted, and behind several
workers and hosts that share only the database."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
from flask import session
from sqlalchemy import create_engine, select, text
from sqlalchemy.exc import OperationalError

from lti_tool import REPO_ROOT, create_app
from lti_tool.lti import registration
from lti_tool.models import Launch
from tests.support.lti_world import form_link, form_of


def _platform(db):
    platform = registration.add_platform(
        db, issuer="https://platform.example", client_id="c1", auth_login_url="https://platform.example/auth",
        auth_token_url="https://platform.example/token", keyset_url="https://platform.example/jwks",
        deployment_ids=("d1",))
    db.commit()
    return platform


@pytest.fixture
def production_app(test_config):
    app = create_app({**test_config, "ENV": "production"})
    yield app
    app.extensions["db_engine"].dispose()


LOGIN = {"iss": "https://platform.example", "login_hint": "u1", "client_id": "c1",
         "target_link_uri": "https://tool.example/lti/launch", "lti_message_hint": "m"}


def test_in_production_login_first_checks_that_cookies_work_and_offers_a_new_window(production_app, db):
    _platform(db)
    page = production_app.test_client().get("/lti/login", query_string=LOGIN, base_url="https://tool.example")
    assert page.status_code == 200
    assert "Open in a new window" in page.text
    assert "lti1p3_new_window=1" in page.text
    assert "Set-Cookie" not in page.headers


def test_in_production_the_state_cookie_is_secure_samesite_none_and_partitioned(production_app, db):
    _platform(db)
    response = production_app.test_client().get("/lti/login", query_string={**LOGIN, "lti1p3_new_window": "1"},
                                                base_url="https://tool.example")
    assert response.status_code == 302
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("lti1p3-state-")
    for attribute in ("Secure", "SameSite=None", "Partitioned", "HttpOnly"):
        assert attribute in cookie


def test_in_production_the_session_cookie_is_secure_samesite_none_and_partitioned(production_app):
    with production_app.test_request_context("/", base_url="https://tool.example"):
        session["launches"] = {"1": "x"}
        response = production_app.response_class()
        production_app.session_interface.save_session(production_app, session, response)
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("btg_session=")
    for attribute in ("Secure", "SameSite=None", "Partitioned", "HttpOnly"):
        assert attribute in cookie


def _launch_without_following(lti_world, browser):
    """A learner's launch of the supervision module, stopped at the tool's redirect to its first page."""
    login_url = lti_world.platform_state.prepare_launch(user_id="learner-1", role="learner",
                                                        custom={"module": "img-supervision"})
    action, fields = form_of(browser.get(login_url, timeout=10).text)
    return browser.post(action, data=fields, allow_redirects=False, timeout=10)


def test_when_the_session_cookie_is_blocked_the_learner_gets_a_one_time_new_window_link(lti_world, db):
    browser = lti_world.new_browser()
    launched = _launch_without_following(lti_world, browser)
    assert launched.status_code == 303
    first_page_url = lti_world.tool_url + launched.headers["Location"]
    browser.cookies.clear()  # what an iframe with blocked third-party cookies does
    page = browser.get(first_page_url, timeout=10)
    assert page.status_code == 200 and "Open in a new window" in page.text
    new_window_url = lti_world.tool_url + form_link(page.text)
    top_level = lti_world.new_browser()
    landed = top_level.get(new_window_url, timeout=10)
    assert landed.status_code == 200
    assert landed.url.endswith("/module/img-supervision/")
    assert "btg_session" in top_level.cookies
    again = lti_world.new_browser().get(new_window_url, timeout=10)
    assert again.status_code == 400 and "handoff_invalid" in again.text


def test_a_launch_lands_on_its_first_page_in_one_redirect_and_uses_up_its_hand_off(lti_world, db):
    browser = lti_world.new_browser()
    launched = _launch_without_following(lti_world, browser)
    first_page_url = lti_world.tool_url + launched.headers["Location"]
    assert launched.status_code == 303 and "/module/img-supervision/?handoff=" in first_page_url
    page = browser.get(first_page_url, allow_redirects=False, timeout=10)
    assert page.status_code == 200 and "Open in a new window" not in page.text
    db.expire_all()
    assert db.scalars(select(Launch.handoff_token)).all() == [None]
    assert browser.get(first_page_url, timeout=10).status_code == 200, "reloading the first page still works"
    copied_link = lti_world.new_browser().get(first_page_url, allow_redirects=False, timeout=10)
    assert copied_link.status_code == 401 and "Open in a new window" not in copied_link.text


def _database_free_for_a_writer(url: str) -> bool:
    """Whether another connection can take the write lock (SQLite) or the launch rows (PostgreSQL) within 2 s."""
    engine = create_engine(url, connect_args={"timeout": 2} if url.startswith("sqlite") else {})
    try:
        with engine.connect() as connection:
            if url.startswith("sqlite"):
                connection.exec_driver_sql("BEGIN IMMEDIATE")
            else:
                connection.execute(text("SELECT id FROM launch FOR UPDATE NOWAIT")).all()
            connection.rollback()
        return True
    except OperationalError:
        return False
    finally:
        engine.dispose()


def test_a_first_page_waiting_for_the_platform_origins_holds_no_database_lock(lti_world, app):
    """A request re-reading the platforms' origins holds the process's refresh lock and, on SQLite, waits for the
    write lock: a first page that used up its hand-off must not keep the write lock while it waits for that one."""
    browser = lti_world.new_browser()
    first_page_url = lti_world.tool_url + _launch_without_following(lti_world, browser).headers["Location"]
    origins = app.extensions["platform_origins"]
    origins.invalidate()
    origins._lock.acquire()  # another request is re-reading them
    try:
        with ThreadPoolExecutor(max_workers=1) as pool:
            page = pool.submit(browser.get, first_page_url, timeout=30)
            time.sleep(1.0)
            free = _database_free_for_a_writer(app.config["DATABASE_URL"])
            origins._lock.release()
            assert page.result().status_code == 200
    finally:
        if origins._lock.locked():
            origins._lock.release()
    assert free, "the first page held the database while it waited for the platform origins"


def test_a_made_up_hand_off_on_a_page_changes_nothing_for_a_signed_in_browser(lti_world):
    browser = lti_world.new_browser()
    assert lti_world.launch(browser, user_id="learner-1", role="learner",
                            custom={"module": "img-supervision"}).status_code == 200
    page = browser.get(f"{lti_world.tool_url}/course/1/module/img-supervision/?handoff=made-up", timeout=10)
    assert page.status_code == 200 and "Open in a new window" not in page.text
    stranger = lti_world.new_browser().get(f"{lti_world.tool_url}/course/1/module/img-supervision/?handoff=made-up",
                                           allow_redirects=False, timeout=10)
    assert stranger.status_code == 401


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start_gunicorn(port: int, env: dict[str, str], workers: int, log: Path) -> subprocess.Popen:
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--bind", f"127.0.0.1:{port}",
             "--log-level", "warning", "lti_tool:create_app()"],
            cwd=REPO_ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=5).status_code == 200:
                return process
        except requests.RequestException:
            time.sleep(0.2)
    process.kill()
    process.wait()
    raise RuntimeError(f"gunicorn did not start: {log.read_text()[-2000:]}")


@pytest.mark.slow
def test_a_launch_started_on_one_instance_finishes_on_another(app, db, clean_database, published, tmp_path: Path):
    """Two gunicorn instances with two workers each share only the database: login on one, launch on the other."""
    from lti_platform_emulator import PlatformSettings, create_platform_app, platform_state, serve_in_thread

    port_a, port_b = _free_port(), _free_port()
    base_a = f"http://127.0.0.1:{port_a}"
    settings = PlatformSettings(client_id="c-multi", deployment_id="d-multi", tool_login_url=f"{base_a}/lti/login",
                                tool_launch_url=f"{base_a}/lti/launch", tool_jwks_url=f"{base_a}/lti/jwks.json")
    platform_app = create_platform_app(settings)
    emulator = serve_in_thread(platform_app)
    settings.issuer = emulator.url
    registration.add_platform(db, issuer=emulator.url, client_id="c-multi", auth_login_url=f"{emulator.url}/auth",
                              auth_token_url=f"{emulator.url}/token", keyset_url=f"{emulator.url}/jwks.json",
                              deployment_ids=("d-multi",))
    db.commit()
    env = {**os.environ, "LTI_TOOL_ENV": "testing", "LTI_TOOL_SECRET_KEY": "shared-secret",
           "LTI_TOOL_DATABASE_URL": clean_database, "LTI_TOOL_BASE_URL": base_a, "LTI_TOOL_LOG_LEVEL": "WARNING"}
    instances = [_start_gunicorn(port_a, env, 2, tmp_path / "a.log"),
                 _start_gunicorn(port_b, env, 2, tmp_path / "b.log")]
    try:
        state = platform_state(platform_app)
        for n in range(6):
            browser = requests.Session()
            auth_page = browser.get(state.prepare_launch(user_id="learner-1", role="learner"), timeout=10)
            action, fields = form_of(auth_page.text)
            other_instance = action.replace(f":{port_a}/", f":{port_b}/")
            finished = browser.post(other_instance, data=fields, allow_redirects=False, timeout=10)
            assert finished.status_code == 303, finished.text[:400]
            landed = browser.get(f"http://127.0.0.1:{port_a if n % 2 else port_b}{finished.headers['Location']}",
                                 timeout=10)
            assert landed.status_code == 200, landed.text[:400]
        db.expire_all()
        assert len(db.scalars(select(Launch)).all()) == 6
    finally:
        for process in instances:
            process.send_signal(signal.SIGTERM)
        for process in instances:
            process.wait(timeout=20)
        emulator.stop()
