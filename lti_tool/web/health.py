"""Liveness for load balancers: answers 200 only when the database answers."""

from __future__ import annotations

from flask import Blueprint
from sqlalchemy import text

from ..db import get_session

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    try:
        get_session().execute(text("SELECT 1"))
    except Exception:
        return {"status": "error", "database": "unreachable"}, 503
    return {"status": "ok", "database": "ok"}
