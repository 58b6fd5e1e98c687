"""OIDC login and id_token validation, closing the gaps pylti1p3 leaves open.

Spec: LTI Core §4 (https://www.imsglobal.org/spec/lti/v1p3/#lti-message-general-details) and the 1EdTech
Security Framework §5.1.3 (https://www.imsglobal.org/spec/security/v1p0/#authentication-response-validation).
Checks, in order: state issued by us and bound to this browser; JWT shape; registered issuer and client;
RS256 signature against the platform's JWKS (re-fetched once for an unknown kid); exp/iat with leeway;
aud and azp; nonce consumed once; an active deployment; message type, version and required claims.
Every refusal is a :class:`LaunchError` with a stable code; nothing here logs personal data.
"""

from __future__ import annotations

import logging
import secrets
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode, urlsplit

import jwt
from flask import Response, make_response, render_template
from pylti1p3.contrib.flask import FlaskCookieService, FlaskMessageLaunch, FlaskOIDCLogin, FlaskRequest
from pylti1p3.exception import LtiException, OIDCException
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload
from sqlalchemy.orm.attributes import set_committed_value

from ..models import Course, Deployment, Enrollment, Launch, Platform, ResourceLink, User, utcnow
from ..numbers import positive_int_or_none
from . import claims as c
from . import platform_keys, storage
from .admin_access import admin_claims
from .config import DatabaseToolConf, to_registration
from .errors import LaunchError, relaunch
from .roles import decide_role

log = logging.getLogger(__name__)

CHECKED_PARAM = "lti1p3_new_window"
LAST_SEEN_RESOLUTION = timedelta(hours=1)
STATE_COOKIE_PREFIX = "lti1p3-"


@dataclass(frozen=True)
class LaunchSettings:
    leeway: int
    state_seconds: int
    launch_seconds: int
    jwks_cache_seconds: int
    http_timeout: float
    secure: bool

    @classmethod
    def from_config(cls, config: dict[str, Any], secure: bool) -> LaunchSettings:
        return cls(leeway=int(config["JWT_LEEWAY_SECONDS"]), state_seconds=int(config["OIDC_STATE_SECONDS"]),
                   launch_seconds=int(config["LAUNCH_SECONDS"]), jwks_cache_seconds=int(config["JWKS_CACHE_SECONDS"]),
                   http_timeout=float(config["HTTP_TIMEOUT_SECONDS"]), secure=secure)


@dataclass(frozen=True)
class LaunchContext:
    """What a validated launch lets this browser do; views read this, never the raw claims."""

    launch_id: str
    platform_id: int
    user_id: int
    course_id: int | None
    resource_link_pk: int | None
    role: str
    is_test_user: bool
    message_type: str
    module_slug: str | None
    edition_id: int | None
    custom: dict[str, Any] = field(default_factory=dict)
    return_url: str | None = None
    is_platform_admin: bool = False  # an institution or system administrator of this launch's platform
    administers_all_platforms: bool = False  # granted from the command line
    may_edit_content: bool = False  # granted from the command line

    @property
    def is_deep_linking(self) -> bool:
        return self.message_type == c.MESSAGE_DEEP_LINKING

    @property
    def is_admin(self) -> bool:
        """May open the admin pages (what they show is limited by :meth:`administers`)."""
        return self.is_platform_admin or self.administers_all_platforms or self.may_edit_content

    def administers(self, platform_id: int) -> bool:
        """Platform administrators administer the platform they launched from; granted administrators, all."""
        return self.administers_all_platforms or (self.is_platform_admin and platform_id == self.platform_id)


# ---------------------------------------------------------------------------------------------- login


