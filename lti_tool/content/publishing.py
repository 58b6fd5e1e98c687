"""Publish checked content as immutable versions: the only place Markdown is rendered.

A module gets a new ``ModuleVersion`` when the digest of its Markdown (and of the quizzes its pages host)
changes; a quiz gets a new ``QuizVersion`` when its file changes, otherwise the current one is reused. Rows of
earlier versions are never touched, so learners pinned to them keep exactly what they started.

Files and the browser never silently overwrite each other: publishing the folder leaves alone (and reports) a
module whose current version was made in the browser while the folder holds something else, unless forced.

``Question.settings`` holds what each type needs beyond options: ``scoring`` (``all``/``partial``) for
multiple; ``required`` for reflection; ``value``, ``tolerance`` and ``unit`` for numeric; ``accepted`` (a list)
for text.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..errors import Conflict, ToolError
from ..models import Module, ModuleVersion, Option, Page, Question, Quiz, QuizVersion
from .assets import asset_url
from .model import Content, ModuleSource, Problem, QuestionSource, QuizSource, Source
from .parse import MODULE_FILE, SourceTree, load_tree, parse_module, parse_quiz
from .question_types import question_type
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


class PublishedMeanwhile(Conflict):
    """Someone else published the same module or quiz while this publish was under way: nothing was published."""

    code = "published_meanwhile"
    title = "Someone else published first"

    def __init__(self, what: str) -> None:
        super().__init__(f"Someone else published {what} a moment ago, so your change was not published.",
                         advice="Reload to see their version, then make your change again.")


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
class Refusal:
    """A module the folder publish left alone because the browser's version would be lost."""

    slug: str
    message: str

    def describe(self) -> str:
        return f"module {self.slug} refused: {self.message}"


@dataclass(frozen=True)
class PublishReport:
    modules: tuple[VersionChange, ...]
    quizzes: tuple[VersionChange, ...]
    refused: tuple[Refusal, ...] = ()

    @property
    def created(self) -> bool:
        return any(item.changed for item in self.modules + self.quizzes)

    def lines(self) -> list[str]:
        return [item.describe() for item in self.modules + self.quizzes + self.refused]


def publish(session: Session, content_dir: Path | str, *, change: str = "minor", note: str = "",
            actor: str = "cli", force: bool = False) -> PublishReport:
    """Check the whole content folder, then publish every module and quiz that changed (flushed; the caller
    commits).

    A module edited in the browser (or imported) whose folder differs from that version is refused and left as
    it is, with its quizzes, unless ``force``; the report lists it.
    """
    tree = load_tree(content_dir)
    content = checked_content(tree)
    refused = () if force else browser_conflicts(session, content)
    if refused:
        skipped = {refusal.slug for refusal in refused}
        modules = tuple(module for module in content.modules if module.id not in skipped)
        kept = {quiz_id for module in modules for quiz_id in module.quiz_ids}
        held = {quiz_id for module in content.modules if module.id in skipped for quiz_id in module.quiz_ids}
        content = Content(modules, tuple(q for q in content.quizzes if q.id in kept or q.id not in held))
    report = publish_content(session, content, change=change, note=note, actor=actor, origin="files")
    return replace(report, refused=refused)


def browser_conflicts(session: Session, content: Content) -> tuple[Refusal, ...]:
    """Modules whose current version came from the browser or an import, was never written back to the folder,
    and differs from what the folder holds now."""
    quizzes = {quiz.id: quiz for quiz in content.quizzes}
    refusals = []
    for module in content.modules:
        row = session.scalars(select(Module).where(Module.slug == module.id)).one_or_none()
        current = row.current_version if row is not None else None
        if row is None or current is None or current.origin == "files" or row.folder_version == current.number:
            continue
        if source_digest(module, quizzes) == current.digest:
            continue
        who = current.published_by or "someone"
        how = "imported from a zip" if current.origin == "import" else "edited in the browser"
        refusals.append(Refusal(module.id, (
            f"module {module.id} was {how} (v{current.number} by {who}, "
            f"{current.published_at:%Y-%m-%d %H:%M} UTC); export it to the folder first "
            f"(`flask --app lti_tool content export {module.id}`), or publish with --force to replace the "
            "browser version")))
    return tuple(refusals)


