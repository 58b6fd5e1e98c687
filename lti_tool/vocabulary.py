"""LTI vocabulary the domain needs too: AGS and NRPS scope names (does this course have a grade book?) and the
Student Preview role (left out of rosters). lti/ imports them from here, so each string has one home.

Scopes: https://www.imsglobal.org/spec/lti-ags/v2p0/#scope-and-allowed-http-methods
Roles: https://www.imsglobal.org/spec/lti/v1p3/#lis-vocabulary-for-system-roles
"""

from collections.abc import Iterable

SCOPE_LINEITEM = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem"
SCOPE_LINEITEM_READONLY = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly"
SCOPE_RESULT_READONLY = "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly"
SCOPE_SCORE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
SCOPE_NRPS = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"

# Blackboard's Student Preview user carries the older "vocab/lti/system" URI (Anthology names-and-roles tutorial);
# the LIS v2 spelling is accepted too.
TEST_USER_ROLES = frozenset({
    "http://purl.imsglobal.org/vocab/lis/v2/system/person#TestUser",
    "http://purl.imsglobal.org/vocab/lti/system/person#TestUser",
})


def is_test_user(roles: Iterable[object]) -> bool:
    """Whether these LTI roles (a launch's, or the roster's, as the enrolment keeps them) are Student Preview's."""
    return any(role in TEST_USER_ROLES for role in roles if isinstance(role, str))
