"""Rows for tutor tests, seeded straight into the tables (the publisher, learner and roster code are not needed).

Each function adds and flushes its row so ids are known; the caller commits.
"""

from __future__ import annotations

import itertools
import secrets
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from lti_tool.models import (
    Answer,
    Attempt,
    Course,
    Deployment,
    Edition,
    Enrollment,
    GradeSync,
    Launch,
    Module,
    ModuleVersion,
    Option,
    Page,
    Platform,
    Progress,
    Question,
    Quiz,
    QuizVersion,
    Reflection,
    ResourceLink,
    User,
    utcnow,
)
from lti_tool.vocabulary import TEST_USER_ROLES

LTI_ROLE = {
    "learner": "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner",
    "tutor": "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor",
    "admin": "http://purl.imsglobal.org/vocab/lis/v2/membership#Administrator",
}
_counter = itertools.count(1)


def _add(session: Session, row):
    session.add(row)
    session.flush()
    return row


def platform(session: Session) -> Deployment:
    n = next(_counter)
    plat = _add(session, Platform(name="Blackboard", issuer=f"https://bb{n}.example.ac.uk", client_id=f"client-{n}",
                                  auth_login_url="https://bb.example/auth", auth_token_url="https://bb.example/token",
                                  keyset_url="https://bb.example/jwks"))
    return _add(session, Deployment(platform_id=plat.id, deployment_id=f"dep-{n}", is_active=True))


def course(session: Session, deployment: Deployment | None = None, *, title: str = "Paediatrics IMG programme",
           roster_synced_at: datetime | None = None, roster_error: str | None = None) -> Course:
    deployment = deployment or platform(session)
    return _add(session, Course(deployment_id=deployment.id, context_id=f"ctx-{next(_counter)}", title=title,
                                roster_synced_at=roster_synced_at, roster_error=roster_error))


def person(session: Session, course_row: Course, *, name: str = "", email: str = "", sourcedid: str = "",
           role: str = "learner", status: str = "active", source: str = "nrps", test_user: bool = False) -> User:
    """A user enrolled in ``course_row``."""
    deployment = session.get(Deployment, course_row.deployment_id)
    n = next(_counter)
    user = _add(session, User(platform_id=deployment.platform_id, sub=f"sub-{n}", name=name or f"Person {n}",
                              email=email or f"person{n}@nhs.example", person_sourcedid=sourcedid or f"SID{n:05d}"))
    roles = [LTI_ROLE[role]] + ([sorted(TEST_USER_ROLES)[0]] if test_user else [])
    _add(session, Enrollment(course_id=course_row.id, user_id=user.id, role=role, lti_roles=roles, status=status,
                             source=source))
    return user


def module(session: Session, slug: str, *, title: str = "", kind: str = "module", number: int = 1,
           estimated_minutes: int = 60, outcomes: list[dict[str, Any]] | None = None) -> ModuleVersion:
    """A published module version (made current); reuses the module when the slug exists."""
    mod = session.query(Module).filter_by(slug=slug).first() or _add(session, Module(slug=slug, kind=kind))
    version = _add(session, ModuleVersion(module_id=mod.id, number=number, title=title or slug.replace("-", " "),
                                          estimated_minutes=estimated_minutes, outcomes=outcomes or [],
                                          digest=secrets.token_hex(8)))
    mod.current_version_id = version.id
    session.flush()
    return version


def quiz(session: Session, module_version: ModuleVersion, slug: str, *, title: str = "",
         questions: list[dict[str, Any]] | None = None) -> QuizVersion:
    """A quiz version shown on a page of ``module_version``. Each question: slug, type, title and options as
    (slug, text, is_correct) tuples."""
    quiz_row = session.query(Quiz).filter_by(slug=slug).first() or _add(session, Quiz(slug=slug))
    number = 1 + session.query(QuizVersion).filter_by(quiz_id=quiz_row.id).count()
    version = _add(session, QuizVersion(quiz_id=quiz_row.id, number=number, title=title or slug,
                                        digest=secrets.token_hex(8)))
    quiz_row.current_version_id = version.id
    for position, spec in enumerate(questions or [], start=1):
        question = _add(session, Question(quiz_version_id=version.id, slug=spec["slug"], position=position,
                                          type=spec.get("type", "single"), title=spec.get("title", spec["slug"]),
                                          points=spec.get("points", 1),
                                          explanation_html=spec.get("explanation", "")))
        for opt_position, (opt_slug, text, correct, *feedback) in enumerate(spec.get("options", []), start=1):
            _add(session, Option(question_id=question.id, slug=opt_slug, position=opt_position,
                                 text_html=f"<p>{text}</p>", is_correct=correct,
                                 feedback_html=feedback[0] if feedback else ""))
    page_count = session.query(Page).filter_by(module_version_id=module_version.id).count()
    _add(session, Page(module_version_id=module_version.id, slug=f"{slug}-page", position=page_count + 1,
                       title=f"Check: {version.title}", html="<p>Quiz</p>", quiz_version_id=version.id))
    return version


