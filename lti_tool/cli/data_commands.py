from __future__ import annotations

import json
from typing import TextIO

import click
from flask import current_app
from flask.cli import AppGroup

from ..db import session_factory
from ..errors import ToolError
from ..models import utcnow
from ..privacy import retention, subjects

data_group = AppGroup("data", help="Personal data: the retention purge, and export or erasure of one person's data.")


@data_group.command("purge")
@click.option("--dry-run", is_flag=True, help="Count what would go; change nothing.")
def purge_command(dry_run: bool) -> None:
    """Remove expired launches, OIDC states and nonces, hand-off and access tokens, and learner records older than
    LEARNER_RETENTION_DAYS after their last activity. Undelivered grades are never removed. Audited."""
    with session_factory(current_app)() as session:
        report = retention.purge(session, now=utcnow(), dry_run=dry_run,
                                 learner_retention_days=int(current_app.config["LEARNER_RETENTION_DAYS"]))
        if not dry_run:
            session.commit()
    for line in report.lines():
        click.echo(line)


@data_group.command("export")
@click.option("--platform", "issuer", required=True, help="The platform's issuer, as registered.")
@click.option("--user", "sub", required=True, help="The person's id on that platform (the LTI `sub`).")
@click.option("--reference", default="", help="The request's reference, kept in the audit log.")
@click.option("--out", type=click.File("w", encoding="utf-8"), default="-", help="Write here (default: stdout).")
def export_command(issuer: str, sub: str, reference: str, out: TextIO) -> None:
    """Write everything stored about one person as JSON (a data-subject access request). Audited."""
    with session_factory(current_app)() as session:
        try:
            data = subjects.export_person(session, subjects.find_person(session, issuer, sub), reference=reference)
        except ToolError as exc:
            raise click.ClickException(exc.message) from exc
        session.commit()
    json.dump(data, out, indent=2, ensure_ascii=False)
    out.write("\n")


@data_group.command("erase")
@click.option("--platform", "issuer", required=True, help="The platform's issuer, as registered.")
@click.option("--user", "sub", required=True, help="The person's id on that platform (the LTI `sub`).")
@click.option("--reference", default="", help="The request's reference, kept in the audit log (default: random).")
@click.option("--discard-undelivered-grades", is_flag=True,
              help="Erase even grades the platform's grade book has not received yet (they are then never sent).")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def erase_command(issuer: str, sub: str, reference: str, discard_undelivered_grades: bool, yes: bool) -> None:
    """Erase one person: their profile, enrolments, launches and learner records go, certificates are revoked, and
    their name leaves the audit log and authored content. Refused while grades of theirs are undelivered. Audited."""
    with session_factory(current_app)() as session:
        try:
            user = subjects.find_person(session, issuer, sub)
            if not yes:
                click.confirm(f"Erase everything about {sub!r} from {issuer!r}? This cannot be undone.", abort=True)
            report = subjects.erase_person(session, user, discard_undelivered_grades=discard_undelivered_grades,
                                           reference=reference)
        except ToolError as exc:
            raise click.ClickException(f"{exc.message} {exc.advice}".strip()) from exc
        session.commit()
    click.echo(f"Erased; audit reference {report.reference}.")
    for what, count in report.removed.items():
        click.echo(f"removed {count} {what}")
    for what, count in report.anonymised.items():
        click.echo(f"took the name out of {count} {what}")
    if report.discarded_undelivered_grades:
        click.echo(f"discarded {report.discarded_undelivered_grades} undelivered grade(s): the platform's grade "
                   "book will not receive them")
