"""Rules over the parsed content: ids, shapes of questions, references between files, links and images.

``check(content_dir)`` is what the ``content check`` command and publishing run: parse, then validate, then
every problem sorted by file and line.
"""

from __future__ import annotations

import calendar
import posixpath
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from urllib.parse import unquote, urlsplit

from .assets import SERVED_TYPES
from .estimate import ROUND_TO_MINUTES, module_estimate
from .markup import REFERENCE_USE, locate, parse, targets
from .model import (
    MODULE_KINDS,
    SHOW_ANSWERS_VALUES,
    SHUFFLE_VALUES,
    Content,
    ModuleSource,
    PageSource,
    Problem,
    QuestionSource,
    QuizSource,
)
from .parse import GUIDE_FILE, SourceTree, load_tree, parse_content
from .question_types import REGISTRY
from .question_types.blocks import FENCE

ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]*$")
ID_MAX_LENGTH = 64
INLINE_CODE = re.compile(r"`+[^`]*`+")
HTML_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(\s[^<>]*)?/?>")
HTML_COMMENT = re.compile(r"<!--|<![A-Za-z]|<\?[A-Za-z]")
LINK_SCHEMES = ("http", "https", "mailto")
TITLE_MAX_LENGTH = 300
REVIEW_INTERVAL_MONTHS = 12


def check(content_dir: Path | str) -> list[Problem]:
    """Every problem in the content folder, sorted by file and line; empty when it is ready to publish."""
    return check_tree(load_tree(content_dir))


def content_file(path: Path) -> tuple[Path, str] | None:
    """The content folder that holds ``path`` and the file's path inside it (``modules/demo/01-a.md``), when
    ``path`` is a module's Markdown file or a quiz; else None."""
    resolved = path.resolve()
    if resolved.suffix != ".md" or resolved.name.lower() == GUIDE_FILE:
        return None
    folder = resolved.parent
    if folder.name == "quizzes":
        return folder.parent, f"quizzes/{resolved.name}"
    if folder.parent.name == "modules":
        return folder.parent.parent, f"modules/{folder.name}/{resolved.name}"
    return None


def check_file(root: Path, relative: str) -> list[Problem]:
    """The problems in one file, checked with the rest of its content folder (quiz ids, hosted quizzes)."""
    return [problem for problem in check(root) if problem.path == relative]


def check_tree(tree: SourceTree) -> list[Problem]:
    return parse_and_validate(tree)[1]


def parse_and_validate(tree: SourceTree) -> tuple[Content, list[Problem]]:
    """The parsed content and every problem in it, without duplicates, sorted by file and line."""
    content, problems = parse_content(tree)
    return content, sorted(set(problems + validate(content, tree)))


def validate(content: Content, tree: SourceTree) -> list[Problem]:
    problems: list[Problem] = []
    quiz_ids = {quiz.id for quiz in content.quizzes}
    seen_modules: dict[str, str] = {}
    for module in content.modules:
        claim_unique(problems, seen_modules, module.id, module.path, module.line, "module id", module.path)
        validate_module(module, quiz_ids, tree, problems)
        check_estimate(problems, module, content)
    seen_quizzes: dict[str, str] = {}
    for quiz in content.quizzes:
        claim_unique(problems, seen_quizzes, quiz.id, quiz.path, quiz.line, "quiz id", quiz.path)
        validate_quiz(quiz, problems)
    return problems


def check_id(problems: list[Problem], value: str, path: str, line: int) -> None:
    if value and (len(value) > ID_MAX_LENGTH or not ID_PATTERN.match(value)):
        problems.append(Problem(path, line, f"id '{value}' is not a valid id (use lower-case letters, digits and "
                                            f"hyphens, at most {ID_MAX_LENGTH} characters)"))


