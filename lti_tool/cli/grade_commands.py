from __future__ import annotations

import signal
import threading

import click
from flask import current_app
from flask.cli import AppGroup

from ..db import session_factory
from ..errors import ToolError
from ..learning import grades
from ..lti import gradebook, outbox

grades_group = AppGroup("grades", help="Send learners' scores to the platforms' grade books (the grade outbox).")


def _settings() -> outbox.OutboxSettings:
    return outbox.OutboxSettings.from_config(current_app.config)


def _summary(result: outbox.PassResult) -> str:
    return (f"sent {result.sent}, retry {result.retry}, failed {result.failed}, "
            f"superseded {result.superseded}")


@grades_group.command("sync")
def sync_command() -> None:
    """Send every grade that is due now, once, and print how many were sent, retried later or failed."""
    result = outbox.run_until_idle(session_factory(current_app), _settings())
    click.echo(_summary(result))


@grades_group.command("worker")
def worker_command() -> None:
    """Keep sending grades every WORKER_POLL_SECONDS until SIGTERM or SIGINT (the current send is finished)."""
    stop = threading.Event()

    def _stop(signum: int, _frame: object) -> None:
        click.echo(f"Signal {signum}: stopping after the current grade send.")
        stop.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    click.echo("Grade worker started.")
    outbox.run_worker(session_factory(current_app), _settings(),
                      poll_seconds=float(current_app.config["WORKER_POLL_SECONDS"]), stop=stop,
                      on_pass=lambda result: click.echo(_summary(result)))
    click.echo("Grade worker stopped.")


@grades_group.command("status")
@click.option("--course-id", type=int, help="Only this course (the tool's course number).")
def status_command(course_id: int | None) -> None:
    """Count grade sends by status and list the latest failures with the platform's message."""
    with session_factory(current_app)() as session:
        counts = grades.status_counts(session, course_id)
        click.echo(", ".join(f"{name} {count}" for name, count in counts.items()))
        for row in grades.failed_rows(session, course_id, limit=20):
            click.echo(f"failed #{row.id} course {row.course_id} {row.label!r} user {row.user_sub}: "
                       f"HTTP {row.last_status or '-'} {row.last_error or ''}")


@grades_group.command("resend")
@click.argument("grade_sync_id", type=int)
def resend_command(grade_sync_id: int) -> None:
    """Queue a failed grade send again, as a new row with a new timestamp."""
    with session_factory(current_app)() as session:
        try:
            row = grades.resend(session, grade_sync_id)
        except ToolError as exc:
            raise click.ClickException(exc.message) from exc
        session.commit()
        click.echo(f"Queued grade send {row.id} (again for {grade_sync_id}).")


@grades_group.command("repair")
def repair_command() -> None:
    """Give each (module, edition) its own grade column again: course links stop borrowing one module's column,
    and scores that went to another module's column are queued again with each learner's current state
    (`grades sync` or the worker then sends them)."""
    with session_factory(current_app)() as session:
        report = gradebook.repair_columns(session)
        session.commit()
    click.echo(f"Links that gave up a borrowed column: {report.links_unbound}; pending scores pointed at their own "
               f"column: {report.pending_moved}; scores queued again: {report.queued}.")
