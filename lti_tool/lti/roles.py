"""How LTI role URIs become what a person may do here: a course role (learner or tutor) and, separately,
whether they administer the tool for the platform they launched from.

Course (membership) roles give at most the course's tutor rights, whatever their name: real platforms send
`membership#Administrator` (Open edX course instructors) and `membership#ContentDeveloper` (Blackboard's Course
Builder, Canvas designers) for people who run one course, not the tool. Tool administration comes only from the
institution and system administrator roles, and covers only the platform the launch came from; administration
of every platform and the right to edit shared content are granted from the command line (``flask admin``).

Without a course role an administrator has tutor rights in the course; anyone else (institution Faculty,
Staff, Student, unknown or no roles: LTI Core §5.3.7 requires tools to accept them) is a learner.
The full table, platform by platform, is in the README ("Roles").
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

LEARNER, TUTOR, ADMIN = "learner", "tutor", "admin"
RANK = {LEARNER: 0, TUTOR: 1, ADMIN: 2}

MEMBERSHIP = "http://purl.imsglobal.org/vocab/lis/v2/membership#"
MEMBERSHIP_SUB = "http://purl.imsglobal.org/vocab/lis/v2/membership/"
INSTITUTION = "http://purl.imsglobal.org/vocab/lis/v2/institution/person#"
SYSTEM = "http://purl.imsglobal.org/vocab/lis/v2/system/person#"
LEGACY_CONTEXT = "urn:lti:role:ims/lis/"
LEGACY_INSTITUTION = "urn:lti:instrole:ims/lis/"
LEGACY_SYSTEM = "urn:lti:sysrole:ims/lis/"

# Principal context roles (LTI Core's context vocabulary). A sub-role (membership/Instructor#TeachingAssistant)
# takes its principal's mapping unless SUB_ROLE_OVERRIDES names it.
CONTEXT_ROLE_MAP = {
    "Administrator": TUTOR,      # a course's administrator (Open edX course instructor), not the tool's
    "ContentDeveloper": TUTOR,   # Blackboard Course Builder, Canvas designer
    "Instructor": TUTOR,         # incl. TeachingAssistant and Grader sub-roles
    "TeachingAssistant": TUTOR,  # the short form some platforms still send
    "Manager": TUTOR,
    "Mentor": LEARNER,           # Canvas observers (parents) watch one learner: never the whole cohort
    "Learner": LEARNER,          # incl. GuestLearner (Blackboard Guest)
    "Member": LEARNER,
    "Officer": LEARNER,
}
SUB_ROLE_OVERRIDES = {"Observer": LEARNER, "Auditor": LEARNER, "GuestLearner": LEARNER}
# Institution and system roles that make a tool administrator for the launching platform.
ADMINISTRATOR_ROLES = frozenset({"Administrator", "SysAdmin"})


@dataclass(frozen=True)
class RoleDecision:
    role: str                # the course role: learner or tutor
    is_platform_admin: bool  # administers the tool for the platform the launch came from


def _context_role(uri: str) -> str | None:
    if uri.startswith(MEMBERSHIP):
        return CONTEXT_ROLE_MAP.get(uri[len(MEMBERSHIP):])
    if uri.startswith(MEMBERSHIP_SUB):
        principal, _, sub_role = uri[len(MEMBERSHIP_SUB):].partition("#")
        return SUB_ROLE_OVERRIDES.get(sub_role, CONTEXT_ROLE_MAP.get(principal))
    if uri.startswith(LEGACY_CONTEXT):
        principal, _, sub_role = uri[len(LEGACY_CONTEXT):].partition("/")
        return SUB_ROLE_OVERRIDES.get(sub_role, CONTEXT_ROLE_MAP.get(principal))
    if "/" not in uri and "#" not in uri and ":" not in uri:
        return CONTEXT_ROLE_MAP.get(uri)
    return None


def _administers(uri: str) -> bool:
    for prefix in (INSTITUTION, SYSTEM, LEGACY_INSTITUTION, LEGACY_SYSTEM):
        if uri.startswith(prefix):
            return uri[len(prefix):] in ADMINISTRATOR_ROLES
    return False


def decide_role(roles: Iterable[str]) -> RoleDecision:
    roles = [r for r in roles if isinstance(r, str)]
    context = [r for r in (_context_role(u) for u in roles) if r]
    is_admin = any(_administers(u) for u in roles)
    course_role = max(context, key=RANK.__getitem__) if context else (TUTOR if is_admin else LEARNER)
    return RoleDecision(role=course_role, is_platform_admin=is_admin)


def at_least(role: str, needed: str) -> bool:
    return RANK.get(role, 0) >= RANK[needed]
