"""``flask content ...``: check, publish, list and export the Markdown modules and quizzes."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from ..audit import record
from ..content import ContentProblems, publish
from ..content.authoring import export_to_folder
from ..content.estimate import (
    MINUTES_PER_REFLECTION,
    MINUTES_PER_SCORED_QUESTION,
    ROUND_TO_MINUTES,
    WORDS_PER_MINUTE,
    module_estimate,
)
from ..content.parse import load_tree
from ..content.publishing import published_modules
from ..content.review import DEFAULT_WITHIN_DAYS, review_due
from ..content.validate import check_file, content_file, parse_and_validate
from ..db import session_factory
from ..errors import ToolError

content_group = AppGroup("content", help="Check, publish, list and export modules and quizzes.")


@content_group.command("check")
@click.argument("path", required=False, type=click.Path(exists=True, path_type=Path))
def check_command(path: Path | None) -> None:
    """Report every problem in a content folder (default: CONTENT_DIR), or in one module file or quiz, as
    file:line: message."""
    if path is not None and path.is_file():
        check_one_file(path)
        return
    content_dir = path or Path(current_app.config["CONTENT_DIR"])
    content, problems = parse_and_validate(load_tree(content_dir))
    for problem in problems:
        click.echo(str(problem))
    if problems:
        raise click.exceptions.Exit(1)
    pages = sum(len(module.pages) for module in content.modules)
    questions = sum(len(quiz.questions) for quiz in content.quizzes)
    click.echo(f"No problems in {content_dir}: {counted(len(content.modules), 'module')} "
               f"({counted(pages, 'page')}), {counted(len(content.quizzes), 'quiz', 'quizzes')} "
               f"({counted(questions, 'question')}).")


@content_group.command("estimate")
@click.argument("path", required=False, type=click.Path(exists=True, file_okay=False, path_type=Path))
def estimate_command(path: Path | None) -> None:
    """Print the computed minutes of every module beside its declared estimated_minutes."""
    content_dir = path or Path(current_app.config["CONTENT_DIR"])
    content, _ = parse_and_validate(load_tree(content_dir))
    click.echo(f"Reading at {WORDS_PER_MINUTE} words a minute, {MINUTES_PER_SCORED_QUESTION} minute per scored "
               f"question, {MINUTES_PER_REFLECTION} minutes per reflection prompt, rounded up to "
               f"{ROUND_TO_MINUTES} minutes.")
    for module in content.modules:
        estimate = module_estimate(module, content)
        verdict = "ok" if estimate.accepts(module.estimated_minutes) else "outside {}-{}".format(*estimate.allowed)
        click.echo(f"{module.id}: {estimate.minutes} minutes computed, {module.estimated_minutes} declared ({verdict};"
                   f" {estimate.describe()})")


@content_group.command("review-due")
@click.option("--within", "within_days", type=click.IntRange(min=0), default=DEFAULT_WITHIN_DAYS, show_default=True,
              help="Also list what falls due within this many days.")
def review_due_command(within_days: int) -> None:
    """List published modules, pages and quizzes whose next review is past or within --within days.

    Exits 1 when something is past its review date (or has none), so a scheduled job can raise an alert; items
    only falling due soon are listed with exit 0.
    """
    today = date.today()
    with session_factory(current_app)() as session:
        due = review_due(session, today, within_days)
    for item in due:
        when = item.next_review.isoformat() if item.next_review else "no date"
        state = "past due" if item.past_due(today) else "due soon"
        reviewed = (f"last reviewed {item.last_reviewed.isoformat()}" if item.last_reviewed else "never reviewed") + (
            f" by {item.reviewed_by}" if item.reviewed_by else "")
        click.echo(f"{when}  {state:8}  {item.label}: {item.title} ({reviewed})")
    past = sum(item.past_due(today) for item in due)
    click.echo(f"{counted(past, 'item')} past review, {counted(len(due) - past, 'item')} due within "
               f"{counted(within_days, 'day')}.")
    if past:
        raise click.exceptions.Exit(1)


def check_one_file(path: Path) -> None:
    located = content_file(path)
    if located is None:
        raise click.UsageError(f"{path} is not a module file or a quiz: give modules/MODULE/FILE.md, "
                               "quizzes/FILE.md or a content folder")
    problems = check_file(*located)
    for problem in problems:
        click.echo(str(problem))
    if problems:
        raise click.exceptions.Exit(1)
    click.echo(f"No problems in {located[1]}.")


def counted(number: int, word: str, plural: str = "") -> str:
    return f"{number} {word if number == 1 else plural or word + 's'}"


@content_group.command("publish")
@click.option("--major", is_flag=True, help="Learners already in progress move to the new version.")
@click.option("--note", default="", help="What changed, kept with each new version.")
@click.option("--force", is_flag=True,
              help="Replace versions edited in the browser (or imported) with the files, instead of refusing.")
def publish_command(major: bool, note: str, force: bool) -> None:
    """Check the content, then publish a new version of every module and quiz that changed.

    A module whose current version was edited in the browser and differs from its folder is refused (the rest
    is published, and the command exits 1): export it first, or use --force.
    """
    with session_factory(current_app)() as session:
        try:
            report = publish(session, current_app.config["CONTENT_DIR"], change="major" if major else "minor",
                             note=note, actor="cli", force=force)
        except ContentProblems as exc:
            for problem in exc.problems:
                click.echo(str(problem), err=True)
            raise click.ClickException(f"Nothing published: {len(exc.problems)} problem(s) to fix.") from None
        if report.created or report.refused:
            record(session, "cli", "content.publish", "content folder",
                   {"change": "major" if major else "minor", "note": note, "force": force, "lines": report.lines()})
        session.commit()
    for item in report.modules + report.quizzes:
        click.echo(item.describe())
    if not report.created and not report.refused:
        click.echo("Nothing changed; no new versions.")
    for refusal in report.refused:
        click.echo(f"Refused: {refusal.message}", err=True)
    if report.refused:
        raise click.exceptions.Exit(1)


@content_group.command("list")
def list_command() -> None:
    """Show published modules with their versions."""
    with session_factory(current_app)() as session:
        modules = published_modules(session)
    if not modules:
        click.echo("No modules published yet. Run: flask --app lti_tool content publish")
    for module in modules:
        versions = ", ".join(f"v{n} {change} {day}" for n, change, day in module.versions)
        click.echo(f"{module.slug} ({module.kind}, modules/{module.folder}) current v{module.current}: {versions}")


@content_group.command("export")
@click.argument("module_id")
@click.option("--to", "target", type=click.Path(file_okay=False, path_type=Path),
              help="Content folder to write into (default: CONTENT_DIR, which then counts as holding the version).")
def export_command(module_id: str, target: Path | None) -> None:
    """Write the module's current version (its Markdown and its quizzes) back into the module folder."""
    with session_factory(current_app)() as session:
        try:
            exported = export_to_folder(session, current_app.config["CONTENT_DIR"], module_id, target)
        except ToolError as exc:
            raise click.ClickException(exc.message) from None
        session.commit()
    for path in exported.paths:
        click.echo(f"wrote {path}")
    click.echo(f"Exported {module_id} v{exported.number}.")
