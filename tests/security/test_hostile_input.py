"""No input makes a 500: every route of the url map, fed random, huge, negative, non-UTF-8 and wrong-type values for
each of its URL parameters, query values and form fields (Hypothesis strategies), by a browser holding every kind
of launch, answers below 500.

Routes are read from ``app.url_map``, so routes added later are covered without editing this file.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lti_tool import REPO_ROOT
from lti_tool.numbers import DATABASE_INT_MAX
from tests.support.routes import ALL_ROUTES, client_as, rule_methods, url_values

NUMBERS = st.one_of(
    st.integers(min_value=-10, max_value=10),
    st.sampled_from([DATABASE_INT_MAX, DATABASE_INT_MAX + 1, 2**63, 10**20, -(10**20), -DATABASE_INT_MAX - 1]),
    st.integers(),
).map(str)
WEIRD_TEXT = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["", " ", "0", "-1", "1e9", "NaN", "null", "[]", "{}", "..", "../../etc/passwd", "%ff%fe",
                     "\x00", "☃", "٣", "²", "𝟙", "a" * 5000, "<script>", "'", "\"", "new"]),
)
DANGEROUS = st.sampled_from([str(10**20), str(2**63), str(DATABASE_INT_MAX + 1), "-1", "0", "²", "%ff", ""])
VALUES = st.one_of(DANGEROUS, NUMBERS, WEIRD_TEXT)
NON_UTF8 = st.binary(min_size=1, max_size=20).map(lambda b: "".join(f"%{byte:02X}" for byte in b))
PARAMETER_NAMES = ["page", "edition", "module", "state", "quiz", "role", "new", "old", "version", "learner",
                   "h", "window", "invite", "openid_configuration", "registration_token", "iss", "login_hint",
                   "client_id", "target_link_uri", "lti_message_hint", "id_token", "state", "deployment_id",
                   "active", "confirm", "preset", "name", "issuer", "auth_login_url", "auth_token_url",
                   "keyset_url", "deployment_ids", "change", "note", "base_version", "markdown", "format",
                   "answer", "opens", "closes", "due", "failed_attempts", "sort", "q"]
FIELDS = st.fixed_dictionaries({}, optional={name: VALUES for name in PARAMETER_NAMES})


@pytest.fixture
def test_config(test_config: dict, tmp_path: Path) -> dict:
    """Authoring routes write files: they get a copy of the content. CSRF is off so every form handler is
    reached (the CSRF check itself is tested in test_role_safety.py)."""
    root = tmp_path / "content"
    shutil.copytree(REPO_ROOT / "modules", root / "modules")
    shutil.copytree(REPO_ROOT / "quizzes", root / "quizzes")
    return {**test_config, "CONTENT_DIR": str(root), "WTF_CSRF_ENABLED": False, "HTTP_TIMEOUT_SECONDS": 1,
            "RATE_LIMIT_LTI": "100000 per minute", "RATE_LIMIT_LTI_USER": "100000 per minute"}


def _path(rule, chosen: dict[str, str]) -> str:
    path = rule.rule
    for name in rule.arguments:
        value = quote(chosen[name], safe="%")
        path = path.replace(f"<{name}>", value)
        for converter in ("int", "path", "string"):
            path = path.replace(f"<{converter}:{name}>", value)
    return path


CASES = [pytest.param(rule, method, id=f"{method} {rule.endpoint}")
         for rule in ALL_ROUTES for method in rule_methods(rule)]


@pytest.mark.parametrize(("rule", "method"), CASES)
@settings(max_examples=10, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_no_input_makes_a_500(app, world, rule, method, data):
    # One part at a time is hostile, the others are real rows, so the hostile value gets past the role checks.
    seeded = {name: str(value) for name, value in url_values(world).items()}
    hostile = data.draw(st.sampled_from([*sorted(rule.arguments), "query"]), label="hostile part")
    chosen = {name: seeded.get(name, "x") for name in rule.arguments}
    if hostile != "query":
        chosen[hostile] = data.draw(st.one_of(VALUES, NON_UTF8), label=hostile)
    query = data.draw(FIELDS, label="query") if hostile == "query" else {}
    raw_query = data.draw(st.one_of(st.just(""), NON_UTF8.map(lambda v: f"page={v}&edition={v}")), label="raw")
    client = client_as(app, world.admin_launch, world.tutor_launch, world.learner_launch)
    url = _path(rule, chosen)
    query_string = "&".join(f"{quote(k)}={quote(v)}" for k, v in query.items())
    if raw_query:
        query_string = f"{query_string}&{raw_query}" if query_string else raw_query
    if method == "GET":
        response = client.get(url, query_string=query_string)
    else:
        response = client.open(url, method=method, query_string=query_string, data=data.draw(FIELDS, label="form"))
    assert response.status_code < 500, f"{method} {url}?{query_string}: {response.status_code}"


@pytest.mark.parametrize("url", ["/course/1/module/%00/quiz/img-supervision-check/start",
                                 "/admin/content/%00/export"])
def test_a_nul_character_in_a_path_is_refused_not_a_500(app, world, url):
    """Found by the test above on PostgreSQL, which cannot store NUL characters."""
    client = client_as(app, world.admin_launch, world.tutor_launch, world.learner_launch)
    assert client.post(url).status_code == 400
    assert client.get("/course/1/", query_string="module=%00").status_code == 400
    assert client.post(f"/course/{world.course.id}/editions", data={"name": "a\x00b"}).status_code == 400
