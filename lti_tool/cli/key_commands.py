from __future__ import annotations

from datetime import timedelta

import click
from flask import current_app
from flask.cli import AppGroup

from ..db import session_factory
from ..lti import keys

keys_group = AppGroup("keys", help="The tool's signing keys.")


@keys_group.command("rotate")
def rotate_command() -> None:
    """Add a new signing key; the previous one stays in the JWKS for KEY_GRACE_DAYS."""
    grace = timedelta(days=int(current_app.config["KEY_GRACE_DAYS"]))
    with session_factory(current_app)() as session:
        key = keys.rotate(session, grace)
        session.commit()
        click.echo(f"New signing key {key.kid}; previous keys stay published for {grace.days} days.")


@keys_group.command("list")
def list_command() -> None:
    """Show the key ids in the JWKS."""
    with session_factory(current_app)() as session:
        for jwk in keys.published_jwks(session)["keys"]:
            click.echo(jwk["kid"])
