"""The NRPS roster over real HTTP: every page, roles, the Student Preview user, leavers, caching and failures."""

from __future__ import annotations

from sqlalchemy import select

from lti_platform_emulator import DEFAULT_CONTEXT_ID
from lti_tool.lti import nrps
from lti_tool.models import Course, Enrollment, User
from tests.support.platform_emulator import learner


def test_a_230_member_roster_is_read_across_pages_of_50(db, course, emulator):
    emulator.state.seed_roster(DEFAULT_CONTEXT_ID, 224)  # + 6 sample members enrolled
    members = nrps.roster(db, course.id, page_size=50)
    assert len(members) == 230
    assert {m.sub for m in members} == {m.user_id for m in emulator.state.members(DEFAULT_CONTEXT_ID)}
    assert all(e.source == "nrps" for e in db.scalars(select(Enrollment)))
    by_sub = {m.sub: m for m in members}
    assert by_sub["instructor-1"].role == "tutor" and by_sub["ta-1"].role == "tutor"
    assert by_sub["seed-100"].role == "learner" and by_sub["seed-100"].name == "Seeded User 100"
    assert db.scalars(select(User).where(User.sub == "learner-1")).one().email == "amara.okafor@example.ac.uk"


def test_the_student_preview_user_is_flagged_and_never_graded(db, course, emulator):
    from lti_tool.lti.gradebook import is_gradable

    members = {m.sub: m for m in nrps.roster(db, course.id)}
    assert members["preview-1"].is_test_user and not members["learner-1"].is_test_user
    assert not is_gradable(db, members["preview-1"].user_id, course.id)
    assert is_gradable(db, members["learner-1"].user_id, course.id)


def test_members_no_longer_listed_become_inactive_and_listed_ones_count_as_roster_members(db, course, emulator):
    launched = learner(db, course, "learner-2")
    gone = learner(db, course, "left-the-course")
    members = {m.sub: m for m in nrps.roster(db, course.id)}
    assert members["left-the-course"].status == "inactive"
    assert members["left-the-course"].source == "launch", "known only from a launch, not from the roster"
    assert members["learner-2"].status == "active" and members["learner-2"].source == "nrps"
    assert {launched.id, gone.id} <= {m.user_id for m in members.values()}


def test_the_roster_is_cached_until_refreshed_on_demand(db, course, emulator):
    nrps.roster(db, course.id)
    emulator.state.add_member(DEFAULT_CONTEXT_ID, "newcomer", "New", "Comer")
    assert "newcomer" not in {m.sub for m in nrps.roster(db, course.id)}
    assert "newcomer" in {m.sub for m in nrps.roster(db, course.id, refresh=True)}
    assert emulator.state.token_requests == 1


def test_a_course_without_nrps_records_a_clear_roster_error(db, course, emulator):
    course.memberships_url = None
    db.commit()
    nrps.roster(db, course.id)
    db.refresh(course)
    assert "did not offer this course's roster" in course.roster_error


def test_a_failing_platform_keeps_the_old_roster_and_records_the_error(db, course, emulator):
    assert len(nrps.roster(db, course.id)) == 6
    emulator.state.faults.fail_next("memberships", 500)
    members = nrps.roster(db, course.id, refresh=True)
    assert len(members) == 6
    db.refresh(course)
    assert "could not be fetched" in course.roster_error and "500" in course.roster_error
    nrps.roster(db, course.id, refresh=True)
    assert db.get(Course, course.id, populate_existing=True).roster_error is None


def test_members_the_platform_lists_as_inactive_or_deleted_are_inactive(db, course, emulator):
    emulator.state.add_member(DEFAULT_CONTEXT_ID, "on-leave", "On", "Leave", status="Inactive")
    emulator.state.add_member(DEFAULT_CONTEXT_ID, "removed", "Re", "Moved", status="Deleted")
    members = {m.sub: m.status for m in nrps.roster(db, course.id)}
    assert (members["on-leave"], members["removed"], members["learner-1"]) == ("inactive", "inactive", "active")
