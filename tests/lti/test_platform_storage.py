"""LTI platform storage: when the state cookie does not come back inside the course iframe, the tool keeps and
checks its login state in the platform's frame through postMessage (lti.put_data / lti.get_data).
The whole exchange in a real cross-site iframe: tests/browser/test_platform_storage_browser.py."""

from __future__ import annotations

import re

import requests
from sqlalchemy import func, select

from lti_tool.models import Launch, OidcState
from tests.support.lti_world import form_of


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
