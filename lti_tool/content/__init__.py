"""Content domain: Markdown modules and quizzes → checked, typed objects → published, rendered versions.

No Flask and no pylti1p3 here. ``check`` finds problems (file, line, message); ``publish`` stores versions.
"""

from .model import Problem
from .publish import ContentProblems, PublishReport, publish, publish_module_from_sources
from .validate import check

__all__ = ["ContentProblems", "Problem", "PublishReport", "check", "publish", "publish_module_from_sources"]
