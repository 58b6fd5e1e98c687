import re
from pathlib import Path

import pytest

from lti_tool import REPO_ROOT, create_app
from lti_tool.settings import SETTINGS, SettingsError, example_toml, load_settings


def test_every_setting_is_documented_in_the_example_config():
    example = (REPO_ROOT / "config" / "settings.example.toml").read_text()
    documented = set(re.findall(r"^# ([a-z_]+) = ", example, flags=re.M))
    assert documented == {s.name.lower() for s in SETTINGS}
    assert example == example_toml(), "regenerate with: python -c 'from lti_tool.settings import example_toml; ...'"


def test_production_refuses_secrets_in_the_config_file(tmp_path: Path):
    config = tmp_path / "settings.toml"
    config.write_text('secret_key = "abc"\ndatabase_url = "postgresql+psycopg://app:pw@db/btg"\n')
    with pytest.raises(SettingsError, match="holds secrets .*SECRET_KEY.*DATABASE_URL"):
        load_settings({"LTI_TOOL_CONFIG_FILE": str(config)})
    assert load_settings({"LTI_TOOL_CONFIG_FILE": str(config), "LTI_TOOL_ENV": "development"})["SECRET_KEY"] == "abc"


def test_environment_wins_over_the_config_file(tmp_path: Path):
    config = tmp_path / "settings.toml"
    config.write_text('jwt_leeway_seconds = 3\nlog_level = "DEBUG"\n')
    values = load_settings({"LTI_TOOL_CONFIG_FILE": str(config), "LTI_TOOL_JWT_LEEWAY_SECONDS": "7"})
    assert values["JWT_LEEWAY_SECONDS"] == 7
    assert values["LOG_LEVEL"] == "DEBUG"


def test_unknown_setting_in_the_config_file_is_refused(tmp_path: Path):
    config = tmp_path / "settings.toml"
    config.write_text("leway = 3\n")
    with pytest.raises(SettingsError, match="unknown setting"):
        load_settings({"LTI_TOOL_CONFIG_FILE": str(config)})


def test_a_non_number_for_a_number_setting_says_which_one():
    with pytest.raises(SettingsError, match="LTI_TOOL_PROXY_HOPS must be a whole number"):
        load_settings({"LTI_TOOL_PROXY_HOPS": "two"})


def test_production_without_a_secret_key_fails_fast_with_a_fix(monkeypatch, tmp_path):
    monkeypatch.delenv("LTI_TOOL_SECRET_KEY", raising=False)
    with pytest.raises(SettingsError, match="LTI_TOOL_SECRET_KEY is not set"):
        create_app({"ENV": "production", "DATABASE_URL": f"sqlite:///{tmp_path}/x.db"})


def test_the_testing_environment_is_refused_outside_the_test_suite(tmp_path):
    """`testing` needs no secret and sends cookies without Secure and no HSTS: a server must never run with it."""
    import os
    import subprocess
    import sys

    environ = {k: v for k, v in os.environ.items() if k != "PYTEST_CURRENT_TEST"}
    script = "from lti_tool import create_app; create_app({'DATABASE_URL': 'sqlite://'})"
    refused = subprocess.run([sys.executable, "-c", script], cwd=REPO_ROOT, capture_output=True, text=True,
                             env={**environ, "LTI_TOOL_ENV": "testing", "LTI_TOOL_SECRET_KEY": "x"}, timeout=60)
    assert refused.returncode != 0
    assert "LTI_TOOL_ENV=testing is only for the test suite" in refused.stderr
    accepted = subprocess.run([sys.executable, "-c", script], cwd=REPO_ROOT, capture_output=True, text=True,
                              env={**environ, "LTI_TOOL_ENV": "development", "LTI_TOOL_SECRET_KEY": "x"}, timeout=60)
    assert accepted.returncode == 0, accepted.stderr[-500:]
