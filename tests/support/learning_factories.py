"""Published content for tests and benchmarks, written as Markdown and published through the real publish path
(parse, check, render, store), so positions, ids and HTML are exactly what an author's files would give.

``publish_demo_module`` builds a module whose last page hosts a quiz with one question of every type;
``publish_version`` publishes a later version of the same module (e.g. a major change).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from lti_tool.content.estimate import module_estimate
from lti_tool.content.parse import SourceTree, parse_content
from lti_tool.content.publishing import checked_content, publish_content
from lti_tool.learning import quizzes
from lti_tool.models import Module, ModuleVersion, QuizVersion

REVIEWED = "2026-11-25"
ESTIMATE = "ESTIMATE"
REVIEW_LINES = [f"last_reviewed: {REVIEWED}", "reviewed_by: RCPCH college tutor", "next_review: 2027-05-25"]

DEMO_QUESTIONS: list[dict[str, Any]] = [
    {"slug": "arcp-o5", "type": "single", "title": "ARCP outcome 5", "options": [
        ("o1", "Outcome 1", False, "Outcome 1 means satisfactory progress."),
        ("o5", "Outcome 5", True, "Correct: outcome 5 means incomplete evidence."),
        ("o3", "Outcome 3", False, "Outcome 3 means extra training time is needed.")]},
    {"slug": "induction", "type": "multiple", "title": "Induction topics", "settings": {"scoring": "partial"},
     "options": [("ihs", "Immigration health surcharge", True, ""), ("rota", "Rota and on-call", True, ""),
                 ("golf", "Golf club membership", False, "Not part of induction."),
                 ("none", "None of the above", False, "", True)]},
    {"slug": "gmc-register", "type": "truefalse", "title": "GMC registration",
     "options": [("true", "True", True, ""), ("false", "False", False, "")]},
    {"slug": "hours", "type": "numeric", "title": "Working hours",
     "settings": {"answer": 48.0, "tolerance": 0.0, "unit": "hours"}},
    {"slug": "body", "type": "text", "title": "Regulator",
     "settings": {"accepted": ["GMC", "General Medical Council"]}},
    {"slug": "terms", "type": "match", "title": "Terms", "options": [
        ("cnst", "CNST", "Clinical negligence scheme"), ("ihs", "IHS", "Immigration health surcharge"),
        ("arcp", "ARCP", "Annual review of competence progression")]},
    {"slug": "steps", "type": "order", "title": "First week", "options": [
        ("meet", "Meet your supervisor"), ("plan", "Agree a learning plan"), ("review", "Review after a month")]},
    {"slug": "reflect", "type": "reflection", "title": "Your reflection", "settings": {"required": True}},
]

CORRECT_ANSWERS: dict[str, Any] = {
    "arcp-o5": "o5", "induction": ["ihs", "rota"], "gmc-register": "true", "hours": "48", "body": "gmc",
    "terms": {"cnst": "cnst", "ihs": "ihs", "arcp": "arcp"}, "steps": {"meet": 1, "plan": 2, "review": 3},
    "reflect": "I will plan the first week with my supervisor.",
}


def _answer_block(spec: dict[str, Any]) -> list[str]:
    kind, settings = spec["type"], spec.get("settings", {})
    lines: list[str] = []
    if kind == "match":
        lines = [f"- {text} {{#{slug}}} -> {meaning}" for slug, text, meaning in spec["options"]]
    elif kind == "order":
        lines = [f"{n}. {text} {{#{slug}}}" for n, (slug, text) in enumerate(spec["options"], 1)]
    elif kind == "numeric":
        unit = f" {settings['unit']}" if settings.get("unit") else ""
        lines = [f"= {settings['answer']:g} +- {settings.get('tolerance', 0):g}{unit}"]
    elif kind == "text":
        lines = [f"= {accepted}" for accepted in settings["accepted"]]
    elif kind != "reflection":
        for slug, text, correct, feedback, *pinned in spec["options"]:
            lines.append(f"- [{'x' if correct else ' '}] {text} {{#{slug}{' pin' if pinned and pinned[0] else ''}}}")
            if feedback:
                lines.append(f"  > {feedback}")
    return lines


def quiz_markdown(slug: str, questions: list[dict[str, Any]], *, pass_mark: int, attempts_allowed: int | None,
                  shuffle: str, pick: int | None, show_answers: str) -> str:
    """A quiz file in the authors' format (quizzes/README.md)."""
    matter = [f"id: {slug}", "title: Check your understanding", f"pass_mark: {pass_mark}",
              f"attempts: {attempts_allowed or 'unlimited'}", f"shuffle: {shuffle}", f"show_answers: {show_answers}",
              *REVIEW_LINES] + ([f"pick: {pick}"] if pick is not None else [])
    parts = ["---", *matter, "---", "Answer every question, then submit.", ""]
    for spec in questions:
        settings = spec.get("settings", {})
        attributes = [f"#{spec['slug']}", f"type={spec['type']}"]
        if spec["type"] != "reflection":
            attributes.append(f"points={spec.get('points', 1)}")
        if settings.get("scoring") == "partial":
            attributes.append("scoring=partial")
        if spec["type"] == "reflection" and not settings.get("required", True):
            attributes.append("required=false")
        parts += [f"## {spec['title']} {{{' '.join(attributes)}}}", "", f"{spec['title']}: choose or write.", ""]
        block = _answer_block(spec)
        if block:
            parts += [*block, ""]
        parts += [f"Why: {spec['title']}.", ""]
    return "\n".join(parts)


