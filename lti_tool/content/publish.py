"""Publish checked content as immutable versions: the only place Markdown is rendered.

A module gets a new ``ModuleVersion`` when the digest of its Markdown (and of the quizzes its pages host)
changes; a quiz gets a new ``QuizVersion`` when its file changes, otherwise the current one is reused. Rows of
earlier versions are never touched, so learners pinned to them keep exactly what they started.

``Question.settings`` holds what each type needs beyond options: ``scoring`` (``all``/``partial``) for
multiple; ``required`` for reflection; ``value``, ``tolerance`` and ``unit`` for numeric; ``accepted`` (a list)
for text.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..errors import ToolError
from ..models import Module, ModuleVersion, Option, Page, Question, Quiz, QuizVersion
from .assets import asset_url
from .model import Content, ModuleSource, Problem, QuestionSource, QuizSource
from .parse import MODULE_FILE, SourceTree, load_tree
from .render import render_inline, render_markdown
from .validate import parse_and_validate

CHANGES = ("minor", "major")


class ContentProblems(ToolError):
    """Publishing refused: the content has problems, each listed as ``file:line: message``."""

    code = "content_problems"
    status = 422
    title = "The content has problems to fix before publishing"

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        listing = "\n".join(str(problem) for problem in problems)
        super().__init__(f"{len(problems)} problem(s) must be fixed before publishing:\n{listing}",
                         advice="Fix each file at the line given and publish again.")


@dataclass(frozen=True)
class VersionChange:
    """What publishing did to one module or quiz: ``before`` and ``after`` are version numbers."""

    what: str
    slug: str
    before: int | None
    after: int

    @property
    def changed(self) -> bool:
        return self.before != self.after

    def describe(self) -> str:
        if self.before is None:
            return f"{self.what} {self.slug} v{self.after} (new)"
        if not self.changed:
            return f"{self.what} {self.slug} unchanged (v{self.after})"
        return f"{self.what} {self.slug} v{self.before} → v{self.after}"


@dataclass(frozen=True)
class PublishReport:
    modules: tuple[VersionChange, ...]
    quizzes: tuple[VersionChange, ...]

    @property
    def created(self) -> bool:
        return any(item.changed for item in self.modules + self.quizzes)

    def lines(self) -> list[str]:
        return [item.describe() for item in self.modules + self.quizzes]


def publish(session: Session, content_dir: Path | str, *, change: str = "minor", note: str = "",
            actor: str = "cli") -> PublishReport:
    """Check the whole content folder, then publish every module and quiz that changed. Commits."""
    tree = load_tree(content_dir)
    content = checked_content(tree)
    return publish_content(session, content, change=change, note=note, actor=actor, origin="files")


def publish_module_from_sources(session: Session, content_dir: Path | str, module_folder: str,
                                files: dict[str, str], *, quiz_files: dict[str, str] | None = None,
                                change: str = "minor", note: str = "", actor: str = "browser") -> PublishReport:
    """Publish one module from edited Markdown (the browser editor), through the same checks and rendering.

    ``files`` is the module's complete set of Markdown files keyed by file name, as in
    ``ModuleVersion.source_files`` (``module.md``, ``01-why.md``); they replace the folder's Markdown read from
    disk. ``quiz_files`` are edited quizzes keyed as ``QuizVersion.source_path`` (``quizzes/x.md``). The rest
    of the content folder is read from disk so ids stay unique across it; images come from the module folder.
    """
    plain_folder = module_folder and "/" not in module_folder and "\\" not in module_folder and module_folder[0] != "."
    bad = [] if plain_folder else [module_folder or "(no folder)"]
    bad += [name for name in files if "/" in name or not name.endswith(".md")]
    bad += [path for path in quiz_files or {} if not path.startswith("quizzes/") or not path.endswith(".md")
            or path.count("/") != 1]
    if bad or MODULE_FILE not in files:
        raise ToolError(f"The module folder must be a plain folder name, files must be Markdown directly in it "
                        f"(including {MODULE_FILE}) and quizzes 'quizzes/<name>.md'; not accepted: "
                        f"{', '.join(sorted(bad)) or 'no module.md'}")
    tree = load_tree(content_dir).with_module(module_folder, files).with_texts(quiz_files or {})
    content = checked_content(tree)
    module = next(m for m in content.modules if m.folder == module_folder)
    quizzes = tuple(quiz for quiz in content.quizzes if quiz.id in module.quiz_ids)
    return publish_content(session, Content((module,), quizzes), change=change, note=note, actor=actor,
                           origin="browser")


def checked_content(tree: SourceTree) -> Content:
    content, problems = parse_and_validate(tree)
    if problems:
        raise ContentProblems(problems)
    return content


def publish_content(session: Session, content: Content, *, change: str, note: str, actor: str,
                    origin: str) -> PublishReport:
    if change not in CHANGES:
        raise ToolError(f"change must be one of {', '.join(CHANGES)}, not {change!r}")
    quiz_versions: dict[str, QuizVersion] = {}
    quiz_changes = []
    for quiz in content.quizzes:
        version, before = publish_quiz(session, quiz)
        quiz_versions[quiz.id] = version
        quiz_changes.append(VersionChange("quiz", quiz.id, before, version.number))
    module_changes = []
    for module in content.modules:
        number, before = publish_module(session, module, quiz_versions, change=change, note=note, actor=actor,
                                        origin=origin)
        module_changes.append(VersionChange("module", module.id, before, number))
    session.commit()
    return PublishReport(tuple(module_changes), tuple(quiz_changes))


def digest(texts: dict[str, str]) -> str:
    hasher = hashlib.sha256()
    for name in sorted(texts):
        for part in (name, texts[name]):
            encoded = part.encode("utf-8")
            hasher.update(len(encoded).to_bytes(8, "big"))
            hasher.update(encoded)
    return hasher.hexdigest()


def next_number(session: Session, column: Any, key_column: Any, key: int) -> int:
    return (session.scalar(select(func.max(column)).where(key_column == key)) or 0) + 1


def publish_quiz(session: Session, quiz: QuizSource) -> tuple[QuizVersion, int | None]:
    """The quiz's current version if its file is unchanged, else a new one. Returns (version, number before)."""
    quiz_digest = digest({quiz.path: quiz.text})
    row = session.scalars(select(Quiz).where(Quiz.slug == quiz.id)).one_or_none()
    if row is None:
        row = Quiz(slug=quiz.id)
        session.add(row)
        session.flush()
    current = row.current_version
    if current is not None and current.digest == quiz_digest:
        return current, current.number
    version = QuizVersion(
        quiz_id=row.id, number=next_number(session, QuizVersion.number, QuizVersion.quiz_id, row.id),
        title=quiz.title, intro_html=render_markdown(quiz.intro), pass_mark=quiz.pass_mark,
        attempts_allowed=quiz.attempts, shuffle=quiz.shuffle, pick=quiz.pick, show_answers=quiz.show_answers,
        last_reviewed=quiz.last_reviewed, digest=quiz_digest, source_text=quiz.text, source_path=quiz.path,
        questions=[question_row(position, question) for position, question in enumerate(quiz.questions, 1)],
    )
    session.add(version)
    session.flush()
    row.current_version = version
    return version, current.number if current is not None else None


