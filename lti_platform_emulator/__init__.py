"""An LTI 1.3 platform emulator that plays Blackboard Learn over real HTTP.

Used by the test suite to launch the tool end to end and to receive its grades, roster
calls and deep links, and by the tool's development-only local launch page. It is
self-contained: it imports nothing else from lti_tool and never imports pylti1p3.
"""

from .app import create_platform_app, platform_state
from .faults import FAULT_POINTS, FaultPlan
from .keys import KID_FROM_KEY, SigningKey, jwk_thumbprint, sign_id_token
from .records import (
    DEFAULT_CONTEXT_ID,
    GRADED_RESOURCE_LINK_ID,
    UNGRADED_RESOURCE_LINK_ID,
    LaunchScenario,
    LineItem,
    Member,
    Score,
)
from .server import RunningServer, serve_in_thread
from .settings import PlatformSettings
from .state import PlatformState

__all__ = [
    "DEFAULT_CONTEXT_ID",
    "FAULT_POINTS",
    "GRADED_RESOURCE_LINK_ID",
    "KID_FROM_KEY",
    "UNGRADED_RESOURCE_LINK_ID",
    "FaultPlan",
    "LaunchScenario",
    "LineItem",
    "Member",
    "PlatformSettings",
    "PlatformState",
    "RunningServer",
    "Score",
    "SigningKey",
    "create_platform_app",
    "jwk_thumbprint",
    "platform_state",
    "serve_in_thread",
    "sign_id_token",
]