class ToolOIDCLogin(FlaskOIDCLogin):
    """pylti1p3's login, with state and nonce stored together in the shared database."""

    def __init__(self, request: FlaskRequest, session: Session, settings: LaunchSettings,
                 conf: DatabaseToolConf) -> None:
        super().__init__(request, conf, session_service=storage.StatelessSessionService(),
                         cookie_service=FlaskCookieService(request))
        self.session = session
        self.settings = settings
        self.conf = conf

    def _prepare_redirect_url(self, launch_url: str) -> str:
        registration = self.validate_oidc_login()
        self._registration = registration
        platform = self.conf.platform(registration.get_issuer() or "", registration.get_client_id())
        assert platform is not None
        state = "state-" + uuid.uuid4().hex
        nonce = secrets.token_urlsafe(32)
        self._cookie_service.set_cookie(state, state, self.settings.state_seconds)
        storage.issue_state(self.session, state=state, nonce=nonce, platform_id=platform.id,
                            lifetime=self.settings.state_seconds,
                            target_link_uri=self._get_request_param("target_link_uri"),
                            storage_target=self._get_request_param("lti_storage_target") or None)
        params = {
            "scope": "openid", "response_type": "id_token", "response_mode": "form_post", "prompt": "none",
            "client_id": platform.client_id, "redirect_uri": launch_url, "state": state, "nonce": nonce,
            "login_hint": self._get_request_param("login_hint"),
        }
        hint = self._get_request_param("lti_message_hint")
        if hint:
            params["lti_message_hint"] = hint
        separator = "&" if "?" in platform.auth_login_url else "?"
        self.issued = {"state": state, "nonce": nonce}
        return platform.auth_login_url + separator + urlencode(params)


def request_from_flask() -> FlaskRequest:
    """pylti1p3's view of the current Flask request: form or query parameters, cookies, whether it is HTTPS."""
    from flask import request

    params = request.form if request.method == "POST" else request.args
    return FlaskRequest(cookies=request.cookies, session={}, request_data=params.to_dict(),
                        request_is_secure=request.is_secure)


def start_login(session: Session, request: FlaskRequest, *, launch_url: str, settings: LaunchSettings) -> Response:
    """Answer a third-party initiated login: check cookies where needed, then redirect to the platform."""
    conf = DatabaseToolConf(session)
    login = ToolOIDCLogin(request, session, settings, conf)
    iss = request.get_param("iss")
    if not iss or not request.get_param("login_hint"):
        raise LaunchError("login_incomplete", "The platform's login request is missing `iss` or `login_hint`.")
    client_id = request.get_param("client_id")
    if conf.platform(iss, client_id or None) is None:
        raise LaunchError(
            "platform_unknown",
            "This tool has not been registered for the platform that sent you here.",
            advice="An administrator of the tool must register this platform (issuer and client ID) first.",
        )
    storage_target = request.get_param("lti_storage_target")
    try:
        if storage_target:
            redirect = login.get_redirect_object(launch_url)
            response = make_response(render_template(
                "lti/platform_storage_login.html", next_url=redirect.get_redirect_url(), storage_target=storage_target,
                state=login.issued["state"], nonce=login.issued["nonce"]))
            login._cookie_service.update_response(response)
            return response
        if settings.secure and not request.get_param(CHECKED_PARAM):
            return make_response(render_template("lti/cookie_check.html", params=_login_params(request)))
        return login.redirect(launch_url)
    except OIDCException as exc:
        raise LaunchError("login_invalid", f"The login request could not be accepted: {exc}") from exc


def _login_params(request: FlaskRequest) -> dict[str, str]:
    names = ("iss", "login_hint", "target_link_uri", "lti_message_hint", "lti_deployment_id", "client_id")
    params = {n: request.get_param(n) for n in names if request.get_param(n)}
    params[CHECKED_PARAM] = "1"
    return params


# --------------------------------------------------------------------------------------------- launch


class NeedsPlatformStorage(Exception):
    """The state cookie did not come back, but the platform offered storage: check the state there first."""

    def __init__(self, storage_target: str) -> None:
        super().__init__(storage_target)
        self.storage_target = storage_target


