"""Machine-to-machine endpoints: JWKS, OAuth 2 token, AGS and NRPS. Thin over PlatformState."""

from typing import Any

from flask import Response, jsonify, request

from . import constants as c
from .errors import ServiceError
from .oauth import verify_client_assertion
from .web_common import current_state, json_body, page_params, paginate

_LINEITEM_READ = (c.SCOPE_LINEITEM, c.SCOPE_LINEITEM_READONLY)


def _json(body: Any, media_type: str, status: int = 200) -> Response:
    response = jsonify(body)
    response.status_code = status
    response.mimetype = media_type
    return response


def _with_next_link(response: Response, next_url: str | None) -> Response:
    if next_url:
        response.headers["Link"] = f'<{next_url}>; rel="next"'
    return response


def jwks() -> Response:
    response = jsonify(current_state().jwks())
    response.cache_control.max_age = 300
    return response


def token() -> Response:
    """Client credentials with a JWT assertion (Blackboard's /oauth2/jwttoken)."""
    state = current_state()
    state.count_token_request()
    form = request.form
    if form.get("grant_type") != "client_credentials":
        raise ServiceError(
            "unsupported_grant_type", "grant_type must be client_credentials"
        )
    if form.get("client_assertion_type") != c.CLIENT_ASSERTION_TYPE:
        raise ServiceError(
            "invalid_request",
            f"client_assertion_type must be {c.CLIENT_ASSERTION_TYPE}",
        )
    if not form.get("client_assertion"):
        raise ServiceError("invalid_request", "client_assertion is required")
    verify_client_assertion(
        form["client_assertion"],
        client_id=state.settings.client_id,
        token_url=state.urls().build("token"),
        key_for=lambda kid: state.tool_keys.key_for(kid, ServiceError),
        remember_jti=state.remember_jti,
    )
    requested = frozenset(form.get("scope", "").split())
    offered = frozenset((*(state.settings.offered_ags_scopes or c.AGS_SCOPES), c.SCOPE_NRPS))
    if state.settings.strict_scopes and requested - offered:
        raise ServiceError(
            "invalid_scope",
            f"scopes not offered to this tool: {sorted(requested - offered)}",
        )
    granted = requested & offered & c.SUPPORTED_SCOPES
    if not granted:
        raise ServiceError(
            "invalid_scope", f"request at least one of {sorted(c.SUPPORTED_SCOPES)}"
        )
    access_token = state.issue_access_token(granted)
    return jsonify(
        access_token=access_token,
        token_type="bearer",
        expires_in=state.settings.token_lifetime,
        scope=" ".join(sorted(granted)),
    )


def lineitems(context_id: str) -> Response:
    state = current_state()
    urls = state.urls()
    if request.method == "POST":
        state.check_access_token(
            request.headers.get("Authorization"), (c.SCOPE_LINEITEM,)
        )
        item = state.create_lineitem(context_id, json_body(c.MEDIA_LINEITEM))
        url = urls.build("lineitem", context_id=context_id, lineitem_id=item.id)
        return _json(item.to_json(url), c.MEDIA_LINEITEM, status=201)
    state.check_access_token(request.headers.get("Authorization"), _LINEITEM_READ)
    filters = {
        "resource_link_id": request.args.get("resource_link_id"),
        "resource_id": request.args.get("resource_id"),
        "tag": request.args.get("tag"),
    }
    limit, page = page_params()
    items, next_page = paginate(
        state.find_lineitems(context_id, **filters), limit, page
    )
    body = [
        item.to_json(urls.build("lineitem", context_id=context_id, lineitem_id=item.id))
        for item in items
    ]
    next_url = (
        urls.build(
            "lineitems", context_id=context_id, limit=limit, page=next_page, **filters
        )
        if next_page
        else None
    )
    return _with_next_link(_json(body, c.MEDIA_LINEITEM_CONTAINER), next_url)


def lineitem(context_id: str, lineitem_id: str) -> Response:
    state = current_state()
    authorization = request.headers.get("Authorization")
    url = state.urls().build("lineitem", context_id=context_id, lineitem_id=lineitem_id)
    if request.method == "GET":
        state.check_access_token(authorization, _LINEITEM_READ)
        return _json(
            state.lineitem(context_id, lineitem_id).to_json(url), c.MEDIA_LINEITEM
        )
    state.check_access_token(authorization, (c.SCOPE_LINEITEM,))
    if request.method == "DELETE":
        state.delete_lineitem(context_id, lineitem_id)
        return Response(status=204)
    item = state.update_lineitem(context_id, lineitem_id, json_body(c.MEDIA_LINEITEM))
    return _json(item.to_json(url), c.MEDIA_LINEITEM)


def scores(context_id: str, lineitem_id: str) -> Response:
    state = current_state()
    state.check_access_token(request.headers.get("Authorization"), (c.SCOPE_SCORE,))
    state.post_score(context_id, lineitem_id, json_body(c.MEDIA_SCORE))
    return Response(status=204)


def results(context_id: str, lineitem_id: str) -> Response:
    state = current_state()
    state.check_access_token(
        request.headers.get("Authorization"), (c.SCOPE_RESULT_READONLY,)
    )
    user_id = request.args.get("user_id")
    limit, page = page_params()
    body, next_page = paginate(
        state.results(context_id, lineitem_id, user_id), limit, page
    )
    next_url = (
        state.urls().build(
            "results",
            context_id=context_id,
            lineitem_id=lineitem_id,
            user_id=user_id,
            limit=limit,
            page=next_page,
        )
        if next_page
        else None
    )
    return _with_next_link(_json(body, c.MEDIA_RESULT_CONTAINER), next_url)


def memberships(context_id: str) -> Response:
    """NRPS 2.0 membership container, paged with `limit` and a Link rel="next" header."""
    state = current_state()
    state.check_access_token(request.headers.get("Authorization"), (c.SCOPE_NRPS,))
    role = request.args.get("role")
    limit, page = page_params()
    members, next_page = paginate(state.members(context_id, role), limit, page)
    urls = state.urls()
    course = state.course(context_id)
    body = {
        "id": urls.build("memberships", context_id=context_id),
        "context": {"id": course.id, "label": course.label, "title": course.title},
        "members": [member.to_nrps() for member in members],
    }
    next_url = (
        urls.build(
            "memberships", context_id=context_id, role=role, limit=limit, page=next_page
        )
        if next_page
        else None
    )
    return _with_next_link(_json(body, c.MEDIA_MEMBERSHIP_CONTAINER), next_url)
