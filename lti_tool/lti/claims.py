"""Claim names and protocol strings, each beside the spec section that defines it.

LTI Core: https://www.imsglobal.org/spec/lti/v1p3/
Deep Linking: https://www.imsglobal.org/spec/lti-dl/v2p0/
AGS: https://www.imsglobal.org/spec/lti-ags/v2p0/
NRPS: https://www.imsglobal.org/spec/lti-nrps/v2p0/
"""

# Re-exported beside the other protocol strings (``X as X`` marks a re-export for mypy and ruff).
from ..vocabulary import SCOPE_LINEITEM as SCOPE_LINEITEM
from ..vocabulary import SCOPE_LINEITEM_READONLY as SCOPE_LINEITEM_READONLY
from ..vocabulary import SCOPE_NRPS as SCOPE_NRPS
from ..vocabulary import SCOPE_RESULT_READONLY as SCOPE_RESULT_READONLY
from ..vocabulary import SCOPE_SCORE as SCOPE_SCORE

LTI = "https://purl.imsglobal.org/spec/lti/claim/"

# LTI Core §5.3 (required message claims) and §5.4 (optional)
MESSAGE_TYPE = LTI + "message_type"
VERSION = LTI + "version"
DEPLOYMENT_ID = LTI + "deployment_id"
TARGET_LINK_URI = LTI + "target_link_uri"
RESOURCE_LINK = LTI + "resource_link"
ROLES = LTI + "roles"
CONTEXT = LTI + "context"
TOOL_PLATFORM = LTI + "tool_platform"
LAUNCH_PRESENTATION = LTI + "launch_presentation"
CUSTOM = LTI + "custom"
LIS = LTI + "lis"

# Deep Linking 2.0 §4.4, §4.5
DEEP_LINKING_SETTINGS = "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"
DL_CONTENT_ITEMS = "https://purl.imsglobal.org/spec/lti-dl/claim/content_items"
DL_DATA = "https://purl.imsglobal.org/spec/lti-dl/claim/data"
DL_MSG = "https://purl.imsglobal.org/spec/lti-dl/claim/msg"

# AGS 2.0 §3.1, NRPS 2.0 §3.6.1
AGS_ENDPOINT = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
NRPS_SERVICE = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"

MESSAGE_RESOURCE_LINK = "LtiResourceLinkRequest"
MESSAGE_DEEP_LINKING = "LtiDeepLinkingRequest"
MESSAGE_DEEP_LINKING_RESPONSE = "LtiDeepLinkingResponse"
SUPPORTED_MESSAGES = frozenset({MESSAGE_RESOURCE_LINK, MESSAGE_DEEP_LINKING})
LTI_VERSION = "1.3.0"

MEDIA_LINEITEM = "application/vnd.ims.lis.v2.lineitem+json"
MEDIA_LINEITEM_CONTAINER = "application/vnd.ims.lis.v2.lineitemcontainer+json"
MEDIA_SCORE = "application/vnd.ims.lis.v1.score+json"
MEDIA_RESULT_CONTAINER = "application/vnd.ims.lis.v2.resultcontainer+json"
MEDIA_MEMBERSHIP_CONTAINER = "application/vnd.ims.lti-nrps.v2.membershipcontainer+json"

CLIENT_ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
