"""Editing one file of a module in the browser: preview it against the published version, then publish it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...errors import Conflict, NotFound, ToolError
from ...models import Module, ModuleVersion, Question
from ..assets import asset_url
from ..model import Content, ModuleSource, PageSource, Problem, QuizSource
from ..parse import MODULE_FILE, load_tree, parse_module, parse_page, parse_quiz
from ..publishing import (
    ContentProblems,
    PublishedMeanwhile,
    PublishReport,
    concerns,
    folder_digest,
    publish_module_from_sources,
    question_row,
)
from ..render import render_markdown
from ..validate import parse_and_validate
from .listing import kind_of, module_row, quiz_texts, version_row


@dataclass(frozen=True)
class Preview:
    """What publishing the edit would show, and the validator's problems: in this file, and elsewhere in the
    module (which also stop publishing)."""

    path: str
    kind: str
    title: str
    html: str
    questions: tuple[Question, ...]
    problems: tuple[Problem, ...]
    other_problems: tuple[Problem, ...]

    @property
    def publishable(self) -> bool:
        return not self.problems and not self.other_problems


@dataclass(frozen=True)
class Edit:
    module: Module
    base: ModuleVersion
    files: dict[str, str]
    quiz_files: dict[str, str]
    full_path: str


def edit_of(session: Session, slug: str, path: str, text: str, base_number: int | None) -> Edit:
    """The module's files as in the base version, with ``path`` replaced by ``text``."""
    module = module_row(session, slug)
    base = version_row(session, module, base_number)
    files, quizzes = dict(base.source_files), quiz_texts(base)
    target = quizzes if kind_of(path) == "quiz" else files
    if path not in target:
        raise NotFound(f"Module '{slug}' has no file '{path}'.")
    target[path] = text.replace("\r\n", "\n")
    full_path = path if kind_of(path) == "quiz" else f"modules/{module.folder}/{path}"
    return Edit(module, base, files, quizzes, full_path)


def id_changes(folder: str, old: dict[str, str], new: dict[str, str]) -> list[Problem]:
    """Ids never change once published: each file (by name, or ``quizzes/x.md``) keeps the id it had in ``old``.

    A replacement with a new id belongs in a new file (learners' progress is kept against ids).
    """
    problems = []
    for path in sorted(old.keys() & new.keys()):
        before, after = file_id(folder, path, old[path]), file_id(folder, path, new[path])
        if before and after and before[0] != after[0]:
            full_path = path if kind_of(path) == "quiz" else f"modules/{folder}/{path}"
            problems.append(Problem(full_path, after[1], f"the id must stay '{before[0]}': ids never change once "
                                                         "published (put new content with a new id in a new file)"))
    return problems


def file_id(folder: str, path: str, text: str) -> tuple[str, int] | None:
    """The id a file's front matter gives, with its line; None when it has none."""
    kind = kind_of(path)
    parsed: QuizSource | ModuleSource | PageSource | None
    if kind == "quiz":
        parsed = parse_quiz(path, text, [])
    elif kind == "module":
        parsed = parse_module(folder, {MODULE_FILE: text}, [])
    else:
        parsed = parse_page(f"modules/{folder}/{path}", path, text, [])
    return (parsed.id, parsed.line) if parsed is not None and parsed.id else None


def check_edit(content_dir: Path | str, edit: Edit, path: str) -> tuple[Content, ModuleSource | None,
                                                                       list[Problem]]:
    """Parse and validate the edited module in the context of the whole content folder."""
    tree = load_tree(content_dir).with_module(edit.module.folder, edit.files).with_texts(edit.quiz_files)
    content, problems = parse_and_validate(tree)
    base = {**edit.base.source_files, **quiz_texts(edit.base)}
    edited = {path: (edit.quiz_files if kind_of(path) == "quiz" else edit.files)[path]}
    problems = sorted(set(problems + id_changes(edit.module.folder, base, edited)))
    module = next((m for m in content.modules if m.folder == edit.module.folder), None)
    quiz_paths = {q.path for q in content.quizzes if module is not None and q.id in module.quiz_ids}
    quiz_paths |= set(edit.quiz_files)
    relevant = [p for p in problems if concerns(p, edit.module.folder, quiz_paths)]
    return content, module, relevant


