"""Liveness for load balancers: answers 200 only when the database answers."""

from __future__ import annotations

from flask import Blueprint

from ..db import database_answers

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    if not database_answers():
        return {"status": "error", "database": "unreachable"}, 503
    return {"status": "ok", "database": "ok"}