def claim_unique(problems: list[Problem], seen: dict[str, str], value: str, path: str, line: int, what: str,
                 where: str) -> None:
    """Check the id's syntax and that no earlier item in the same scope has it."""
    check_id(problems, value, path, line)
    if not value:
        return
    if value in seen:
        problems.append(Problem(path, line, f"{what} '{value}' is already used in {seen[value]}"))
    else:
        seen[value] = where


def check_length(problems: list[Problem], path: str, line: int, **texts: str) -> None:
    """Titles and the audience are stored in columns of ``TITLE_MAX_LENGTH`` characters."""
    for name, text in texts.items():
        if len(text) > TITLE_MAX_LENGTH:
            problems.append(Problem(path, line, f"{name} is longer than {TITLE_MAX_LENGTH} characters"))


def check_review(problems: list[Problem], item: ModuleSource | PageSource | QuizSource) -> None:
    """Review metadata: a true date in the past, a named reviewer, the next review within the review interval."""
    path, lines = item.path, item.key_lines
    reviewed, next_review = item.last_reviewed, item.next_review
    if reviewed is not None and reviewed > date.today():
        problems.append(Problem(path, lines.get("last_reviewed", 1),
                                f"last_reviewed {reviewed.isoformat()} is in the future"))
    check_length(problems, path, lines.get("reviewed_by", 1), reviewed_by=item.reviewed_by)
    if "reviewed_by" in lines and not item.reviewed_by:
        problems.append(Problem(path, lines["reviewed_by"],
                                "reviewed_by is empty: name the reviewer's role, for example RCPCH college tutor"))
    if reviewed is not None and next_review is not None:
        latest = months_after(reviewed, REVIEW_INTERVAL_MONTHS)
        if next_review <= reviewed:
            problems.append(Problem(path, lines.get("next_review", 1),
                                    f"next_review {next_review.isoformat()} must be after last_reviewed "
                                    f"{reviewed.isoformat()}"))
        elif next_review > latest:
            problems.append(Problem(path, lines.get("next_review", 1),
                                    f"next_review {next_review.isoformat()} is more than {REVIEW_INTERVAL_MONTHS} "
                                    f"months after last_reviewed {reviewed.isoformat()}: use {latest.isoformat()} "
                                    "or earlier"))
    for source in item.sources if not isinstance(item, ModuleSource) else ():
        check_plain(problems, source.path, source.line, "source title", source.title)
        if source.url and urlsplit(source.url).scheme not in ("http", "https"):
            problems.append(Problem(source.path, source.line, "source url must start with https:// or http://"))
        if source.accessed is not None and source.accessed > date.today():
            problems.append(Problem(source.path, source.line,
                                    f"accessed {source.accessed.isoformat()} is in the future"))


