"""Fixtures: the tool and the Blackboard emulator, each on a real loopback HTTP server, registered with each other
(``tool_server``, ``emulator``, ``platform``, ``course``, ``outbox_settings``, ``factory``).

The emulator fetches the tool's JWKS (to check token assertions and deep-linking responses), so the tool is
served too. Helpers build courses, learners and progress rows the way launches and the learner domain would.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from html.parser import HTMLParser

import pytest
import requests
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from lti_platform_emulator import (
    DEFAULT_CONTEXT_ID,
    PlatformSettings,
    PlatformState,
    RunningServer,
    create_platform_app,
    platform_state,
    serve_in_thread,
)
from lti_tool.db import session_factory
from lti_tool.lti import claims as c
from lti_tool.lti.gradebook import queue_grade
from lti_tool.lti.outbox import OutboxSettings, run_until_idle
from lti_tool.lti.registration import add_platform
from lti_tool.models import (
    Course,
    Deployment,
    Edition,
    Enrollment,
    GradeSync,
    Launch,
    Module,
    ModuleVersion,
    Platform,
    Progress,
    User,
    utcnow,
)
from lti_tool.vocabulary import TEST_USER_ROLES

CLIENT_ID = "btg-test-client"
SAMPLE_LINEITEM = "li-img-supervision"  # the line item the emulator holds for the img-supervision module
DEPLOYMENT_ID = "btg-test-deployment"
AGS_SCOPES = [c.SCOPE_LINEITEM, c.SCOPE_LINEITEM_READONLY, c.SCOPE_RESULT_READONLY, c.SCOPE_SCORE]
# Grade delivery that gives up and retries within a test's patience; a folder's ``test_config`` adds it.
FAST_GRADE_DELIVERY = {"HTTP_TIMEOUT_SECONDS": 2, "GRADE_RETRY_BASE_SECONDS": 0.05, "GRADE_RETRY_MAX_SECONDS": 0.3,
                       "GRADE_CLAIM_SECONDS": 30}


@pytest.fixture
def tool_server(app) -> Iterator[RunningServer]:
    server = serve_in_thread(app)
    yield server
    server.stop()


@dataclass
class Emulator:
    server: RunningServer
    state: PlatformState
    settings: PlatformSettings

    @property
    def url(self) -> str:
        return self.server.url

    def lineitems_url(self, context_id: str = DEFAULT_CONTEXT_ID) -> str:
        return f"{self.url}/contexts/{context_id}/lineitems"

    def lineitem_url(self, lineitem_id: str, context_id: str = DEFAULT_CONTEXT_ID) -> str:
        return f"{self.url}/contexts/{context_id}/lineitems/{lineitem_id}"

    def scores(self, lineitem_id: str, context_id: str = DEFAULT_CONTEXT_ID) -> list[dict]:
        return [s.body for s in self.state.scores(context_id, lineitem_id)]


@pytest.fixture
def emulator(tool_server: RunningServer) -> Iterator[Emulator]:
    settings = PlatformSettings(
        client_id=CLIENT_ID, deployment_id=DEPLOYMENT_ID,
        tool_login_url=f"{tool_server.url}/lti/login", tool_launch_url=f"{tool_server.url}/lti/launch",
        tool_jwks_url=f"{tool_server.url}/lti/jwks.json",
    )
    platform_app = create_platform_app(settings)
    server = serve_in_thread(platform_app)
    settings.issuer = server.url
    yield Emulator(server=server, state=platform_state(platform_app), settings=settings)
    server.stop()


@pytest.fixture
def platform(db: Session, emulator: Emulator) -> Platform:
    platform = add_platform(db, issuer=emulator.url, client_id=CLIENT_ID, auth_login_url=f"{emulator.url}/auth",
                            auth_token_url=f"{emulator.url}/token", keyset_url=f"{emulator.url}/jwks.json",
                            name="Emulated Learn", deployment_ids=(DEPLOYMENT_ID,))
    db.commit()
    return platform


@pytest.fixture
def course(db: Session, platform: Platform, emulator: Emulator) -> Course:
    deployment = db.scalars(select(Deployment).where(Deployment.platform_id == platform.id)).one()
    row = Course(deployment_id=deployment.id, context_id=DEFAULT_CONTEXT_ID, title="BTG 101",
                 lineitems_url=emulator.lineitems_url(), ags_scopes=AGS_SCOPES,
                 memberships_url=f"{emulator.url}/contexts/{DEFAULT_CONTEXT_ID}/memberships")
    db.add(row)
    db.commit()
    return row


@pytest.fixture
def outbox_settings(app) -> OutboxSettings:
    return OutboxSettings.from_config(app.config)


@pytest.fixture
def factory(app):
    return session_factory(app)


def module_version(db: Session, slug: str = "img-supervision", kind: str = "module",
                   title: str = "Supervising international medical graduates") -> ModuleVersion:
    module = db.scalars(select(Module).where(Module.slug == slug)).first()
    if module is None:
        module = Module(slug=slug, kind=kind)
        db.add(module)
        db.flush()
        version = ModuleVersion(module_id=module.id, number=1, title=title, digest="d" * 64)
        db.add(version)
        db.flush()
        module.current_version_id = version.id
        db.commit()
    return db.get(ModuleVersion, module.current_version_id)


def learner(db: Session, course: Course, sub: str, *, role: str = "learner",
            lti_roles: list[str] | None = None, test_user: bool = False) -> User:
    platform_id = db.get(Deployment, course.deployment_id).platform_id
    user = User(platform_id=platform_id, sub=sub, name=sub)
    db.add(user)
    db.flush()
    roles = (lti_roles or []) + (sorted(TEST_USER_ROLES)[:1] if test_user else [])
    db.add(Enrollment(course_id=course.id, user_id=user.id, role=role, lti_roles=roles))
    db.add(Launch(id=f"launch-{sub}", user_id=user.id, course_id=course.id, role=role,
                  message_type=c.MESSAGE_RESOURCE_LINK, claims={},
                  expires_at=utcnow() + timedelta(hours=1)))
    db.commit()
    return user


def progress_for(db: Session, course: Course, user: User, *, slug: str = "img-supervision",
                 edition: Edition | None = None, resource_link_pk: int | None = None) -> Progress:
    version = module_version(db, slug)
    row = Progress(user_id=user.id, course_id=course.id, module_slug=slug, module_version_id=version.id,
                   edition_id=edition.id if edition else None, edition_key=edition.id if edition else 0,
                   resource_link_pk=resource_link_pk)
    db.add(row)
    db.commit()
    return row


def record_score(db: Session, progress: Progress, score: float | None, *, comment: str = "") -> GradeSync | None:
    """What the learner domain does when a learner completes (score given) or moves on (score None)."""
    if score is None:
        progress.state = "in_progress"
    else:
        progress.state, progress.score, progress.completed_at = "completed", score, utcnow()
    row = queue_grade(db, progress, comment=comment)
    db.commit()
    return row


def statuses(db: Session) -> dict[int, str]:
    db.expire_all()
    return {row.id: row.status for row in db.scalars(select(GradeSync).order_by(GradeSync.id))}


class _Forms(HTMLParser):
    """Forms in a page: action and every named input's value (checkboxes and radios only when checked)."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[tuple[str | None, dict[str, str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "form":
            self.forms.append((attributes.get("action"), {}))
        elif tag == "input" and self.forms and attributes.get("name"):
            if attributes.get("type") in ("checkbox", "radio") and "checked" not in attributes:
                return
            self.forms[-1][1][str(attributes["name"])] = attributes.get("value") or ""


