"""Deep linking round trip over real HTTP: instructor picks modules, Blackboard (emulated) makes graded links."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime
from urllib.parse import urlsplit

import jwt
import requests
from sqlalchemy import select

from lti_platform_emulator import DEFAULT_CONTEXT_ID, UNGRADED_RESOURCE_LINK_ID
from lti_tool.lti import claims as c
from lti_tool.lti import outbox
from lti_tool.models import Edition, GradeSync, Progress, ResourceLink, User
from tests.support.platform_emulator import CLIENT_ID, forms_of, launch, module_version, record_score, seed_catalogue


def _choose_page(db, emulator, browser, **scenario):
    seed_catalogue(db)
    page = launch(browser, emulator, message_type="deep_linking", user_id="instructor-1", **scenario)
    assert page.status_code == 200 and "Add a module to your course" in page.text
    return page


def test_deep_linking_round_trip_creates_graded_links_with_custom_params_and_echoed_data(
        db, platform, emulator, factory, outbox_settings):
    browser = requests.Session()
    page = _choose_page(db, emulator, browser)
    action, fields = forms_of(page.text)[0]
    fields.update({"module": ["img-supervision", "portfolio-arcp", "img-handbook"],
                   "edition-portfolio-arcp": "new", "new-portfolio-arcp-name": "Spring 2027",
                   "new-portfolio-arcp-opens": "2027-01-10T09:00", "new-portfolio-arcp-due": "2027-03-31T17:00",
                   "new-portfolio-arcp-closes": "2027-04-14T17:00"})
    returned = browser.post(page.url, data=fields, timeout=10)
    assert returned.status_code == 200, returned.text
    return_url, form = forms_of(returned.text)[0]
    done = browser.post(return_url, data=form, timeout=10)
    assert done.status_code == 200, done.text

    response = emulator.state.deep_link_responses[-1]
    claims = response["claims"]
    header = jwt.get_unverified_header(form["JWT"])
    assert header["kid"] and header["alg"] == "RS256"
    assert claims["sub"] == claims["iss"] == CLIENT_ID and claims["aud"] == emulator.url
    sent_data = emulator.state.launches[-1]["claims"][c.DEEP_LINKING_SETTINGS]["data"]
    assert claims[c.DL_DATA] == sent_data
    edition = db.scalars(select(Edition)).one()
    assert edition.name == "Spring 2027" and edition.due_at == datetime(2027, 3, 31, 16, 0, tzinfo=UTC)  # 17:00 BST
    items = {i["custom"]["module"]: i for i in claims[c.DL_CONTENT_ITEMS]}
    assert set(items) == {"img-supervision", "portfolio-arcp", "img-handbook"}
    assert all(i["type"] == "ltiResourceLink" and i["url"].endswith("/lti/launch") for i in items.values())
    assert items["portfolio-arcp"]["custom"] == {"module": "portfolio-arcp", "edition": str(edition.id)}
    assert items["portfolio-arcp"]["lineItem"] == {
        "scoreMaximum": 100.0, "label": "Portfolio and ARCP preparation (Spring 2027)",
        "resourceId": f"portfolio-arcp/edition-{edition.id}", "tag": "portfolio-arcp",
        "endDateTime": "2027-03-31T16:00:00.000Z"}
    assert items["img-supervision"]["lineItem"]["resourceId"] == "img-supervision"
    assert "lineItem" not in items["img-handbook"]

    course = emulator.state.course(DEFAULT_CONTEXT_ID)
    made = {r["title"]: r for r in response["created"]}
    assert "lineitem_id" not in made["IMG handbook"]
    edition_item = course.lineitems[made["Portfolio and ARCP preparation (Spring 2027)"]["lineitem_id"]]
    assert edition_item.end_date_time == "2027-03-31T16:00:00.000Z"
    link_id = made["Portfolio and ARCP preparation (Spring 2027)"]["resource_link_id"]
    assert course.resource_links[link_id].custom == {"module": "portfolio-arcp", "edition": str(edition.id)}

    # A learner opens the new link: the tool binds it and the score lands in the deep-linked column.
    landing = launch(requests.Session(), emulator, user_id="learner-1", resource_link_id=link_id)
    assert landing.status_code == 200
    link = db.scalars(select(ResourceLink).where(ResourceLink.resource_link_id == link_id)).one()
    assert (link.module_slug, link.edition_id) == ("portfolio-arcp", edition.id)
    user_course = link.course_id
    user = db.scalars(select(User).where(User.sub == "learner-1")).one()
    progress = Progress(user_id=user.id, course_id=user_course, module_slug="portfolio-arcp",
                        module_version_id=module_version(db, "portfolio-arcp").id, edition_id=edition.id,
                        edition_key=edition.id, resource_link_pk=link.id)
    db.add(progress)
    db.commit()
    record_score(db, progress, 0.85, comment="Spring 2027 complete")
    assert outbox.run_until_idle(factory, outbox_settings).sent == 1
    assert [s.body["scoreGiven"] for s in emulator.state.scores(DEFAULT_CONTEXT_ID, edition_item.id)] == [85.0]
    assert db.scalars(select(GradeSync)).one().lineitem_url.endswith(edition_item.id)


def test_a_learner_cannot_use_a_deep_linking_launch(db, platform, emulator):
    seed_catalogue(db)
    page = launch(requests.Session(), emulator, message_type="deep_linking", user_id="learner-1")
    assert page.status_code == 403
    return_url = emulator.state.launches[-1]["claims"][c.LAUNCH_PRESENTATION]["return_url"]
    assert re.search(r'<a href="([^"]+)" target="_top" id="return-to-course">Go back to your course</a>',
                     page.text).group(1) == html.escape(return_url)


def test_the_picker_puts_each_module_checkbox_beside_its_label(db, platform, emulator):
    page = _choose_page(db, emulator, requests.Session())
    for slug in ("img-supervision", "portfolio-arcp", "img-handbook"):
        assert re.search(rf'<input class="nhsuk-checkboxes__input" type="checkbox" id="module-{slug}"[^>]*>\s*'
                         rf'<label class="nhsuk-label nhsuk-checkboxes__label" for="module-{slug}">', page.text), slug
    assert "Signed in as" in page.text and "Tutor in" in page.text


def test_the_deep_linking_form_needs_its_csrf_token(db, platform, emulator):
    browser = requests.Session()
    page = _choose_page(db, emulator, browser)
    refused = browser.post(page.url, data={"module": "img-supervision"}, timeout=10)
    assert refused.status_code == 400 and "This form has expired" in refused.text
    assert emulator.state.deep_link_responses == []


def test_an_invalid_new_edition_is_explained_and_nothing_is_returned(db, platform, emulator):
    browser = requests.Session()
    page = _choose_page(db, emulator, browser)
    _, fields = forms_of(page.text)[0]
    fields.update({"module": "portfolio-arcp", "edition-portfolio-arcp": "new", "new-portfolio-arcp-name": "Late",
                   "new-portfolio-arcp-opens": "2027-05-01T09:00", "new-portfolio-arcp-due": "2027-04-01T09:00",
                   "new-portfolio-arcp-closes": "2027-06-01T09:00"})
    again = browser.post(page.url, data=fields, timeout=10)
    assert again.status_code == 400 and "must open before it is due" in again.text
    assert db.scalars(select(Edition)).first() is None


def test_an_instructor_launching_the_ungraded_course_tool_link_lands_on_the_dashboard(db, platform, emulator):
    seed_catalogue(db)
    landing = launch(requests.Session(), emulator, user_id="instructor-1", resource_link_id=UNGRADED_RESOURCE_LINK_ID)
    assert urlsplit(landing.url).path.endswith("/tutor/")


def test_an_instructor_launching_an_unbound_graded_link_binds_it_to_a_module(db, platform, emulator):
    seed_catalogue(db)
    emulator.state.add_resource_link(DEFAULT_CONTEXT_ID, "Week 3 reading", resource_link_id="rl-unbound",
                                     score_maximum=100)
    browser = requests.Session()
    page = launch(browser, emulator, user_id="instructor-1", resource_link_id="rl-unbound")
    assert page.status_code == 200 and "Choose what this link opens" in page.text
    action, fields = forms_of(page.text)[0]
    fields["module"] = "img-supervision"
    bound = browser.post(page.url, data=fields, timeout=10, allow_redirects=False)
    assert bound.status_code == 303 and "/module/img-supervision/" in bound.headers["Location"]
    link = db.scalars(select(ResourceLink).where(ResourceLink.resource_link_id == "rl-unbound")).one()
    assert link.module_slug == "img-supervision" and link.edition_id is None