class ToolMessageLaunch(FlaskMessageLaunch):
    """pylti1p3's launch with the checks it lacks: one-time nonce, leeway, azp, RS256 only, key re-fetch."""

    def __init__(self, request: FlaskRequest, session: Session, settings: LaunchSettings,
                 storage_checked: bool = False) -> None:
        self.conf = DatabaseToolConf(session)
        super().__init__(request, self.conf, session_service=storage.StatelessSessionService(),
                         cookie_service=FlaskCookieService(request))
        self.session = session
        self.settings = settings
        self.storage_checked = storage_checked
        self.platform: Platform | None = None
        self.deployment: Deployment | None = None

    def validate(self) -> ToolMessageLaunch:
        self._validated = True
        try:
            self.validate_state()
            self.validate_jwt_format()
            self.validate_registration()
            self.validate_jwt_signature()
            self.validate_nonce()
            self.validate_deployment()
            self.validate_message()
        except LtiException as exc:
            self._validated = False
            raise LaunchError("launch_invalid", f"The launch message is not valid: {exc}") from exc
        except Exception:
            self._validated = False
            raise
        return self

    def validate_state(self) -> ToolMessageLaunch:
        state = self._get_request_param("state")
        if not state:
            raise relaunch("state_missing", "The launch arrived without its `state` parameter.")
        if not self._get_request_param("id_token"):
            raise LaunchError("id_token_missing", "The launch arrived without an id_token.")
        row = storage.find_state(self.session, state)
        if row is None:
            raise relaunch("state_unknown", "This launch was not started here, or it took too long and expired.")
        cookie = self._cookie_service.get_cookie(state)
        if cookie != state and row.storage_target and not self.storage_checked:
            raise NeedsPlatformStorage(row.storage_target)
        if cookie != state and not (row.storage_target and self.storage_checked):
            raise LaunchError(
                "state_not_bound",
                "Your browser did not keep the cookie that ties this launch to you, so it cannot be trusted.",
                status=403,
                advice="Open the link from your course in a new window or tab, or allow cookies for this tool.",
            )
        self.oidc_state = row
        return self

    def validate_jwt_format(self) -> ToolMessageLaunch:
        try:
            super().validate_jwt_format()
        except LtiException as exc:
            raise LaunchError("jwt_malformed", "The id_token is not a well-formed JWT.") from exc
        if not isinstance(self._jwt.get("body"), dict) or not isinstance(self._jwt.get("header"), dict):
            raise LaunchError("jwt_malformed", "The id_token is not a well-formed JWT.")
        return self

    def validate_registration(self) -> ToolMessageLaunch:
        body = self._jwt["body"]
        iss, aud = body.get("iss"), body.get("aud")
        if not isinstance(iss, str) or not iss:
            raise LaunchError("iss_missing", "The id_token does not say which platform issued it.")
        audiences = aud if isinstance(aud, list) else [aud]
        issued_for = self.oidc_state.platform
        if issued_for.issuer == iss and issued_for.client_id in audiences:
            self.conf.remember(issued_for)
        candidates = (self.conf.platform(iss, a) for a in audiences if isinstance(a, str))
        platform = next((p for p in candidates if p), None)
        if platform is None and self.session.scalars(select(Platform.id).where(Platform.issuer == iss)).first():
            raise LaunchError("aud_invalid", "The id_token is not addressed to this tool.")
        if platform is None:
            raise LaunchError("platform_unknown", "The platform that issued this launch is not registered here.",
                              advice="An administrator of the tool must register this platform first.")
        if platform.id != self.oidc_state.platform_id:
            raise LaunchError("issuer_mismatch", "The launch came from a different platform than the login.")
        if len(audiences) > 1 and body.get("azp") != platform.client_id:
            raise LaunchError("azp_invalid", "The id_token has several audiences but no `azp` naming this tool.")
        if "azp" in body and body.get("azp") != platform.client_id:
            raise LaunchError("azp_invalid", "The id_token's authorised party (`azp`) is not this tool.")
        self.platform = platform
        self._registration = to_registration(platform)
        return self

    def validate_jwt_signature(self) -> ToolMessageLaunch:
        assert self.platform is not None
        header = self._jwt["header"]
        if header.get("alg") != "RS256":
            raise LaunchError("alg_invalid", "The id_token must be signed with RS256.")
        kid = header.get("kid")
        if not kid or not isinstance(kid, str):
            raise LaunchError("kid_missing", "The id_token's header does not name its signing key (`kid`).")
        jwk = platform_keys.key_for(self.session, self.platform, kid, cache_seconds=self.settings.jwks_cache_seconds,
                                    timeout=self.settings.http_timeout)
        try:
            key = jwt.PyJWK.from_dict({**jwk, "alg": "RS256"})
            jwt.decode(
                self._get_id_token(), key=key, algorithms=["RS256"], audience=self.platform.client_id,
                issuer=self.platform.issuer, leeway=self.settings.leeway,
                options={"require": ["exp", "iat", "iss", "aud"]},
            )
        except jwt.ExpiredSignatureError as exc:
            raise relaunch("token_expired", "The launch token has expired.") from exc
        except jwt.ImmatureSignatureError as exc:
            raise LaunchError("token_not_yet_valid",
                              "The launch token was issued in the future; check the clocks.") from exc
        except jwt.MissingRequiredClaimError as exc:
            raise LaunchError("claim_missing", f"The id_token lacks the required claim `{exc.claim}`.") from exc
        except jwt.InvalidAudienceError as exc:
            raise LaunchError("aud_invalid", "The id_token is not addressed to this tool.") from exc
        except jwt.InvalidIssuerError as exc:
            raise LaunchError("iss_invalid", "The id_token's issuer does not match the platform.") from exc
        except (jwt.InvalidTokenError, jwt.PyJWKError) as exc:
            raise LaunchError("signature_invalid", "The id_token's signature could not be verified.") from exc
        iat = self._jwt["body"].get("iat")
        oldest = utcnow().timestamp() - self.settings.state_seconds - self.settings.leeway
        if not isinstance(iat, int | float) or iat < oldest:
            raise LaunchError("token_stale", "The launch token was issued too long ago.")
        return self

    def validate_nonce(self) -> ToolMessageLaunch:
        nonce = self._jwt["body"].get("nonce")
        if not nonce or not isinstance(nonce, str):
            raise LaunchError("nonce_missing", "The id_token has no nonce.")
        if not storage.consume_nonce(self.session, state=self.oidc_state.state, nonce=nonce):
            raise relaunch("nonce_invalid", "This launch has already been used, or its nonce was not issued here.")
        return self

    def validate_deployment(self) -> ToolMessageLaunch:
        assert self.platform is not None
        deployment_id = self._jwt["body"].get(c.DEPLOYMENT_ID)
        if not deployment_id or not isinstance(deployment_id, str):
            raise LaunchError("deployment_id_missing", "The launch does not say which deployment it comes from.")
        row = self.session.scalars(select(Deployment).where(
            Deployment.platform_id == self.platform.id, Deployment.deployment_id == deployment_id)).first()
        if row is None:
            row = _record_unknown_deployment(self.session, self.platform.id, deployment_id)
        if not row.is_active:
            self.session.execute(update(Deployment).where(Deployment.id == row.id)
                                 .values(refused_launches=Deployment.refused_launches + 1))
            self.session.commit()
            raise LaunchError(
                "deployment_inactive",
                f"This tool has not yet been switched on for deployment “{deployment_id}”.",
                status=403,
                advice="Ask your course administrator to ask the tool's administrator to activate this deployment "
                       "(Admin → Platforms). Nothing else is needed from you.",
            )
        self.deployment = row
        return self

    def validate_message(self) -> ToolMessageLaunch:
        body = self._jwt["body"]
        message_type = body.get(c.MESSAGE_TYPE)
        if not message_type:
            raise LaunchError("message_type_missing", "The launch does not say what kind of message it is.")
        if message_type not in c.SUPPORTED_MESSAGES:
            raise LaunchError("message_type_unsupported", f"This tool does not handle “{message_type}” messages.")
        version = body.get(c.VERSION)
        if version is None:
            raise LaunchError("version_missing", "The launch does not say which LTI version it uses.")
        if version != c.LTI_VERSION:
            raise LaunchError("version_invalid", "Only LTI 1.3.0 launches are accepted.")
        if not body.get("sub") or not isinstance(body.get("sub"), str):
            raise LaunchError("user_missing", "The launch does not identify the user (`sub`).")
        if not isinstance(body.get(c.ROLES), list):
            raise LaunchError("roles_missing", "The launch has no roles claim (an empty list is fine).")
        if message_type == c.MESSAGE_RESOURCE_LINK:
            link = body.get(c.RESOURCE_LINK)
            if not isinstance(link, dict) or not link.get("id"):
                raise LaunchError("resource_link_missing", "The launch has no resource link id.")
        else:
            settings = body.get(c.DEEP_LINKING_SETTINGS)
            if not isinstance(settings, dict) or not settings.get("deep_link_return_url"):
                raise LaunchError("deep_linking_settings_missing", "The deep-linking request has no return URL.")
        context = body.get(c.CONTEXT)
        if context is not None and (not isinstance(context, dict) or not context.get("id")):
            raise LaunchError("context_invalid", "The launch's context claim has no id.")
        super().validate_message()
        return self


