"""Every protocol string the emulator sends or checks, beside the spec that defines it.

LTI 1.3 Core: https://www.imsglobal.org/spec/lti/v1p3/
AGS 2.0: https://www.imsglobal.org/spec/lti-ags/v2p0/
NRPS 2.0: https://www.imsglobal.org/spec/lti-nrps/v2p0/
Deep Linking 2.0: https://www.imsglobal.org/spec/lti-dl/v2p0/
"""

from typing import Final

# LTI Core §5.3 (message claims), §5.4 (optional claims).
_LTI: Final = "https://purl.imsglobal.org/spec/lti/claim/"
CLAIM_MESSAGE_TYPE: Final = _LTI + "message_type"
CLAIM_VERSION: Final = _LTI + "version"
CLAIM_DEPLOYMENT_ID: Final = _LTI + "deployment_id"
CLAIM_TARGET_LINK_URI: Final = _LTI + "target_link_uri"
CLAIM_ROLES: Final = _LTI + "roles"
CLAIM_RESOURCE_LINK: Final = _LTI + "resource_link"
CLAIM_CONTEXT: Final = _LTI + "context"
CLAIM_TOOL_PLATFORM: Final = _LTI + "tool_platform"
CLAIM_LAUNCH_PRESENTATION: Final = _LTI + "launch_presentation"
CLAIM_LIS: Final = _LTI + "lis"
CLAIM_CUSTOM: Final = _LTI + "custom"
CLAIM_AGS_ENDPOINT: Final = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
CLAIM_NRPS: Final = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"
# Deep Linking §4.4 (request) and §4.5 (response).
CLAIM_DL_SETTINGS: Final = (
    "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"
)
CLAIM_DL_CONTENT_ITEMS: Final = (
    "https://purl.imsglobal.org/spec/lti-dl/claim/content_items"
)
CLAIM_DL_DATA: Final = "https://purl.imsglobal.org/spec/lti-dl/claim/data"
CLAIM_DL_MSG: Final = "https://purl.imsglobal.org/spec/lti-dl/claim/msg"
CLAIM_DL_ERRORMSG: Final = "https://purl.imsglobal.org/spec/lti-dl/claim/errormsg"

LTI_VERSION: Final = "1.3.0"
MESSAGE_RESOURCE_LINK: Final = "LtiResourceLinkRequest"
MESSAGE_DEEP_LINKING: Final = "LtiDeepLinkingRequest"
MESSAGE_DEEP_LINKING_RESPONSE: Final = "LtiDeepLinkingResponse"

# Blackboard values, from Anthology's id_token sample (core/06-jwt-sample.md).
PRODUCT_FAMILY_CODE: Final = "BlackboardLearn"
PLATFORM_NAME: Final = "Blackboard Learn (emulated)"
CONTEXT_TYPE_COURSE: Final = (
    "http://purl.imsglobal.org/vocab/lis/v2/course#CourseOffering"
)

# LIS vocabularies, LTI Core Appendix A.
_MEMBERSHIP: Final = "http://purl.imsglobal.org/vocab/lis/v2/membership#"
ROLE_LEARNER: Final = _MEMBERSHIP + "Learner"
ROLE_INSTRUCTOR: Final = _MEMBERSHIP + "Instructor"
ROLE_ADMINISTRATOR: Final = _MEMBERSHIP + "Administrator"
ROLE_TEACHING_ASSISTANT: Final = (
    "http://purl.imsglobal.org/vocab/lis/v2/membership/Instructor#TeachingAssistant"
)
ROLE_INSTITUTION_STUDENT: Final = (
    "http://purl.imsglobal.org/vocab/lis/v2/institution/person#Student"
)
ROLE_INSTITUTION_FACULTY: Final = (
    "http://purl.imsglobal.org/vocab/lis/v2/institution/person#Faculty"
)
ROLE_INSTITUTION_STAFF: Final = (
    "http://purl.imsglobal.org/vocab/lis/v2/institution/person#Staff"
)
ROLE_SYSTEM_ADMINISTRATOR: Final = (
    "http://purl.imsglobal.org/vocab/lis/v2/system/person#Administrator"
)
# Blackboard's Student Preview user (tutorials/names-and-roles.md). Note the older
# "vocab/lti/system" path, which is what Learn sends.
ROLE_TEST_USER: Final = "http://purl.imsglobal.org/vocab/lti/system/person#TestUser"

# The roles Learn sends for each kind of course user; the administrator list is the one
# in Anthology's sample token.
ROLE_PRESETS: Final[dict[str, tuple[str, ...]]] = {
    "learner": (ROLE_LEARNER, ROLE_INSTITUTION_STUDENT),
    "instructor": (ROLE_INSTRUCTOR, ROLE_INSTITUTION_FACULTY),
    "teaching_assistant": (ROLE_TEACHING_ASSISTANT, ROLE_INSTITUTION_STAFF),
    "administrator": (
        ROLE_INSTRUCTOR,
        ROLE_SYSTEM_ADMINISTRATOR,
        ROLE_ADMINISTRATOR,
        ROLE_INSTITUTION_STAFF,
    ),
    "student_preview": (ROLE_LEARNER, ROLE_TEST_USER),
}

# OAuth 2 scopes (AGS §3.1, NRPS §2.1).
SCOPE_LINEITEM: Final = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem"
SCOPE_LINEITEM_READONLY: Final = (
    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly"
)
SCOPE_RESULT_READONLY: Final = (
    "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly"
)
SCOPE_SCORE: Final = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
SCOPE_NRPS: Final = (
    "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"
)
AGS_SCOPES: Final = (
    SCOPE_LINEITEM,
    SCOPE_LINEITEM_READONLY,
    SCOPE_RESULT_READONLY,
    SCOPE_SCORE,
)
SUPPORTED_SCOPES: Final = frozenset((*AGS_SCOPES, SCOPE_NRPS))

# RFC 7523 §2.2, required by LTI Security Framework §4.1.
CLIENT_ASSERTION_TYPE: Final = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

# Media types (AGS §3.2, §3.3, §3.4; NRPS §2.2).
MEDIA_LINEITEM: Final = "application/vnd.ims.lis.v2.lineitem+json"
MEDIA_LINEITEM_CONTAINER: Final = "application/vnd.ims.lis.v2.lineitemcontainer+json"
MEDIA_SCORE: Final = "application/vnd.ims.lis.v1.score+json"
MEDIA_RESULT_CONTAINER: Final = "application/vnd.ims.lis.v2.resultcontainer+json"
MEDIA_MEMBERSHIP_CONTAINER: Final = (
    "application/vnd.ims.lti-nrps.v2.membershipcontainer+json"
)

# AGS §3.4.7 and §3.4.8.
ACTIVITY_PROGRESS: Final = frozenset(
    ("Initialized", "Started", "InProgress", "Submitted", "Completed")
)
GRADING_PROGRESS: Final = frozenset(
    ("FullyGraded", "Pending", "PendingManual", "Failed", "NotReady")
)

# What Blackboard's sample deep linking request offers (dl/01-04*.md).
DL_ACCEPT_TYPES: Final = ("ltiResourceLink", "link")
DL_ACCEPT_TARGETS: Final = ("iframe", "window")
