"""The emulator's fixtures live in harness.py beside the helpers the tests import."""

from tests.devplatform.harness import emulator, tool  # noqa: F401 - fixtures