def preview(session: Session, content_dir: Path | str, slug: str, path: str, text: str, *,
            base_number: int | None = None) -> Preview:
    """The sanitised HTML publishing would store for this file, and the validator's problems with lines."""
    edit = edit_of(session, slug, path, text, base_number)
    content, module, problems = check_edit(content_dir, edit, path)
    mine = tuple(p for p in problems if p.path == edit.full_path)
    others = tuple(p for p in problems if p.path != edit.full_path)
    kind = kind_of(path)

    def to_asset(relative_path: str) -> str:
        return asset_url(slug, relative_path)

    title, html = "", ""
    questions: tuple[Question, ...] = ()
    if kind == "quiz":
        quiz = next((q for q in content.quizzes if q.path == path), None)
        if quiz is not None:
            title, html = quiz.title, render_markdown(quiz.intro)
            questions = tuple(question_row(n, question) for n, question in enumerate(quiz.questions, 1))
    elif module is not None and kind == "module":
        title, html = module.title, render_markdown(module.intro, to_asset)
    elif module is not None:
        page = next((p for p in module.pages if p.file_name == path), None)
        if page is not None:
            title, html = page.title, render_markdown(page.body, to_asset)
    return Preview(path, kind, title, html, questions, mine, others)


class NeedsConfirmation(Conflict):
    """Publishing from the browser would go over something that changed since the version being edited."""

    code = "needs_confirmation"
    title = "Please confirm before publishing"

    def __init__(self, warnings: list[str]) -> None:
        self.warnings = warnings
        super().__init__(" ".join(warnings), advice="Tick the confirmation box and publish again, or go back.")


def publish_warnings(session: Session, content_dir: Path | str, module: Module, base: ModuleVersion) -> list[str]:
    """What changed since ``base`` was published: a newer version, or the module's files on disk."""
    warnings = []
    current = module.current_version
    if current is not None and current.number != base.number:
        warnings.append(f"v{current.number} was published by {current.published_by or 'someone'} after v{base.number}, "
                        f"which you are editing; publishing replaces it with your edit of v{base.number}.")
    on_disk = folder_digest(load_tree(content_dir), module.folder)
    if on_disk not in (base.folder_digest, base.digest):
        warnings.append(f"The files in modules/{module.folder} changed on disk since v{base.number} was published. "
                        "Publishing here does not change them, and publishing from the files will refuse this "
                        "module until the new version is exported to the folder or the files are forced.")
    return warnings


def edit_warnings(session: Session, content_dir: Path | str, slug: str, base_number: int | None) -> list[str]:
    """The warnings publishing an edit of ``base_number`` would need confirmed, to show before the author starts."""
    module = module_row(session, slug)
    return publish_warnings(session, content_dir, module, version_row(session, module, base_number))


def publish_edit(session: Session, content_dir: Path | str, slug: str, path: str, text: str, *,
                 base_number: int, change: str, note: str, actor: str, confirmed: bool = False,
                 seen_current: int | None = None) -> PublishReport:
    """Publish the module with one file edited, as a new version with origin ``browser``; the caller commits it
    with its audit entry.

    Refused with the validator's problems if the edit has any; refused with ``PublishedMeanwhile`` if the
    module's current version is no longer ``seen_current`` (the one current when the editor opened: someone
    else published since, which no confirmation covers); refused with ``NeedsConfirmation`` if a newer
    version exists or the files on disk changed since ``base_number``, unless ``confirmed``.
    """
    if not note.strip():
        raise ToolError("Write a change note: what changed and why.", advice="The note is kept with the version.")
    # Lock the module row (PostgreSQL) so that of two publishes at once the second reads the first's version.
    locked = session.scalars(select(Module).where(Module.slug == slug).with_for_update()
                             .execution_options(populate_existing=True)).one_or_none()
    if locked is not None and seen_current is not None:
        current = session.scalar(select(ModuleVersion.number).where(ModuleVersion.id == locked.current_version_id))
        if current != seen_current:
            raise PublishedMeanwhile(f"module {slug} (now v{current})")
    edit = edit_of(session, slug, path, text, base_number)
    _, _, problems = check_edit(content_dir, edit, path)
    if problems:
        raise ContentProblems(problems)
    warnings = publish_warnings(session, content_dir, edit.module, edit.base)
    if warnings and not confirmed:
        raise NeedsConfirmation(warnings)
    return publish_module_from_sources(session, content_dir, edit.module.folder, edit.files,
                                       quiz_files=edit.quiz_files, change=change, note=note.strip(), actor=actor)


