"""The header every page shares (who is signed in, their role in this course, the sections they can open) and the
ways back: admin navigation on every admin page, a back link on the editions page."""

from __future__ import annotations

import re

import pytest
from sqlalchemy.orm import Session

from tests.support import tutor_factories as f

ADMIN_PAGES = ("/admin/", "/admin/setup", "/admin/platforms", "/admin/content/", "/admin/quizzes/", "/admin/audit")


@pytest.fixture
def scenario(db: Session):
    s = f.Scenario(db)
    s.tutor_launch = f.launch(db, s.tutor, s.course, role="tutor")
    s.admin = f.person(db, s.course, name="Dana Whitfield", role="admin", source="launch")
    s.admin_launch = f.launch(db, s.admin, s.course, role="tutor", platform_admin=True, content=True)
    db.commit()
    return s


def header_of(html: str) -> str:
    return html.split("<header", 1)[1].split("</header>", 1)[0]


def words(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_a_tutor_sees_name_role_and_course_and_no_admin_link(client, scenario):
    f.sign_in(client, scenario.tutor_launch)
    html = client.get(f"/course/{scenario.course.id}/tutor/").get_data(as_text=True)
    header = header_of(html)
    assert "Signed in as Dr Tutor Tutor in Paediatrics IMG programme" in words(header)
    assert 'href="/admin/"' not in header and 'id="admin-offer"' not in html
    assert 'href="/sign-out"' in header
    assert f'href="/course/{scenario.course.id}/editions"' in header


def test_an_admin_landing_on_the_course_view_is_offered_the_admin_pages(client, scenario):
    f.sign_in(client, scenario.admin_launch)
    html = client.get(f"/course/{scenario.course.id}/tutor/").get_data(as_text=True)
    assert "Signed in as Dana Whitfield Tutor, administrator in Paediatrics IMG programme" in words(header_of(html))
    assert 'href="/admin/"' in header_of(html)
    assert re.search(r'id="admin-offer".*?href="/admin/"', html, re.S)


@pytest.mark.parametrize("path", ADMIN_PAGES)
def test_every_admin_page_shows_the_admin_sections_and_the_way_back_to_the_course(client, scenario, path):
    f.sign_in(client, scenario.admin_launch)
    response = client.get(path)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    nav = html.split('<nav class="admin-nav" aria-label="Administration">', 1)[1].split("</nav>", 1)[0]
    for target in ADMIN_PAGES:
        assert f'href="{target}"' in nav, target
    assert nav.count('aria-current="page"') + nav.count('aria-current="true"') == 1
    assert f'href="/course/{scenario.course.id}/tutor/"' in header_of(html)
    assert "Tutor, administrator in Paediatrics IMG programme" in words(header_of(html))


def test_the_editions_page_links_back_to_the_course_view(client, scenario):
    f.sign_in(client, scenario.tutor_launch)
    html = client.get(f"/course/{scenario.course.id}/editions").get_data(as_text=True)
    back = f'<a class="nhsuk-back-link" href="/course/{scenario.course.id}/tutor/">Back to course progress</a>'
    assert back in html


def test_a_page_without_a_launch_has_no_one_signed_in(client, scenario):
    html = client.get(f"/course/{scenario.course.id}/tutor/").get_data(as_text=True)
    assert "Signed in as" not in html and "Please open this from your course again" in html
    assert 'id="return-to-course"' not in html
