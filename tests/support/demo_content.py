"""A small, valid content folder written to tmp_path: one module (two pages, an image) and one quiz; a broken one
and the problems the checker reports for it. Fixture: ``demo_content`` (the folder, written fresh per test)."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)

# The review metadata every module, page and quiz carries (last_reviewed, reviewed_by, next_review).
REVIEW = "last_reviewed: 2026-01-05\nreviewed_by: RCPCH college tutor\nnext_review: 2027-01-05\n"

DEMO_FILES = {
    "modules/demo/module.md": """---
id: demo
title: Demo module
summary: A module for tests.
audience: Testers
kind: module
estimated_minutes: 10
outcomes:
  - id: lo-one
    text: Do one thing well.
    gmc_areas: [1, 7]
last_reviewed: 2026-01-05
reviewed_by: RCPCH college tutor
next_review: 2027-01-05
---
Welcome to the demo.
""",
    "modules/demo/01-first.md": """---
id: first
title: First page
last_reviewed: 2026-01-05
reviewed_by: RCPCH college tutor
next_review: 2027-01-05
sources:
  - title: An official source
    url: https://www.gmc-uk.org/
    accessed: 2026-01-05
---
## What to know

Read [the guidance](https://www.gmc-uk.org/guidance) and look at this:

![A bar chart of pass rates](images/chart.png)

> **Tip:** Ask early.
""",
    "modules/demo/02-check.md": """---
id: check
title: Check your understanding
last_reviewed: 2026-01-05
reviewed_by: RCPCH college tutor
next_review: 2027-01-05
sources: []
quiz: demo-check
---
The quiz follows.
""",
    "modules/demo/README.md": "Notes for authors; not content, so no front matter is needed.\n",
    "quizzes/demo-check.md": """---
id: demo-check
title: Demo check
pass_mark: 50
attempts: 2
last_reviewed: 2026-01-05
reviewed_by: RCPCH college tutor
next_review: 2027-01-05
---
A short quiz.

## Pick one {#q-pick type=single}

Which is right?

- [ ] Wrong {#a}
  > Not this one.
- [x] Right {#b}
  > Correct.
- [ ] None of the above {#none pin}

Because it is.

## True or false {#q-tf points=2 type=truefalse}

The sky is blue.

- [x] True {#true}
- [ ] False {#false}

## Pairs {#q-pairs type=match}

Match them.

- One {#one} -> First
- Two {#two} -> First

Meanings may repeat.

## Your thoughts {#q-thoughts type=reflection required=false}

What will you change?
""",
    "quizzes/README.md": "A guide, not a quiz.\n",
}


# A module and a quiz with one of each common mistake, and what the checker must say about them.
BROKEN_FILES = {
    "modules/broken/module.md": """---
id: broken
title: Broken
summary: Broken on purpose.
audience: Testers
kind: module
estimated_minutes: 5
outcomes:
  - id: lo-one
    text: Something.
last_reviwed: 2026-01-05
reviewed_by: RCPCH college tutor
next_review: 2027-01-05
---
Intro.
""",
    "modules/broken/01-one.md": """---
id: same-page
title: One
last_reviewed: 2026-01-05
reviewed_by: RCPCH college tutor
next_review: 2027-01-05
sources:
  - title: A source
    url: https://example.org/
    accessed: 2026-01-05
quiz: no-such-quiz
---
## Heading

![A diagram](images/missing.png)
""",
    "modules/broken/02-two.md": """---
id: same-page
title: Two
last_reviewed: 2026-01-05
reviewed_by: RCPCH college tutor
next_review: 2027-01-05
sources:
  - title: A source
    url: https://example.org/
    accessed: 2026-01-05
---
Text.
""",
    "modules/broken/03-three.md": """---
title: Three
last_reviewed: 2026-01-05
reviewed_by: RCPCH college tutor
next_review: 2027-01-05
sources:
  - title: A source
    url: https://example.org/
    accessed: 2026-01-05
---
Text.
""",
    "quizzes/broken-check.md": """---
id: broken-check
title: Broken
last_reviewed: 2026-01-05
reviewed_by: RCPCH college tutor
next_review: 2027-01-05
---
Intro.

## No correct {#q-none type=single}

Pick one.

- [ ] A {#a}
- [ ] B {#b}

## Bad truefalse {#q-tf type=truefalse}

True?

- [x] Yes {#yes}
- [ ] No {#no}

## Missing option id {#q-missing type=single}

- [x] A
- [ ] B {#b}

## Duplicate {#q-none type=numeric}

= 4
""",
}

BROKEN_EXPECTED = [
    "modules/broken/01-one.md:11: quiz 'no-such-quiz' does not exist",
    "modules/broken/01-one.md:15: file 'images/missing.png' does not exist in the module folder",
    "modules/broken/02-two.md:2: page id 'same-page' is already used in modules/broken/01-one.md",
    "modules/broken/03-three.md:1: missing required key 'id'",
    "modules/broken/module.md:1: missing required key 'last_reviewed'",
    "modules/broken/module.md:11: unknown front-matter key 'last_reviwed'",
    "quizzes/broken-check.md:10: question has no correct option: mark at least one with [x]",
    "quizzes/broken-check.md:17: truefalse question must have exactly two options with ids 'true' and 'false'",
    "quizzes/broken-check.md:26: option has no id: end the line with {#some-id}",
    "quizzes/broken-check.md:29: question id 'q-none' is already used in line 10",
]


def write_files(root: Path, files: dict[str, str]) -> Path:
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def write_demo(root: Path, changes: dict[str, str] | None = None) -> Path:
    """The demo content (with its image), plus or replacing the files in ``changes``."""
    write_files(root, {**DEMO_FILES, **(changes or {})})
    (root / "modules/demo/images").mkdir(exist_ok=True)
    (root / "modules/demo/images/chart.png").write_bytes(PNG)
    return root


@pytest.fixture
def demo_content(tmp_path: Path) -> Path:
    return write_demo(tmp_path / "content")
