"""Request helpers shared by the emulator's views."""

from typing import Any

from flask import current_app, request

from .errors import ServiceError
from .state import PlatformState

STATE_EXTENSION = "lti_platform_emulator"


def current_state() -> PlatformState:
    state: PlatformState = current_app.extensions[STATE_EXTENSION]
    return state


def json_body(expected_media_type: str | None = None) -> Any:
    """The request's JSON; 415 when a spec media type is required and another was sent."""
    if expected_media_type and request.mimetype != expected_media_type:
        raise ServiceError(
            "unsupported_media_type",
            f"Content-Type must be {expected_media_type}, not {request.mimetype or 'none'}",
            status=415,
        )
    body = request.get_json(force=True, silent=True)
    if body is None:
        raise ServiceError("invalid_request", "the body is not JSON")
    return body


def page_params() -> tuple[int, int]:
    """`limit` and 1-based `page` from the query string; no limit means one page of all."""
    try:
        limit = int(request.args.get("limit", 0))
        page = int(request.args.get("page", 1))
    except ValueError:
        raise ServiceError(
            "invalid_request", "limit and page must be integers"
        ) from None
    if limit < 0 or page < 1:
        raise ServiceError("invalid_request", "limit must be >= 0 and page >= 1")
    return limit, page


def paginate(items: list[Any], limit: int, page: int) -> tuple[list[Any], int | None]:
    """One page of `items` and the number of the next page, if there is one."""
    if not limit:
        return items, None
    start = (page - 1) * limit
    next_page = page + 1 if start + limit < len(items) else None
    return items[start : start + limit], next_page
