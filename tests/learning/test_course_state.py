"""Which modules a course offers a learner: editions never hide other modules, and a module a learner started
stays reachable (its overview, summary and certificate) whatever instructors do to the course's links."""

from __future__ import annotations

import secrets
from datetime import timedelta

import pytest
from sqlalchemy import select

from lti_tool.learning import catalogue, editions
from lti_tool.models import Launch, Module, Progress, ResourceLink, utcnow
from tests.support.launches import Arranged, make_course, make_launch, sign_in
from tests.support.learning_factories import publish_version

SUPERVISION, ARCP = "img-supervision", "portfolio-arcp"


def plain_link_launch(db, course, *, role: str = "learner") -> Arranged:
    """A launch through a course link that names no module (Blackboard's plain course link)."""
    arranged = make_launch(db, course, role=role)
    link = ResourceLink(course_id=course.id, resource_link_id=f"plain-{secrets.token_hex(3)}", title="IMG learning")
    db.add(link)
    db.flush()
    db.get(Launch, arranged.launch_id).resource_link_pk = link.id
    db.commit()
    return Arranged(arranged.launch_id, arranged.course_id, arranged.user_id, link.id)


def create_arcp_edition(db, course_id: int):
    now = utcnow()
    edition = editions.create_edition(db, course_id=course_id, module_slug=ARCP, name="Spring 2027",
                                      opens_at=now - timedelta(days=1), due_at=now + timedelta(days=30),
                                      closes_at=now + timedelta(days=60))
    db.commit()
    return edition


def complete_supervision(client, course_id: int) -> None:
    for number in (1, 2):
        assert client.get(f"/course/{course_id}/module/{SUPERVISION}/page/page-{number}").status_code == 200


@pytest.fixture
def course(db):
    publish_version(db, SUPERVISION, title="Supervising IMGs", pages=2)
    publish_version(db, ARCP, title="Portfolio and ARCP preparation", kind="session", pages=2)
    course = make_course(db)
    db.commit()
    return course


def test_an_arcp_edition_leaves_the_other_modules_of_a_plain_link_reachable(client, db, course):
    learner = plain_link_launch(db, course)
    sign_in(client, learner)
    complete_supervision(client, course.id)
    create_arcp_edition(db, course.id)

    home = client.get(f"/course/{course.id}/").get_data(as_text=True)
    assert "Supervising IMGs" in home and "Portfolio and ARCP preparation" in home
    for path in ("/", "/complete", "/certificate.pdf"):
        response = client.get(f"/course/{course.id}/module/{SUPERVISION}{path}")
        assert response.status_code == 200, (path, response.get_data(as_text=True)[:300])
        assert b"module_not_available" not in response.data
    assert client.get(f"/course/{course.id}/module/{ARCP}/page/page-1").status_code == 200


def test_a_new_learner_of_a_plain_link_sees_every_module_after_an_edition(client, db, course):
    create_arcp_edition(db, course.id)
    sign_in(client, plain_link_launch(db, course))
    assert client.get(f"/course/{course.id}/module/{SUPERVISION}/").status_code == 200
    assert client.get(f"/course/{course.id}/module/{SUPERVISION}/page/page-1").status_code == 200


def test_a_plain_link_beside_a_deep_linked_edition_still_offers_every_module(client, db, course):
    edition = create_arcp_edition(db, course.id)
    make_launch(db, course, module_slug=ARCP, edition_id=edition.id)
    sign_in(client, plain_link_launch(db, course))
    home = client.get(f"/course/{course.id}/").get_data(as_text=True)
    assert "Supervising IMGs" in home and "Portfolio and ARCP preparation" in home


def test_a_module_the_learner_completed_stays_reachable_when_its_link_is_rebound(client, db, course):
    learner = make_launch(db, course, module_slug=SUPERVISION)
    sign_in(client, learner)
    complete_supervision(client, course.id)
    edition = create_arcp_edition(db, course.id)
    catalogue.bind_resource_link(db, course_id=course.id, resource_link_pk=learner.resource_link_pk,
                                 module_slug=ARCP, edition_id=edition.id)
    db.commit()
    for path in ("/", "/complete", "/certificate.pdf", "/page/page-1"):
        assert client.get(f"/course/{course.id}/module/{SUPERVISION}{path}").status_code == 200, path
    assert "Supervising IMGs" in client.get(f"/course/{course.id}/").get_data(as_text=True)


def test_a_course_whose_links_are_all_deep_linked_offers_only_those_modules(client, db, course):
    sign_in(client, make_launch(db, course, module_slug=ARCP))
    response = client.get(f"/course/{course.id}/module/{SUPERVISION}/")
    assert response.status_code == 404 and b"module_not_available" in response.data
    home = client.get(f"/course/{course.id}/").get_data(as_text=True)
    assert "Portfolio and ARCP preparation" in home and "Supervising IMGs" not in home
    assert db.scalars(select(Module.slug).order_by(Module.slug)).all() == [SUPERVISION, ARCP]


def test_the_shipped_handbook_is_not_completed_nor_certified_after_one_page(client, db, published):
    course = make_course(db)
    sign_in(client, make_launch(db, course, module_slug="img-handbook"))
    base = f"/course/{course.id}/module/img-handbook"
    version = db.scalars(select(Module).where(Module.slug == "img-handbook")).one().current_version
    pages = [page.slug for page in version.pages]
    assert len(pages) >= 5

    first = client.get(f"{base}/page/{pages[0]}").get_data(as_text=True)
    assert f"· page 1 of {len(pages)}</p>" in first
    summary = client.get(f"{base}/complete").get_data(as_text=True)
    assert "Completed" not in summary and "100%" not in summary
    assert client.get(f"{base}/certificate.pdf").status_code == 403

    for number, slug in enumerate(pages[1:], 2):
        assert f"· page {number} of {len(pages)}</p>" in client.get(f"{base}/page/{slug}").get_data(as_text=True)
    assert "Completed" in client.get(f"{base}/complete").get_data(as_text=True)
    certificate = client.get(f"{base}/certificate.pdf")
    assert certificate.status_code == 200 and certificate.data.startswith(b"%PDF-")


def test_a_handbook_completed_after_one_page_under_the_old_rule_is_neither_completed_nor_certified(client, db):
    """Progress recorded as completed before the fix, under a version whose rule asked for nothing."""
    version = publish_version(db, "img-handbook", title="IMG handbook", kind="handbook", pages=5)
    version.completion = {"pages": "none", "quizzes": "none", "reflections": "optional"}
    course = make_course(db)
    db.commit()
    sign_in(client, make_launch(db, course, module_slug="img-handbook"))
    base = f"/course/{course.id}/module/img-handbook"
    client.get(f"{base}/page/page-1")
    progress = db.scalars(select(Progress)).one()
    progress.state, progress.score, progress.passed, progress.completed_at = "completed", 1.0, True, utcnow()
    db.commit()

    summary = client.get(f"{base}/complete").get_data(as_text=True)
    assert "Completed" not in summary and "100%" not in summary
    refused = client.get(f"{base}/certificate.pdf")
    assert refused.status_code == 403 and b"not read every page" in refused.data
    for n in range(2, 6):
        client.get(f"{base}/page/page-{n}")
    assert "Completed" in client.get(f"{base}/complete").get_data(as_text=True)
    assert client.get(f"{base}/certificate.pdf").status_code == 200
