"""LTI platform storage: when the state cookie does not come back inside the course iframe, the tool keeps and
checks its login state in the platform's frame through postMessage (lti.put_data / lti.get_data)."""

from __future__ import annotations

import re

import pytest
import requests
from sqlalchemy import func, select

from lti_platform_emulator import GRADED_RESOURCE_LINK_ID
from lti_tool.models import Launch, OidcState
from tests.lti_harness import form_of

CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def _storage_login(world, browser):
    login_url = world.platform_state.prepare_launch(user_id="learner-1", role="learner", lti_storage_target="_parent")
    return browser.get(login_url, timeout=10)


def test_login_with_a_storage_target_stores_state_and_nonce_in_the_platform_frame(lti_world, db):
    page = _storage_login(lti_world, lti_world.new_browser())
    assert page.status_code == 200
    row = db.scalars(select(OidcState)).one()
    assert row.storage_target == "_parent"
    assert f'data-state="{row.state}"' in page.text and f'data-nonce="{row.nonce}"' in page.text
    assert 'data-mode="login"' in page.text and "platform-storage.js" in page.text


def _launch_without_cookie(world):
    browser = world.new_browser()
    page = _storage_login(world, browser)
    next_url = re.search(r'data-next="([^"]+)"', page.text).group(1).replace("&amp;", "&")
    action, fields = form_of(browser.get(next_url, timeout=10).text)
    browser.cookies.clear()  # the iframe did not send the state cookie back
    return browser, action, fields


def test_without_the_cookie_the_launch_is_checked_against_platform_storage_first(lti_world, db):
    browser, action, fields = _launch_without_cookie(lti_world)
    page = browser.post(action, data=fields, timeout=10)
    assert page.status_code == 200 and 'data-mode="launch"' in page.text
    assert 'name="lti_storage_checked" value="1"' in page.text
    assert db.scalar(select(func.count()).select_from(Launch)) == 0, "nothing is accepted before the check"
    checked = browser.post(action, data={**fields, "lti_storage_checked": "1"},
                           headers={"Origin": lti_world.tool_url}, timeout=10)
    assert checked.status_code == 200
    assert db.scalar(select(func.count()).select_from(Launch)) == 1


def test_a_cross_site_post_claiming_the_storage_check_is_refused(lti_world, db):
    browser, action, fields = _launch_without_cookie(lti_world)
    forged = browser.post(action, data={**fields, "lti_storage_checked": "1"},
                          headers={"Origin": "https://attacker.example"}, timeout=10)
    assert forged.status_code == 200 and 'data-mode="launch"' in forged.text, "only the storage page is shown"
    missing_origin = requests.post(action, data={**fields, "lti_storage_checked": "1"}, timeout=10)
    assert "<code>state_not_bound</code>" in missing_origin.text or 'data-mode="launch"' in missing_origin.text
    assert db.scalar(select(func.count()).select_from(Launch)) == 0


@pytest.mark.browser
def test_in_a_cross_site_iframe_the_launch_completes_through_platform_storage(lti_world, db):
    """The platform page (127.0.0.1) frames the tool served on 127.0.0.2: a different site, so the tool's Lax
    cookies are not sent inside the frame. The real browser runs the postMessage exchange with the platform page.
    (127.0.0.2 rather than "localhost", whose IPv6 address may not answer at all on some machines.)"""
    from playwright.sync_api import sync_playwright

    from lti_platform_emulator import serve_in_thread

    second_host = serve_in_thread(lti_world.app, host="127.0.0.2")
    tool_origin = second_host.url
    settings = lti_world.settings
    settings.tool_login_url = f"{tool_origin}/lti/login"
    settings.tool_launch_url = f"{tool_origin}/lti/launch"
    framed = (f"{lti_world.platform.url}/launch/start?framed=1&user_id=learner-1&role=learner"
              f"&resource_link_id={GRADED_RESOURCE_LINK_ID}&custom=module%3Dimg-supervision")
    with sync_playwright() as p:
        # One renderer for both sites: on a loaded 2-core machine, starting a process for the cross-site frame
        # could take longer than the test waits. Cookies and postMessage origins behave the same either way.
        browser = p.chromium.launch(executable_path="/usr/bin/chromium",
                                    args=[*CHROMIUM_ARGS, "--disable-features=IsolateOrigins,site-per-process"])
        page = browser.new_page()
        page.goto(framed, wait_until="commit")
        launches = _launches_after(db, seconds=45)
        log = page.evaluate("window.platformStorageLog")
        browser.close()
    second_host.stop()
    assert launches == 1, "the launch was accepted although the frame never sent the state cookie back"
    assert "lti.put_data" in log and "lti.get_data" in log, "the state went through the platform's storage"


def _launches_after(db, seconds: float) -> int:
    """Launches recorded once the framed flow has run its course (the frame navigates several times)."""
    import time

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        db.rollback()  # a fresh snapshot: the tool commits in its own threads
        count = db.scalar(select(func.count()).select_from(Launch))
        if count:
            return count
        time.sleep(0.2)
    return 0
