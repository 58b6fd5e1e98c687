"""The grade outbox against the Blackboard emulator over real HTTP: tokens, score bodies, retries, failures."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import jwt
import requests
from sqlalchemy import select, update

from lti_platform_emulator import DEFAULT_CONTEXT_ID
from lti_tool.learning import grades
from lti_tool.lti import ags, keys, outbox, service_token
from lti_tool.lti.service_token import ServiceClient
from lti_tool.models import AccessToken, Edition, GradeSync, LineItem, ResourceLink, utcnow
from tests.support.platform_emulator import (
    CLIENT_ID,
    SAMPLE_LINEITEM,
    drain_sessions,
    learner,
    progress_for,
    record_score,
    statuses,
)


def test_token_assertion_is_signed_with_the_tool_key_and_has_integer_times_and_unique_jti(db, platform, emulator):
    first = service_token.client_assertion(db, platform)
    second = service_token.client_assertion(db, platform)
    key = keys.signing_key(db)
    assert jwt.get_unverified_header(first)["kid"] == key.kid
    claims = jwt.decode(first, jwt.PyJWK.from_dict(key.public_jwk).key, algorithms=["RS256"],
                        audience=f"{emulator.url}/token")
    assert claims["iss"] == claims["sub"] == CLIENT_ID
    assert type(claims["iat"]) is int and type(claims["exp"]) is int and claims["exp"] > claims["iat"]
    assert claims["jti"] != jwt.decode(second, options={"verify_signature": False})["jti"]


def test_one_cached_token_serves_many_scores_and_every_worker(db, course, emulator, factory, outbox_settings):
    for n in (1, 2, 3):
        record_score(db, progress_for(db, course, learner(db, course, f"learner-{n}")), 0.8, comment="Well done")
    outbox.run_until_idle(factory, outbox_settings)
    outbox.run_until_idle(factory, outbox_settings)
    assert len(emulator.scores(SAMPLE_LINEITEM)) == 3
    assert emulator.state.token_requests == 1
    assert db.scalars(select(AccessToken)).one().scope_key == " ".join(sorted(ags.SCORE_SCOPES))
    record_score(db, progress_for(db, course, learner(db, course, "learner-x")), None)
    with factory() as another_worker:
        [(row_id, token)] = outbox.claim_rows(another_worker, outbox_settings)
        with requests.Session() as http:
            outbox.process_row(another_worker, row_id, token, http=http, settings=outbox_settings)
    assert emulator.state.token_requests == 1


def test_scores_carry_exactly_the_agreed_fields_with_the_comment_always_present(db, course, emulator, factory,
                                                                                outbox_settings):
    user = learner(db, course, "learner-1")
    progress = progress_for(db, course, user)
    record_score(db, progress, None)
    outbox.run_until_idle(factory, outbox_settings)
    record_score(db, progress, 0.75, comment="Completed version 1")
    outbox.run_until_idle(factory, outbox_settings)
    started, completed = emulator.scores(SAMPLE_LINEITEM)
    assert set(started) == {"userId", "scoreMaximum", "activityProgress", "gradingProgress", "timestamp", "comment"}
    assert started["comment"] == "" and started["activityProgress"] == "InProgress"
    assert started["gradingProgress"] == "NotReady"
    assert set(completed) == {"userId", "scoreGiven", "scoreMaximum", "activityProgress", "gradingProgress",
                              "timestamp", "comment", "submission"}
    assert completed["userId"] == started["userId"] == "learner-1"
    assert (completed["scoreGiven"], completed["scoreMaximum"]) == (75.0, 100.0)
    assert (completed["activityProgress"], completed["gradingProgress"]) == ("Completed", "FullyGraded")
    assert completed["comment"] == "Completed version 1"
    assert set(completed["submission"]) == {"submittedAt"}
    stamps = [datetime.fromisoformat(s["timestamp"]) for s in (started, completed)]
    assert stamps[0] < stamps[1] and all(s.tzinfo is not None for s in stamps)
    assert completed["timestamp"].endswith("Z") and len(completed["timestamp"].split(".")[1]) == 4


def test_timestamps_strictly_increase_even_for_changes_within_one_millisecond(db, course):
    progress = progress_for(db, course, learner(db, course, "learner-1"))
    rows = [record_score(db, progress, 0.1 * n) for n in range(1, 6)]
    stamps = [grades.parse_timestamp(r.timestamp) for r in rows]
    assert stamps == sorted(set(stamps))


def test_a_refused_token_is_dropped_and_the_call_retried_once_with_a_new_one(db, course, emulator, factory,
                                                                             outbox_settings):
    progress = progress_for(db, course, learner(db, course, "learner-1"))
    record_score(db, progress, 0.5)
    outbox.run_until_idle(factory, outbox_settings)
    emulator.state.expire_access_tokens()
    record_score(db, progress, 0.9)
    result = outbox.run_until_idle(factory, outbox_settings)
    assert result.sent == 1
    assert emulator.state.token_requests == 2
    assert [s["scoreGiven"] for s in emulator.scores(SAMPLE_LINEITEM)] == [50.0, 90.0]


def test_an_outage_of_503s_timeouts_and_429s_ends_with_every_score_delivered_exactly_once(
        db, course, emulator, factory, outbox_settings):
    subs = ["learner-1", "learner-2", "learner-3"]
    for sub in subs:
        record_score(db, progress_for(db, course, learner(db, course, sub)), 0.6, comment=f"for {sub}")
    emulator.state.faults.fail_next("token", 503)
    emulator.state.faults.fail_for("scores", 0.6, status=503)
    emulator.state.faults.delay("scores", outbox_settings.timeout + 0.5, count=1)
    drain_sessions(factory, outbox_settings)
    delivered = [s["userId"] for s in emulator.scores(SAMPLE_LINEITEM)]
    assert sorted(delivered) == subs
    assert set(statuses(db).values()) == {"sent"}
    assert max(r.attempts for r in db.scalars(select(GradeSync))) > 1


def test_time_out_after_the_platform_stored_the_score_is_not_sent_twice(db, course, emulator, factory,
                                                                        outbox_settings):
    record_score(db, progress_for(db, course, learner(db, course, "learner-1")), 0.4)
    emulator.state.faults.delay("scores", outbox_settings.timeout + 0.5, count=1)
    first = outbox.run_until_idle(factory, outbox_settings)
    assert first.retry == 1
    time.sleep(1.0)  # the platform finishes storing the score the tool stopped waiting for
    drain_sessions(factory, outbox_settings)
    assert len(emulator.scores(SAMPLE_LINEITEM)) == 1
    assert set(statuses(db).values()) == {"sent"}


def test_retry_after_from_a_429_sets_the_next_attempt(db, course, emulator, factory, outbox_settings):
    from dataclasses import replace

    settings = replace(outbox_settings, retry_max_seconds=3600)
    record_score(db, progress_for(db, course, learner(db, course, "learner-1")), 0.4)
    emulator.state.faults.fail_next("scores", 429, retry_after=40)
    before = utcnow()
    assert outbox.run_pass(factory, settings).retry == 1
    db.expire_all()
    row = db.scalars(select(GradeSync)).one()
    assert row.last_status == 429 and row.status == "pending"
    assert timedelta(seconds=39) < row.next_attempt_at - before < timedelta(seconds=42)


def test_backoff_grows_exponentially_with_jitter_up_to_the_cap(outbox_settings):
    from dataclasses import replace

    settings = replace(outbox_settings, retry_base_seconds=10, retry_max_seconds=100)
    for attempt, ceiling in ((1, 10), (2, 20), (3, 40), (4, 80), (5, 100), (9, 100)):
        delay = outbox.backoff_seconds(attempt, settings)
        assert ceiling / 2 <= delay <= ceiling


def test_a_refusal_for_an_unknown_user_marks_the_row_failed_with_the_platforms_message(db, course, emulator, factory,
                                                                                      outbox_settings):
    record_score(db, progress_for(db, course, learner(db, course, "never-enrolled")), 0.9)
    result = outbox.run_until_idle(factory, outbox_settings)
    assert (result.failed, result.retry) == (1, 0)
    row = db.scalars(select(GradeSync)).one()
    db.refresh(row)
    assert row.status == "failed" and row.last_status == 422 and row.attempts == 1
    assert "not_enrolled" in row.last_error and "never-enrolled" in row.last_error


def test_a_row_retrying_past_the_attempt_limit_fails_with_the_last_error(db, course, emulator, factory,
                                                                         outbox_settings):
    from dataclasses import replace

    settings = replace(outbox_settings, max_attempts=2, retry_base_seconds=0, retry_max_seconds=0)
    record_score(db, progress_for(db, course, learner(db, course, "learner-1")), 0.9)
    emulator.state.faults.set_down("scores")
    outbox.run_until_idle(factory, settings)
    row = db.scalars(select(GradeSync)).one()
    db.refresh(row)
    assert row.status == "failed" and row.attempts == 2 and row.last_status == 503
    assert row.last_error.startswith("Gave up after 2 attempts")


def test_a_worker_killed_mid_send_leaves_a_row_another_worker_delivers_once(db, course, emulator, factory,
                                                                            outbox_settings):
    record_score(db, progress_for(db, course, learner(db, course, "learner-1")), 0.7)
    with factory() as dying_worker:
        [(row_id, token)] = outbox.claim_rows(dying_worker, outbox_settings)
        # it got as far as sending the score before it died
        row = dying_worker.get(GradeSync, row_id)
        client = ServiceClient(dying_worker, course.deployment.platform, http=requests.Session(), timeout=2)
        ags.post_score(client, ags.resolve_lineitem(dying_worker, client, row), row)
    assert outbox.run_until_idle(factory, outbox_settings).handled == 0  # still claimed: nobody touches it
    db.execute(update(GradeSync).values(claimed_until=utcnow() - timedelta(seconds=1)))
    db.commit()
    result = outbox.run_until_idle(factory, outbox_settings)
    assert result.sent == 1
    assert len(emulator.scores(SAMPLE_LINEITEM)) == 1
    db.refresh(db.get(GradeSync, row_id))
    assert db.get(GradeSync, row_id).status == "sent"


def test_a_worker_killed_before_sending_leaves_a_row_that_is_sent_after_its_claim_expires(
        db, course, emulator, factory, outbox_settings):
    record_score(db, progress_for(db, course, learner(db, course, "learner-1")), 0.7)
    with factory() as dying_worker:
        assert len(outbox.claim_rows(dying_worker, outbox_settings)) == 1
    db.execute(update(GradeSync).values(claimed_until=utcnow() - timedelta(seconds=1)))
    db.commit()
    assert outbox.run_until_idle(factory, outbox_settings).sent == 1
    assert len(emulator.scores(SAMPLE_LINEITEM)) == 1


def test_two_workers_never_claim_the_same_row(db, course, factory, outbox_settings):
    for n in range(6):
        record_score(db, progress_for(db, course, learner(db, course, f"learner-{n}")), 0.5)
    with factory() as first, factory() as second:
        a = {i for i, _ in outbox.claim_rows(first, outbox_settings, limit=4)}
        b = {i for i, _ in outbox.claim_rows(second, outbox_settings, limit=4)}
    assert len(a) == 4 and len(b) == 2 and not a & b


def test_a_newer_score_supersedes_an_unsent_one_so_only_the_latest_is_sent(db, course, emulator, factory,
                                                                          outbox_settings):
    progress = progress_for(db, course, learner(db, course, "learner-1"))
    first = record_score(db, progress, 0.3)
    second = record_score(db, progress, 0.95, comment="second try")
    result = outbox.run_until_idle(factory, outbox_settings)
    assert statuses(db) == {first.id: "superseded", second.id: "sent"}
    assert result.sent == 1
    assert grades.latest_for_progress(db, progress.id).id == second.id
    assert [s["scoreGiven"] for s in emulator.scores(SAMPLE_LINEITEM)] == [95.0]


def test_a_row_claimed_before_a_newer_one_arrived_is_superseded_at_send_time(db, course, emulator, factory,
                                                                            outbox_settings):
    progress = progress_for(db, course, learner(db, course, "learner-1"))
    first = record_score(db, progress, 0.3)
    with factory() as worker:
        [(row_id, token)] = outbox.claim_rows(worker, outbox_settings)
        second = record_score(db, progress, 0.8)  # the claimed row is left alone by queue_grade
        assert statuses(db)[first.id] == "pending"
        outcome = outbox.process_row(worker, row_id, token, http=requests.Session(), settings=outbox_settings)
    assert outcome == "superseded"
    outbox.run_until_idle(factory, outbox_settings)
    assert statuses(db) == {first.id: "superseded", second.id: "sent"}
    assert [s["scoreGiven"] for s in emulator.scores(SAMPLE_LINEITEM)] == [80.0]


def test_tutors_and_student_preview_users_never_get_a_grade_row(db, course):
    tutor = learner(db, course, "instructor-1", role="tutor")
    preview = learner(db, course, "preview-1",
                      lti_roles=["http://purl.imsglobal.org/vocab/lti/system/person#TestUser"])
    flagged = learner(db, course, "preview-2", test_user=True)
    for user in (tutor, preview, flagged):
        assert record_score(db, progress_for(db, course, user), 1.0) is None
    assert db.scalars(select(GradeSync)).first() is None


def test_resend_turns_a_failed_row_into_a_new_pending_row_that_is_delivered(db, course, emulator, factory,
                                                                            outbox_settings):
    failed = record_score(db, progress_for(db, course, learner(db, course, "late-joiner")), 0.9, comment="ok")
    outbox.run_until_idle(factory, outbox_settings)
    emulator.state.add_member(DEFAULT_CONTEXT_ID, "late-joiner", "Late", "Joiner")
    again = grades.resend(db, failed.id)
    db.commit()
    assert again.resent_from_id == failed.id and again.timestamp > failed.timestamp
    assert outbox.run_until_idle(factory, outbox_settings).sent == 1
    assert [s["userId"] for s in emulator.scores(SAMPLE_LINEITEM)] == ["late-joiner"]
    assert statuses(db) == {failed.id: "failed", again.id: "sent"}


def test_resend_refuses_rows_that_did_not_fail(db, course):
    import pytest

    from lti_tool.errors import Conflict

    row = record_score(db, progress_for(db, course, learner(db, course, "learner-1")), 0.9)
    with pytest.raises(Conflict):
        grades.resend(db, row.id)


def test_the_sample_column_is_found_by_resource_id_when_the_row_has_no_line_item_url(db, course, emulator, factory,
                                                                                     outbox_settings):
    record_score(db, progress_for(db, course, learner(db, course, "learner-1")), 0.9)
    assert db.scalars(select(GradeSync)).one().lineitem_url is None
    outbox.run_until_idle(factory, outbox_settings)
    assert len(emulator.state.course(DEFAULT_CONTEXT_ID).lineitems) == 1
    assert len(emulator.scores(SAMPLE_LINEITEM)) == 1
    assert db.scalars(select(LineItem.url)).one() == emulator.lineitem_url(SAMPLE_LINEITEM)


def test_a_missing_column_is_created_once_and_reused_by_later_rows(db, course, emulator, factory, outbox_settings):
    link = ResourceLink(course_id=course.id, resource_link_id="rl-portfolio", module_slug="portfolio-arcp")
    db.add(link)
    db.commit()
    for sub in ("learner-1", "learner-2"):
        progress = progress_for(db, course, learner(db, course, sub), slug="portfolio-arcp", resource_link_pk=link.id)
        record_score(db, progress, 1.0)
    outbox.run_until_idle(factory, outbox_settings)
    created = [i for i in emulator.state.course(DEFAULT_CONTEXT_ID).lineitems.values()
               if i.resource_id == "portfolio-arcp"]
    assert len(created) == 1 and created[0].score_maximum == 100 and created[0].tag == "portfolio-arcp"
    assert len(emulator.scores(created[0].id)) == 2
    db.refresh(link)
    assert link.lineitem_url is None  # kept per (course, resourceId), not on the link
    assert db.scalars(select(LineItem.url).where(LineItem.resource_id == "portfolio-arcp")).one() == \
        emulator.lineitem_url(created[0].id)


def test_each_edition_gets_its_own_column_with_the_due_date_as_end_date(db, course, emulator, factory,
                                                                       outbox_settings):
    due = datetime(2027, 3, 31, 17, 0, tzinfo=UTC)
    spring = Edition(course_id=course.id, module_slug="portfolio-arcp", name="Spring 2027",
                     opens_at=due - timedelta(days=60), due_at=due, closes_at=due + timedelta(days=14))
    autumn = Edition(course_id=course.id, module_slug="portfolio-arcp", name="Autumn 2027",
                     opens_at=due + timedelta(days=150), due_at=due + timedelta(days=180),
                     closes_at=due + timedelta(days=190))
    db.add_all([spring, autumn])
    db.commit()
    user = learner(db, course, "learner-1")
    for edition in (spring, autumn):
        record_score(db, progress_for(db, course, user, slug="portfolio-arcp", edition=edition), 0.9)
    outbox.run_until_idle(factory, outbox_settings)
    items = {i.resource_id: i for i in emulator.state.course(DEFAULT_CONTEXT_ID).lineitems.values()}
    spring_item = items[f"portfolio-arcp/edition-{spring.id}"]
    autumn_item = items[f"portfolio-arcp/edition-{autumn.id}"]
    assert datetime.fromisoformat(spring_item.end_date_time) == due
    assert datetime.fromisoformat(autumn_item.end_date_time) == due + timedelta(days=180)
    assert "(Spring 2027)" in spring_item.label
    assert len(emulator.scores(spring_item.id)) == len(emulator.scores(autumn_item.id)) == 1
    remembered = db.scalars(select(LineItem).where(LineItem.edition_id == spring.id)).one()
    assert (remembered.url, remembered.resource_id) == (emulator.lineitem_url(spring_item.id), spring_item.resource_id)


def test_cli_sync_status_and_resend(app, db, course, emulator):
    ok = record_score(db, progress_for(db, course, learner(db, course, "learner-1")), 0.9)
    bad = record_score(db, progress_for(db, course, learner(db, course, "stranger")), 0.9)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["grades", "sync"])
    assert result.exit_code == 0, result.output
    assert "sent 1, retry 0, failed 1" in result.output
    status = runner.invoke(args=["grades", "status"])
    assert "sent 1" in status.output and "failed 1" in status.output
    assert f"failed #{bad.id}" in status.output and "HTTP 422" in status.output
    resent = runner.invoke(args=["grades", "resend", str(bad.id)])
    assert resent.exit_code == 0 and "Queued grade send" in resent.output
    refused = runner.invoke(args=["grades", "resend", str(ok.id)])
    assert refused.exit_code != 0 and "Only a failed grade send" in refused.output


def test_a_deleted_column_fails_the_row_and_a_resend_makes_a_new_column(db, course, emulator, factory,
                                                                        outbox_settings):
    progress = progress_for(db, course, learner(db, course, "learner-1"))
    record_score(db, progress, 0.5)
    outbox.run_until_idle(factory, outbox_settings)
    emulator.state.delete_lineitem(DEFAULT_CONTEXT_ID, SAMPLE_LINEITEM)
    lost = record_score(db, progress, 0.9)
    assert outbox.run_until_idle(factory, outbox_settings).failed == 1
    db.refresh(lost)
    assert lost.last_status == 404 and "no longer exists" in lost.last_error
    assert db.scalars(select(LineItem)).first() is None
    again = grades.resend(db, lost.id)
    db.commit()
    assert again.lineitem_url is None
    assert outbox.run_until_idle(factory, outbox_settings).sent == 1
    [new_item] = emulator.state.course(DEFAULT_CONTEXT_ID).lineitems.values()
    assert new_item.resource_id == "img-supervision" and new_item.id != SAMPLE_LINEITEM
    assert [s["scoreGiven"] for s in emulator.scores(new_item.id)] == [90.0]


def test_no_row_is_written_when_the_course_grants_no_score_scope(db, course):
    course.ags_scopes = []
    db.commit()
    assert record_score(db, progress_for(db, course, learner(db, course, "learner-1")), 1.0) is None
    assert db.scalars(select(GradeSync)).first() is None
