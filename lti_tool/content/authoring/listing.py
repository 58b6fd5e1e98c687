"""Which modules and quizzes there are, their versions, and the editable files of a version."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...errors import NotFound
from ...models import Module, ModuleVersion, Quiz, QuizVersion
from ..parse import MODULE_FILE


@dataclass(frozen=True)
class VersionInfo:
    number: int
    title: str
    change: str
    note: str
    origin: str
    published_by: str
    published_at: datetime


@dataclass(frozen=True)
class ModuleListing:
    slug: str
    kind: str
    folder: str
    title: str
    current: int | None
    folder_version: int | None
    versions: tuple[VersionInfo, ...]

    @property
    def folder_behind(self) -> bool:
        """The current version was made in the browser and not yet exported to the folder."""
        latest = self.versions[0] if self.versions else None
        return latest is not None and latest.origin != "files" and self.folder_version != self.current


@dataclass(frozen=True)
class QuizListing:
    slug: str
    title: str
    path: str
    current: int | None
    versions: tuple[tuple[int, datetime], ...]
    used_by: tuple[str, ...]


def version_info(version: ModuleVersion) -> VersionInfo:
    return VersionInfo(version.number, version.title, version.change, version.change_note, version.origin,
                       version.published_by, version.published_at)


def list_modules(session: Session) -> list[ModuleListing]:
    """Every published module with its versions, newest first."""
    modules = session.scalars(select(Module).where(Module.current_version_id.is_not(None)).order_by(Module.slug))
    return [listing_of(session, module) for module in modules]


def list_quizzes(session: Session) -> list[QuizListing]:
    """Every published quiz with its versions (newest first) and the modules whose current version uses it."""
    used: dict[int, set[str]] = {}
    for module in session.scalars(select(Module)):
        for page in module.current_version.pages if module.current_version else ():
            if page.quiz_version is not None:
                used.setdefault(page.quiz_version.quiz_id, set()).add(module.slug)
    listing = []
    for quiz in session.scalars(select(Quiz).order_by(Quiz.slug)):
        rows = session.execute(select(QuizVersion.number, QuizVersion.published_at)
                               .where(QuizVersion.quiz_id == quiz.id).order_by(QuizVersion.number.desc())).all()
        current = quiz.current_version
        listing.append(QuizListing(quiz.slug, current.title if current else "", current.source_path if current else "",
                                   current.number if current else None, tuple((n, at) for n, at in rows),
                                   tuple(sorted(used.get(quiz.id, ())))))
    return listing


def module_listing(session: Session, slug: str) -> ModuleListing:
    return listing_of(session, module_row(session, slug))


def listing_of(session: Session, module: Module) -> ModuleListing:
    versions = tuple(version_info(v) for v in module_versions(session, module))
    return ModuleListing(module.slug, module.kind, module.folder, versions[0].title, versions[0].number,
                         module.folder_version, versions)


def module_row(session: Session, slug: str) -> Module:
    module = session.scalars(select(Module).where(Module.slug == slug)).one_or_none()
    if module is None or module.current_version is None:
        raise NotFound(f"There is no published module '{slug}'.")
    return module


def module_versions(session: Session, module: Module) -> list[ModuleVersion]:
    return list(session.scalars(select(ModuleVersion).where(ModuleVersion.module_id == module.id)
                                .order_by(ModuleVersion.number.desc())))


def version_row(session: Session, module: Module, number: int | None = None) -> ModuleVersion:
    """The module's version ``number``, or its current version."""
    if number is None:
        assert module.current_version is not None
        return module.current_version
    version = session.scalars(select(ModuleVersion).where(ModuleVersion.module_id == module.id,
                                                          ModuleVersion.number == number)).one_or_none()
    if version is None:
        raise NotFound(f"Module '{module.slug}' has no version {number}.")
    return version


def history(session: Session, slug: str) -> list[VersionInfo]:
    """The module's versions with their change notes, newest first."""
    return [version_info(v) for v in module_versions(session, module_row(session, slug))]


# ------------------------------------------------------------------------------------------ files of a version


@dataclass(frozen=True)
class EditableFile:
    """One Markdown file of a version: a module file by name (``01-why.md``) or a quiz by path (``quizzes/x.md``)."""

    path: str
    kind: str
    text: str


def kind_of(path: str) -> str:
    if path.startswith("quizzes/"):
        return "quiz"
    return "module" if path == MODULE_FILE else "page"


def quiz_texts(version: ModuleVersion) -> dict[str, str]:
    """The Markdown of the quizzes the version's pages host, keyed by ``quizzes/x.md``."""
    return {page.quiz_version.source_path: page.quiz_version.source_text
            for page in version.pages if page.quiz_version is not None and page.quiz_version.source_path}


def version_sources(version: ModuleVersion) -> dict[str, str]:
    """Every Markdown file a version was built from: its own files by name, then its quizzes by path."""
    files = {name: version.source_files[name] for name in sorted(version.source_files, key=file_order)}
    return {**files, **quiz_texts(version)}


def file_order(name: str) -> tuple[bool, str]:
    return name != MODULE_FILE, name


def editable_files(session: Session, slug: str, number: int | None = None) -> list[EditableFile]:
    version = version_row(session, module_row(session, slug), number)
    return [EditableFile(path, kind_of(path), text) for path, text in version_sources(version).items()]


def load_file(session: Session, slug: str, path: str, number: int | None = None) -> EditableFile:
    """A file of the version for the editor; NotFound if the version has no such file."""
    for item in editable_files(session, slug, number):
        if item.path == path:
            return item
    raise NotFound(f"Module '{slug}' has no file '{path}'.")


