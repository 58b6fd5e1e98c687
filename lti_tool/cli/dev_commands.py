from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from ..db import session_factory
from ..lti import keys
from ..migrate import upgrade

dev_group = AppGroup("dev", help="Local development helpers.")


@dev_group.command("setup")
def setup_command() -> None:
    """Migrate the database and make the tool's keys (idempotent)."""
    upgrade(current_app.config["DATABASE_URL"])
    with session_factory(current_app)() as session:
        keys.signing_key(session)
    click.echo("Database migrated; tool keys ready.")
