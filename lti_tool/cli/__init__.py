"""Command-line interface: thin click commands over plain functions. Each docstring is its --help.

The command groups import when a command line names them (or asks for ``--help``): a web worker builds the same
app and never runs a command, so it does not load the publisher, the retention purge or the grade outbox for them.
"""

from __future__ import annotations

from importlib import import_module

import click
from flask import Flask
from flask.cli import AppGroup

GROUPS = {
    "admin": ".admin_commands:admin_group",
    "db": ".db_commands:db_group",
    "platform": ".platform_commands:platform_group",
    "keys": ".key_commands:keys_group",
    "dev": ".dev_commands:dev_group",
    "content": ".content_commands:content_group",
    "grades": ".grade_commands:grades_group",
    "data": ".data_commands:data_group",
    "quiz": ".interchange_commands:quiz_group",
}


class LazyCommands(AppGroup):
    """``app.cli`` with this package's groups imported on first lookup; commands added by others stay as they are."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *GROUPS})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in GROUPS and cmd_name not in self.commands:
            module, name = GROUPS[cmd_name].split(":")
            self.add_command(getattr(import_module(module, __name__), name))
        return super().get_command(ctx, cmd_name)


def register_cli(app: Flask) -> None:
    commands = LazyCommands(app.cli.name)
    for command in app.cli.commands.values():
        commands.add_command(command)
    app.cli = commands
