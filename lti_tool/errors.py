"""Domain exceptions. Each carries a stable code, an HTTP status and a message a person can act on.

Web code maps them to responses in one place (``web/errors.py``); domain code raises them without
knowing about HTTP beyond the status number.
"""

from __future__ import annotations


class ToolError(Exception):
    """Base of every error the tool explains to a person."""

    code = "error"
    status = 400
    title = "Something went wrong"

    def __init__(self, message: str, *, code: str | None = None, status: int | None = None,
                 title: str | None = None, advice: str = "") -> None:
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        if status:
            self.status = status
        if title:
            self.title = title
        self.advice = advice


class NotFound(ToolError):
    code = "not_found"
    status = 404
    title = "Not found"


class Forbidden(ToolError):
    code = "forbidden"
    status = 403
    title = "You do not have access to this page"


class Conflict(ToolError):
    code = "conflict"
    status = 409
    title = "That could not be saved"
