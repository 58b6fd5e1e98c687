"""Review metadata (last_reviewed, reviewed_by, next_review, sources' accessed dates) and the computed time a
module takes, both checked by the validator."""

from __future__ import annotations

from datetime import date, timedelta

from lti_tool.content import check
from lti_tool.content.estimate import reading_words
from lti_tool.content.parse import load_tree, parse_content
from tests.support.demo_content import DEMO_FILES, write_demo

PAGE = DEMO_FILES["modules/demo/01-first.md"]
MODULE = DEMO_FILES["modules/demo/module.md"]
QUIZ = DEMO_FILES["quizzes/demo-check.md"]


def problems(tmp_path, changes: dict[str, str]) -> list[str]:
    return [str(problem) for problem in check(write_demo(tmp_path, changes))]


def test_the_demo_files_carry_review_metadata_and_source_access_dates(tmp_path):
    content, found = parse_content(load_tree(write_demo(tmp_path)))
    assert found == []
    [module] = content.modules
    assert (module.reviewed_by, module.next_review) == ("RCPCH college tutor", date(2027, 1, 5))
    assert [(s.url, s.accessed) for s in module.pages[0].sources] == [("https://www.gmc-uk.org/", date(2026, 1, 5))]
    assert content.quizzes[0].next_review == date(2027, 1, 5)


def test_reviewed_by_and_next_review_are_required_on_modules_pages_and_quizzes(tmp_path):
    strip = {"reviewed_by: RCPCH college tutor\n": "", "next_review: 2027-01-05\n": ""}

    def without(text: str) -> str:
        for old, new in strip.items():
            text = text.replace(old, new)
        return text

    found = problems(tmp_path, {"modules/demo/module.md": without(MODULE), "modules/demo/01-first.md": without(PAGE),
                                "quizzes/demo-check.md": without(QUIZ)})
    assert found == [f"{path}:1: missing required key '{key}'"
                     for path in ("modules/demo/01-first.md", "modules/demo/module.md", "quizzes/demo-check.md")
                     for key in ("next_review", "reviewed_by")]


def test_reviewed_by_may_not_be_empty(tmp_path):
    found = problems(tmp_path, {"modules/demo/01-first.md": PAGE.replace("reviewed_by: RCPCH college tutor",
                                                                         'reviewed_by: ""')})
    assert found == ["modules/demo/01-first.md:5: reviewed_by is empty: name the reviewer's role, for example RCPCH "
                     "college tutor"]


def test_reviewed_by_fits_its_database_column(tmp_path):
    found = problems(tmp_path, {"quizzes/demo-check.md": QUIZ.replace("reviewed_by: RCPCH college tutor",
                                                                      "reviewed_by: " + "R" * 301)})
    assert found == ["quizzes/demo-check.md:7: reviewed_by is longer than 300 characters"]


def test_next_review_must_follow_last_reviewed_within_twelve_months(tmp_path):
    found = problems(tmp_path, {
        "modules/demo/01-first.md": PAGE.replace("next_review: 2027-01-05", "next_review: 2026-01-05"),
        "modules/demo/module.md": MODULE.replace("next_review: 2027-01-05", "next_review: 2027-01-06"),
        "quizzes/demo-check.md": QUIZ.replace("next_review: 2027-01-05", "next_review: 2026-12-31"),
    })
    assert found == [
        "modules/demo/01-first.md:6: next_review 2026-01-05 must be after last_reviewed 2026-01-05",
        "modules/demo/module.md:14: next_review 2027-01-06 is more than 12 months after last_reviewed 2026-01-05: "
        "use 2027-01-05 or earlier",
    ]


def test_twelve_months_after_the_last_day_of_february_in_a_leap_year_is_the_last_day_of_february(tmp_path):
    page = PAGE.replace("last_reviewed: 2026-01-05", "last_reviewed: 2024-02-29")
    assert problems(tmp_path, {"modules/demo/01-first.md": page.replace("next_review: 2027-01-05",
                                                                        "next_review: 2025-02-28")}) == []
    assert problems(tmp_path, {"modules/demo/01-first.md": page.replace("next_review: 2027-01-05",
                                                                        "next_review: 2025-03-01")}) == [
        "modules/demo/01-first.md:6: next_review 2025-03-01 is more than 12 months after last_reviewed 2024-02-29: "
        "use 2025-02-28 or earlier"]


def test_review_dates_must_be_dates(tmp_path):
    found = problems(tmp_path, {"quizzes/demo-check.md": QUIZ.replace("next_review: 2027-01-05", "next_review: soon")})
    assert found == ["quizzes/demo-check.md:8: next_review must be a date written YYYY-MM-DD"]


