"""`flask admin`: the only way to make someone an administrator of every platform or a content editor."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from ..db import session_factory
from ..lti import admin_access

admin_group = AppGroup("admin", help="Grant and revoke rights no launch can give: every platform, shared content.")


@admin_group.command("grant")
@click.argument("user_id", type=int)
@click.option("--all-platforms", is_flag=True, help="Administer every platform, its deployments and learners.")
@click.option("--content", is_flag=True, help="Edit and publish the shared modules and quizzes.")
def grant_command(user_id: int, all_platforms: bool, content: bool) -> None:
    """Grant USER_ID (shown in the audit log and `admin list`) rights; recorded in the audit log."""
    if not (all_platforms or content):
        raise click.UsageError("Name what to grant: --all-platforms, --content or both.")
    with session_factory(current_app)() as session:
        row = admin_access.grant(session, user_id, all_platforms=all_platforms, content=content)
        session.commit()
        click.echo(f"User {user_id}: all platforms={'yes' if row.all_platforms else 'no'}, "
                   f"content={'yes' if row.content else 'no'}.")


@admin_group.command("revoke")
@click.argument("user_id", type=int)
@click.option("--all-platforms", is_flag=True, help="Take away administration of every platform.")
@click.option("--content", is_flag=True, help="Take away content editing.")
def revoke_command(user_id: int, all_platforms: bool, content: bool) -> None:
    """Revoke rights of USER_ID (all of them when none is named); open sessions lose them at once; audited."""
    with session_factory(current_app)() as session:
        row = admin_access.revoke(session, user_id, all_platforms=all_platforms, content=content)
        session.commit()
        left = "none" if row is None else ", ".join(n for n, v in (("all platforms", row.all_platforms),
                                                                   ("content", row.content)) if v)
        click.echo(f"User {user_id}: rights left: {left}.")


@admin_group.command("list")
def list_command() -> None:
    """List everyone granted rights from the command line."""
    with session_factory(current_app)() as session:
        rows = admin_access.grants(session)
        if not rows:
            click.echo("No rights granted. Institution and system administrators administer their own platform.")
        for grant, user in rows:
            rights = ", ".join(n for n, v in (("all platforms", grant.all_platforms), ("content", grant.content)) if v)
            click.echo(f"user {user.id}\t{user.display_name}\tplatform {user.platform_id}\t{rights}")
