"""Every command meets a settings problem with one line saying what to fix and a non-zero exit, no traceback."""

from __future__ import annotations

import os
import subprocess
import sys

import click
import pytest
from click.testing import CliRunner
from flask.cli import FlaskGroup

from lti_tool import REPO_ROOT, create_app

PROBLEMS = {
    "no environment named (production needs a secret key)": ({}, "LTI_TOOL_SECRET_KEY is not set"),
    "an unknown environment": ({"LTI_TOOL_ENV": "staging"}, "LTI_TOOL_ENV must be production or development"),
    "a malformed number": ({"LTI_TOOL_ENV": "development", "LTI_TOOL_SECRET_KEY": "k",
                            "LTI_TOOL_HTTP_TIMEOUT_SECONDS": "soon"},
                           "LTI_TOOL_HTTP_TIMEOUT_SECONDS must be a whole number"),
    "a database URL that is not one": ({"LTI_TOOL_ENV": "development", "LTI_TOOL_SECRET_KEY": "k",
                                        "LTI_TOOL_DATABASE_URL": "nonsense"},
                                       "LTI_TOOL_DATABASE_URL is not a database URL"),
}


def every_command() -> list[list[str]]:
    app = create_app({"ENV": "development", "SECRET_KEY": "x", "DATABASE_URL": "sqlite://"})
    ctx = click.Context(app.cli)
    commands = []
    for name in app.cli.list_commands(ctx):
        for sub in getattr(app.cli.get_command(ctx, name), "commands", {}):
            commands.append([name, sub])
    return commands


def clean_environment(settings: dict[str, str]) -> dict[str, str]:
    kept = {k: v for k, v in os.environ.items() if not k.startswith(("LTI_TOOL_", "FLASK_"))}
    return {**kept, "PYTHONPATH": str(REPO_ROOT), **settings}


@pytest.mark.parametrize("problem", sorted(PROBLEMS))
def test_grades_sync_with_a_settings_problem_prints_one_line_and_exits_non_zero(problem, tmp_path):
    settings, message = PROBLEMS[problem]
    done = subprocess.run([sys.executable, "-m", "flask", "--app", "lti_tool", "grades", "sync"], cwd=tmp_path,
                          env=clean_environment(settings), capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr.strip().splitlines() == [done.stderr.strip()]
    assert done.stderr.startswith(f"Error: {message}") and "Traceback" not in done.stderr


def test_every_command_meets_a_missing_secret_key_with_the_same_one_line(monkeypatch):
    for name in [k for k in os.environ if k.startswith("LTI_TOOL_")]:
        monkeypatch.delenv(name)
    group = FlaskGroup(create_app=create_app)
    runner = CliRunner()
    commands = every_command()
    assert ["grades", "sync"] in commands and len(commands) > 15
    for command in commands:
        result = runner.invoke(group, command, catch_exceptions=False)
        assert result.exit_code == 1, (command, result.output)
        assert result.output.startswith("Error: LTI_TOOL_SECRET_KEY is not set"), (command, result.output)
        assert len(result.output.strip().splitlines()) == 1, (command, result.output)
