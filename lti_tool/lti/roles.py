"""How LTI role URIs become the tool's three roles: learner, tutor and admin.

Course (membership) roles win over institution and system roles: an institution administrator who is
a student in this course is a learner here. Without any course role, institution and system roles
decide. Unknown, short-form-unknown and empty role lists make a learner (LTI Core §5.3.7 requires tools
to accept them). Roles are defined in https://www.imsglobal.org/spec/lti/v1p3/#role-vocabularies.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ..vocabulary import TEST_USER_ROLES

LEARNER, TUTOR, ADMIN = "learner", "tutor", "admin"
RANK = {LEARNER: 0, TUTOR: 1, ADMIN: 2}

MEMBERSHIP = "http://purl.imsglobal.org/vocab/lis/v2/membership#"
MEMBERSHIP_SUB = "http://purl.imsglobal.org/vocab/lis/v2/membership/"
INSTITUTION = "http://purl.imsglobal.org/vocab/lis/v2/institution/person#"
SYSTEM = "http://purl.imsglobal.org/vocab/lis/v2/system/person#"

# Context roles: full membership URIs, their sub-roles (membership/Instructor#TeachingAssistant) and the
# deprecated short names that LTI Core still allows in the context vocabulary.
CONTEXT_ROLE_MAP = {
    "Administrator": ADMIN,
    "ContentDeveloper": ADMIN,
    "Instructor": TUTOR,
    "TeachingAssistant": TUTOR,
    "Mentor": TUTOR,
    "Learner": LEARNER,
    "Member": LEARNER,
    "Manager": TUTOR,
    "Officer": LEARNER,
}
INSTITUTION_ROLE_MAP = {
    "Administrator": ADMIN,
    "SysAdmin": ADMIN,
    "SysSupport": ADMIN,
    "ContentDeveloper": ADMIN,
    "Faculty": TUTOR,
    "Instructor": TUTOR,
    "Mentor": TUTOR,
}


@dataclass(frozen=True)
class RoleDecision:
    role: str
    is_test_user: bool


def _context_role(uri: str) -> str | None:
    if uri.startswith(MEMBERSHIP):
        return CONTEXT_ROLE_MAP.get(uri[len(MEMBERSHIP):])
    if uri.startswith(MEMBERSHIP_SUB):
        sub_role = uri.rsplit("#", 1)[-1]
        return CONTEXT_ROLE_MAP.get(sub_role, CONTEXT_ROLE_MAP.get(uri[len(MEMBERSHIP_SUB):].split("#")[0]))
    if "/" not in uri and "#" not in uri:
        return CONTEXT_ROLE_MAP.get(uri)
    return None


def _institution_role(uri: str) -> str | None:
    for prefix in (INSTITUTION, SYSTEM):
        if uri.startswith(prefix):
            return INSTITUTION_ROLE_MAP.get(uri[len(prefix):])
    return None


def decide_role(roles: Iterable[str]) -> RoleDecision:
    roles = [r for r in roles if isinstance(r, str)]
    context = [r for r in (_context_role(u) for u in roles) if r]
    institution = [r for r in (_institution_role(u) for u in roles) if r]
    chosen = context or institution or [LEARNER]
    return RoleDecision(role=max(chosen, key=RANK.__getitem__),
                        is_test_user=any(r in TEST_USER_ROLES for r in roles))


def at_least(role: str, needed: str) -> bool:
    return RANK[role] >= RANK[needed]
