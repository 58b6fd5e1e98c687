"""JSON endpoints for tests that run the emulator in another process.

Development and test only: they let anyone change the emulated platform.
"""

from typing import Any

from flask import Response, jsonify, request

from .errors import ServiceError
from .web_common import current_state, json_body


def _object_body() -> dict[str, Any]:
    body = json_body()
    if not isinstance(body, dict):
        raise ServiceError("invalid_request", "the body must be a JSON object")
    return body


def state_snapshot() -> Response:
    return jsonify(current_state().snapshot())


def reset() -> Response:
    current_state().reset()
    return Response(status=204)


def faults() -> Response:
    """Body: {"kind": "fail_next"|"fail_for"|"delay"|"down"|"clear", "endpoint": ..., ...}."""
    try:
        current_state().faults.apply_json(_object_body())
    except (KeyError, TypeError, ValueError) as error:
        raise ServiceError("invalid_request", f"bad fault: {error}") from None
    return Response(status=204)


def launches() -> Response:
    """Body: the keyword arguments of PlatformState.prepare_launch."""
    try:
        login_url = current_state().prepare_launch(**_object_body())
    except (TypeError, ValueError) as error:
        raise ServiceError("invalid_request", str(error)) from None
    return jsonify(login_url=login_url)


def members(context_id: str) -> Response:
    """Body: {"seed": n} or the keyword arguments of PlatformState.add_member."""
    state = current_state()
    body = _object_body()
    try:
        if "seed" in body:
            added = state.seed_roster(
                context_id, int(body["seed"]), body.get("role", "learner")
            )
        else:
            added = [state.add_member(context_id, **body)]
    except (KeyError, TypeError, ValueError) as error:
        raise ServiceError("invalid_request", f"bad member: {error}") from None
    return jsonify(members=[member.to_nrps() for member in added])


def rotate_key() -> Response:
    """Body (optional): {"keep_old": false} to stop publishing the previous key."""
    body = request.get_json(silent=True, force=True)
    keep_old = bool(body.get("keep_old", True)) if isinstance(body, dict) else True
    return jsonify(kid=current_state().rotate_key(keep_old=keep_old).kid)