def _record_unknown_deployment(session: Session, platform_id: int, deployment_id: str) -> Deployment:
    """Remember a deployment we have never seen, inactive, so an admin can switch it on (django-lti's pattern)."""
    row = Deployment(platform_id=platform_id, deployment_id=deployment_id, is_active=False)
    session.add(row)
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        row = session.scalars(select(Deployment).where(Deployment.platform_id == platform_id,
                                                       Deployment.deployment_id == deployment_id)).one()
    log.warning("launch from unknown deployment recorded as inactive (platform %s)", platform_id)
    return row


def validate_launch(session: Session, request: FlaskRequest, settings: LaunchSettings,
                    storage_checked: bool = False, handoff_token: str | None = None) -> LaunchContext:
    """Validate the POSTed id_token and record who launched from where, in one transaction the caller commits
    (the consumed nonce with it).

    ``storage_checked``: the tool's own page found the state in the platform's storage and re-posted the
    launch from the tool's origin (the caller checks the Origin header), standing in for the state cookie.
    ``handoff_token``: the one-time token ``/lti/resume`` takes, stored with the launch.
    """
    launch = ToolMessageLaunch(request, session, settings, storage_checked)
    launch.validate()
    assert launch.platform is not None and launch.deployment is not None
    return record_launch(session, launch.platform, launch.deployment, launch.get_launch_data(),
                         launch.get_launch_id(), settings, handoff_token=handoff_token)


