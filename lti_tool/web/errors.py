"""Every error becomes a page a person can act on, with a stable code; nothing leaks a traceback."""

from __future__ import annotations

import logging

from flask import Flask, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from ..errors import ToolError

log = logging.getLogger(__name__)


def _render(status: int, code: str, title: str, message: str, advice: str = ""):
    if request.accept_mimetypes.best == "application/json":
        return {"error": code, "message": message}, status
    return render_template("error.html", status=status, code=code, title=title, message=message,
                           advice=advice), status


def init_app(app: Flask) -> None:
    @app.errorhandler(ToolError)
    def _tool_error(exc: ToolError):
        log.info("refused %s %s: %s", request.method, request.path, exc.code)
        return _render(exc.status, exc.code, exc.title, exc.message, exc.advice)

    @app.errorhandler(CSRFError)
    def _csrf_error(exc: CSRFError):
        return _render(400, "csrf_failed", "This form has expired",
                       "The form could not be accepted because its security token is missing or out of date.",
                       "Go back, reload the page and submit it again. Nothing was saved.")

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        status = exc.code or 500
        return _render(status, f"http_{status}", exc.name, exc.description or "")

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        log.exception("unexpected error on %s %s", request.method, request.path)
        return _render(500, "internal_error", "Something went wrong on our side",
                       "The tool hit an unexpected error. Nothing you entered before this page was lost.",
                       "Try again in a minute. If it keeps happening, tell your course administrator.")
