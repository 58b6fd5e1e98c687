"""One person per browser session: the hand-off applies the launch's user check, a copy of an old session cookie
stops working once someone else launches in that browser, and "Sign out" ends the tool's session."""

from __future__ import annotations

import re

import requests

from tests.support.lti_world import form_link, form_of

MODULE = {"module": "img-supervision"}


def _handoff_link(lti_world, user_id: str) -> str:
    """The new-window hand-off link of a launch whose session cookie the iframe dropped."""
    browser = lti_world.new_browser()
    login_url = lti_world.platform_state.prepare_launch(user_id=user_id, role="learner", custom=MODULE)
    action, fields = form_of(browser.get(login_url, timeout=10).text)
    launched = browser.post(action, data=fields, allow_redirects=False, timeout=10)
    browser.cookies.clear()
    page = browser.get(lti_world.tool_url + launched.headers["Location"], timeout=10)
    return lti_world.tool_url + form_link(page.text)


def _module_page(lti_world, browser: requests.Session) -> requests.Response:
    return browser.get(f"{lti_world.tool_url}/course/1/module/img-supervision/", timeout=10, allow_redirects=False)


def test_a_handoff_link_of_another_person_ends_the_victims_session_instead_of_mixing_it(lti_world):
    victim = lti_world.new_browser()
    assert lti_world.launch(victim, user_id="learner-1", role="learner", custom=MODULE).status_code == 200
    victim_cookie = victim.cookies.get("btg_session")
    attacker_link = _handoff_link(lti_world, "learner-2")
    landed = victim.get(attacker_link, timeout=10)
    assert landed.status_code == 200
    stale = lti_world.new_browser()
    stale.cookies.set("btg_session", victim_cookie)
    assert _module_page(lti_world, stale).status_code == 401, "the victim's earlier launch no longer opens"


def test_a_copy_of_an_old_session_cookie_stops_working_when_another_person_launches(lti_world):
    shared_computer = lti_world.new_browser()
    lti_world.launch(shared_computer, user_id="learner-1", role="learner", custom=MODULE)
    copied = shared_computer.cookies.get("btg_session")
    assert _module_page(lti_world, shared_computer).status_code == 200
    lti_world.launch(shared_computer, user_id="learner-2", role="learner", custom=MODULE)
    replay = lti_world.new_browser()
    replay.cookies.set("btg_session", copied)
    assert _module_page(lti_world, replay).status_code == 401
    assert _module_page(lti_world, shared_computer).status_code == 200, "the new person carries on"


def test_the_same_person_launching_again_keeps_their_other_courses(lti_world):
    browser = lti_world.new_browser()
    lti_world.launch(browser, user_id="learner-1", role="learner", custom=MODULE)
    copied = browser.cookies.get("btg_session")
    lti_world.launch(browser, user_id="learner-1", role="learner", custom=MODULE)
    earlier = lti_world.new_browser()
    earlier.cookies.set("btg_session", copied)
    assert _module_page(lti_world, earlier).status_code == 200


def test_sign_out_ends_the_session_on_the_server_too(lti_world):
    browser = lti_world.new_browser()
    lti_world.launch(browser, user_id="learner-1", role="learner", custom=MODULE)
    copied = browser.cookies.get("btg_session")
    page = browser.get(f"{lti_world.tool_url}/sign-out", timeout=10)
    assert page.status_code == 200 and "Sign out" in page.text
    assert _module_page(lti_world, browser).status_code == 200, "asking is not signing out"
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    assert browser.post(f"{lti_world.tool_url}/sign-out", timeout=10).status_code == 400, "CSRF token required"
    done = browser.post(f"{lti_world.tool_url}/sign-out", data={"csrf_token": token}, timeout=10)
    assert done.status_code == 200 and "Signed out" in done.text
    assert _module_page(lti_world, browser).status_code == 401
    replay = lti_world.new_browser()
    replay.cookies.set("btg_session", copied)
    assert _module_page(lti_world, replay).status_code == 401
