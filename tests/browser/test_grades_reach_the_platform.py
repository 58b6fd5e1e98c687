"""Journey 2: a learner's completed supervision module reaches the platform's grade book through the outbox, and
the learner's summary then says it was sent."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from lti_platform_emulator import DEFAULT_CONTEXT_ID, GRADED_RESOURCE_LINK_ID
from lti_tool.db import session_factory
from lti_tool.lti.outbox import OutboxSettings, run_until_idle
from lti_tool.models import Progress
from tests.support.journey import land_in_module, read_every_page, take_quiz

pytestmark = pytest.mark.browser


def test_a_completed_supervision_module_reaches_the_emulators_grade_book(journey, app, db):
    page = journey.window()
    course_path = land_in_module(journey, page, "img-supervision", GRADED_RESOURCE_LINK_ID)
    read_every_page(journey, page, course_path, "img-supervision")
    take_quiz(journey, page, course_path, "img-supervision", "img-supervision-check")
    page.goto(f"{journey.tool}{course_path}/module/img-supervision/complete")
    assert "waiting to be sent" in page.locator("#grade-status").inner_text()

    result = run_until_idle(session_factory(app), OutboxSettings.from_config(app.config))
    assert result.sent == 1 and result.failed == 0

    progress = db.scalars(select(Progress).where(Progress.module_slug == "img-supervision")).one()
    scores = journey.world.platform_state.scores(DEFAULT_CONTEXT_ID, "li-img-supervision")
    latest = scores[-1].body
    assert latest["userId"] == "learner-1"
    assert latest["scoreGiven"] == pytest.approx(progress.score * 100) == 100
    assert latest["scoreMaximum"] == 100
    assert (latest["activityProgress"], latest["gradingProgress"]) == ("Completed", "FullyGraded")
    assert "version 1 of Supervising international medical graduates" in latest["comment"]

    page.reload()
    assert "Your result was sent to your course's grade book on" in page.locator("#grade-status").inner_text()
    journey.check(page, "completion summary, grade sent")
