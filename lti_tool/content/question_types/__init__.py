"""The question-type registry: one module per type in this package, found here and listed in one table.

A module that defines ``TYPE`` (a :class:`QuestionType`) is a question type; modules starting with ``_`` hold
what several types share. Adding a type is adding a module (and its templates and tests); nothing else names it.
"""

from __future__ import annotations

import importlib
import pkgutil

from .base import AnswerRejected, OptionResult, QuestionType

__all__ = ["QUESTION_TYPES", "REGISTRY", "AnswerRejected", "OptionResult", "QuestionType", "is_choice",
           "is_reflection", "question_type", "register"]

REGISTRY: dict[str, QuestionType] = {}


def register(question_type: QuestionType) -> QuestionType:
    """Add a type to the table (types in this package are added on import)."""
    REGISTRY[question_type.name] = question_type
    return question_type


def question_type(name: str) -> QuestionType:
    """The type called ``name``; KeyError for a name no module defines."""
    return REGISTRY[name]


def is_choice(name: str) -> bool:
    """Whether ``name`` is a type whose options are marked right or wrong (False for unknown names)."""
    known = REGISTRY.get(name)
    return known is not None and known.choice


def is_reflection(name: str) -> bool:
    """Whether ``name`` is a type kept as a reflection, never scored (False for unknown names)."""
    known = REGISTRY.get(name)
    return known is not None and not known.scored


def _discover() -> None:
    found = []
    for module in pkgutil.iter_modules(__path__):
        if not module.name.startswith("_"):
            defined = getattr(importlib.import_module(f"{__name__}.{module.name}"), "TYPE", None)
            if isinstance(defined, QuestionType):
                found.append(defined)
    for defined in sorted(found, key=lambda t: t.listed):
        register(defined)


_discover()
QUESTION_TYPES = tuple(REGISTRY)
"""The shipped types, in the order authors see them listed."""
