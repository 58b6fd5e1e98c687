"""Tutor pages over HTTP: the filters a tutor uses, exports with the same rows, detail pages and re-send."""

from __future__ import annotations

import csv
import io
import re

import pytest
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from lti_tool.models import Answer, Attempt, GradeSync, PageView, Question
from tests.support import tutor_factories as f


@pytest.fixture
def scenario(db: Session):
    s = f.Scenario(db)
    s.tutor_launch = f.launch(db, s.tutor, s.course, role="tutor")
    s.learner_launch = f.launch(db, s.amara, s.course, role="learner")
    s.other_launch = f.launch(db, s.other_tutor, s.other_course, role="tutor")
    db.commit()
    return s


@pytest.fixture
def tutor(client, scenario):
    f.sign_in(client, scenario.tutor_launch)
    return client


def base(s) -> str:
    return f"/course/{s.course.id}/tutor"


def csv_rows(response) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))


def test_course_view_shows_matrix_summary_chart_and_roster_line(tutor, scenario):
    page = tutor.get(base(scenario) + "/").get_data(as_text=True)
    assert "Roster from Blackboard, updated 5 minutes ago." in page
    assert '<caption>Progress of each person in each module' in page
    assert 'role="img"' in page and 'aria-label="Supervising international medical graduates: Not started 1' in page
    assert "Amara Okafor" in page and "Dr Tutor" not in page.split('id="matrix"')[1]
    assert "Student Preview" not in page
    assert "Completed, not passed" in page


def test_course_view_says_when_the_roster_failed(tutor, scenario, db):
    course = db.get(type(scenario.course), scenario.course.id)
    course.roster_error = "Blackboard refused the membership request (403)"
    db.commit()
    page = tutor.get(base(scenario) + "/").get_data(as_text=True)
    assert "The roster could not be loaded from Blackboard: Blackboard refused the membership request (403)" in page


def test_not_started_supervisor_module_filter_lists_only_those_people(tutor, scenario):
    page = tutor.get(base(scenario) + "/?state=not_started&module=img-supervision").get_data(as_text=True)
    table = page.split('id="matrix"')[1]
    assert "Dara Nowak" in table
    assert "Amara Okafor" not in table and "Bilal Haddad" not in table
    assert "1 of 4 learners shown." in page


def test_export_csv_has_the_filtered_rows_and_streams(tutor, scenario):
    response = tutor.get(base(scenario) + "/export.csv?quiz=portfolio-arcp-check&failed_attempts=2")
    assert response.status_code == 200 and response.is_streamed
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = csv_rows(response)
    assert {row["Name"] for row in rows} == {"Amara Okafor"}
    assert {row["Module id"] for row in rows} == {"img-supervision", "portfolio-arcp"}
    supervision = next(row for row in rows if row["Module id"] == "img-supervision")
    assert supervision["State"] == "Completed" and supervision["Grade sync"] == "failed"
    assert supervision["Score %"] == "100.0"


def test_export_csv_neutralises_formula_like_names(tutor, scenario, db):
    f.person(db, scenario.course, name="=HYPERLINK(\"http://evil\")")
    db.commit()
    rows = csv_rows(tutor.get(base(scenario) + "/export.csv?module=img-supervision"))
    assert any(row["Name"].startswith("'=HYPERLINK") for row in rows)


def test_export_xlsx_has_the_same_filtered_rows(tutor, scenario):
    response = tutor.get(base(scenario) + "/export.xlsx?state=not_started&module=img-supervision")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data), read_only=True).active
    values = list(sheet.values)
    assert values[0][0] == "Name" and [row[0] for row in values[1:]] == ["Dara Nowak"]


def test_learner_detail_page_shows_attempts_feedback_reflection_and_timeline(tutor, scenario):
    page = tutor.get(f"{base(scenario)}/learner/{scenario.amara.id}").get_data(as_text=True)
    assert "ARCP check, attempt 2" in page
    assert "I will tag my evidence every month." in page
    assert "401 Unauthorized: invalid token" in page
    assert "Send grade again" in page