# ------------------------------------------------------------------------------------------ recording


def _custom(body: dict[str, Any]) -> dict[str, Any]:
    custom = body.get(c.CUSTOM)
    if not isinstance(custom, dict):
        return {}
    # Blackboard sends unresolved substitution variables literally ("$CourseGroup.id"); treat them as absent.
    return {k: v for k, v in custom.items() if not (isinstance(v, str) and v.startswith("$"))}


def _upsert_user(session: Session, platform: Platform, body: dict[str, Any]) -> tuple[User, bool]:
    """The launching user, updated from the claims, and whether they are new here."""
    # The command-line grant comes in the same statement: a launch costs no extra query for it.
    user = session.scalars(select(User).options(joinedload(User.admin_grant))
                           .where(User.platform_id == platform.id, User.sub == body["sub"])).first()
    created = user is None
    if user is None:
        user = User(platform_id=platform.id, sub=body["sub"])
        set_committed_value(user, "admin_grant", None)  # someone new has no grant: no query to find that out
        session.add(user)
    for attr in ("name", "given_name", "family_name", "email"):
        value = body.get(attr)
        if isinstance(value, str) and value:
            setattr(user, attr, value[:300])
    lis = body.get(c.LIS)
    if isinstance(lis, dict) and isinstance(lis.get("person_sourcedid"), str):
        user.person_sourcedid = lis["person_sourcedid"][:255]
    now = utcnow()
    # Retention reads when someone was last seen; to the hour is plenty, so a relaunch within the hour writes nothing.
    if user.last_launch_at is None or now - user.last_launch_at >= LAST_SEEN_RESOLUTION:
        user.last_launch_at = now
    session.flush()
    return user, created


