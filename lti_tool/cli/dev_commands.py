"""Local development helpers."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from ..content import ContentProblems, publish
from ..db import session_factory
from ..lti import keys
from ..migrate import upgrade

dev_group = AppGroup("dev", help="Local development helpers.")


@dev_group.command("setup")
def setup_command() -> None:
    """Migrate the database, make the tool's keys and publish the content folder (idempotent)."""
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
    for line in report.lines():
        click.echo(line)
