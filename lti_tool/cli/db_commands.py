from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

db_group = AppGroup("db", help="Database schema.")


@db_group.command("upgrade")
@click.argument("revision", default="head")
def upgrade_command(revision: str) -> None:
    """Apply migrations up to REVISION (default: the newest)."""
    from ..migrate import upgrade  # Alembic is loaded by this command only, not by every web worker

    upgrade(current_app.config["DATABASE_URL"], revision)
    click.echo(f"Database is at {revision}.")