def _upsert_course(session: Session, deployment: Deployment, body: dict[str, Any]) -> Course | None:
    context = body.get(c.CONTEXT)
    if not isinstance(context, dict) or not context.get("id"):
        return None
    course = session.scalars(select(Course).where(Course.deployment_id == deployment.id,
                                                  Course.context_id == str(context["id"]))).first()
    if course is None:
        course = Course(deployment_id=deployment.id, context_id=str(context["id"]))
        session.add(course)
    course.title = str(context.get("title") or course.title or "")[:500]
    course.label = str(context.get("label") or course.label or "")[:255]
    ags = body.get(c.AGS_ENDPOINT)
    if isinstance(ags, dict):
        # Keep the endpoints from every launch: grades are sent later, outside any request.
        course.lineitems_url = ags.get("lineitems") or course.lineitems_url
        course.ags_scopes = [s for s in ags.get("scope", []) if isinstance(s, str)]
    nrps = body.get(c.NRPS_SERVICE)
    if isinstance(nrps, dict) and nrps.get("context_memberships_url"):
        course.memberships_url = nrps["context_memberships_url"]
    session.flush()
    return course


def _upsert_resource_link(session: Session, course: Course, body: dict[str, Any],
                          custom: dict[str, Any]) -> ResourceLink | None:
    link = body.get(c.RESOURCE_LINK)
    if not isinstance(link, dict) or not link.get("id"):
        return None
    row = session.scalars(select(ResourceLink).where(ResourceLink.course_id == course.id,
                                                     ResourceLink.resource_link_id == str(link["id"]))).first()
    if row is None:
        row = ResourceLink(course_id=course.id, resource_link_id=str(link["id"]))
        session.add(row)
    row.title = str(link.get("title") or row.title or "")[:500]
    row.custom = custom
    if custom.get("module") and not row.module_slug:
        row.module_slug = str(custom["module"])[:64]
    if positive_int_or_none(custom.get("edition")) and not row.edition_id:
        row.edition_id = positive_int_or_none(custom["edition"])
    ags = body.get(c.AGS_ENDPOINT)
    if isinstance(ags, dict):
        # Only these scopes may be asked for when sending this link's grades (a strict platform refuses others).
        row.ags_scopes = [s for s in ags.get("scope", []) if isinstance(s, str)]
        if ags.get("lineitem"):
            row.lineitem_url = ags["lineitem"]
    session.flush()
    return row


def _http_url(url: object) -> str | None:
    """``url`` when it is a plausible http(s) address from the platform, else None."""
    if not isinstance(url, str) or len(url) > 2000:
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    return url if parts.scheme in ("https", "http") and parts.netloc else None


def _return_url(body: dict[str, Any]) -> str | None:
    """The platform's launch_presentation return_url (LTI Core §6.1.2), when it is an http(s) address."""
    presentation = body.get(c.LAUNCH_PRESENTATION)
    return _http_url(presentation.get("return_url") if isinstance(presentation, dict) else None)


def _remember_frame_origin(platform: Platform, body: dict[str, Any]) -> None:
    """The site that frames the tool (a Learn site behind Blackboard's shared issuer) and receives its
    deep-linking answers may frame it again and receive forms: the Content-Security-Policy lists it."""
    presentation = body.get(c.LAUNCH_PRESENTATION)
    settings = body.get(c.DEEP_LINKING_SETTINGS)
    urls = (presentation.get("return_url") if isinstance(presentation, dict) else None,
            settings.get("deep_link_return_url") if isinstance(settings, dict) else None)
    for url in map(_http_url, urls):
        if url is None:
            continue
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        if origin not in (platform.frame_origins or []):
            platform.frame_origins = [*(platform.frame_origins or []), origin][-50:]


