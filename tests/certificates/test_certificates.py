"""Certificates: only a learner's own completed (and passed) module gives a PDF; codes are stable and checkable."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from lti_tool.learning.certificates import (
    GMC_AREAS,
    CertificateFont,
    certificate_for_learner,
    certificate_pdf,
    new_code,
    printable,
)
from lti_tool.models import Certificate
from tests.support import tutor_factories as f


@pytest.fixture
def scenario(db: Session):
    s = f.Scenario(db)
    s.amara_launch = f.launch(db, s.amara, s.course, role="learner")
    s.bilal_launch = f.launch(db, s.bilal, s.course, role="learner")
    s.chen_launch = f.launch(db, s.chen, s.course, role="learner")
    s.tutor_launch = f.launch(db, s.tutor, s.course, role="tutor")
    db.commit()
    return s


def url(s, module_slug: str = "img-supervision", query: str = "") -> str:
    return f"/course/{s.course.id}/module/{module_slug}/certificate.pdf{query}"


def test_learner_who_completed_and_passed_downloads_a_pdf_carrying_its_verification_code(client, db, scenario):
    f.sign_in(client, scenario.amara_launch)
    response = client.get(url(scenario))
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF-")
    certificate = db.scalars(select(Certificate)).one()
    assert certificate.code.encode() in response.data
    assert certificate.learner_name == "Amara Okafor"
    assert certificate.module_title == "Supervising international medical graduates"
    assert certificate.module_version == 1 and certificate.hours == 1.0
    assert certificate.details["gmc_areas"] == [1, 2]
    assert certificate.progress_id == scenario.amara_supervision.id


def test_downloading_again_gives_the_same_certificate_row_and_code(client, db, scenario):
    f.sign_in(client, scenario.amara_launch)
    first, second = client.get(url(scenario)), client.get(url(scenario))
    assert first.status_code == second.status_code == 200
    certificates = db.scalars(select(Certificate)).all()
    assert len(certificates) == 1 and certificates[0].code.encode() in second.data


def test_learner_who_completed_without_passing_the_quiz_gets_a_clear_403(client, db, scenario):
    f.sign_in(client, scenario.chen_launch)
    response = client.get(url(scenario))
    assert response.status_code == 403
    assert "not yet passed its quiz" in response.get_data(as_text=True)
    assert db.scalars(select(Certificate)).all() == []


def test_learner_in_progress_gets_403_and_never_someone_elses_certificate(client, db, scenario):
    f.sign_in(client, scenario.bilal_launch)
    response = client.get(url(scenario))
    assert response.status_code == 403
    assert "You have not completed this module yet" in response.get_data(as_text=True)
    assert client.get(url(scenario, query=f"?user={scenario.amara.id}")).status_code == 403
    assert db.scalars(select(Certificate)).all() == []


def test_tutor_without_progress_and_a_browser_without_launch_get_no_certificate(client, scenario):
    assert client.get(url(scenario)).status_code == 401
    f.sign_in(client, scenario.tutor_launch)
    assert client.get(url(scenario)).status_code == 403


def test_edition_parameter_picks_the_progress_of_that_edition(client, db, scenario):
    f.sign_in(client, scenario.amara_launch)
    assert client.get(url(scenario, "portfolio-arcp", f"?edition={scenario.autumn.id}")).status_code == 403
    spring = client.get(url(scenario, "portfolio-arcp", f"?edition={scenario.spring.id}"))
    assert spring.status_code == 200
    certificate = db.scalars(select(Certificate)).one()
    assert certificate.progress_id == scenario.amara_arcp.id and certificate.details["edition_id"] == scenario.spring.id
    without_edition = client.get(url(scenario, "portfolio-arcp"))
    assert without_edition.status_code == 200 and certificate.code.encode() in without_edition.data


def test_module_without_quizzes_needs_completion_only(client, db, scenario):
    handbook = f.module(db, "img-handbook", title="Handbook", kind="handbook", estimated_minutes=45)
    f.progress(db, scenario.bilal, scenario.course, handbook, state="completed", passed=None)
    db.commit()
    f.sign_in(client, scenario.bilal_launch)
    response = client.get(url(scenario, "img-handbook"))
    assert response.status_code == 200
    certificate = db.scalars(select(Certificate)).one()
    assert certificate.hours == 0.75 and certificate.details["gmc_areas"] == []


def test_verify_page_shows_only_name_module_version_and_date(client, db, scenario):
    f.sign_in(client, scenario.amara_launch)
    client.get(url(scenario))
    certificate = db.scalars(select(Certificate)).one()
    with client.session_transaction() as flask_session:
        flask_session.clear()
    page = client.get(f"/verify/{certificate.code}")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Amara Okafor" in text and "Supervising international medical graduates" in text
    completed = certificate.completed_at
    assert f"{completed.day} {completed:%B %Y}" in text
    for private in ("amara@nhs.example", "AO1", "Paediatrics IMG programme", "100%", "score"):
        assert private not in text
    assert client.get(f"/verify/{certificate.code.lower()}").status_code == 200


def test_verify_page_for_an_unknown_code_is_a_404_page(client, scenario):
    response = client.get("/verify/AAAA-BBBB-CCCC-DDDD")
    assert response.status_code == 404 and "No certificate has this code" in response.get_data(as_text=True)


def test_codes_are_long_random_and_distinct():
    codes = {new_code() for _ in range(500)}
    assert len(codes) == 500
    assert all(len(code) == 19 and code.count("-") == 3 for code in codes)


def test_certificate_with_a_non_latin_name_renders_with_either_font(db, scenario):
    name = "Łukasz Żółć 陈伟 Ωμέγα محمد"
    scenario.amara.name = name
    db.flush()
    certificate = certificate_for_learner(db, scenario.amara.id, scenario.course.id, "img-supervision")
    assert certificate.learner_name == name
    for font in (CertificateFont.available(), CertificateFont.core()):
        pdf = certificate_pdf(certificate, f"https://btg.example/verify/{certificate.code}", font)
        assert pdf.startswith(b"%PDF-") and certificate.code.encode() in pdf


def test_core_font_text_is_transliterated_not_dropped():
    def latin1(char: str) -> bool:
        return ord(char) < 256

    assert printable("Łukasz Żółć", latin1) == "Lukasz Zólc"
    assert printable("陈伟", latin1) == "Chen Wei"
    assert printable("Amélie O'Brien", latin1) == "Amélie O'Brien"


def test_framework_area_names_are_the_seven_gmc_areas():
    assert sorted(GMC_AREAS) == [1, 2, 3, 4, 5, 6, 7]
    assert GMC_AREAS[7] == "Continuing professional development as an educator"
