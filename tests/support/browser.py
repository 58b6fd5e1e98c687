"""Headless Chromium for the browser tests (marked ``browser``): where it lives, how it starts, one per test
module; and the journey fixture, each test still getting its own database and LTI world (tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright import sync_api as playwright_api

from tests.support.journey import Journey

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def assert_fits(page: playwright_api.Page, width: int, label: str) -> None:
    """The page needs no sideways scrolling at ``width`` pixels (WCAG reflow)."""
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= width, f"{label} scrolls sideways at {width}px ({scroll_width}px wide)"


@pytest.fixture(scope="module")
def chromium() -> Iterator:
    assert Path(CHROMIUM).exists(), f"the browser tests need Debian's chromium at {CHROMIUM} (./test.sh installs it)"
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def journey(chromium, lti_world, db) -> Iterator[Journey]:
    journey = Journey(world=lti_world, browser=chromium, db=db)
    yield journey
    journey.close()
