"""Blueprints per audience, security settings shared by all of them, and error pages."""

from __future__ import annotations

from flask import Flask
from flask_wtf.csrf import CSRFProtect
from werkzeug.middleware.proxy_fix import ProxyFix

csrf = CSRFProtect()


def init_web(app: Flask) -> None:
    production = not app.config["DEVELOPMENT"] and app.config["ENV"] != "testing"
    app.config.update(
        # Inside a Blackboard iframe the session cookie is third-party: it must be Secure, SameSite=None and
        # Partitioned (CHIPS) to be kept. Plain HTTP on loopback (development) cannot set Secure cookies.
        SESSION_COOKIE_NAME="btg_session",
        SESSION_COOKIE_SECURE=production,
        SESSION_COOKIE_SAMESITE="None" if production else "Lax",
        SESSION_COOKIE_PARTITIONED=production,
        SESSION_COOKIE_HTTPONLY=True,
        WTF_CSRF_TIME_LIMIT=None,
        WTF_CSRF_SSL_STRICT=False,
        MAX_CONTENT_LENGTH=16 * 1024 * 1024,
    )
    if app.config["PROXY_HOPS"]:
        hops = int(app.config["PROXY_HOPS"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops)  # type: ignore[method-assign]
    csrf.init_app(app)
    from . import security

    security.bound_numbers(app)

    from . import (
        admin,
        admin_content,
        admin_interchange,
        auth,
        certificates,
        content_assets,
        deep_linking,
        editions,
        errors,
        health,
        learner,
        lti,
        site,
        tutor,
    )

    errors.init_app(app)
    for blueprint in (health.bp, lti.bp, deep_linking.bp, learner.bp, tutor.bp, admin.bp, admin_content.bp,
                      admin_interchange.bp, certificates.bp, content_assets.bp, editions.bp, site.bp, auth.bp):
        app.register_blueprint(blueprint)
    csrf.exempt(lti.bp)
    security.init_app(app)
    security.rate_limited(app, "lti.login", "lti.launch", "lti.dynamic_registration", "certificates.verify")
    if app.config["DEVELOPMENT"]:
        from . import dev

        dev.init_app(app)
