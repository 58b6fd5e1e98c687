"""Journey 4: after a learner completes the supervision module, an instructor's launch shows the whole roster from
Names and Role Provisioning (people who never launched as not started), filters to who has not started, exports
exactly those people as CSV, and opens the completed learner's attempt and reflection."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest

from lti_platform_emulator import DEFAULT_CONTEXT_ID, GRADED_RESOURCE_LINK_ID
from tests.support.journey import REFLECTION, land_in_module, read_every_page, take_quiz

pytestmark = pytest.mark.browser
NEVER_LAUNCHED = {"Nadia Haddad", "Kwame Mensah"}


def test_an_instructor_sees_the_roster_filters_not_started_exports_them_and_reads_a_reflection(journey):
    state = journey.world.platform_state
    state.add_member(DEFAULT_CONTEXT_ID, "trainee-never-1", "Nadia", "Haddad")
    state.add_member(DEFAULT_CONTEXT_ID, "trainee-never-2", "Kwame", "Mensah")
    learner = journey.window()
    course_path = land_in_module(journey, learner, "img-supervision", GRADED_RESOURCE_LINK_ID)
    read_every_page(journey, learner, course_path, "img-supervision")
    take_quiz(journey, learner, course_path, "img-supervision", "img-supervision-check")

    page = journey.window()
    journey.launch(page, user_id="instructor-1", role="instructor", resource_link_id=GRADED_RESOURCE_LINK_ID)
    assert re.search(r"/course/\d+/tutor/", page.url)
    assert "Roster from Blackboard" in page.locator("#roster-status").inner_text()
    matrix = page.locator("#matrix tbody").inner_text()
    roster_learners = {m.name for m in state.members(DEFAULT_CONTEXT_ID, "Learner") if "Preview" not in m.name}
    for name in roster_learners:
        assert name in matrix, f"{name} is on the roster but not in the course view"
    journey.check(page, "tutor course view")

    page.select_option("#f-module", "img-supervision")
    page.select_option("#f-state", "not_started")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url(re.compile(r"state=not_started"))
    shown = page.locator("#matrix tbody th[scope=row] a").all_inner_texts()
    not_started = roster_learners - {"Amara Okafor"}
    assert set(shown) == not_started and NEVER_LAUNCHED <= set(shown)
    journey.check(page, "tutor course view, filtered")

    with page.expect_download() as download:
        page.locator("#export-csv").click()
    text = Path(download.value.path()).read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert {row["Name"] for row in rows} == not_started
    assert {(row["Module id"], row["State"]) for row in rows} == {("img-supervision", "Not started")}

    page.goto(f"{journey.tool}{course_path}/tutor/")
    page.get_by_role("link", name="Amara Okafor").click()
    detail = page.locator("main").inner_text()
    assert "attempt 1: 100%, passed" in detail
    assert REFLECTION in detail
    journey.check(page, "tutor learner detail")
