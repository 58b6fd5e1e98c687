"""Rate limits: shared by every worker through Redis when configured, counted per client address and per platform
user on launch, with defaults that admit a 300-person cohort launching from one NHS trust's address."""

from __future__ import annotations

import base64
import json
import os
import secrets

import pytest
import redis

from lti_tool import create_app

# CI names its Redis (and fails if it is away); elsewhere the local default is used when one runs.
REDIS = os.environ.get("LTI_TOOL_TEST_REDIS_URL") or "redis://127.0.0.1:6379"


def _redis_or_skip() -> None:
    try:
        redis.Redis.from_url(REDIS, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        if os.environ.get("LTI_TOOL_TEST_REDIS_URL"):
            raise
        pytest.skip(f"no Redis at {REDIS}: set LTI_TOOL_TEST_REDIS_URL to test shared rate limits")


def _unsigned_token(sub: str) -> str:
    """An id_token's shape with the platform's issuer and the person's `sub` (the launch refuses it later)."""
    def part(value: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")

    return f"{part({'alg': 'RS256'})}.{part({'iss': 'https://learn.example', 'sub': sub})}.sig"


@pytest.fixture
def shared_workers(test_config):
    """Two applications standing for two gunicorn workers, counting in the same Redis."""
    _redis_or_skip()
    prefix = f"btg-test-{secrets.token_hex(6)}"
    config = {**test_config, "RATE_LIMIT_STORAGE": REDIS, "RATELIMIT_KEY_PREFIX": prefix,
              "RATE_LIMIT_LTI": "4 per minute", "RATE_LIMIT_LTI_USER": "1000 per minute"}
    apps = [create_app(config), create_app(config)]
    yield apps
    for app in apps:
        app.extensions["db_engine"].dispose()
    client = redis.Redis.from_url(REDIS)
    for key in client.scan_iter(f"*{prefix}*"):
        client.delete(key)


def test_workers_share_the_count_through_redis(shared_workers):
    first, second = (app.test_client() for app in shared_workers)
    statuses = [client.get("/lti/login", query_string={"iss": "x", "login_hint": f"u{n}"}).status_code
                for n, client in enumerate([first, second, first, second, first])]
    assert statuses == [400, 400, 400, 400, 429], "the fifth request is over the limit across both workers"


def test_one_person_cannot_use_up_the_allowance_of_everyone_behind_the_same_address(test_config):
    app = create_app({**test_config, "RATE_LIMIT_LTI_USER": "3 per minute"})
    client = app.test_client()
    same_person = [client.get("/lti/login", query_string={"iss": "https://learn.example", "login_hint": "u1"})
                   .status_code for _ in range(4)]
    assert same_person == [400, 400, 400, 429]
    colleague = client.get("/lti/login", query_string={"iss": "https://learn.example", "login_hint": "u2"})
    assert colleague.status_code == 400, "another person at the same address is not limited"
    app.extensions["db_engine"].dispose()


def test_the_defaults_admit_a_300_person_cohort_from_one_address_within_a_minute(test_config):
    config = {k: v for k, v in test_config.items() if not k.startswith("RATE_LIMIT")}
    app = create_app(config)
    client = app.test_client()
    refused = 0
    for n in range(300):
        for _ in range(2):  # the cookie check and the login itself
            response = client.get("/lti/login", query_string={"iss": "https://learn.example", "login_hint": f"p{n}"})
            refused += response.status_code == 429
        response = client.post("/lti/launch", data={"state": "s", "id_token": _unsigned_token(f"p{n}")})
        refused += response.status_code == 429
    assert refused == 0
    app.extensions["db_engine"].dispose()
