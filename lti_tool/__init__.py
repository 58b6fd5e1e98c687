"""Bridging the Gaps: an LTI 1.3 tool for learning about and supporting international medical graduates.

The package itself imports nothing heavy: ``import lti_tool.learning`` (a worker, a command, a test) must not load
Flask. The factory lives in :mod:`lti_tool.app`; ``create_app`` is looked up from here lazily so
``flask --app lti_tool`` and ``gunicorn "lti_tool:create_app()"`` keep finding it.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

REPO_ROOT = Path(__file__).resolve().parent.parent

if TYPE_CHECKING:
    from .app import create_app

__all__ = ["REPO_ROOT", "create_app"]


def __getattr__(name: str) -> Any:
    """PEP 562: import the factory (and with it Flask) only when someone asks for it."""
    if name == "create_app":
        from .app import create_app

        return create_app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