def test_every_source_needs_an_accessed_date_that_is_a_date_and_not_in_the_future(tmp_path):
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    found = problems(tmp_path, {
        "modules/demo/01-first.md": PAGE.replace("    accessed: 2026-01-05\n", ""),
        "modules/demo/03-more.md": PAGE.replace("id: first", "id: more").replace("accessed: 2026-01-05",
                                                                                "accessed: last week"),
        "modules/demo/04-late.md": PAGE.replace("id: first", "id: late").replace("accessed: 2026-01-05",
                                                                                f"accessed: {tomorrow}"),
    })
    assert found == [
        "modules/demo/01-first.md:8: source is missing 'accessed'",
        "modules/demo/03-more.md:10: accessed must be a date written YYYY-MM-DD",
        f"modules/demo/04-late.md:8: accessed {tomorrow} is in the future",
    ]


def test_a_quiz_may_list_sources_checked_like_a_pages(tmp_path):
    sources = ("sources:\n  - title: Gold Guide\n    url: https://www.copmed.org.uk/gold-guide/\n"
               "    accessed: 2026-01-05\n  - title: Not a web page\n    url: ftp://example.org/x\n")
    quiz = QUIZ.replace("next_review: 2027-01-05\n", f"next_review: 2027-01-05\n{sources}")
    found = problems(tmp_path, {"quizzes/demo-check.md": quiz})
    assert found == ["quizzes/demo-check.md:13: source is missing 'accessed'",
                     "quizzes/demo-check.md:13: source url must start with https:// or http://"]
    content, _ = parse_content(load_tree(tmp_path))
    assert [s.title for s in content.quiz("demo-check").sources] == ["Gold Guide", "Not a web page"]


# ------------------------------------------------------------------------------------------ estimated minutes

LONG_PAGE = PAGE.replace("id: first", "id: long").replace("## What to know", "## What to know\n\n" + "word " * 2000)


def test_estimated_minutes_far_from_the_computed_figure_is_reported_with_the_figure_and_the_rate(tmp_path):
    # The demo quiz has three scored questions and one reflection: 3 + 3 minutes, plus 2,000 words at 200 a minute.
    found = problems(tmp_path, {"modules/demo/03-long.md": LONG_PAGE})
    assert len(found) == 1
    assert found[0].startswith("modules/demo/module.md:7: estimated_minutes is 10 but the computed figure is 20 (")
    assert "words at 200 words a minute, 3 scored questions at 1 minute each, 1 reflection prompts at 3 minutes" in (
        found[0])
    assert found[0].endswith("rounded up to 5 minutes): use a figure from 15 to 25")


def test_estimated_minutes_within_a_quarter_or_five_minutes_passes(tmp_path):
    for minutes in (15, 25):
        assert problems(tmp_path / str(minutes), {
            "modules/demo/03-long.md": LONG_PAGE,
            "modules/demo/module.md": MODULE.replace("estimated_minutes: 10", f"estimated_minutes: {minutes}")}) == []
    assert problems(tmp_path / "30", {
        "modules/demo/03-long.md": LONG_PAGE,
        "modules/demo/module.md": MODULE.replace("estimated_minutes: 10", "estimated_minutes: 30")})[0].startswith(
        "modules/demo/module.md:7: estimated_minutes is 30 but the computed figure is 20")


def test_a_quiz_that_picks_some_questions_counts_that_share_of_them(tmp_path):
    reflections = "".join(f"\n## R{n} {{#r{n} type=reflection}}\n\nThink.\n" for n in range(8))
    quiz = QUIZ + reflections
    assert problems(tmp_path / "all", {"quizzes/demo-check.md": quiz})[0].startswith(
        "modules/demo/module.md:7: estimated_minutes is 10 but the computed figure is 35")
    picked = quiz.replace("attempts: 2\n", "attempts: 2\npick: 3\n")
    assert problems(tmp_path / "picked", {"quizzes/demo-check.md": picked}) == []


def test_reading_words_counts_what_a_reader_sees_not_addresses_or_markup():
    text = ("## A heading\n\nRead [the GMC's guidance](https://www.gmc-uk.org/a/very/long/address) **now**.\n\n"
            "| Step | When |\n|---|---|\n| First meeting | Week one |\n")
    assert reading_words(text) == 13


def test_content_estimate_prints_computed_minutes_for_each_module(app, demo_content):
    result = app.test_cli_runner().invoke(args=["content", "estimate", str(demo_content)])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == ("Reading at 200 words a minute, 1 minute per scored question, 3 minutes "
                                             "per reflection prompt, rounded up to 5 minutes.")
    assert result.output.splitlines()[1].startswith("demo: 10 minutes computed, 10 declared (ok; ")
