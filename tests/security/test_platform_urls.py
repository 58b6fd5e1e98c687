"""Every URL a platform gives the tool is checked the same way (admin page, CLI, Dynamic Registration), and the
security headers are built only from origins that are valid in a header."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import insert

from lti_tool import create_app
from lti_tool.lti import registration
from lti_tool.lti.urls import UnsafeUrl, check_url, origin_of
from lti_tool.models import Platform

REFUSED_EVERYWHERE = [
    "javascript:alert(1)",
    "data:text/html,hi",
    "ftp://platform.example/x",
    "https://attacker@platform.example/x",
    "https://user:pw@platform.example/x",
    "https://exa mple.example/x",
    "https://platform.example/a\r\nSet-Cookie: x=1",
    "https:///nohost",
    "https://platform.example:99999/x",
    "https://" + "a" * 1000 + ".example/",
    "https://xn--.example\udcff/",
]
REFUSED_IN_PRODUCTION = [
    "http://platform.example/auth",
    "https://127.0.0.1/auth",
    "https://localhost/auth",
    "https://10.1.2.3/auth",
    "https://192.168.0.1/auth",
    "https://169.254.169.254/latest/meta-data",
    "https://[::1]/auth",
    "https://[fe80::1]/auth",
    "https://0.0.0.0/auth",
]


@pytest.mark.parametrize("url", REFUSED_EVERYWHERE)
@pytest.mark.parametrize("production", [True, False])
def test_unsafe_urls_are_refused(url, production):
    with pytest.raises(UnsafeUrl):
        check_url(url, production=production)


@pytest.mark.parametrize("url", REFUSED_IN_PRODUCTION)
def test_local_private_and_plain_http_urls_are_refused_in_production_only(url):
    with pytest.raises(UnsafeUrl):
        check_url(url, production=True)
    assert check_url(url, production=False)


def test_an_international_host_is_kept_in_its_ascii_form():
    assert check_url("https://☃.example/x?a=1", production=True) == "https://xn--n3h.example/x?a=1"
    assert origin_of("https://Bücher.example:8443/x", production=True) == "https://xn--bcher-kva.example:8443"


@pytest.mark.parametrize("field", ["auth_login_url", "auth_token_url", "keyset_url", "issuer"])
def test_the_admin_page_and_cli_path_refuses_the_same_urls(db, field):
    values = {"issuer": "https://learn.example", "auth_login_url": "https://learn.example/auth",
              "auth_token_url": "https://learn.example/token", "keyset_url": "https://learn.example/jwks"}
    with pytest.raises(registration.Conflict):
        registration.add_platform(db, client_id="c", production=True, **{**values, field: "https://127.0.0.1/x"})
    with pytest.raises(registration.Conflict):
        registration.add_platform(db, client_id="c", **{**values, field: "javascript:alert(1)"})
    assert registration.add_platform(db, client_id="c", production=True, **values).id


def test_the_cli_refuses_a_platform_with_a_private_address_in_production(test_config):
    app = create_app({**test_config, "ENV": "production"})
    result = app.test_cli_runner().invoke(args=[
        "platform", "add", "--issuer", "https://learn.example", "--client-id", "c",
        "--auth-login-url", "https://169.254.169.254/auth", "--auth-token-url", "https://learn.example/t",
        "--keyset-url", "https://learn.example/k"])
    assert result.exit_code != 0
    assert "local or private" in str(result.exception)
    app.extensions["db_engine"].dispose()


def test_stored_origins_that_are_not_valid_are_left_out_of_the_headers_and_logged(app, client, db, caplog):
    """A value stored before these checks (or written by hand) can never take every page down."""
    db.execute(insert(Platform), [
        {"issuer": "https://a.example", "client_id": "1", "name": "a", "auth_login_url": "https://☃.example/x",
         "auth_token_url": "https://a.example/t", "keyset_url": "https://a.example/k",
         "frame_origins": ["https://bad host.example", "javascript:alert(1)", "https://learn.example\u2028x",
                           "https://ok.example"]},
        {"issuer": "https://b.example", "client_id": "2", "name": "b",
         "auth_login_url": "https://exa\u2028mple.example/x", "auth_token_url": "https://b.example/t",
         "keyset_url": "https://b.example/k", "frame_origins": []},
    ])
    db.commit()
    caplog.set_level(logging.WARNING, logger="lti_tool")
    response = client.get("/lti/jwks.json")
    assert response.status_code == 200
    csp = response.headers["Content-Security-Policy"]
    assert csp.isascii()
    ancestors = csp.split("frame-ancestors ", 1)[1].split()
    assert ancestors == ["'self'", "https://ok.example", "https://xn--n3h.example"]
    assert any("left out of the security headers" in r.getMessage() for r in caplog.records)
