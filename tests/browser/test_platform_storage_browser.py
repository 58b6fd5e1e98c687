"""LTI platform storage in a real browser: inside a cross-site iframe, where the tool's cookies are not sent, the
launch completes through the platform's postMessage storage."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from lti_platform_emulator import GRADED_RESOURCE_LINK_ID
from lti_tool.models import Launch
from tests.support.browser import CHROMIUM, CHROMIUM_ARGS

pytestmark = pytest.mark.browser


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
        browser = p.chromium.launch(executable_path=CHROMIUM,
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