def forms_of(html: str) -> list[tuple[str | None, dict[str, str]]]:
    parser = _Forms()
    parser.feed(html)
    return parser.forms


def launch(browser: requests.Session, emulator: Emulator, **scenario) -> requests.Response:
    """A whole launch as a browser makes it: login, platform auth, form post to the tool, landing page."""
    response = browser.get(emulator.state.prepare_launch(**scenario), timeout=10)
    assert response.status_code == 200, response.text
    action, fields = forms_of(response.text)[0]
    landing = browser.post(action, data=fields, timeout=10)
    assert landing.status_code in (200, 400, 403), landing.text
    return landing


def seed_catalogue(db: Session) -> None:
    module_version(db, "img-supervision", "module", "Supervising international medical graduates")
    module_version(db, "portfolio-arcp", "session", "Portfolio and ARCP preparation")
    module_version(db, "img-handbook", "handbook", "IMG handbook")


def drain(app, settings: OutboxSettings, seconds: float = 20.0) -> None:
    """Run the outbox until nothing is pending (retries wait their short back-off)."""
    drain_sessions(session_factory(app), settings, seconds)


def drain_sessions(factory: sessionmaker[Session], settings: OutboxSettings, seconds: float = 20.0) -> None:
    """``drain`` for a test holding the session factory rather than the app."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        run_until_idle(factory, settings)
        with factory() as session:
            if not session.scalars(select(GradeSync.id).where(GradeSync.status == "pending")).first():
                return
        time.sleep(0.05)
    raise AssertionError("scores still pending after the outbox ran")
