"""Everything the emulated platform remembers, in memory, behind one lock.

Tests that run the emulator in a thread read and steer it through this object; tests in
another process use the JSON endpoints under /_emulator, which call the same methods.
"""

import copy
import secrets
import threading
import time
from dataclasses import asdict, dataclass
from typing import Any
from urllib.parse import urlencode

from flask import has_request_context, request

from . import constants as c
from .ags import lineitem_fields, result_json, validate_score
from .claims import build_id_token_claims
from .errors import BrowserError, ServiceError
from .faults import FaultPlan
from .keys import SigningKey
from .records import (
    DEFAULT_CONTEXT_ID,
    GRADED_RESOURCE_LINK_ID,
    Course,
    LaunchScenario,
    LineItem,
    Member,
    ResourceLink,
    Score,
    sample_course,
    sample_people,
)
from .settings import PlatformSettings
from .tool_keys import ToolKeySet
from .urls import PlatformUrls

_MESSAGE_TYPES = {
    "resource_link": c.MESSAGE_RESOURCE_LINK,
    "deep_linking": c.MESSAGE_DEEP_LINKING,
    c.MESSAGE_RESOURCE_LINK: c.MESSAGE_RESOURCE_LINK,
    c.MESSAGE_DEEP_LINKING: c.MESSAGE_DEEP_LINKING,
}


@dataclass(frozen=True)
class AccessToken:
    scopes: frozenset[str]
    expires_at: float


