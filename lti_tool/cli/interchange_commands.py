"""``flask quiz ...``: export a quiz as QTI 2.1, Blackboard upload text or GIFT; import GIFT or text2qti."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from ..content.interchange import EXPORT_FORMATS, IMPORT_FORMATS, export_quiz, import_quiz, load_quiz
from ..errors import ToolError

quiz_group = AppGroup("quiz", help="Export quizzes to other systems' formats and import question banks.")


@quiz_group.command("export")
@click.argument("quiz_id")
@click.option("--format", "export_format", required=True, type=click.Choice(EXPORT_FORMATS))
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="File to write. Default: GIFT and Blackboard text to standard output, QTI to <quiz>-qti21.zip.")
def export_command(quiz_id: str, export_format: str, out: Path | None) -> None:
    """Export the quiz QUIZ_ID from the content folder's quizzes/ (QTI 2.1 package, Blackboard upload, GIFT)."""
    try:
        export = export_quiz(load_quiz(current_app.config["CONTENT_DIR"], quiz_id), export_format)
    except ToolError as exc:
        raise click.ClickException(exc.message) from None
    if out is None and export_format != "qti":
        sys.stdout.buffer.write(export.data)
        return
    target = out or Path(export.filename)
    target.write_bytes(export.data)
    click.echo(f"Wrote {target} ({len(export.data)} bytes).", err=True)


@quiz_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--format", "import_format", required=True, type=click.Choice(IMPORT_FORMATS))
@click.option("--id", "quiz_id", required=True, help="Id of the new quiz (lower-case letters, digits, hyphens).")
@click.option("--title", required=True, help="Title of the new quiz.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="Markdown file to write (e.g. quizzes/new-quiz.md), only if it passes the checks. "
                   "Default: print it.")
def import_command(file: Path, import_format: str, quiz_id: str, title: str, out: Path | None) -> None:
    """Convert a GIFT or text2qti FILE to a Markdown quiz, checked as quizzes/<id>.md in the content folder."""
    try:
        result = import_quiz(file.read_text(encoding="utf-8-sig"), import_format, quiz_id, title,
                             current_app.config["CONTENT_DIR"])
    except (ToolError, UnicodeDecodeError) as exc:
        raise click.ClickException(getattr(exc, "message", "the file is not UTF-8 text")) from None
    for problem in result.problems:
        click.echo(str(problem), err=True)
    if out is None:
        click.echo(result.markdown, nl=False)
    elif result.problems:
        raise click.ClickException(f"Not written: {len(result.problems)} problem(s) to fix.")
    elif out.exists():
        raise click.ClickException(f"{out} already exists; choose another file.")
    else:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(result.markdown, encoding="utf-8")
        click.echo(f"Wrote {out} ({len(result.markdown.splitlines())} lines). Review it, then run content check.",
                   err=True)
    if result.problems:
        raise click.exceptions.Exit(1)