def source_digest(module: ModuleSource, quizzes: dict[str, QuizSource]) -> str:
    """The digest a version published from these sources gets (see ``module_digest``)."""
    hosted = {f"quiz:{quiz_id}": digest({quizzes[quiz_id].path: quizzes[quiz_id].text})
              for quiz_id in module.quiz_ids if quiz_id in quizzes}
    return digest({**module.files, **hosted})


def folder_digest(tree: SourceTree, folder: str) -> str:
    """The digest of a module folder's Markdown and the quizzes its pages name, counted as a version's digest."""
    files = tree.module_texts(folder)
    module = parse_module(folder, files, [])
    if module is None:
        return digest(files)
    quizzes: dict[str, QuizSource] = {}
    for path in tree.quiz_paths():
        quiz = parse_quiz(path, tree.texts[path], [])
        if quiz is not None:
            quizzes.setdefault(quiz.id, quiz)
    return source_digest(module, quizzes)


def publish_module_from_sources(session: Session, content_dir: Path | str, module_folder: str,
                                files: dict[str, str], *, quiz_files: dict[str, str] | None = None,
                                change: str = "minor", note: str = "", actor: str = "browser",
                                origin: str = "browser") -> PublishReport:
    """Publish one module from edited Markdown (the browser editor), through the same checks and rendering.

    ``files`` is the module's complete set of Markdown files keyed by file name, as in
    ``ModuleVersion.source_files`` (``module.md``, ``01-why.md``); they replace the folder's Markdown read from
    disk. ``quiz_files`` are edited quizzes keyed as ``QuizVersion.source_path`` (``quizzes/x.md``). The rest
    of the content folder is read from disk so ids stay unique across it; images come from the module folder.
    Only problems in this module, its quizzes, or naming them refuse it: a broken file elsewhere does not.
    ``origin`` is ``browser`` or ``import``.
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
    disk = load_tree(content_dir)
    tree = disk.with_module(module_folder, files).with_texts(quiz_files or {})
    content, problems = parse_and_validate(tree)
    module = next((m for m in content.modules if m.folder == module_folder), None)
    own_paths = {quiz.path for quiz in content.quizzes if module is not None and quiz.id in module.quiz_ids}
    own_paths |= set(quiz_files or {})
    own = [problem for problem in problems if concerns(problem, module_folder, own_paths)]
    if own or module is None:
        raise ContentProblems(own)
    quizzes = tuple(quiz for quiz in content.quizzes if quiz.id in module.quiz_ids)
    return publish_content(session, Content((module,), quizzes), change=change, note=note, actor=actor,
                           origin=origin, folder_digests={module.id: folder_digest(disk, module_folder)})


def concerns(problem: Problem, module_folder: str, quiz_paths: set[str]) -> bool:
    """A problem in the module's folder or its quizzes, or one that names them (an id they already use)."""
    places = (f"modules/{module_folder}/", *quiz_paths)
    return problem.path.startswith(places[0]) or problem.path in quiz_paths or any(
        place in problem.message for place in places)


def checked_content(tree: SourceTree) -> Content:
    content, problems = parse_and_validate(tree)
    if problems:
        raise ContentProblems(problems)
    return content