class PlatformState:
    """The emulated Learn site: keys, courses, launches, tokens, scores and faults."""

    def __init__(self, settings: PlatformSettings) -> None:
        self.settings = settings
        self.faults = FaultPlan()
        self.tool_keys = ToolKeySet(lambda: self.settings.tool_jwks_url)
        self._lock = threading.RLock()
        self._keys = [settings.signing_key or SigningKey.generate()]
        self.reset()

    def reset(self) -> None:
        """Back to the sample course; keys are kept so the tool's JWKS cache stays valid."""
        with self._lock:
            self.people: dict[str, Member] = {m.user_id: m for m, _ in sample_people()}
            self.courses: dict[str, Course] = {DEFAULT_CONTEXT_ID: sample_course()}
            self.scenarios: dict[str, LaunchScenario] = {}
            self.launches: list[dict[str, Any]] = []
            self.access_tokens: dict[str, AccessToken] = {}
            self.seen_jtis: dict[str, int] = {}
            self.token_requests = 0
            self.deep_link_responses: list[dict[str, Any]] = []
            self.dynamic_registrations: list[dict[str, Any]] = []
            self._deep_link_data: dict[str, str] = {}
            self.faults.clear()

    # -- URLs -------------------------------------------------------------------------

    def base_url(self) -> str:
        """The emulator's public root: configured, or the one this request came in on."""
        if self.settings.base_url:
            return self.settings.base_url.rstrip("/")
        if has_request_context():
            return request.url_root.rstrip("/")
        if self.settings.issuer:
            return self.settings.issuer.rstrip("/")
        raise RuntimeError(
            "outside a request the emulator needs PlatformSettings.issuer or base_url; "
            "set it once the server's port is known"
        )

    def issuer(self) -> str:
        return self.settings.issuer or self.base_url()

    def urls(self) -> PlatformUrls:
        return PlatformUrls(self.base_url())

    # -- keys -------------------------------------------------------------------------

    @property
    def signing_key(self) -> SigningKey:
        with self._lock:
            return self._keys[0]

    def rotate_key(self, keep_old: bool = True) -> SigningKey:
        """Sign with a new key from now on; keep the old one published, or drop it."""
        new_key = SigningKey.generate()
        with self._lock:
            self._keys = [new_key, *self._keys] if keep_old else [new_key]
        return new_key

    def jwks(self) -> dict[str, Any]:
        with self._lock:
            return {"keys": [key.public_jwk() for key in self._keys]}

    # -- roster and links -------------------------------------------------------------

    def course(self, context_id: str) -> Course:
        with self._lock:
            if context_id not in self.courses:
                raise ServiceError(
                    "not_found", f"no context {context_id!r}", status=404
                )
            return self.courses[context_id]

    def add_member(
        self,
        context_id: str,
        user_id: str,
        given_name: str,
        family_name: str,
        *,
        email: str | None = None,
        role: str = "learner",
        roles: tuple[str, ...] | None = None,
        sourcedid: str | None = None,
        status: str = "Active",
    ) -> Member:
        """Enrol a user (creating the course if needed); `role` names a ROLE_PRESETS entry."""
        member = Member(
            user_id=user_id,
            given_name=given_name,
            family_name=family_name,
            email=email if email is not None else f"{user_id}@example.ac.uk",
            roles=roles if roles is not None else c.ROLE_PRESETS[role],
            sourcedid=sourcedid or user_id,
            status=status,
        )
        with self._lock:
            course = self.courses.setdefault(
                context_id,
                Course(id=context_id, label=context_id, title=f"Course {context_id}"),
            )
            course.members[user_id] = member
            self.people[user_id] = member
        return member

    def seed_roster(
        self, context_id: str, n: int, role: str = "learner"
    ) -> list[Member]:
        """Enrol `n` generated users, numbered after those already in the course."""
        with self._lock:
            start = (
                len(self.courses[context_id].members)
                if context_id in self.courses
                else 0
            )
            return [
                self.add_member(
                    context_id,
                    f"seed-{start + i}",
                    "Seeded",
                    f"User {start + i}",
                    role=role,
                )
                for i in range(1, n + 1)
            ]

    def add_resource_link(
        self,
        context_id: str,
        title: str,
        *,
        resource_link_id: str | None = None,
        score_maximum: float | None = None,
        custom: dict[str, str] | None = None,
    ) -> ResourceLink:
        """A placement; with `score_maximum` it is graded and gets its own line item."""
        link_id = resource_link_id or f"rl-{secrets.token_hex(4)}"
        with self._lock:
            course = self.course(context_id)
            lineitem_id = None
            if score_maximum is not None:
                lineitem_id = f"li-{secrets.token_hex(4)}"
                course.lineitems[lineitem_id] = LineItem(
                    id=lineitem_id,
                    label=title,
                    score_maximum=score_maximum,
                    resource_link_id=link_id,
                )
            link = ResourceLink(
                id=link_id,
                title=title,
                lineitem_id=lineitem_id,
                custom=dict(custom or {}),
            )
            course.resource_links[link_id] = link
        return link

    # -- launches ---------------------------------------------------------------------

    def prepare_launch(
        self,
        *,
        user_id: str = "learner-1",
        role: str | None = None,
        roles: list[str] | tuple[str, ...] | None = None,
        context_id: str = DEFAULT_CONTEXT_ID,
        resource_link_id: str | None = GRADED_RESOURCE_LINK_ID,
        message_type: str = "resource_link",
        custom: dict[str, str] | None = None,
        pii: bool = True,
        ags: bool = True,
        nrps: bool = True,
        target_link_uri: str | None = None,
        lti_storage_target: str | None = None,
        extra_claims: dict[str, Any] | None = None,
        omit_claims: list[str] | tuple[str, ...] = (),
    ) -> str:
        """Store a launch scenario and return the tool login URL that starts it (OIDC step 1).

        `role` names a ROLE_PRESETS entry; `roles` gives the exact list; with neither, the
        user's roster roles are sent.
        """
        if message_type not in _MESSAGE_TYPES:
            raise ValueError(f"message_type must be one of {sorted(_MESSAGE_TYPES)}")
        kind = _MESSAGE_TYPES[message_type]
        with self._lock:
            person = self.people.get(user_id)
            if person is None:
                raise ValueError(f"unknown user {user_id!r}; add_member() first")
            if context_id not in self.courses:
                raise ValueError(
                    f"unknown context {context_id!r}; add_member() creates one"
                )
            if role is not None and role not in c.ROLE_PRESETS:
                raise ValueError(f"role must be one of {sorted(c.ROLE_PRESETS)}")
            if roles is None:
                roles = c.ROLE_PRESETS[role] if role else person.roles
            hint = secrets.token_urlsafe(16)
            scenario = LaunchScenario(
                user_id=user_id,
                roles=tuple(roles),
                context_id=context_id,
                message_type=kind,
                resource_link_id=resource_link_id
                if kind == c.MESSAGE_RESOURCE_LINK
                else None,
                target_link_uri=target_link_uri
                or (
                    self.settings.deep_link_url
                    if kind == c.MESSAGE_DEEP_LINKING
                    else self.settings.tool_launch_url
                ),
                custom=dict(custom or {}),
                pii=pii,
                ags=ags,
                nrps=nrps,
                lti_storage_target=lti_storage_target,
                extra_claims=dict(extra_claims or {}),
                omit_claims=tuple(omit_claims),
                deep_link_data=secrets.token_urlsafe(24)
                if kind == c.MESSAGE_DEEP_LINKING
                else None,
            )
            self.scenarios[hint] = scenario
            if scenario.deep_link_data:
                self._deep_link_data[scenario.deep_link_data] = hint
        params = {
            "iss": self.issuer(),
            "login_hint": user_id,
            "target_link_uri": scenario.target_link_uri,
            "lti_message_hint": hint,
            "lti_deployment_id": self.settings.deployment_id,
            "client_id": self.settings.client_id,
        }
        if lti_storage_target:
            params["lti_storage_target"] = lti_storage_target
        separator = "&" if "?" in self.settings.tool_login_url else "?"
        return self.settings.tool_login_url + separator + urlencode(params)

    def scenario(self, lti_message_hint: str) -> LaunchScenario:
        with self._lock:
            if lti_message_hint not in self.scenarios:
                raise BrowserError(
                    "invalid_request",
                    "lti_message_hint was not issued by this platform",
                )
            return self.scenarios[lti_message_hint]

    def build_claims(self, scenario: LaunchScenario, nonce: str) -> dict[str, Any]:
        """The id_token claims of a valid launch, for tests to alter and sign themselves."""
        with self._lock:
            course = self.course(scenario.context_id)
            person = (
                course.members.get(scenario.user_id) or self.people[scenario.user_id]
            )
            return build_id_token_claims(
                scenario=scenario,
                nonce=nonce,
                issuer=self.issuer(),
                settings=self.settings,
                course=copy.deepcopy(course),
                person=person,
                urls=self.urls(),
                now=int(time.time()),
            )

    def record_launch(self, lti_message_hint: str, claims: dict[str, Any]) -> None:
        with self._lock:
            self.launches.append(
                {"lti_message_hint": lti_message_hint, "claims": claims}
            )

    # -- OAuth 2 tokens ---------------------------------------------------------------

    def count_token_request(self) -> None:
        with self._lock:
            self.token_requests += 1

    def remember_jti(self, jti: str, expires_at: int) -> bool:
        """False when the jti was used before: Learn refuses a replayed assertion."""
        with self._lock:
            now = int(time.time())
            self.seen_jtis = {
                j: exp for j, exp in self.seen_jtis.items() if exp + 60 > now
            }
            if jti in self.seen_jtis:
                return False
            self.seen_jtis[jti] = expires_at
            return True

    def issue_access_token(self, scopes: frozenset[str]) -> str:
        token = secrets.token_urlsafe(32)
        with self._lock:
            self.access_tokens[token] = AccessToken(
                scopes, time.time() + self.settings.token_lifetime
            )
        return token

    def expire_access_tokens(self) -> None:
        """Make every issued token stale, to test the tool's refresh on 401."""
        with self._lock:
            self.access_tokens = {
                t: AccessToken(a.scopes, 0) for t, a in self.access_tokens.items()
            }

    def check_access_token(
        self, authorization: str | None, accepted_scopes: tuple[str, ...]
    ) -> None:
        """401 without a live bearer token (or `stale_token_status` for an unknown or
        expired one), 403 when it lacks every accepted scope."""
        scheme, _, token = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not token:
            raise ServiceError(
                "invalid_token", "a Bearer access token is required", status=401
            )
        with self._lock:
            access = self.access_tokens.get(token.strip())
        if access is None or access.expires_at <= time.time():
            raise ServiceError(
                "invalid_token",
                "the access token is unknown or expired",
                status=self.settings.stale_token_status,
            )
        if not access.scopes.intersection(accepted_scopes):
            raise ServiceError(
                "insufficient_scope",
                f"needs one of the scopes {list(accepted_scopes)}",
                status=403,
            )

    # -- AGS --------------------------------------------------------------------------

    def lineitem(self, context_id: str, lineitem_id: str) -> LineItem:
        with self._lock:
            course = self.course(context_id)
            if lineitem_id not in course.lineitems:
                raise ServiceError(
                    "not_found", f"no line item {lineitem_id!r}", status=404
                )
            return course.lineitems[lineitem_id]

    def find_lineitems(
        self,
        context_id: str,
        *,
        resource_link_id: str | None = None,
        resource_id: str | None = None,
        tag: str | None = None,
    ) -> list[LineItem]:
        with self._lock:
            items = list(self.course(context_id).lineitems.values())
        filters = {
            "resource_link_id": resource_link_id,
            "resource_id": resource_id,
            "tag": tag,
        }
        return [
            item
            for item in items
            if all(
                value is None or getattr(item, name) == value
                for name, value in filters.items()
            )
        ]

    def create_lineitem(self, context_id: str, body: Any) -> LineItem:
        fields = lineitem_fields(body, creating=True)
        with self._lock:
            course = self.course(context_id)
            item = LineItem(id=f"li-{secrets.token_hex(6)}", **fields)
            course.lineitems[item.id] = item
        return item

    def update_lineitem(self, context_id: str, lineitem_id: str, body: Any) -> LineItem:
        fields = lineitem_fields(body, creating=False)
        with self._lock:
            item = self.lineitem(context_id, lineitem_id)
            for name, value in fields.items():
                setattr(item, name, value)
        return item

    def delete_lineitem(self, context_id: str, lineitem_id: str) -> None:
        """Like Learn: the column and every grade in it are gone for good."""
        with self._lock:
            self.lineitem(context_id, lineitem_id)
            course = self.course(context_id)
            del course.lineitems[lineitem_id]
            course.scores.pop(lineitem_id, None)

    def post_score(self, context_id: str, lineitem_id: str, body: Any) -> Score:
        with self._lock:
            self.lineitem(context_id, lineitem_id)  # 404 for an unknown column
            user_id, timestamp = validate_score(body)
            course = self.course(context_id)
            if user_id not in course.members:
                # Stand-in for Learn's refusal to grade a user who is not enrolled in the
                # course; Learn's exact status differs, 422 keeps it distinct from 400s.
                raise ServiceError(
                    "not_enrolled",
                    f"user {user_id!r} is not enrolled in {context_id!r}",
                    status=422,
                )
            history = course.scores.setdefault(lineitem_id, [])
            previous = [s for s in history if s.user_id == user_id]
            if previous and timestamp <= previous[-1].timestamp:
                # Canvas answers a stale or repeated timestamp with 409; the AGS spec says the
                # platform must ignore it. Refusing loudly catches tools that reuse timestamps.
                raise ServiceError(
                    "conflict",
                    "timestamp must be later than the previous score for this user and line item",
                    status=409,
                )
            score = Score(
                user_id=user_id, timestamp=timestamp, body=copy.deepcopy(body)
            )
            history.append(score)
        return score

    def scores(self, context_id: str, lineitem_id: str) -> list[Score]:
        """Every accepted score for a line item, in arrival order."""
        with self._lock:
            return list(self.course(context_id).scores.get(lineitem_id, []))

    def results(
        self, context_id: str, lineitem_id: str, user_id: str | None = None
    ) -> list[dict[str, Any]]:
        urls = self.urls()
        with self._lock:
            item = self.lineitem(context_id, lineitem_id)
            latest: dict[str, Score] = {}
            for score in self.course(context_id).scores.get(lineitem_id, []):
                latest[score.user_id] = score
        item_url = urls.build(
            "lineitem", context_id=context_id, lineitem_id=lineitem_id
        )
        return [
            result_json(
                score.body,
                item,
                result_id=f"{item_url}/results/{uid}",
                lineitem_url=item_url,
            )
            for uid, score in latest.items()
            if user_id is None or uid == user_id
        ]

    # -- NRPS -------------------------------------------------------------------------

    def members(self, context_id: str, role: str | None = None) -> list[Member]:
        """Members, filtered by a full role URI or a short name like `Learner` (NRPS §2.3.1)."""
        with self._lock:
            members = list(self.course(context_id).members.values())
        if not role:
            return members
        return [
            m
            for m in members
            if any(r == role or r.endswith("#" + role) for r in m.roles)
        ]

    # -- deep linking -----------------------------------------------------------------

    def accept_deep_link(self, claims: dict[str, Any]) -> list[dict[str, Any]]:
        """Record the tool's content items; each graded ltiResourceLink becomes a column."""
        data = claims.get(c.CLAIM_DL_DATA)
        with self._lock:
            hint = self._deep_link_data.get(data) if isinstance(data, str) else None
            if hint is None:
                raise BrowserError(
                    "invalid_jwt",
                    "data does not echo what the deep linking request sent",
                )
            context_id = self.scenarios[hint].context_id
            created = [
                self._create_from_item(context_id, item)
                for item in claims.get(c.CLAIM_DL_CONTENT_ITEMS, [])
            ]
            self.deep_link_responses.append(
                {"context_id": context_id, "claims": claims, "created": created}
            )
        return created

    def _create_from_item(
        self, context_id: str, item: dict[str, Any]
    ) -> dict[str, Any]:
        record: dict[str, Any] = {
            "context_id": context_id,
            "type": item.get("type"),
            "title": item.get("title"),
            "url": item.get("url"),
        }
        if item.get("type") != "ltiResourceLink":
            return record
        custom = item.get("custom") or {}
        link = ResourceLink(
            id=f"rl-{secrets.token_hex(6)}",
            title=str(item.get("title") or "Untitled"),
            custom={str(k): str(v) for k, v in custom.items()},
            url=item.get("url"),
        )
        course = self.course(context_id)
        spec = item.get("lineItem")
        if isinstance(spec, dict):
            fields = lineitem_fields(
                {"label": spec.get("label") or link.title, **spec}, creating=True
            )
            window = item.get("submission") or {}
            end = window.get("endDateTime") or spec.get("endDateTime")
            lineitem = LineItem(
                id=f"li-{secrets.token_hex(6)}",
                **{**fields, "end_date_time": end or fields["end_date_time"]},
                resource_link_id=link.id,
            )
            course.lineitems[lineitem.id] = lineitem
            link.lineitem_id = lineitem.id
            record["lineitem_id"] = lineitem.id
        course.resource_links[link.id] = link
        record["resource_link_id"] = link.id
        return record

    # -- inspection -------------------------------------------------------------------

    def snapshot(self) -> dict[str, Any]:
        """Everything worth asserting on, as JSON-ready data."""
        with self._lock:
            return {
                "token_requests": self.token_requests,
                "tool_jwks_fetches": self.tool_keys.fetches,
                "signing_kids": [key.kid for key in self._keys],
                "contexts": {
                    course.id: {
                        "members": [m.to_nrps() for m in course.members.values()],
                        "resource_links": [
                            asdict(link) for link in course.resource_links.values()
                        ],
                        "lineitems": [
                            asdict(item) for item in course.lineitems.values()
                        ],
                        "scores": {
                            lineitem_id: [score.body for score in history]
                            for lineitem_id, history in course.scores.items()
                        },
                    }
                    for course in self.courses.values()
                },
                "launches": copy.deepcopy(self.launches),
                "deep_link_responses": copy.deepcopy(self.deep_link_responses),
                "faults": self.faults.snapshot(),
            }
