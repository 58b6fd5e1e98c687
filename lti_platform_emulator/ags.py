"""Validation of AGS request bodies (AGS 2.0 §3.2 line items, §3.4 scores), free of Flask.

The emulator is stricter than some platforms on purpose: what it refuses is what the
tool must never send to a real Blackboard.
"""

from datetime import datetime
from typing import Any, TypeGuard

from . import constants as c
from .errors import ServiceError
from .records import LineItem


def parse_timestamp(value: Any, field_name: str) -> datetime:
    """An ISO 8601 date-time with a time zone; AGS requires the offset."""
    if not isinstance(value, str):
        raise ServiceError(
            "invalid_request", f"{field_name} must be an ISO 8601 string"
        )
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise ServiceError(
            "invalid_request", f"{field_name} {value!r} is not ISO 8601"
        ) from None
    if parsed.tzinfo is None:
        raise ServiceError(
            "invalid_request", f"{field_name} {value!r} has no time zone"
        )
    return parsed


def _number(value: Any) -> TypeGuard[int | float]:
    return isinstance(value, int | float) and not isinstance(value, bool)


def lineitem_fields(body: Any, *, creating: bool) -> dict[str, Any]:
    """Line item attributes from a POST or PUT body, as keyword arguments of LineItem."""
    if not isinstance(body, dict):
        raise ServiceError("invalid_request", "the body must be a JSON object")
    if not creating:
        sent = [name for name in ("id",) if name in body]
        if sent:
            # Blackboard answers 400 when a PUT carries read-only fields (ags docs).
            raise ServiceError("invalid_request", f"read-only fields in PUT: {sent}")
    label = body.get("label")
    if not isinstance(label, str) or not label.strip():
        raise ServiceError("invalid_request", "label is required")
    maximum = body.get("scoreMaximum")
    if not _number(maximum) or maximum <= 0:
        raise ServiceError(
            "invalid_request", "scoreMaximum is required and must be > 0"
        )
    for name in ("startDateTime", "endDateTime"):
        if body.get(name) is not None:
            parse_timestamp(body[name], name)
    # Blackboard cannot bind a column to a resource link through AGS POST; it keeps the
    # value only for columns made by deep linking. Accepted here, but ignored, like Learn.
    return {
        "label": label,
        "score_maximum": maximum,
        "resource_id": body.get("resourceId"),
        "tag": body.get("tag"),
        "start_date_time": body.get("startDateTime"),
        "end_date_time": body.get("endDateTime"),
        "grades_released": bool(body.get("gradesReleased", True)),
    }


def validate_score(body: Any) -> tuple[str, datetime]:
    """Check a score body; returns its userId and timestamp."""
    if not isinstance(body, dict):
        raise ServiceError("invalid_request", "the body must be a JSON object")
    user_id = body.get("userId")
    if not isinstance(user_id, str) or not user_id:
        raise ServiceError("invalid_request", "userId is required")
    timestamp = parse_timestamp(body.get("timestamp"), "timestamp")
    if body.get("activityProgress") not in c.ACTIVITY_PROGRESS:
        raise ServiceError(
            "invalid_request",
            f"activityProgress must be one of {sorted(c.ACTIVITY_PROGRESS)}",
        )
    if body.get("gradingProgress") not in c.GRADING_PROGRESS:
        raise ServiceError(
            "invalid_request",
            f"gradingProgress must be one of {sorted(c.GRADING_PROGRESS)}",
        )
    if "scoreGiven" in body:
        given, maximum = body["scoreGiven"], body.get("scoreMaximum")
        if not _number(given) or given < 0:
            raise ServiceError("invalid_request", "scoreGiven must be a number >= 0")
        if not _number(maximum) or maximum <= 0:
            raise ServiceError(
                "invalid_request", "scoreMaximum is required with scoreGiven"
            )
        # AGS allows extra credit, but this tool never awards it, so more than the
        # maximum is a bug to catch here rather than in a Blackboard grade book.
        if given > maximum:
            raise ServiceError(
                "invalid_request", "scoreGiven is more than scoreMaximum"
            )
    if "comment" in body and not isinstance(body["comment"], str):
        raise ServiceError("invalid_request", "comment must be a string")
    submission = body.get("submission")
    if submission is not None:
        if not isinstance(submission, dict):
            raise ServiceError("invalid_request", "submission must be an object")
        for name in ("startedAt", "submittedAt"):
            if submission.get(name) is not None:
                parse_timestamp(submission[name], f"submission.{name}")
    return user_id, timestamp


def result_json(
    score_body: dict[str, Any], lineitem: LineItem, *, result_id: str, lineitem_url: str
) -> dict[str, Any]:
    """The result (AGS §3.3) the latest score leaves behind, scaled to the column maximum."""
    cleared = (
        score_body.get("activityProgress") == "Initialized"
        and score_body.get("gradingProgress") == "NotReady"
    )
    result: dict[str, Any] = {
        "id": result_id,
        "scoreOf": lineitem_url,
        "userId": score_body["userId"],
        "resultMaximum": lineitem.score_maximum,
    }
    if not cleared and "scoreGiven" in score_body:
        scale = lineitem.score_maximum / score_body["scoreMaximum"]
        result["resultScore"] = score_body["scoreGiven"] * scale
    if "comment" in score_body:
        result["comment"] = score_body["comment"]
    return result