def months_after(day: date, months: int) -> date:
    """The same day ``months`` later, or the last day of that month when it is shorter."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def check_estimate(problems: list[Problem], module: ModuleSource, content: Content) -> None:
    if "estimated_minutes" not in module.key_lines or module.estimated_minutes <= 0:
        return
    estimate = module_estimate(module, content)
    if not estimate.accepts(module.estimated_minutes):
        low, high = estimate.allowed
        problems.append(Problem(module.path, module.key_lines["estimated_minutes"],
                                f"estimated_minutes is {module.estimated_minutes} but the computed figure is "
                                f"{estimate.minutes} ({estimate.describe()}, rounded up to "
                                f"{ROUND_TO_MINUTES} minutes): use a figure from {low} to {high}"))


# ------------------------------------------------------------------------------------------ modules


def validate_module(module: ModuleSource, quiz_ids: set[str], tree: SourceTree, problems: list[Problem]) -> None:
    path, lines = module.path, module.key_lines
    check_length(problems, path, lines.get("title", 1), title=module.title)
    check_length(problems, path, lines.get("audience", 1), audience=module.audience)
    for field in ("title", "summary", "audience"):
        check_plain(problems, path, lines.get(field, 1), field, getattr(module, field))
    if module.kind and module.kind not in MODULE_KINDS:
        problems.append(Problem(path, lines.get("kind", 1), "kind must be module, session or handbook"))
    if "estimated_minutes" in lines and module.estimated_minutes <= 0:
        problems.append(Problem(path, lines["estimated_minutes"],
                                "estimated_minutes must be a whole number of minutes above 0"))
    if module.kind in ("module", "session") and not module.outcomes:
        problems.append(Problem(path, lines.get("outcomes", 1),
                                f"a {module.kind} needs at least one learning outcome under 'outcomes'"))
    seen_outcomes: dict[str, str] = {}
    for outcome in module.outcomes:
        claim_unique(problems, seen_outcomes, outcome.id, path, outcome.line, "outcome id", "this module")
        check_plain(problems, path, outcome.line, "outcome", outcome.text)
        if any(area < 1 or area > 7 for area in outcome.gmc_areas):
            problems.append(Problem(path, outcome.line, "gmc_areas must be numbers from 1 to 7"))
    check_review(problems, module)
    if not module.pages:
        problems.append(Problem(path, 1, "module has no pages: add numbered .md files beside module.md"))
    validate_completion(module, quiz_ids, problems)
    module_dir = (tree.root / "modules" / module.folder).resolve()
    scan_markdown(problems, path, module.intro, module.intro_line, module_dir, page_body=True)

    seen_pages: dict[str, str] = {}
    hosts: dict[str, str] = {}
    for page in module.pages:
        claim_unique(problems, seen_pages, page.id, page.path, page.line, "page id", page.path)
        check_length(problems, page.path, page.key_lines.get("title", 1), title=page.title)
        check_plain(problems, page.path, page.key_lines.get("title", 1), "title", page.title)
        check_review(problems, page)
        quiz_line = page.key_lines.get("quiz", 1)
        if page.quiz:
            if module.kind == "handbook":
                problems.append(Problem(page.path, quiz_line, "a handbook has no quizzes: remove 'quiz'"))
            elif page.quiz not in quiz_ids:
                problems.append(Problem(page.path, quiz_line, f"quiz '{page.quiz}' does not exist"))
            elif page.quiz in hosts:
                problems.append(Problem(page.path, quiz_line,
                                        f"quiz '{page.quiz}' is already hosted by page '{hosts[page.quiz]}'"))
            else:
                hosts[page.quiz] = page.id
        if "sources" in page.key_lines and not page.sources and not page.quiz:
            problems.append(Problem(page.path, page.key_lines["sources"],
                                    "sources may be empty only on a page that hosts a quiz"))
        scan_markdown(problems, page.path, page.body, page.body_line, module_dir, page_body=True)


def validate_completion(module: ModuleSource, quiz_ids: set[str], problems: list[Problem]) -> None:
    rule = module.completion
    lines = rule.key_lines
    if rule.pages not in ("all", "none"):
        problems.append(Problem(rule.path, lines.get("pages", rule.line), "completion pages must be all or none"))
    if rule.reflections not in ("required", "optional"):
        problems.append(Problem(rule.path, lines.get("reflections", rule.line),
                                "completion reflections must be required or optional"))
    quizzes_line = lines.get("quizzes", rule.line)
    if isinstance(rule.quizzes, tuple):
        hosted = set(module.quiz_ids)
        for quiz_id in rule.quizzes:
            if quiz_id not in quiz_ids:
                problems.append(Problem(rule.path, quizzes_line, f"quiz '{quiz_id}' does not exist"))
            elif quiz_id not in hosted:
                problems.append(Problem(rule.path, quizzes_line,
                                        f"quiz '{quiz_id}' is not on any page of this module: name it in a "
                                        "page's 'quiz'"))
    elif rule.quizzes not in ("all", "none"):
        problems.append(Problem(rule.path, quizzes_line, "completion quizzes must be all, none or a list of quiz ids"))
    quiz_work = bool(module.quiz_ids) and (rule.quizzes != "none" or rule.reflections == "required")
    if rule.pages == "none" and not quiz_work:
        problems.append(Problem(rule.path, lines.get("pages", rule.line),
                                "completion asks for nothing (pages: none and no quiz to pass or reflection to "
                                "submit): use 'pages: all' so the module completes when every page has been read"))
    if module.kind == "handbook" and rule.quizzes != "none":
        problems.append(Problem(rule.path, quizzes_line, "a handbook has no quizzes: use 'quizzes: none'"))


def outside_code(body: str, first_line: int) -> Iterator[tuple[int, str]]:
    """Body lines with their file line numbers, skipping fenced code and inline code spans."""
    in_fence = False
    for offset, line in enumerate(body.split("\n")):
        if FENCE.match(line):
            in_fence = not in_fence
            continue
        if not in_fence:
            yield first_line + offset, INLINE_CODE.sub("", line)


def has_html(text: str) -> bool:
    return bool(HTML_TAG.search(text) or HTML_COMMENT.search(text))


def scan_markdown(problems: list[Problem], path: str, body: str, first_line: int, module_dir: Path | None, *,
                  page_body: bool = False) -> None:
    """Headings and raw HTML line by line; then every link and image as the renderer parses it, at the line that
    writes it. ``module_dir`` is where files may come from (None in a quiz)."""
    lines = list(outside_code(body, first_line))
    parsed = parse(body)
    for number, line in lines:
        if page_body and re.match(r"^#(?!#)\s", line):
            problems.append(Problem(path, number, "headings start at '##' (the page title is the top heading)"))
        if has_html(line):
            problems.append(Problem(path, number, "HTML is not allowed in content: write Markdown"))
        for written in [use for use in parsed.unresolved if use in line]:
            label = REFERENCE_USE.fullmatch(written)
            name = label.group("label") or label.group("text") if label else written
            problems.append(Problem(path, number, f"reference '{name}' is not defined: add a line '[{name}]: "
                                                  "address' to the same text"))
    cursor = 0
    for target in parsed.targets:
        number, cursor = locate(target, lines, cursor)
        check_link(problems, path, number or first_line, target.url, target.image, target.text, module_dir)


def check_plain(problems: list[Problem], path: str, line: int, field: str, text: str) -> None:
    """A field shown as plain text (a title, a summary, an outcome, a meaning, a unit, an accepted answer): no
    HTML, and no Markdown link or image, which would show as written."""
    if has_html(text):
        problems.append(Problem(path, line, f"HTML is not allowed in the {field}: write plain text"))
    for target in targets(text):
        what = "image" if target.image else "link"
        problems.append(Problem(path, line, f"the {field} is shown as plain text: the {what} '{target.url}' would "
                                            "show as written"))


def check_link(problems: list[Problem], path: str, line: int, url: str, image: bool, text: str,
               module_dir: Path | None) -> None:
    if image and not text.strip():
        problems.append(Problem(path, line, "image has no alt text: write ![description of the image](path)"))
    try:
        parts = urlsplit(url)
    except ValueError:
        problems.append(Problem(path, line, f"'{url}' is not a valid address"))
        return
    if url.startswith("//") and not image:
        problems.append(Problem(path, line, f"link '{url}' has no scheme: write https:{url}"))
        return
    if parts.scheme or url.startswith("//"):
        if image:
            problems.append(Problem(path, line, f"image '{url}' must be a file in the module folder"))
        elif parts.scheme.lower() not in LINK_SCHEMES:
            problems.append(Problem(path, line, f"link '{url}' is not allowed: use http, https, mailto or a file "
                                                "in the module folder"))
        return
    if not url or (url.startswith("#") and not image):
        return
    if module_dir is None:
        problems.append(Problem(path, line, f"'{url}': quizzes cannot show images or link to files"))
        return
    relative = posixpath.normpath(unquote(parts.path))
    if url.startswith("/") or relative == ".." or relative.startswith("../"):
        problems.append(Problem(path, line, f"'{url}' is outside the module folder"))
        return
    if Path(relative).suffix.lower() not in SERVED_TYPES:
        problems.append(Problem(path, line, f"'{url}' is not a file type that can be shown: use png, jpg, gif, "
                                            "webp or pdf"))
        return
    target = (module_dir / relative).resolve()
    if not target.is_relative_to(module_dir) or not target.is_file():
        problems.append(Problem(path, line, f"file '{url}' does not exist in the module folder"))


# ------------------------------------------------------------------------------------------ quizzes


def validate_quiz(quiz: QuizSource, problems: list[Problem]) -> None:
    path, lines = quiz.path, quiz.key_lines
    check_length(problems, path, lines.get("title", 1), title=quiz.title)
    check_plain(problems, path, lines.get("title", 1), "title", quiz.title)
    if not 0 <= quiz.pass_mark <= 100:
        problems.append(Problem(path, lines.get("pass_mark", 1), "pass_mark must be a number from 0 to 100"))
    if quiz.attempts is not None and quiz.attempts < 1:
        problems.append(Problem(path, lines.get("attempts", 1),
                                "attempts must be a whole number of 1 or more, or 'unlimited'"))
    if quiz.shuffle not in SHUFFLE_VALUES:
        problems.append(Problem(path, lines.get("shuffle", 1), f"shuffle must be one of {', '.join(SHUFFLE_VALUES)}"))
    if quiz.show_answers not in SHOW_ANSWERS_VALUES:
        problems.append(Problem(path, lines.get("show_answers", 1),
                                f"show_answers must be one of {', '.join(SHOW_ANSWERS_VALUES)}"))
    check_review(problems, quiz)
    scored = sum(question.scored for question in quiz.questions)
    if not scored:
        problems.append(Problem(path, quiz.line, "quiz has no scored question: add one that is not a reflection "
                                                 "and is worth more than 0 points"))
    if quiz.pick is not None:
        if quiz.pick < 1:
            problems.append(Problem(path, lines.get("pick", 1), "pick must be a whole number of 1 or more"))
        elif quiz.pick > scored:
            problems.append(Problem(path, lines.get("pick", 1),
                                    f"pick is {quiz.pick} but the quiz has only {scored} scored questions"))
    scan_markdown(problems, path, quiz.intro, quiz.intro_line, None)
    seen: dict[str, str] = {}
    for question in quiz.questions:
        claim_unique(problems, seen, question.id, path, question.line, "question id", f"line {question.line}")
        validate_question(question, problems)


def validate_question(question: QuestionSource, problems: list[Problem]) -> None:
    path, line, kind = question.path, question.line, question.type
    check_length(problems, path, line, title=question.title)
    check_plain(problems, path, line, "question title", question.title)
    for option in question.options:
        if option.match_text:
            check_plain(problems, path, option.line, "meaning", option.match_text)
    if question.numeric is not None:
        check_plain(problems, path, question.numeric.line, "unit", question.numeric.unit)
    for answer, answer_line in zip(question.accepted, question.accepted_lines, strict=False):
        check_plain(problems, path, answer_line, "accepted answer", answer)

    def problem(message: str, at: int = line) -> None:
        problems.append(Problem(path, at, message))

    seen: dict[str, str] = {}
    for option in question.options:
        claim_unique(problems, seen, option.id, path, option.line, "option id", f"line {option.line}")
    qtype = REGISTRY.get(kind)
    if question.scoring == "partial" and not (qtype and qtype.partial_scoring):
        problem("scoring=partial is only for multiple-choice questions")
    if question.required_given and (qtype is None or qtype.scored):
        problem("required= is only for reflection questions")
    if qtype is not None:
        qtype.check(question, problem)
    if qtype is None or not qtype.choice:
        for option in question.options:
            if option.pinned:
                problem("only choice options can be pinned", option.line)
    for text, first in ((question.stem, question.stem_line), (question.explanation, question.explanation_line)):
        scan_markdown(problems, path, text, first, None)
    for option in question.options:
        scan_markdown(problems, path, f"{option.text}\n{option.feedback}", option.line,
                      None)