def resource_link(session: Session, course_row: Course, module_slug: str, *, edition: Edition | None = None
                  ) -> ResourceLink:
    return _add(session, ResourceLink(course_id=course_row.id, resource_link_id=f"rl-{next(_counter)}",
                                      title=module_slug, module_slug=module_slug,
                                      edition_id=edition.id if edition else None))


def edition(session: Session, course_row: Course, module_slug: str, name: str, *, due_in_days: int) -> Edition:
    due = utcnow() + timedelta(days=due_in_days)
    return _add(session, Edition(course_id=course_row.id, module_slug=module_slug, name=name,
                                 opens_at=due - timedelta(days=30), due_at=due, closes_at=due + timedelta(days=30)))


def progress(session: Session, user: User, course_row: Course, version: ModuleVersion, *, state: str = "in_progress",
             passed: bool | None = None, score: float | None = None, edition: Edition | None = None,
             last_activity_at: datetime | None = None) -> Progress:
    now = utcnow()
    slug = session.get(Module, version.module_id).slug
    return _add(session, Progress(
        user_id=user.id, course_id=course_row.id, module_slug=slug, edition_id=edition.id if edition else None,
        edition_key=edition.id if edition else 0, module_version_id=version.id, state=state, passed=passed,
        score=score, started_at=now - timedelta(days=3), last_activity_at=last_activity_at or now,
        completed_at=now - timedelta(hours=1) if state == "completed" else None))


def attempt(session: Session, progress_row: Progress, quiz_version: QuizVersion, *,
            answers: dict[str, tuple[Any, bool]], passed: bool | None = None, submitted: bool = True) -> Attempt:
    """A quiz attempt with ``answers``: question slug -> (response, is_correct). Score = share correct."""
    number = 1 + session.query(Attempt).filter_by(progress_id=progress_row.id,
                                                  quiz_version_id=quiz_version.id).count()
    correct = sum(1 for _response, ok in answers.values() if ok)
    score = correct / len(answers) if answers and submitted else None
    now = utcnow()
    row = _add(session, Attempt(
        progress_id=progress_row.id, quiz_version_id=quiz_version.id, number=number,
        layout=[{"question": slug} for slug in answers], started_at=now - timedelta(minutes=30 - number),
        submitted_at=now - timedelta(minutes=20 - number) if submitted else None,
        points=float(correct) if submitted else None, max_points=float(len(answers)), score=score,
        passed=(score is not None and score >= 0.7) if passed is None and submitted else passed))
    for slug, (response, ok) in answers.items():
        _add(session, Answer(attempt_id=row.id, question_slug=slug, response=response, is_correct=ok,
                             points=1.0 if ok else 0.0))
    return row


def reflection(session: Session, progress_row: Progress, text: str, *, quiz_slug: str = "q",
               question_slug: str = "refl") -> Reflection:
    return _add(session, Reflection(progress_id=progress_row.id, quiz_slug=quiz_slug, question_slug=question_slug,
                                    prompt="What will you change?", text=text, submitted_at=utcnow()))


def grade_sync(session: Session, progress_row: Progress, *, status: str = "sent",
               last_error: str | None = None) -> GradeSync:
    user = session.get(User, progress_row.user_id)
    return _add(session, GradeSync(
        progress_id=progress_row.id, course_id=progress_row.course_id, user_sub=user.sub,
        lineitem_url="https://bb.example/lineitems/1", label=progress_row.module_slug,
        score_given=(progress_row.score or 0) * 100, activity_progress="Completed", grading_progress="FullyGraded",
        timestamp=utcnow().isoformat(timespec="milliseconds").replace("+00:00", "Z"), status=status,
        last_error=last_error, attempts=1 if status != "pending" else 0))


def launch(session: Session, user: User, course_row: Course | None, *, role: str = "tutor",
           platform_admin: bool = False, all_platforms: bool = False, content: bool = False) -> Launch:
    """A live launch; the administration flags are what the launch's roles and a command-line grant would give."""
    claims = {"custom": {}, "platform_admin": platform_admin,
              "grant": {"all_platforms": all_platforms, "content": content}}
    return _add(session, Launch(id=secrets.token_hex(16), user_id=user.id,
                                course_id=course_row.id if course_row else None, role=role,
                                message_type="LtiResourceLinkRequest", claims=claims,
                                expires_at=utcnow() + timedelta(hours=2)))


