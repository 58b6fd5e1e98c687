"""Grade sending: each platform's rows go out on a few threads at once, with one token, and a 429 pauses them."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from sqlalchemy import select

from lti_platform_emulator import DEFAULT_CONTEXT_ID
from lti_tool.lti import outbox
from lti_tool.models import GradeSync, utcnow
from tests.support.platform_emulator import learner, progress_for, record_score

SAMPLE_LINEITEM = "li-img-supervision"


def queue_for_roster(db, course, emulator, count: int) -> None:
    for member in emulator.state.seed_roster(DEFAULT_CONTEXT_ID, count):
        record_score(db, progress_for(db, course, learner(db, course, member.user_id)), 0.5)


def test_concurrent_sends_deliver_every_score_with_one_token_request(db, course, emulator, factory,
                                                                     outbox_settings):
    queue_for_roster(db, course, emulator, 12)
    result = outbox.run_until_idle(factory, replace(outbox_settings, sends_per_platform=4))
    assert result.sent == 12
    assert len(emulator.scores(SAMPLE_LINEITEM)) == 12
    assert emulator.state.token_requests == 1


def test_a_429_pauses_the_platform_for_the_rest_of_the_pass_and_hands_its_rows_back(db, course, emulator, factory,
                                                                                   outbox_settings):
    queue_for_roster(db, course, emulator, 5)
    emulator.state.faults.fail_next("scores", 429, retry_after=60)
    before = utcnow()
    settings = replace(outbox_settings, sends_per_platform=1, retry_max_seconds=3600)
    result = outbox.run_until_idle(factory, settings)
    after = utcnow()
    assert (result.retry, result.sent, result.skipped) == (1, 0, 4)
    assert emulator.scores(SAMPLE_LINEITEM) == []
    db.expire_all()
    rows = db.scalars(select(GradeSync)).all()
    assert {row.status for row in rows} == {"pending"} and all(row.claim_token is None for row in rows)
    assert all(before + timedelta(seconds=59) < row.next_attempt_at < after + timedelta(seconds=61) for row in rows)
