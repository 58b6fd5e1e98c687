"""Command-line interface: thin click commands over plain functions. Each docstring is its --help."""

from __future__ import annotations

from flask import Flask

from . import (
    admin_commands,
    content_commands,
    data_commands,
    db_commands,
    dev_commands,
    grade_commands,
    interchange_commands,
    key_commands,
    platform_commands,
)


def register_cli(app: Flask) -> None:
    for group in (
        admin_commands.admin_group,
        db_commands.db_group,
        platform_commands.platform_group,
        key_commands.keys_group,
        dev_commands.dev_group,
        content_commands.content_group,
        grade_commands.grades_group,
        data_commands.data_group,
        interchange_commands.quiz_group,
    ):
        app.cli.add_command(group)