def sign_in(client, *launches: Launch) -> None:
    """Give the test client's cookie session these launches, as ``/lti/resume`` would."""
    with client.session_transaction() as flask_session:
        known = dict(flask_session.get("launches") or {})
        known.update({str(row.course_id): row.id for row in launches})
        flask_session["launches"] = known


class Scenario:
    """A course a tutor would recognise: the supervisor module, the ARCP session module with two editions and
    its quiz, learners in every state, a tutor, a Student Preview user and a second course with its own tutor."""

    def __init__(self, session: Session) -> None:
        deployment = platform(session)
        self.course = course(session, deployment, roster_synced_at=utcnow() - timedelta(minutes=5))
        self.other_course = course(session, deployment, title="Another course")
        self.supervision = module(session, "img-supervision", title="Supervising international medical graduates",
                                  outcomes=[{"id": "lo-1", "text": "Plan induction", "gmc_areas": [1, 2]}])
        self.supervision_quiz = quiz(session, self.supervision, "img-supervision-check", title="Supervision check",
                                     questions=[{"slug": "q-first", "title": "First meeting", "options": [
                                         ("a", "Within a week", True), ("b", "After a month", False,
                                                                         "<p>Too late.</p>")]}])
        self.arcp = module(session, "portfolio-arcp", title="Portfolio and ARCP", kind="session")
        self.arcp_quiz = quiz(session, self.arcp, "portfolio-arcp-check", title="ARCP check", questions=[
            {"slug": "q-outcome", "title": "Outcome 5", "options": [
                ("o1", "Outcome 1", False), ("o5", "Outcome 5", True), ("o2", "Outcome 2", False)]},
            {"slug": "q-areas", "title": "Framework areas", "type": "numeric"},
            {"slug": "q-refl", "title": "Reflection", "type": "reflection"},
        ])
        self.spring = edition(session, self.course, "portfolio-arcp", "Spring 2026", due_in_days=-10)
        self.autumn = edition(session, self.course, "portfolio-arcp", "Autumn 2026", due_in_days=20)
        resource_link(session, self.course, "img-supervision")
        resource_link(session, self.course, "portfolio-arcp", edition=self.autumn)

        self.tutor = person(session, self.course, name="Dr Tutor", role="tutor", source="launch")
        self.other_tutor = person(session, self.other_course, name="Dr Elsewhere", role="tutor", source="launch")
        self.preview = person(session, self.course, name="Student Preview", test_user=True, source="launch")
        self.gone = person(session, self.course, name="Left Course", status="inactive")

        self.amara = person(session, self.course, name="Amara Okafor", email="amara@nhs.example", sourcedid="AO1")
        self.bilal = person(session, self.course, name="Bilal Haddad", email="bilal@nhs.example", sourcedid="BH2")
        self.chen = person(session, self.course, name="Chen Wei", email="chen@nhs.example", sourcedid="CW3")
        self.dara = person(session, self.course, name="Dara Nowak", email="dara@nhs.example", sourcedid="DN4")

        # Amara completed and passed supervision; failed the ARCP quiz twice in spring, then passed.
        self.amara_supervision = progress(session, self.amara, self.course, self.supervision, state="completed",
                                          passed=True, score=1.0)
        attempt(session, self.amara_supervision, self.supervision_quiz, answers={"q-first": ("a", True)})
        self.amara_sync = grade_sync(session, self.amara_supervision, status="failed",
                                     last_error="401 Unauthorized: invalid token")
        self.amara_arcp = progress(session, self.amara, self.course, self.arcp, state="completed", passed=True,
                                   score=1.0, edition=self.spring)
        for response in ("o1", "o2"):
            attempt(session, self.amara_arcp, self.arcp_quiz,
                    answers={"q-outcome": (response, False), "q-areas": ("7", True)}, passed=False)
        attempt(session, self.amara_arcp, self.arcp_quiz, answers={"q-outcome": ("o5", True), "q-areas": ("7", True)})
        reflection(session, self.amara_arcp, "I will tag my evidence every month.")
        # Bilal is in progress on supervision and failed the ARCP quiz once in spring (overdue now).
        progress(session, self.bilal, self.course, self.supervision, state="in_progress", score=None)
        self.bilal_arcp = progress(session, self.bilal, self.course, self.arcp, edition=self.spring)
        attempt(session, self.bilal_arcp, self.arcp_quiz, answers={"q-outcome": ("o1", False), "q-areas": ("3", False)},
                passed=False)
        # Chen completed supervision without passing.
        progress(session, self.chen, self.course, self.supervision, state="completed", passed=False, score=0.4)
        # Dara has not started anything.
        session.flush()