def test_learner_detail_marks_answers_as_the_learner_sees_them(tutor, scenario, db):
    areas = db.scalars(select(Question).where(Question.slug == "q-areas")).one()
    areas.points = 2
    bilal_areas = db.scalars(select(Answer).join(Attempt).where(
        Attempt.progress_id == scenario.bilal_arcp.id, Answer.question_slug == "q-areas")).one()
    bilal_areas.points = 0.5
    db.commit()
    bilal = " ".join(tutor.get(f"{base(scenario)}/learner/{scenario.bilal.id}").get_data(as_text=True).split())
    assert "Partly correct (0.5 of 2)" in bilal
    assert "Not correct (0 of 1)" in bilal and "Incorrect" not in bilal
    amara = " ".join(tutor.get(f"{base(scenario)}/learner/{scenario.amara.id}").get_data(as_text=True).split())
    assert "Correct (1 of 1)" in amara and "1.0 of" not in amara


def test_learner_timeline_names_pages_by_their_titles(tutor, scenario, db):
    db.add(PageView(progress_id=scenario.amara_supervision.id, page_slug="img-supervision-check-page"))
    db.commit()
    page = tutor.get(f"{base(scenario)}/learner/{scenario.amara.id}").get_data(as_text=True)
    assert "Viewed page: Check: Supervision check" in page
    assert "Viewed page: img-supervision-check-page" not in page


def test_learner_detail_of_someone_in_another_course_is_404(tutor, scenario):
    assert tutor.get(f"{base(scenario)}/learner/{scenario.other_tutor.id}").status_code == 404


def test_question_analysis_page(tutor, scenario):
    page = tutor.get(f"{base(scenario)}/quiz/portfolio-arcp-check").get_data(as_text=True)
    assert "Based on 4 submitted attempts" in page
    assert "Outcome 1 (2)" in page and "25%" in page
    assert tutor.get(f"{base(scenario)}/quiz/no-such-quiz").status_code == 404


def test_resend_button_queues_the_grade_again(app, tutor, scenario, db):
    app.config["WTF_CSRF_ENABLED"] = False
    response = tutor.post(f"{base(scenario)}/grade-sync/{scenario.amara_sync.id}/resend",
                          data={"learner": scenario.amara.id})
    assert response.status_code == 303 and response.headers["Location"].endswith(
        f"/learner/{scenario.amara.id}")
    statuses = db.scalars(select(GradeSync.status).where(GradeSync.progress_id == scenario.amara_supervision.id)
                          .order_by(GradeSync.id)).all()
    assert statuses == ["failed", "pending"], "the failed row stays as history; a new row is queued"


def test_matrix_cells_escape_the_platforms_error_and_resend_with_the_pages_csrf_token(tutor, scenario, db):
    sync = db.get(GradeSync, scenario.amara_sync.id)
    sync.last_error = '<script>alert("x")</script> & more'
    db.commit()
    table = tutor.get(base(scenario) + "/").get_data(as_text=True).split('id="matrix"')[1]
    assert "<script>" not in table and "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; more" in table
    action = f"{base(scenario)}/grade-sync/{scenario.amara_sync.id}/resend"
    form = re.search(f'<form method="post" action="{action}" class="inline-form">\\s*'
                     '<input type="hidden" name="csrf_token" value="([^"]+)">', table)
    assert form, "the cell's re-send form posts to this grade's URL"
    assert tutor.post(action, data={"csrf_token": form.group(1)}).status_code == 303
    assert db.scalars(select(GradeSync.status).where(GradeSync.progress_id == scenario.amara_supervision.id)
                      .order_by(GradeSync.id)).all() == ["failed", "pending"]


def test_resend_without_csrf_token_is_refused(tutor, scenario, db):
    response = tutor.post(f"{base(scenario)}/grade-sync/{scenario.amara_sync.id}/resend")
    assert response.status_code == 400
    assert db.scalars(select(GradeSync.status).where(GradeSync.id == scenario.amara_sync.id)).one() == "failed"


TUTOR_GETS = ["/", "/export.csv", "/export.xlsx", "/learner/{user}", "/quiz/portfolio-arcp-check"]