def module_files(slug: str, *, title: str, kind: str, pages: int, number: int, quiz_slug: str | None,
                 completion: dict[str, Any] | None) -> dict[str, str]:
    """A module folder in the authors' format (modules/README.md); the intro names the version it starts."""
    rule = completion or {"pages": "all", "quizzes": "none" if kind == "handbook" else "all",
                          "reflections": "optional" if kind == "handbook" else "required"}
    rule_lines = [f"  {key}: {'[' + ', '.join(value) + ']' if isinstance(value, list) else value}"
                  for key, value in rule.items()]
    files = {"module.md": "\n".join([
        "---", f"id: {slug}", f"title: {title}", "summary: How to welcome and support IMGs.",
        "audience: Educational supervisors", f"kind: {kind}", f"estimated_minutes: {ESTIMATE}", "outcomes:",
        "  - id: lo-induction", "    text: Plan an induction for an IMG.", "    gmc_areas: [1, 2]",
        "completion:", *rule_lines, *REVIEW_LINES, "---",
        f"Welcome to version {number} of the module.", ""])}
    for n in range(1, pages + 1):
        quiz_line = [f"quiz: {quiz_slug}"] if quiz_slug and n == pages else []
        files[f"{n:02d}-page-{n}.md"] = "\n".join([
            "---", f"id: page-{n}", f"title: Page {n}", *REVIEW_LINES, "sources:",
            "  - title: GMC, Welcomed and valued (2022)", "    url: https://www.gmc-uk.org/",
            "    accessed: 2026-11-20", *quiz_line, "---",
            f"## Part {n}", "", f"Content of page {n}.", "", "> **Tip:** Ask early.", ""])
    return files


def _publish(session: Session, texts: dict[str, str], *, change: str = "minor") -> None:
    """Publish the files, with each module's ``estimated_minutes`` set to the figure the checker computes."""
    content, _ = parse_content(SourceTree(Path(__file__).parent, texts))
    for module in content.modules:
        path = f"modules/{module.folder}/module.md"
        minutes = module_estimate(module, content).minutes
        texts = {**texts, path: texts[path].replace(f"estimated_minutes: {ESTIMATE}", f"estimated_minutes: {minutes}")}
    tree = SourceTree(Path(__file__).parent, texts)
    publish_content(session, checked_content(tree), change=change, note="", actor="tests", origin="files")
    session.commit()


def publish_quiz(session: Session, slug: str = "demo-check", *, questions: list[dict[str, Any]] | None = None,
                 pass_mark: int = 70, attempts_allowed: int | None = None, shuffle: str = "none",
                 pick: int | None = None, show_answers: str = "after_submit") -> QuizVersion:
    """The quiz published on its own (the publisher reuses the current version when the file is unchanged)."""
    text = quiz_markdown(slug, questions if questions is not None else DEMO_QUESTIONS, pass_mark=pass_mark,
                         attempts_allowed=attempts_allowed, shuffle=shuffle, pick=pick, show_answers=show_answers)
    _publish(session, {f"quizzes/{slug}.md": text})
    return session.scalars(select(QuizVersion).where(QuizVersion.source_path == f"quizzes/{slug}.md")
                           .order_by(QuizVersion.id.desc())).first()


def publish_version(session: Session, slug: str = "img-demo", *, title: str = "Supervising IMGs",
                    kind: str = "module", pages: int = 3, quiz: QuizVersion | None = None,
                    completion: dict[str, Any] | None = None, change: str = "minor") -> ModuleVersion:
    """A new current version of module ``slug`` (created if new) with ``pages`` pages; ``quiz`` on the last."""
    module = session.scalars(select(Module).where(Module.slug == slug)).one_or_none()
    number = 1 if module is None or module.current_version is None else module.current_version.number + 1
    files = module_files(slug, title=title, kind=kind, pages=pages, number=number,
                         quiz_slug=quiz.quiz.slug if quiz is not None else None, completion=completion)
    texts = {f"modules/{slug}/{name}": text for name, text in files.items()}
    if quiz is not None:
        texts[quiz.source_path] = quiz.source_text
    _publish(session, texts, change=change)
    module = session.scalars(select(Module).where(Module.slug == slug)).one()
    session.expire(module, ["current_version"])
    return module.current_version


def publish_demo_module(session: Session, slug: str = "img-demo", *, quiz_slug: str = "demo-check",
                        completion: dict[str, Any] | None = None, **quiz_options: Any) -> ModuleVersion:
    quiz = publish_quiz(session, quiz_slug, **quiz_options)
    return publish_version(session, slug, quiz=quiz, completion=completion)


def module(session: Session, slug: str = "img-demo") -> Module:
    """The published module with this slug."""
    return session.scalars(select(Module).where(Module.slug == slug)).one()


def pass_quiz(session: Session, progress: Any, answers: dict[str, Any] = CORRECT_ANSWERS) -> Any:
    """Start and submit the demo quiz of ``progress`` with ``answers`` (all correct unless given); the result."""
    quiz = quizzes.quiz_place(progress, "demo-check").quiz_version
    return quizzes.submit_attempt(session, progress, quizzes.start_attempt(session, progress, quiz), answers)