def publish_content(session: Session, content: Content, *, change: str, note: str, actor: str,
                    origin: str, folder_digests: dict[str, str] | None = None) -> PublishReport:
    """Publish ``content`` in the caller's transaction (flushed; the caller commits it with its audit entry).
    Two publishes of the same module or quiz at once both number their version from the same current one; the
    second to write breaks the unique version number and is refused as ``PublishedMeanwhile`` (409) instead of
    failing with a 500."""
    if change not in CHANGES:
        raise ToolError(f"change must be one of {', '.join(CHANGES)}, not {change!r}")
    quiz_versions: dict[str, QuizVersion] = {}
    quiz_changes = []
    module_changes = []
    try:
        for quiz in content.quizzes:
            version, before = publish_quiz(session, quiz)
            quiz_versions[quiz.id] = version
            quiz_changes.append(VersionChange("quiz", quiz.id, before, version.number))
        for module in content.modules:
            number, before = publish_module(session, module, quiz_versions, change=change, note=note, actor=actor,
                                            origin=origin, folder_digest=(folder_digests or {}).get(module.id))
            module_changes.append(VersionChange("module", module.id, before, number))
        session.flush()
    except IntegrityError as exc:
        session.rollback()
        names = [f"module {m.id}" for m in content.modules] + [f"quiz {q.id}" for q in content.quizzes]
        raise PublishedMeanwhile(", ".join(names)) from exc
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
        last_reviewed=quiz.last_reviewed, reviewed_by=quiz.reviewed_by, next_review=quiz.next_review,
        sources=source_rows(quiz.sources), digest=quiz_digest, source_text=quiz.text, source_path=quiz.path,
        questions=[question_row(position, question) for position, question in enumerate(quiz.questions, 1)],
    )
    session.add(version)
    session.flush()
    row.current_version = version
    return version, current.number if current is not None else None


def source_rows(sources: tuple[Source, ...]) -> list[dict[str, str]]:
    return [{"title": s.title, "url": s.url, "accessed": s.accessed.isoformat() if s.accessed else ""}
            for s in sources]


def question_settings(question: QuestionSource) -> dict[str, Any]:
    return question_type(question.type).stored_settings(question)


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
                   note: str, actor: str, origin: str, folder_digest: str | None = None) -> tuple[int, int | None]:
    """A new version when the module's digest changed. Returns (number now current, number before).

    Published from the files, the folder holds the current version afterwards; from elsewhere,
    ``folder_digest`` says what the folder held at the time.
    """
    module_digest_value = module_digest(module, quiz_versions)
    row = session.scalars(select(Module).where(Module.slug == module.id)).one_or_none()
    if row is None:
        row = Module(slug=module.id, kind=module.kind, folder=module.folder)
        session.add(row)
        session.flush()
    current = row.current_version
    if current is not None and current.digest == module_digest_value:
        if origin == "files":
            row.folder_version = current.number
        return current.number, current.number

    def to_asset(relative_path: str) -> str:
        return asset_url(module.id, relative_path)

    version = ModuleVersion(
        module_id=row.id, number=next_number(session, ModuleVersion.number, ModuleVersion.module_id, row.id),
        title=module.title, summary=module.summary, audience=module.audience,
        estimated_minutes=module.estimated_minutes,
        outcomes=[{"id": o.id, "text": o.text, "gmc_areas": list(o.gmc_areas)} for o in module.outcomes],
        completion=module.completion.as_dict(), intro_html=render_markdown(module.intro, to_asset),
        last_reviewed=module.last_reviewed, reviewed_by=module.reviewed_by, next_review=module.next_review,
        digest=module_digest_value,
        change="initial" if current is None else change, change_note=note, origin=origin,
        source_files=dict(module.files), published_by=actor,
        folder_digest=module_digest_value if origin == "files" else folder_digest or "",
        pages=[
            Page(slug=page.id, position=position, title=page.title, html=render_markdown(page.body, to_asset),
                 sources=source_rows(page.sources), last_reviewed=page.last_reviewed,
                 reviewed_by=page.reviewed_by, next_review=page.next_review,
                 quiz_version=quiz_versions[page.quiz] if page.quiz else None)
            for position, page in enumerate(module.pages, 1)
        ],
    )
    session.add(version)
    session.flush()
    row.kind, row.folder = module.kind, module.folder
    row.current_version = version
    if origin == "files":
        row.folder_version = version.number
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
