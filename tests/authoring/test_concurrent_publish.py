"""Two admins publishing the same module at the same moment, over real HTTP against a threaded server: one
version is published, the other admin gets a 409 saying someone else published and to reload; never a 500
and never a second version silently published over the first."""

from __future__ import annotations

import html
import re
import secrets
import threading
from datetime import timedelta

import pytest
import requests
from sqlalchemy import select

from lti_platform_emulator import serve_in_thread
from lti_tool.models import AuditEntry, Launch, ModuleVersion, Platform, User, utcnow

EDITOR = "/admin/content/demo/edit/01-first.md"


@pytest.fixture
def server(app, published):
    running = serve_in_thread(app)
    yield running.url
    running.stop()


def admin_browser(app, db, name: str) -> requests.Session:
    """A browser holding the launch of an admin granted content rights, as /lti/launch leaves it."""
    platform = db.scalars(select(Platform)).first() or Platform(
        issuer="https://blackboard.example", client_id="c", auth_login_url="https://b/login",
        auth_token_url="https://b/token", keyset_url="https://b/jwks")
    launch = Launch(id=secrets.token_hex(16), user=User(platform=platform, sub=secrets.token_hex(4), name=name),
                    role="tutor", message_type="LtiResourceLinkRequest",
                    claims={"platform_admin": True, "grant": {"all_platforms": False, "content": True}},
                    expires_at=utcnow() + timedelta(hours=1))
    db.add(launch)
    db.commit()
    browser = requests.Session()
    cookie = app.session_interface.get_signing_serializer(app).dumps({"launches": {"-": launch.id}})
    browser.cookies.set(app.config["SESSION_COOKIE_NAME"], cookie, domain="127.0.0.1")
    return browser


def editor_form(browser: requests.Session, base: str, replacement: str) -> dict[str, str]:
    """The editor's form as the admin would send it after changing the tip and ticking the confirmation."""
    page = browser.get(base + EDITOR, timeout=30)
    assert page.status_code == 200, page.text[:300]
    hidden = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page.text))
    text = html.unescape(re.search(r'<textarea id="markdown"[^>]*>(.*?)</textarea>', page.text, re.S).group(1))
    return {**hidden, "text": re.sub(r"Ask [^.]*\.", replacement, text, count=1), "action": "publish",
            "note": replacement, "change": "minor", "confirm": "yes"}


def test_two_admins_publishing_at_once_get_one_version_and_a_clear_409(app, db, server):
    browsers = [admin_browser(app, db, name) for name in ("Ada Admin", "Bo Admin")]
    forms = [editor_form(b, server, tip) for b, tip in zip(browsers, ("Ask on day one.", "Ask in week one."),
                                                            strict=True)]
    assert forms[0]["base_version"] == forms[1]["base_version"] == "1"
    together = threading.Barrier(2)
    responses: list[requests.Response | None] = [None, None]

    def publish(index: int) -> None:
        together.wait()
        responses[index] = browsers[index].post(server + EDITOR, data=forms[index], allow_redirects=False,
                                                timeout=60)

    threads = [threading.Thread(target=publish, args=(i,)) for i in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=90)

    statuses = sorted(r.status_code for r in responses)
    assert statuses == [302, 409], [r.text[:500] for r in responses]
    refused = next(r for r in responses if r.status_code == 409)
    assert "Someone else published module demo" in refused.text and "Reload to see their version" in refused.text
    winner = responses.index(next(r for r in responses if r.status_code == 302))
    db.expire_all()
    versions = db.scalars(select(ModuleVersion).order_by(ModuleVersion.number)).all()
    assert [v.number for v in versions] == [1, 2]
    assert forms[winner]["note"] in versions[1].source_files["01-first.md"]
    assert [e.action for e in db.scalars(select(AuditEntry))] == ["content.publish"]


def test_after_a_409_a_reloaded_editor_publishes_over_the_new_version(app, db, server):
    first, second = (admin_browser(app, db, name) for name in ("Ada Admin", "Bo Admin"))
    stale = editor_form(second, server, "Ask in week one.")
    assert first.post(server + EDITOR, data=editor_form(first, server, "Ask on day one."),
                      allow_redirects=False, timeout=30).status_code == 302
    refused = second.post(server + EDITOR, data=stale, allow_redirects=False, timeout=30)
    assert refused.status_code == 409 and "Someone else published module demo (now v2)" in refused.text
    fresh = editor_form(second, server, "Ask in week one.")
    assert second.post(server + EDITOR, data=fresh, allow_redirects=False, timeout=30).status_code == 302
    db.expire_all()
    assert db.scalars(select(ModuleVersion.number).order_by(ModuleVersion.number)).all() == [1, 2, 3]
