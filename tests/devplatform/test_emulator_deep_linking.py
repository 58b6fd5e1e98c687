"""The deep linking return: verified, recorded, and turned into gradable links."""

import time
import uuid
from typing import Any

import jwt
import requests

from lti_platform_emulator import constants as c
from tests.support.emulator_harness import CLIENT_ID, DEPLOYMENT_ID, Emulator

DL = "https://purl.imsglobal.org/spec/lti-dl/claim/"


def response_claims(
    emulator: Emulator, data: str, items: list[dict[str, Any]]
) -> dict[str, Any]:
    """What a correct tool (pylti1p3 shape, plus sub) sends back."""
    now = int(time.time())
    return {
        "iss": CLIENT_ID,
        "sub": CLIENT_ID,
        "aud": [emulator.url],
        "iat": now,
        "exp": now + 600,
        "nonce": uuid.uuid4().hex,
        c.CLAIM_DEPLOYMENT_ID: DEPLOYMENT_ID,
        c.CLAIM_MESSAGE_TYPE: "LtiDeepLinkingResponse",
        c.CLAIM_VERSION: "1.3.0",
        DL + "content_items": items,
        DL + "data": data,
    }


GRADED_ITEM = {
    "type": "ltiResourceLink",
    "title": "Supervising IMGs: check your understanding",
    "url": "http://tool.invalid/lti/launch",
    "custom": {"module": "img-supervision"},
    "lineItem": {
        "label": "IMG quiz",
        "scoreMaximum": 20,
        "resourceId": "img-quiz",
        "tag": "quiz",
    },
    "submission": {"endDateTime": "2027-01-31T23:59:59Z"},
}


def deep_link_data(emulator: Emulator) -> tuple[str, str]:
    claims = emulator.launch(user_id="instructor-1", message_type="deep_linking")
    settings = claims[c.CLAIM_DL_SETTINGS]
    return settings["deep_link_return_url"], settings["data"]


def test_a_graded_resource_link_becomes_a_column_and_a_launchable_link(
    emulator: Emulator,
) -> None:
    return_url, data = deep_link_data(emulator)
    link_item = {
        "type": "link",
        "title": "GMC guidance",
        "url": "https://www.gmc-uk.org/",
    }
    token = emulator.tool.sign(
        response_claims(emulator, data, [GRADED_ITEM, link_item])
    )

    response = requests.post(return_url, data={"JWT": token}, timeout=5)

    assert response.status_code == 200, response.text
    assert "Supervising IMGs: check your understanding" in response.text
    (recorded,) = emulator.state.deep_link_responses
    graded, plain = recorded["created"]
    assert plain == {
        "context_id": "btg-101",
        "type": "link",
        "title": "GMC guidance",
        "url": "https://www.gmc-uk.org/",
    }
    column = emulator.state.lineitem("btg-101", graded["lineitem_id"])
    assert (column.label, column.score_maximum, column.tag) == ("IMG quiz", 20, "quiz")
    assert column.resource_id == "img-quiz"
    assert column.resource_link_id == graded["resource_link_id"]
    assert column.end_date_time == "2027-01-31T23:59:59Z"

    launch = emulator.launch(resource_link_id=graded["resource_link_id"])
    lineitem_url = launch[c.CLAIM_AGS_ENDPOINT]["lineitem"]
    assert lineitem_url.endswith(f"/lineitems/{graded['lineitem_id']}")
    assert launch[c.CLAIM_CUSTOM] == {"module": "img-supervision"}


def test_a_response_that_does_not_echo_data_is_refused(emulator: Emulator) -> None:
    return_url, _ = deep_link_data(emulator)
    token = emulator.tool.sign(response_claims(emulator, "altered", [GRADED_ITEM]))

    response = requests.post(return_url, data={"JWT": token}, timeout=5)

    assert response.status_code == 400
    assert "data" in response.text
    assert emulator.state.deep_link_responses == []


def test_wrong_audience_type_or_deployment_is_refused(emulator: Emulator) -> None:
    return_url, data = deep_link_data(emulator)
    good = response_claims(emulator, data, [GRADED_ITEM])
    variants = [
        {**good, "aud": "https://blackboard.com"},
        {**good, c.CLAIM_MESSAGE_TYPE: "LtiResourceLinkRequest"},
        {**good, c.CLAIM_DEPLOYMENT_ID: "another-deployment"},
        {name: value for name, value in good.items() if name != "nonce"},
    ]

    statuses = [
        requests.post(
            return_url, data={"JWT": emulator.tool.sign(v)}, timeout=5
        ).status_code
        for v in variants
    ]

    assert statuses == [400, 400, 400, 400]
    assert emulator.state.deep_link_responses == []


def test_a_response_without_kid_is_refused(emulator: Emulator) -> None:
    return_url, data = deep_link_data(emulator)
    token = jwt.encode(
        response_claims(emulator, data, []),
        emulator.tool.key.private_key,
        algorithm="RS256",
    )

    response = requests.post(return_url, data={"JWT": token}, timeout=5)

    assert response.status_code == 400
    assert "kid" in response.text
