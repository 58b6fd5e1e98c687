"""Grade delivery against platforms that are not Blackboard: Open edX's 403 for a stale token, launches offering
fewer scopes to a platform that refuses any other, and a token endpoint that could not fetch the tool's keys."""

from __future__ import annotations

import requests
from sqlalchemy import select

from lti_platform_emulator import DEFAULT_CONTEXT_ID, GRADED_RESOURCE_LINK_ID, UNGRADED_RESOURCE_LINK_ID
from lti_tool.lti import claims as c
from lti_tool.lti import outbox
from lti_tool.lti.service_token import scope_key
from lti_tool.models import AccessToken, GradeSync, ResourceLink
from tests.support.platform_emulator import (
    SAMPLE_LINEITEM,
    drain_sessions,
    launch,
    learner,
    progress_for,
    record_score,
    seed_catalogue,
    statuses,
)

OPEN_EDX_SCOPES = (c.SCOPE_LINEITEM_READONLY, c.SCOPE_RESULT_READONLY, c.SCOPE_SCORE)


def test_a_cached_token_answered_with_403_like_open_edx_is_dropped_and_the_call_retried_with_a_new_one(
        db, course, emulator, factory, outbox_settings):
    emulator.settings.stale_token_status = 403
    progress = progress_for(db, course, learner(db, course, "learner-1"))
    record_score(db, progress, 0.5)
    outbox.run_until_idle(factory, outbox_settings)
    emulator.state.expire_access_tokens()
    record_score(db, progress, 0.9)
    result = outbox.run_until_idle(factory, outbox_settings)
    assert (result.sent, result.failed) == (1, 0)
    assert emulator.state.token_requests == 2
    assert [s["scoreGiven"] for s in emulator.scores(SAMPLE_LINEITEM)] == [50.0, 90.0]


def test_a_403_to_the_retry_with_a_new_token_is_the_platforms_answer_and_asks_for_no_third_token(
        db, course, emulator, factory, outbox_settings):
    record_score(db, progress_for(db, course, learner(db, course, "learner-1")), 0.5)
    emulator.state.faults.fail_next("scores", 403, count=2)
    result = outbox.run_until_idle(factory, outbox_settings)
    assert result.failed == 1 and emulator.state.token_requests == 2
    assert db.scalars(select(GradeSync)).one().last_status == 403


def link_launched_with(db, emulator, resource_link_id: str) -> ResourceLink:
    """An instructor's launch through the link, as the platform offers it (claims and all)."""
    seed_catalogue(db)
    launch(requests.Session(), emulator, user_id="instructor-1", resource_link_id=resource_link_id)
    emulator.state.add_member(DEFAULT_CONTEXT_ID, "edx-learner", "Ada", "Okafor")  # after the roster sync
    db.expire_all()
    return db.scalars(select(ResourceLink).where(ResourceLink.resource_link_id == resource_link_id)).one()


def test_only_the_scopes_the_launch_offered_are_asked_for_so_a_strict_platform_issues_the_token(
        db, platform, course, emulator, factory, outbox_settings):
    emulator.settings.offered_ags_scopes = OPEN_EDX_SCOPES
    emulator.settings.strict_scopes = True
    link = link_launched_with(db, emulator, GRADED_RESOURCE_LINK_ID)
    assert set(link.ags_scopes) == set(OPEN_EDX_SCOPES)

    record_score(db, progress_for(db, course, learner(db, course, "edx-learner"), resource_link_pk=link.id), 1.0)
    result = outbox.run_until_idle(factory, outbox_settings)
    assert (result.sent, result.failed) == (1, 0), db.scalars(select(GradeSync.last_error)).all()
    assert [s["scoreGiven"] for s in emulator.scores(SAMPLE_LINEITEM)] == [100.0]
    grade_tokens = [k for k in db.scalars(select(AccessToken.scope_key)) if c.SCOPE_NRPS not in k]
    assert grade_tokens == [scope_key((c.SCOPE_SCORE, c.SCOPE_LINEITEM_READONLY))]


def test_without_the_line_item_scope_a_missing_column_fails_with_a_message_saying_what_to_do(
        db, platform, course, emulator, factory, outbox_settings):
    emulator.settings.offered_ags_scopes = OPEN_EDX_SCOPES
    emulator.settings.strict_scopes = True
    link = link_launched_with(db, emulator, UNGRADED_RESOURCE_LINK_ID)
    progress = progress_for(db, course, learner(db, course, "edx-learner"), slug="portfolio-arcp",
                            resource_link_pk=link.id)
    record_score(db, progress, None)
    result = outbox.run_until_idle(factory, outbox_settings)
    assert result.failed == 1
    row = db.scalars(select(GradeSync)).one()
    assert "did not offer this tool the line item scope" in row.last_error and "deep linking" in row.last_error
    assert not [i for i in emulator.state.course(DEFAULT_CONTEXT_ID).lineitems.values()
                if i.resource_id == "portfolio-arcp"]


def test_a_token_refused_because_the_platform_could_not_fetch_the_tools_keys_is_retried_not_failed(
        db, course, emulator, factory, outbox_settings):
    reachable = emulator.settings.tool_jwks_url
    emulator.settings.tool_jwks_url = "http://127.0.0.1:9/lti/jwks.json"  # nothing listens there
    record_score(db, progress_for(db, course, learner(db, course, "learner-1")), 0.7)
    result = outbox.run_until_idle(factory, outbox_settings)
    assert (result.retry, result.failed) == (1, 0)
    row = db.scalars(select(GradeSync)).one()
    assert row.status == "pending" and row.last_status == 400 and "could not fetch the tool's keys" in row.last_error

    emulator.settings.tool_jwks_url = reachable
    drain_sessions(factory, outbox_settings)
    assert set(statuses(db).values()) == {"sent"}
    assert [s["scoreGiven"] for s in emulator.scores(SAMPLE_LINEITEM)] == [70.0]