@pytest.mark.parametrize("path", TUTOR_GETS)
def test_learners_get_403_on_tutor_pages(client, scenario, path):
    f.sign_in(client, scenario.learner_launch)
    assert client.get(base(scenario) + path.format(user=scenario.amara.id)).status_code == 403


@pytest.mark.parametrize("path", TUTOR_GETS)
def test_a_tutor_of_another_course_cannot_open_this_courses_pages(client, scenario, path):
    f.sign_in(client, scenario.other_launch)
    assert client.get(base(scenario) + path.format(user=scenario.amara.id)).status_code == 401
    assert client.get(f"/course/{scenario.other_course.id}/tutor/").status_code == 200


def test_learner_cannot_resend_a_grade(app, client, scenario, db):
    app.config["WTF_CSRF_ENABLED"] = False
    f.sign_in(client, scenario.learner_launch)
    assert client.post(f"{base(scenario)}/grade-sync/{scenario.amara_sync.id}/resend").status_code == 403
    assert db.scalars(select(GradeSync.status).where(GradeSync.id == scenario.amara_sync.id)).one() == "failed"


def test_course_view_pages_long_rosters(tutor, scenario, db, monkeypatch):
    from lti_tool.web import tutor as tutor_views

    monkeypatch.setattr(tutor_views, "PAGE_SIZE", 3)
    first = tutor.get(base(scenario) + "/").get_data(as_text=True)
    second = tutor.get(base(scenario) + "/?page=2").get_data(as_text=True)
    assert "(page 1 of 2)" in first and "Dara Nowak" not in first.split('id="matrix"')[1]
    assert "(page 2 of 2)" in second and "Dara Nowak" in second.split('id="matrix"')[1]
    assert "4 of 4 learners shown." in first, "the count and the summary cover every page"
    nav = first.split('<nav class="pagination" aria-label="Pages of people">')[1].split("</nav>")[0]
    assert 'aria-current="page"><span class="nhsuk-u-visually-hidden">Page </span>1</a>' in nav
    assert 'rel="next"' in nav and 'rel="prev"' not in nav
    assert 'rel="prev"' in second.split('aria-label="Pages of people"')[1]


def test_pages_keep_the_filters_and_exports_cover_every_page(tutor, scenario, monkeypatch):
    from lti_tool.web import tutor as tutor_views

    monkeypatch.setattr(tutor_views, "PAGE_SIZE", 1)
    page = tutor.get(base(scenario) + "/?module=img-supervision&sort=score&dir=desc").get_data(as_text=True)
    nav = page.split('aria-label="Pages of people"')[1].split("</nav>")[0]
    assert "page=2&amp;module=img-supervision&amp;sort=score&amp;dir=desc" in nav
    assert "1 of 4 learners" not in page and "4 of 4 learners shown." in page
    rows = csv_rows(tutor.get(base(scenario) + "/export.csv?module=img-supervision&sort=score&dir=desc"))
    assert [row["Name"] for row in rows][:2] == ["Amara Okafor", "Chen Wei"] and len(rows) == 4


def test_page_links_name_the_first_last_and_nearby_pages():
    from lti_tool.web.tutor import page_numbers

    assert page_numbers(1, 1) == [1]
    assert page_numbers(5, 20) == [1, None, 3, 4, 5, 6, 7, None, 20]
    assert page_numbers(20, 20) == [1, None, 18, 19, 20]


def test_course_view_of_a_course_without_modules_or_people(client, db):
    course = f.course(db)
    tutor_user = f.person(db, course, role="tutor")
    launch = f.launch(db, tutor_user, course)
    db.commit()
    f.sign_in(client, launch)
    page = client.get(f"/course/{course.id}/tutor/").get_data(as_text=True)
    assert "Nobody matches these filters." in page
    assert "did not offer this course&#39;s roster" in page


def test_single_module_view_offers_sorting_by_its_state_and_score(tutor, scenario):
    page = tutor.get(base(scenario) + "/?module=img-supervision&sort=score&dir=desc").get_data(as_text=True)
    assert 'aria-sort="descending"' in page
    table = page.split('id="matrix"')[1]
    assert table.index("Amara Okafor") < table.index("Chen Wei") < table.index("Dara Nowak")
