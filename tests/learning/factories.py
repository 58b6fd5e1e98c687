"""Published content for tests and benchmarks, inserted straight into the content tables (HTML already safe).

``publish_demo_module`` builds a module whose last page hosts a quiz with one question of every type;
``publish_version`` adds a later version of the same module (e.g. a major change).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from lti_tool.models import Module, ModuleVersion, Option, Page, Question, Quiz, QuizVersion

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


def publish_quiz(session: Session, slug: str = "demo-check", *, questions: list[dict[str, Any]] | None = None,
                 pass_mark: int = 70, attempts_allowed: int | None = None, shuffle: str = "none",
                 pick: int | None = None, show_answers: str = "after_submit") -> QuizVersion:
    quiz = session.scalars(select(Quiz).where(Quiz.slug == slug)).one_or_none()
    if quiz is None:
        quiz = Quiz(slug=slug)
        session.add(quiz)
        session.flush()
    number = len(session.scalars(select(QuizVersion.id).where(QuizVersion.quiz_id == quiz.id)).all()) + 1
    version = QuizVersion(quiz_id=quiz.id, number=number, title="Check your understanding",
                          intro_html="<p>Answer every question, then submit.</p>", pass_mark=pass_mark,
                          attempts_allowed=attempts_allowed, shuffle=shuffle, pick=pick, show_answers=show_answers,
                          last_reviewed=date(2026, 11, 25), digest=f"{slug}-{number}")
    version.quiz = quiz
    for position, spec in enumerate(questions if questions is not None else DEMO_QUESTIONS):
        question = Question(slug=spec["slug"], position=position, type=spec["type"], title=spec["title"],
                            points=spec.get("points", 1), stem_html=f"<p>{spec['title']}: choose or write.</p>",
                            explanation_html=f"<p>Why: {spec['title']}.</p>", settings=spec.get("settings", {}))
        for index, option in enumerate(spec.get("options", [])):
            if spec["type"] == "match":
                o_slug, text, meaning = option
                question.options.append(Option(slug=o_slug, position=index, text_html=text, match_text=meaning))
            elif spec["type"] == "order":
                o_slug, text = option
                question.options.append(Option(slug=o_slug, position=index, text_html=text))
            else:
                o_slug, text, correct, feedback, *pinned = option
                question.options.append(Option(slug=o_slug, position=index, text_html=text, is_correct=correct,
                                               feedback_html=f"<p>{feedback}</p>" if feedback else "",
                                               pinned=bool(pinned and pinned[0])))
        version.questions.append(question)
    session.add(version)
    session.flush()
    quiz.current_version_id = version.id
    session.flush()
    return version


def publish_version(session: Session, slug: str = "img-demo", *, title: str = "Supervising IMGs",
                    kind: str = "module", pages: int = 3, quiz: QuizVersion | None = None,
                    completion: dict[str, Any] | None = None, change: str = "minor") -> ModuleVersion:
    """A new current version of module ``slug`` (created if new) with ``pages`` pages; ``quiz`` on the last."""
    module = session.scalars(select(Module).where(Module.slug == slug)).one_or_none()
    if module is None:
        module = Module(slug=slug, kind=kind)
        session.add(module)
        session.flush()
    number = len(session.scalars(select(ModuleVersion.id).where(ModuleVersion.module_id == module.id)).all()) + 1
    version = ModuleVersion(
        module_id=module.id, number=number, title=title, summary="How to welcome and support IMGs.",
        audience="Educational supervisors", estimated_minutes=45,
        outcomes=[{"id": "lo-induction", "text": "Plan an induction for an IMG.", "gmc_areas": [1, 2]}],
        completion=completion or {"pages": "all", "quizzes": "all", "reflections": "required"},
        intro_html="<p>Welcome to the module.</p>", last_reviewed=date(2026, 11, 25),
        reviewed_by="RCPCH college tutor", next_review=date(2027, 5, 25), digest=f"{slug}-{number}",
        change=change)
    version.module = module
    for position in range(pages):
        version.pages.append(Page(
            slug=f"page-{position + 1}", position=position, title=f"Page {position + 1}",
            html=f"<h2>Part {position + 1}</h2><p>Content of page {position + 1}.</p>"
                 '<blockquote class="callout callout--tip"><p><strong>Tip:</strong> Ask early.</p></blockquote>',
            sources=[{"title": "GMC, Welcomed and valued (2022)", "url": "https://www.gmc-uk.org/",
                      "accessed": "2026-11-20"}],
            last_reviewed=date(2026, 11, 25), reviewed_by="RCPCH college tutor", next_review=date(2027, 5, 25),
            quiz_version_id=quiz.id if quiz is not None and position == pages - 1 else None))
    session.add(version)
    session.flush()
    module.current_version_id = version.id
    session.flush()
    session.expire(module, ["current_version"])
    return version


def publish_demo_module(session: Session, slug: str = "img-demo", *, quiz_slug: str = "demo-check",
                        completion: dict[str, Any] | None = None, **quiz_options: Any) -> ModuleVersion:
    quiz = publish_quiz(session, quiz_slug, **quiz_options)
    return publish_version(session, slug, quiz=quiz, completion=completion)
