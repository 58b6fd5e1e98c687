"""Content domain: Markdown modules and quizzes → checked, typed objects → published, rendered versions.

No Flask and no pylti1p3 here. ``check`` finds problems (file, line, message); ``publish`` stores versions.
Publishing and checking (Markdown, YAML, the HTML sanitiser) load on first use: a web worker serves published
versions and imports ``lti_tool.content.question_types`` or ``assets`` without them.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .model import Problem
    from .publishing import ContentProblems, PublishReport, publish, publish_module_from_sources
    from .validate import check

__all__ = ["ContentProblems", "Problem", "PublishReport", "check", "publish", "publish_module_from_sources"]

_HOMES = {"Problem": ".model", "ContentProblems": ".publishing", "PublishReport": ".publishing",
          "publish": ".publishing", "publish_module_from_sources": ".publishing", "check": ".validate"}


def __getattr__(name: str) -> Any:
    """PEP 562: import the publishing pipeline only when someone asks for one of its names."""
    if name in _HOMES:
        return getattr(import_module(_HOMES[name], __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
