"""The application factory: one Flask app that plays Blackboard Learn on loopback."""

import time

from flask import Flask, Response, jsonify, render_template, request
from flask.typing import RouteCallable

from . import views_browser, views_inspect, views_registration, views_services
from .errors import BrowserError, ServiceError
from .settings import PlatformSettings
from .state import PlatformState
from .urls import ROUTES
from .web_common import STATE_EXTENSION, current_state

_VIEWS: dict[str, RouteCallable] = {
    "launch_page": views_browser.launch_page,
    "launch_start": views_browser.launch_start,
    "auth": views_browser.auth,
    "deep_link_return": views_browser.deep_link_return,
    "launch_return": views_browser.launch_return,
    "jwks": views_services.jwks,
    "token": views_services.token,
    "lineitems": views_services.lineitems,
    "lineitem": views_services.lineitem,
    "scores": views_services.scores,
    "results": views_services.results,
    "memberships": views_services.memberships,
    "openid_configuration": views_registration.openid_configuration,
    "register": views_registration.register,
    "inspect_state": views_inspect.state_snapshot,
    "inspect_reset": views_inspect.reset,
    "inspect_faults": views_inspect.faults,
    "inspect_launches": views_inspect.launches,
    "inspect_members": views_inspect.members,
    "inspect_rotate_key": views_inspect.rotate_key,
}

# Which fault point each route answers to; both line item routes share one.
_FAULT_POINTS = {
    "jwks": "jwks",
    "auth": "auth",
    "token": "token",
    "lineitems": "lineitems",
    "lineitem": "lineitems",
    "scores": "scores",
    "results": "results",
    "memberships": "memberships",
    "deep_link_return": "deep_link_return",
}


def create_platform_app(
    settings: PlatformSettings, state: PlatformState | None = None
) -> Flask:
    """Build the emulator; no network and no threads until someone serves it."""
    app = Flask(__name__)
    app.extensions[STATE_EXTENSION] = state or PlatformState(settings)
    for route in ROUTES:
        app.add_url_rule(
            route.path,
            endpoint=route.endpoint,
            view_func=_VIEWS[route.endpoint],
            methods=route.methods,
        )
    app.before_request(_inject_fault)
    app.register_error_handler(ServiceError, _service_error)
    app.register_error_handler(BrowserError, _browser_error)
    return app


def platform_state(app: Flask) -> PlatformState:
    """The state behind an app made by create_platform_app."""
    state: PlatformState = app.extensions[STATE_EXTENSION]
    return state


def _inject_fault() -> Response | None:
    point = _FAULT_POINTS.get(request.endpoint or "")
    if point is None:
        return None
    fault = current_state().faults.take(point)
    if fault is None:
        return None
    if fault.delay:
        time.sleep(fault.delay)
    if fault.status is None:
        return None
    response = jsonify(
        error="injected_fault", error_description=f"{point} failed on purpose"
    )
    response.status_code = fault.status
    if fault.retry_after is not None:
        response.headers["Retry-After"] = str(fault.retry_after)
    return response


def _service_error(error: ServiceError) -> Response:
    response = jsonify(error=error.error, error_description=error.description)
    response.status_code = error.status
    if error.status == 401:
        response.headers["WWW-Authenticate"] = f'Bearer error="{error.error}"'
    return response


def _browser_error(error: BrowserError) -> tuple[str, int]:
    return render_template(
        "error.html", error=error.error, description=error.description
    ), error.status