def record_launch(session: Session, platform: Platform, deployment: Deployment, body: dict[str, Any],
                  launch_id: str, settings: LaunchSettings, handoff_token: str | None = None) -> LaunchContext:
    decision = decide_role(body.get(c.ROLES) or [])
    _remember_frame_origin(platform, body)
    custom = _custom(body)
    user, new_user = _upsert_user(session, platform, body)
    course = _upsert_course(session, deployment, body)
    link = _upsert_resource_link(session, course, body, custom) if course else None
    if course is not None:
        enrollment = None if new_user else session.scalars(select(Enrollment).where(
            Enrollment.course_id == course.id, Enrollment.user_id == user.id)).first()
        if enrollment is None:
            enrollment = Enrollment(course_id=course.id, user_id=user.id, role=decision.role)
            session.add(enrollment)
        enrollment.role = decision.role
        enrollment.lti_roles = list(body.get(c.ROLES) or [])
        enrollment.status = "active"
        enrollment.last_launch_at = utcnow()
    kept = {k: body[k] for k in (c.MESSAGE_TYPE, c.DEEP_LINKING_SETTINGS, c.LAUNCH_PRESENTATION, c.DEPLOYMENT_ID)
            if k in body}
    row = Launch(id=launch_id, user_id=user.id, course_id=course.id if course else None,
                 resource_link_pk=link.id if link else None, role=decision.role,
                 message_type=body[c.MESSAGE_TYPE],
                 claims={**kept, "test_user": decision.is_test_user, "custom": custom,
                         **admin_claims(decision.is_platform_admin, user.admin_grant)},
                 expires_at=utcnow() + timedelta(seconds=settings.launch_seconds), handoff_token=handoff_token)
    session.add(row)  # inserted when the caller commits
    return context_from_row(row, link, platform_id=platform.id)


def context_from_row(row: Launch, link: ResourceLink | None = None, *,
                     platform_id: int | None = None) -> LaunchContext:
    link = link if link is not None else row.resource_link
    custom = dict(row.claims.get("custom") or {})
    grant = row.claims.get("grant") or {}
    module_slug = (link.module_slug if link else None) or (str(custom["module"]) if custom.get("module") else None)
    edition_id = link.edition_id if link else None
    if edition_id is None:
        edition_id = positive_int_or_none(custom.get("edition"))
    return LaunchContext(
        launch_id=row.id, platform_id=platform_id if platform_id is not None else row.user.platform_id,
        user_id=row.user_id,
        course_id=row.course_id, resource_link_pk=row.resource_link_pk, role=row.role,
        is_test_user=bool(row.claims.get("test_user")), message_type=row.message_type, module_slug=module_slug,
        edition_id=edition_id, custom=custom, return_url=_return_url(row.claims),
        is_platform_admin=bool(row.claims.get("platform_admin")),
        administers_all_platforms=bool(grant.get("all_platforms")), may_edit_content=bool(grant.get("content")),
    )


def _launch_query():
    return select(Launch).options(joinedload(Launch.user), joinedload(Launch.course), joinedload(Launch.resource_link))


def load_launch(session: Session, launch_id: str) -> LaunchContext | None:
    """The live launch with this id, in one statement (its user, course and resource link joined).

    The row stays referenced by the session for the rest of the request, so the page header's look-ups of the
    person and the course find them in the session instead of asking the database again."""
    row = session.scalars(_launch_query().where(Launch.id == launch_id)).first()
    if row is None or row.expires_at <= utcnow():
        return None
    session.info.setdefault("launch_rows", []).append(row)
    return context_from_row(row)


def take_handoff(session: Session, token: str, max_age_seconds: int) -> tuple[Launch, LaunchContext] | None:
    """The launch a one-time hand-off token names, if fresh and live; the caller clears the token."""
    row = session.scalars(_launch_query().where(Launch.handoff_token == token)).first() if token else None
    if row is None or row.created_at < utcnow() - timedelta(seconds=max_age_seconds) or row.expires_at <= utcnow():
        return None
    return row, context_from_row(row)