def question_settings(question: QuestionSource) -> dict[str, Any]:
    if question.type == "multiple":
        return {"scoring": question.scoring}
    if question.type == "reflection":
        return {"required": question.required}
    if question.type == "numeric" and question.numeric is not None:
        return {"answer": question.numeric.value, "tolerance": question.numeric.tolerance,
                "unit": question.numeric.unit}
    if question.type == "text":
        return {"accepted": list(question.accepted)}
    return {}


def question_row(position: int, question: QuestionSource) -> Question:
    return Question(
        slug=question.id, position=position, type=question.type, title=question.title, points=question.points,
        stem_html=render_markdown(question.stem), explanation_html=render_markdown(question.explanation),
        settings=question_settings(question),
        options=[
            Option(slug=option.id, position=index, text_html=render_inline(option.text), is_correct=option.correct,
                   feedback_html=render_markdown(option.feedback), match_text=option.match_text,
                   pinned=option.pinned)
            for index, option in enumerate(question.options, 1)
        ],
    )


def module_digest(module: ModuleSource, quiz_versions: dict[str, QuizVersion]) -> str:
    hosted = {f"quiz:{quiz_id}": quiz_versions[quiz_id].digest for quiz_id in module.quiz_ids}
    return digest({**module.files, **hosted})


def publish_module(session: Session, module: ModuleSource, quiz_versions: dict[str, QuizVersion], *, change: str,
                   note: str, actor: str, origin: str) -> tuple[int, int | None]:
    """A new version when the module's digest changed. Returns (number now current, number before)."""
    module_digest_value = module_digest(module, quiz_versions)
    row = session.scalars(select(Module).where(Module.slug == module.id)).one_or_none()
    if row is None:
        row = Module(slug=module.id, kind=module.kind, folder=module.folder)
        session.add(row)
        session.flush()
    current = row.current_version
    if current is not None and current.digest == module_digest_value:
        return current.number, current.number

    def to_asset(relative_path: str) -> str:
        return asset_url(module.id, relative_path)

    version = ModuleVersion(
        module_id=row.id, number=next_number(session, ModuleVersion.number, ModuleVersion.module_id, row.id),
        title=module.title, summary=module.summary, audience=module.audience,
        estimated_minutes=module.estimated_minutes,
        outcomes=[{"id": o.id, "text": o.text, "gmc_areas": list(o.gmc_areas)} for o in module.outcomes],
        completion=module.completion.as_dict(), intro_html=render_markdown(module.intro, to_asset),
        last_reviewed=module.last_reviewed, digest=module_digest_value,
        change="initial" if current is None else change, change_note=note, origin=origin,
        source_files=dict(module.files), published_by=actor,
        pages=[
            Page(slug=page.id, position=position, title=page.title, html=render_markdown(page.body, to_asset),
                 sources=[{"title": s.title, "url": s.url} for s in page.sources], last_reviewed=page.last_reviewed,
                 quiz_version=quiz_versions[page.quiz] if page.quiz else None)
            for position, page in enumerate(module.pages, 1)
        ],
    )
    session.add(version)
    session.flush()
    row.kind, row.folder = module.kind, module.folder
    row.current_version = version
    return version.number, current.number if current is not None else None


@dataclass(frozen=True)
class PublishedModule:
    slug: str
    kind: str
    folder: str
    current: int | None
    versions: tuple[tuple[int, str, str], ...]


def published_modules(session: Session) -> list[PublishedModule]:
    """Every module with its versions as (number, change, published date), oldest first."""
    modules = session.scalars(select(Module).order_by(Module.slug)).all()
    listing = []
    for module in modules:
        rows = session.execute(
            select(ModuleVersion.number, ModuleVersion.change, ModuleVersion.published_at)
            .where(ModuleVersion.module_id == module.id).order_by(ModuleVersion.number)
        ).all()
        current = module.current_version.number if module.current_version is not None else None
        listing.append(PublishedModule(module.slug, module.kind, module.folder, current,
                                       tuple((n, c, at.date().isoformat()) for n, c, at in rows)))
    return listing
