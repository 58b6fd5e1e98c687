from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from ..db import session_factory
from ..lti import registration

platform_group = AppGroup("platform", help="Register LTI platforms (Blackboard Learn, Moodle, Canvas) and deployments.")


@platform_group.command("add")
@click.option("--preset", type=click.Choice(sorted(registration.PRESETS)), help="Fill in a known platform's endpoints.")
@click.option("--issuer")
@click.option("--client-id", required=True, help="The client ID (Blackboard: the Application ID).")
@click.option("--auth-login-url")
@click.option("--auth-token-url")
@click.option("--keyset-url")
@click.option("--name", default="")
@click.option("--deployment-id", "deployment_ids", multiple=True, help="Active deployment; may be repeated.")
def add_command(preset, issuer, client_id, auth_login_url, auth_token_url, keyset_url, name, deployment_ids) -> None:
    """Register a platform; deployments named here are active at once."""
    production = current_app.config["ENV"] == "production"
    with session_factory(current_app)() as session:
        if preset:
            platform = registration.add_from_preset(session, preset, client_id, tuple(deployment_ids), name,
                                                    production=production)
        else:
            missing = [n for n, v in (("--issuer", issuer), ("--auth-login-url", auth_login_url),
                                      ("--auth-token-url", auth_token_url), ("--keyset-url", keyset_url)) if not v]
            if missing:
                raise click.UsageError(f"Missing {', '.join(missing)} (or use --preset).")
            platform = registration.add_platform(
                session, issuer=issuer, client_id=client_id, auth_login_url=auth_login_url,
                auth_token_url=auth_token_url, keyset_url=keyset_url, name=name, deployment_ids=tuple(deployment_ids),
                production=production)
        session.commit()
        click.echo(f"Registered platform {platform.id}: {platform.issuer} (client {platform.client_id}).")


@platform_group.command("list")
def list_command() -> None:
    """List platforms with their deployments and whether each is active."""
    with session_factory(current_app)() as session:
        platforms = registration.list_platforms(session)
        if not platforms:
            click.echo("No platforms registered.")
        for p in platforms:
            click.echo(f"{p.id}\t{p.name}\t{p.issuer}\tclient={p.client_id}")
            for d in p.deployments:
                state = "active" if d.is_active else f"INACTIVE ({d.refused_launches} launches refused)"
                click.echo(f"\tdeployment {d.deployment_id}\t{state}")


@platform_group.command("remove")
@click.argument("platform_id", type=int)
@click.confirmation_option(prompt="Remove the platform, its deployments, courses and learner records?")
def remove_command(platform_id: int) -> None:
    """Remove a platform and everything recorded under it."""
    with session_factory(current_app)() as session:
        registration.remove_platform(session, platform_id)
        session.commit()
        click.echo(f"Removed platform {platform_id}.")


@platform_group.command("deployment-add")
@click.argument("platform_id", type=int)
@click.argument("deployment_id")
def deployment_add(platform_id: int, deployment_id: str) -> None:
    """Add an active deployment to a platform."""
    with session_factory(current_app)() as session:
        registration.add_deployment(session, platform_id, deployment_id, active=True)
        session.commit()
        click.echo(f"Deployment {deployment_id} of platform {platform_id} is active.")


@platform_group.command("deployment-activate")
@click.argument("platform_id", type=int)
@click.argument("deployment_id")
def deployment_activate(platform_id: int, deployment_id: str) -> None:
    """Switch on a deployment (for example one recorded when its first launch was refused)."""
    with session_factory(current_app)() as session:
        registration.set_deployment_active(session, platform_id, deployment_id, True)
        session.commit()
        click.echo(f"Deployment {deployment_id} of platform {platform_id} is active.")


@platform_group.command("deployment-deactivate")
@click.argument("platform_id", type=int)
@click.argument("deployment_id")
def deployment_deactivate(platform_id: int, deployment_id: str) -> None:
    """Switch off a deployment; its launches are refused until it is activated again."""
    with session_factory(current_app)() as session:
        registration.set_deployment_active(session, platform_id, deployment_id, False)
        session.commit()
        click.echo(f"Deployment {deployment_id} of platform {platform_id} is inactive.")
