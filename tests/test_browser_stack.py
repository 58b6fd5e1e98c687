"""A missing browser stack fails the browser tests loudly: none of them may skip without Playwright, axe or
Chromium, or a machine without them would report a green run that tested no page."""

from __future__ import annotations

import re
from pathlib import Path

TESTS = Path(__file__).parent
SILENT_SKIPS = re.compile(r"importorskip\(|skipif\([^)]*(chromium|playwright|axe)|skip\([^)]*(chromium|playwright)",
                          re.IGNORECASE)


def test_no_test_skips_when_playwright_axe_or_chromium_is_missing():
    offenders = [f"{path.relative_to(TESTS)}:{number}: {line.strip()}"
                 for path in sorted(TESTS.rglob("*.py")) if path != Path(__file__)
                 for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
                 if SILENT_SKIPS.search(line)]
    assert offenders == []
