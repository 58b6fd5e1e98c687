"""Roles as real platforms send them, each mapped deliberately (the README's role table is this table), and
administration that stays on its own platform.

Course roles give at most the course's tutor rights; tool administration comes only from institution and system
administrator roles and covers only the launching platform; every platform and content editing only from
`flask admin grant`.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from lti_tool.lti import registration
from lti_tool.lti.roles import LEARNER, TUTOR, decide_role
from lti_tool.models import AuditEntry, Deployment, Enrollment, Launch, User

M = "http://purl.imsglobal.org/vocab/lis/v2/membership#"
MS = "http://purl.imsglobal.org/vocab/lis/v2/membership/"
INST = "http://purl.imsglobal.org/vocab/lis/v2/institution/person#"
SYS = "http://purl.imsglobal.org/vocab/lis/v2/system/person#"
TEST_USER = "http://purl.imsglobal.org/vocab/lti/system/person#TestUser"

# (platform, the platform's own name for the person, roles claim it sends, course role, platform admin)
ROLE_TABLE = [
    ("Blackboard Learn", "Student", [M + "Learner", INST + "Student"], LEARNER, False),
    ("Blackboard Learn", "Instructor", [M + "Instructor", INST + "Faculty"], TUTOR, False),
    ("Blackboard Learn", "Teaching Assistant", [MS + "Instructor#TeachingAssistant", INST + "Staff"], TUTOR, False),
    ("Blackboard Learn", "Grader", [MS + "Instructor#Grader"], TUTOR, False),
    ("Blackboard Learn", "Course Builder", [M + "ContentDeveloper", INST + "Staff"], TUTOR, False),
    ("Blackboard Learn", "Guest", [MS + "Learner#GuestLearner"], LEARNER, False),
    ("Blackboard Learn", "Student Preview", [M + "Learner", TEST_USER], LEARNER, False),
    ("Blackboard Learn", "institution role Staff, no course role", [INST + "Staff"], LEARNER, False),
    ("Blackboard Learn", "institution role Faculty, no course role", [INST + "Faculty"], LEARNER, False),
    ("Blackboard Learn", "System Administrator (Anthology's sample token)",
     [M + "Instructor", SYS + "Administrator", M + "Administrator", INST + "Staff"], TUTOR, True),
    ("Blackboard Learn", "System Administrator, no course role", [SYS + "SysAdmin"], TUTOR, True),
    ("Blackboard Learn", "system role Support", [SYS + "SysSupport"], LEARNER, False),
    ("Moodle", "Student", [M + "Learner"], LEARNER, False),
    ("Moodle", "Teacher", [M + "Instructor"], TUTOR, False),
    ("Moodle", "Non-editing teacher (sent as Learner)", [M + "Learner"], LEARNER, False),
    ("Moodle", "Site administrator", [M + "Instructor", INST + "Administrator", SYS + "Administrator"], TUTOR, True),
    ("Canvas", "Student", [M + "Learner", INST + "Student", SYS + "User"], LEARNER, False),
    ("Canvas", "Teacher", [M + "Instructor", INST + "Instructor", SYS + "User"], TUTOR, False),
    ("Canvas", "TA", [MS + "Instructor#TeachingAssistant", INST + "Instructor", SYS + "User"], TUTOR, False),
    ("Canvas", "Designer", [M + "ContentDeveloper", SYS + "User"], TUTOR, False),
    ("Canvas", "Observer", [M + "Mentor", SYS + "User"], LEARNER, False),
    ("Canvas", "Observer (sub-role)", [MS + "Manager#Observer"], LEARNER, False),
    ("Canvas", "Account admin", [INST + "Administrator", SYS + "User"], TUTOR, True),
    ("Canvas", "Account admin who is a student here", [M + "Learner", INST + "Administrator"], LEARNER, True),
    ("Canvas", "Site admin", [SYS + "SysAdmin", INST + "Administrator"], TUTOR, True),
    ("D2L Brightspace", "Learner", [M + "Learner"], LEARNER, False),
    ("D2L Brightspace", "Instructor", [M + "Instructor"], TUTOR, False),
    ("D2L Brightspace", "Teaching Assistant", [MS + "Instructor#TeachingAssistant"], TUTOR, False),
    ("D2L Brightspace", "Super Administrator", [INST + "Administrator"], TUTOR, True),
    ("Sakai", "Student (access)", [M + "Learner"], LEARNER, False),
    ("Sakai", "Instructor (maintain)", [M + "Instructor"], TUTOR, False),
    ("Sakai", "Teaching Assistant", [M + "Instructor", MS + "Instructor#TeachingAssistant"], TUTOR, False),
    ("Sakai", "Sakai administrator", [M + "Instructor", SYS + "Administrator", INST + "Administrator"], TUTOR, True),
    ("Open edX", "Student", [M + "Learner", INST + "Student"], LEARNER, False),
    ("Open edX", "Course staff", [M + "Instructor", INST + "Instructor"], TUTOR, False),
    ("Open edX", "Course instructor", [M + "Administrator", M + "Instructor", INST + "Instructor"], TUTOR, False),
    ("Open edX", "Global staff", [SYS + "Administrator", INST + "Instructor", M + "Administrator"], TUTOR, True),
    ("LTI 1.1 names", "Instructor", ["urn:lti:role:ims/lis/Instructor"], TUTOR, False),
    ("LTI 1.1 names", "TeachingAssistant", ["urn:lti:role:ims/lis/TeachingAssistant"], TUTOR, False),
    ("LTI 1.1 names", "Institution administrator", ["urn:lti:instrole:ims/lis/Administrator"], TUTOR, True),
    ("LTI 1.1 names", "Short course Administrator", ["Administrator"], TUTOR, False),
    ("any", "unknown roles", ["http://example.com/roles#Astronaut", "Wizard"], LEARNER, False),
    ("any", "no roles", [], LEARNER, False),
]


@pytest.mark.parametrize(("platform", "who", "roles", "course_role", "platform_admin"), ROLE_TABLE,
                         ids=[f"{row[0]}: {row[1]}" for row in ROLE_TABLE])
def test_each_role_real_platforms_send_is_mapped_deliberately(platform, who, roles, course_role, platform_admin):
    decision = decide_role(roles)
    assert decision.role == course_role
    assert decision.is_platform_admin is platform_admin
    assert Enrollment(lti_roles=roles).is_test_user is (TEST_USER in roles)


def test_no_course_role_ever_gives_more_than_tutor_or_administration():
    for principal in ("Administrator", "ContentDeveloper", "Instructor", "Manager", "Mentor", "Member", "Officer"):
        for uri in (M + principal, MS + principal + "#Anything", "urn:lti:role:ims/lis/" + principal, principal):
            decision = decide_role([uri])
            assert decision.role in (LEARNER, TUTOR)
            assert not decision.is_platform_admin, uri


def test_the_readme_table_lists_every_row():
    from lti_tool import REPO_ROOT

    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    for platform, who, _roles, course_role, platform_admin in ROLE_TABLE:
        if platform in ("any", "LTI 1.1 names"):
            continue
        row = f"| {platform} | {who} | {course_role} | {'yes' if platform_admin else 'no'} |"
        assert row in readme, row


# ------------------------------------------------------------------------------- end to end, over HTTP


def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


@pytest.fixture
def second_platform(lti_world, db):
    platform = registration.add_platform(
        db, issuer="https://other-learn.example.ac.uk", client_id="other-client",
        auth_login_url="https://other-learn.example.ac.uk/auth", auth_token_url="https://other-learn.example.ac.uk/t",
        keyset_url="https://other-learn.example.ac.uk/jwks", name="Other Trust's Learn", deployment_ids=("dep-b",))
    db.commit()
    return platform.id


def test_an_open_edx_course_instructor_is_a_tutor_not_an_administrator(lti_world):
    browser = lti_world.new_browser()
    response = lti_world.launch(browser, user_id="instructor-1",
                                roles=[M + "Administrator", M + "Instructor", INST + "Instructor"])
    assert response.status_code == 200
    assert "/tutor/" in response.url
    for path in ("/admin/", "/admin/platforms", "/admin/content/", "/admin/audit"):
        assert browser.get(f"{lti_world.tool_url}{path}", timeout=5).status_code == 403, path


def test_a_course_builder_cannot_add_or_remove_platforms(lti_world, second_platform, db):
    browser = lti_world.new_browser()
    landing = lti_world.launch(browser, user_id="instructor-1", roles=[M + "ContentDeveloper"])
    assert browser.get(f"{lti_world.tool_url}/admin/platforms", timeout=5).status_code == 403
    course_page = landing.url.split("/tutor/")[0]
    token = _csrf(browser.get(f"{course_page}/editions", timeout=5).text)
    removed = browser.post(f"{lti_world.tool_url}/admin/platforms/{second_platform}/remove",
                           data={"csrf_token": token, "confirm": "yes"}, timeout=5)
    assert removed.status_code == 403
    assert db.get(registration.Platform, second_platform) is not None


def test_a_platform_administrator_sees_and_changes_only_their_own_platform(lti_world, second_platform, db):
    browser = lti_world.new_browser()
    response = lti_world.launch(browser, user_id="instructor-1", roles=[M + "Instructor", INST + "Administrator"])
    assert response.status_code == 200
    page = browser.get(f"{lti_world.tool_url}/admin/platforms", timeout=5)
    assert page.status_code == 200
    assert "Emulated Learn" in page.text
    assert "Other Trust" not in page.text and "other-learn.example.ac.uk" not in page.text
    assert "Register a platform" not in page.text
    token = _csrf(page.text)
    base = f"{lti_world.tool_url}/admin/platforms/{second_platform}"
    attempts = {
        "add deployment": browser.post(f"{base}/deployments", data={"csrf_token": token, "deployment_id": "x"},
                                       timeout=5),
        "switch off": browser.post(f"{base}/deployments/dep-b/state", data={"csrf_token": token, "active": "0"},
                                   timeout=5),
        "remove": browser.post(f"{base}/remove", data={"csrf_token": token, "confirm": "yes"}, timeout=5),
        "add platform": browser.post(f"{lti_world.tool_url}/admin/platforms", timeout=5, data={
            "csrf_token": token, "issuer": "https://x.example", "client_id": "x", "auth_login_url": "https://x.example/a",
            "auth_token_url": "https://x.example/t", "keyset_url": "https://x.example/k"}),
    }
    assert {name: r.status_code for name, r in attempts.items()} == {
        "add deployment": 404, "switch off": 404, "remove": 403, "add platform": 403}
    db.expire_all()
    assert [(d.deployment_id, d.is_active) for d in db.scalars(
        select(Deployment).where(Deployment.platform_id == second_platform))] == [("dep-b", True)]
    own = browser.post(f"{lti_world.tool_url}/admin/platforms/{lti_world.platform_id}/deployments",
                       data={"csrf_token": token, "deployment_id": "own-new"}, timeout=5)
    assert own.status_code == 200
    assert "own-new" in own.text
    audit = browser.get(f"{lti_world.tool_url}/admin/audit", timeout=5).text
    assert "own-new" in audit
    assert "other-learn" not in audit


def test_the_command_line_grants_every_platform_and_content_audited_and_revokes_at_once(lti_world, second_platform,
                                                                                         db, app):
    browser = lti_world.new_browser()
    lti_world.launch(browser, user_id="instructor-1", roles=[INST + "Administrator"])
    assert browser.get(f"{lti_world.tool_url}/admin/content/", timeout=5).status_code == 403, \
        "an institution administrator edits shared content only when granted"
    user_id = db.scalars(select(User.id).where(User.sub == "instructor-1")).one()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["admin", "grant", str(user_id), "--all-platforms", "--content"])
    assert result.exit_code == 0, result.output
    assert "Other Trust" in browser.get(f"{lti_world.tool_url}/admin/platforms", timeout=5).text
    assert browser.get(f"{lti_world.tool_url}/admin/content/", timeout=5).status_code == 200
    listed = runner.invoke(args=["admin", "list"])
    assert f"user {user_id}" in listed.output and "all platforms, content" in listed.output
    result = runner.invoke(args=["admin", "revoke", str(user_id)])
    assert result.exit_code == 0, result.output
    assert "Other Trust" not in browser.get(f"{lti_world.tool_url}/admin/platforms", timeout=5).text
    assert browser.get(f"{lti_world.tool_url}/admin/content/", timeout=5).status_code == 403
    db.expire_all()
    actions = [(e.action, e.target) for e in db.scalars(select(AuditEntry).order_by(AuditEntry.id))]
    assert ("admin.grant", f"user:{user_id}") in actions and ("admin.revoke", f"user:{user_id}") in actions
    assert runner.invoke(args=["admin", "grant", "99999", "--content"]).exit_code != 0


def test_a_launch_keeps_what_it_may_administer_without_another_query(lti_world, db):
    lti_world.launch(user_id="instructor-1", roles=[M + "Administrator", M + "Instructor"])
    claims = db.scalars(select(Launch.claims)).one()
    assert claims["platform_admin"] is False
    assert claims["grant"] == {"all_platforms": False, "content": False}


def test_the_admin_home_offers_content_pages_only_with_content_rights(lti_world):
    browser = lti_world.new_browser()
    lti_world.launch(browser, user_id="admin-1", roles=[INST + "Administrator"],
                     omit_claims=["https://purl.imsglobal.org/spec/lti/claim/context"])
    home = browser.get(f"{lti_world.tool_url}/admin/", timeout=5)
    assert home.status_code == 200
    assert "Modules and quizzes" not in home.text
    assert "admin grant USER_ID --content" in home.text


def test_the_page_header_can_tell_an_admin_without_a_query(app, db):
    from flask import render_template_string

    from lti_tool.web.auth import current_launch
    from tests.support import tutor_factories as f

    deployment = f.platform(db)
    course = f.course(db, deployment)
    person = f.person(db, course, name="Ada Admin", role="tutor")
    launch = f.launch(db, person, course, role="tutor", platform_admin=True)
    db.commit()
    with app.test_request_context("/"):
        from flask import session

        session["launches"] = {str(course.id): launch.id}
        assert render_template_string("{{ signed_in_launch() }}") == "None", "public pages: nobody"
        current_launch(course.id)
        shown = render_template_string("{{ signed_in_launch().is_admin }} {{ signed_in_launch().role }}")
    assert shown == "True tutor"
