"""Content tests run against the small demo content folder in demo_content.py."""

from tests.content.demo_content import demo_content, test_config  # noqa: F401 - fixtures
