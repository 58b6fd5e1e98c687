"""Local development helpers."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from ..content import ContentProblems, publish
from ..db import session_factory
from ..lti import keys, registration
from ..lti.config import find_platform

dev_group = AppGroup("dev", help="Local development helpers.")


@dev_group.command("setup")
def setup_command() -> None:
    """Migrate the database, make the tool's keys, publish the content folder and (in development mode) register
    the local development platform. Idempotent."""
    from ..migrate import upgrade  # Alembic is loaded by this command only, not by every web worker

    upgrade(current_app.config["DATABASE_URL"])
    with session_factory(current_app)() as session:
        keys.signing_key(session)
        click.echo("Database migrated; tool keys ready.")
        try:
            report = publish(session, current_app.config["CONTENT_DIR"], note="dev setup", actor="dev setup")
        except ContentProblems as exc:
            for problem in exc.problems:
                click.echo(str(problem), err=True)
            raise click.ClickException("Content not published: fix the problems above.") from None
        session.commit()
        for line in report.lines():
            click.echo(line)
        if current_app.config["DEVELOPMENT"]:
            _register_dev_platform(session)


def _register_dev_platform(session) -> None:
    from ..web.dev import DEV_DEPLOYMENT_ID, dev_platform_settings

    settings = dev_platform_settings(current_app)
    if find_platform(session, settings.issuer or "", settings.client_id) is not None:
        return
    base = settings.base_url
    registration.add_platform(
        session, issuer=settings.issuer or "", client_id=settings.client_id, auth_login_url=f"{base}/auth",
        auth_token_url=f"{base}/token", keyset_url=f"{base}/jwks.json", name="Local development platform",
        deployment_ids=(DEV_DEPLOYMENT_ID,),
    )
    session.commit()
    click.echo(f"Registered the local development platform at {base}.")
