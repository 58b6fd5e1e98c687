"""Every reason the tool refuses a login or launch, with a stable code and advice for a person.

No message includes personal data from the token; codes are stable so support staff and tests can
rely on them.
"""

from __future__ import annotations

from ..errors import ToolError

ADMIN_ADVICE = "If this keeps happening, send the error code below to your course administrator."


class LaunchError(ToolError):
    code = "launch_invalid"
    status = 400
    title = "This launch could not be accepted"

    def __init__(self, code: str, message: str, *, status: int = 400, advice: str = ADMIN_ADVICE) -> None:
        super().__init__(message, code=code, status=status, advice=advice)


def relaunch(code: str, message: str) -> LaunchError:
    """A refusal that a fresh launch from the course usually fixes."""
    return LaunchError(code, message, advice="Open the link again from your course page in Blackboard (or your "
                                             "learning platform). " + ADMIN_ADVICE)
