"""Export and erasure of one person's data (data-subject requests), on data made through real launches."""

from __future__ import annotations

import json

from sqlalchemy import func, select

from lti_tool.audit import actor_label, record
from lti_tool.models import AuditEntry, Certificate, GradeSync, Launch, Progress, Reflection, User
from tests.support.privacy_traces import deliver_grades, traces_of


def _cli(app, *args: str):
    return app.test_cli_runner().invoke(args=["data", *args])


def test_export_holds_everything_stored_about_the_person_and_nothing_about_others(app, lti_world, db, learners):
    ngozi, tomasz = learners
    record(db, actor_label(db, ngozi.user_id), "content.publish", "module:img-supervision", {})
    db.commit()
    live = db.scalars(select(Launch).where(Launch.user_id == ngozi.user_id)).one()
    live.handoff_token = "hand-off-that-signs-in"
    db.commit()
    result = _cli(app, "export", "--platform", lti_world.platform.url, "--user", ngozi.sub, "--reference", "DSAR-7")
    assert result.exit_code == 0, result.output
    export = json.loads(result.output)

    assert export["person"]["sub"] == ngozi.sub
    assert export["person"]["email"] == ngozi.email
    assert export["person"]["given_name"] == "Ngozi" and export["person"]["family_name"] == "Adeyemi-Whitfield"
    assert export["person"]["person_sourcedid"] == ngozi.sourcedid
    assert [e["role"] for e in export["enrolments"]] == ["learner"]
    assert [p["state"] for p in export["progress"]] == ["completed"]
    assert len(export["page_views"]) == len(db.scalars(select(Progress)).first().module_version.pages)
    assert export["quiz_attempts"] and all(a["submitted_at"] for a in export["quiz_attempts"])
    assert len(export["answers"]) >= 10
    stored_reflections = db.scalars(select(Reflection.text).join(Progress, Progress.id == Reflection.progress_id)
                                    .where(Progress.user_id == ngozi.user_id)).all()
    assert stored_reflections and [r["text"] for r in export["reflections"]] == list(stored_reflections)
    assert [c["learner_name"] for c in export["certificates"]] == ["Ngozi Adeyemi-Whitfield"]
    assert export["grade_rows"] and {g["user_sub"] for g in export["grade_rows"]} == {ngozi.sub}
    assert [a["action"] for a in export["audit_entries"]] == ["content.publish"]
    assert export["courses"][0]["context_id"]
    assert [launch["handoff_token"] for launch in export["launches"]] == ["(withheld: a one-time sign-in token)"]
    assert "hand-off-that-signs-in" not in result.output

    text = json.dumps(export)
    assert tomasz.sub not in text and "Kowalczyk" not in text
    audit = db.scalars(select(AuditEntry).where(AuditEntry.action == "person.export")).one()
    assert audit.target == f"user:{ngozi.user_id}" and audit.details == {"reference": "DSAR-7"}


def test_erasure_waits_for_undelivered_grades_then_leaves_no_trace_of_the_person(app, lti_world, db, learners):
    ngozi, tomasz = learners
    record(db, actor_label(db, ngozi.user_id), "content.publish", "module:img-supervision",
           {"note": f"asked by {ngozi.email}"})
    db.commit()
    code = db.scalars(select(Certificate.code).where(Certificate.learner_name.like("Ngozi%"))).one()
    pending = db.scalar(select(func.count()).select_from(GradeSync).where(GradeSync.user_sub == ngozi.sub,
                                                                          GradeSync.status == "pending"))
    assert pending >= 1

    refused = _cli(app, "erase", "--platform", lti_world.platform.url, "--user", ngozi.sub, "--yes")
    assert refused.exit_code == 1
    assert "have not reached the platform's grade book" in refused.output
    assert "--discard-undelivered-grades" in refused.output and "Nothing was erased" in refused.output
    assert traces_of(db, ngozi), "a refused erasure must leave everything in place"

    deliver_grades(app)
    erased = _cli(app, "erase", "--platform", lti_world.platform.url, "--user", ngozi.sub, "--yes",
                  "--reference", "DSAR-8")
    assert erased.exit_code == 0, erased.output
    assert "Erased; audit reference DSAR-8." in erased.output

    assert traces_of(db, ngozi) == []
    entry = db.scalars(select(AuditEntry).where(AuditEntry.action == "person.erase")).one()
    assert entry.target == "erasure:DSAR-8" and entry.details["removed"]["people"] == 1
    assert db.scalars(select(AuditEntry.actor).where(AuditEntry.action == "content.publish")).one() == "erased person"
    assert lti_world.new_browser().get(f"{lti_world.tool_url}/verify/{code}", timeout=10).status_code == 404

    # The other learner keeps everything.
    other = db.scalars(select(User).where(User.sub == tomasz.sub)).one()
    assert db.scalars(select(Progress.state).where(Progress.user_id == other.id)).all() == ["completed"]
    assert db.scalars(select(Certificate.learner_name)).all() == ["Tomasz Kowalczyk-Brent"]


def test_erasure_can_discard_undelivered_grades_when_told_to_and_says_so(app, lti_world, db, learners):
    ngozi, _ = learners
    result = _cli(app, "erase", "--platform", lti_world.platform.url, "--user", ngozi.sub, "--yes",
                  "--discard-undelivered-grades")
    assert result.exit_code == 0, result.output
    assert "undelivered grade(s): the platform's grade book will not receive them" in result.output
    assert traces_of(db, ngozi) == []
    entry = db.scalars(select(AuditEntry).where(AuditEntry.action == "person.erase")).one()
    assert entry.details["discarded_undelivered_grades"] >= 1


def test_an_unknown_person_is_a_clear_error(app, lti_world):
    result = _cli(app, "export", "--platform", lti_world.platform.url, "--user", "nobody")
    assert result.exit_code == 1 and "No person with sub 'nobody'" in result.output
