"""Authoring in the browser: edit a published module's Markdown, preview it, publish it, compare and move it.

Everything goes through the same parser, validator, renderer and publisher as the content folder; this module
only chooses which texts to give them. The content folder on disk and the versions made here never silently
overwrite each other: ``ModuleVersion.folder_digest`` and ``Module.folder_version`` record what the folder held,
and publishing warns (here) or refuses (from the files) when the other side changed.
"""

from __future__ import annotations

import difflib
import io
import re
import shutil
import tempfile
import zipfile
import zlib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path, PurePosixPath

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..errors import Conflict, NotFound, ToolError
from ..models import Module, ModuleVersion, Question, Quiz, QuizVersion
from .assets import asset_url
from .model import Content, ModuleSource, Problem
from .parse import GUIDE_FILE, MODULE_FILE, SourceTree, load_tree, parse_module, parse_page, parse_quiz
from .publish import (
    ContentProblems,
    PublishedMeanwhile,
    PublishReport,
    concerns,
    folder_digest,
    publish_module_from_sources,
    question_row,
)
from .render import render_markdown
from .validate import SERVED_TYPES, parse_and_validate

IMAGE_SIGNATURES = {"png": (b"\x89PNG\r\n\x1a\n",), "jpg": (b"\xff\xd8\xff",), "gif": (b"GIF87a", b"GIF89a")}
MAX_IMAGE_BYTES = 2 * 1024 * 1024
MAX_IMPORT_BYTES = 20 * 1024 * 1024
MAX_IMPORT_FILES = 200
IMAGE_FOLDER = "images"


# ------------------------------------------------------------------------------------------ listing


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


# ------------------------------------------------------------------------------------------ preview


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

    title, html, questions = "", "", ()
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


# ------------------------------------------------------------------------------------------ publishing


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
    """Publish the module with one file edited, as a new version with origin ``browser``. Commits.

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


# ------------------------------------------------------------------------------------------ diff


@dataclass(frozen=True)
class DiffLine:
    kind: str  # header, hunk, added, removed, context
    text: str


@dataclass(frozen=True)
class FileDiff:
    path: str
    status: str  # added, removed, changed, unchanged
    lines: tuple[DiffLine, ...]


def diff_line(text: str) -> DiffLine:
    if text.startswith(("--- ", "+++ ")):
        return DiffLine("header", text)
    if text.startswith("@@"):
        return DiffLine("hunk", text)
    return DiffLine({"+": "added", "-": "removed"}.get(text[:1], "context"), text)


def diff_versions(session: Session, slug: str, old_number: int, new_number: int) -> list[FileDiff]:
    """A unified line diff, file by file, between two versions of a module (its files and its quizzes)."""
    module = module_row(session, slug)
    old = version_sources(version_row(session, module, old_number))
    new = version_sources(version_row(session, module, new_number))
    diffs = []
    for path in sorted(old.keys() | new.keys(), key=lambda p: (kind_of(p) == "quiz", file_order(p))):
        status = ("added" if path not in old else "removed" if path not in new
                  else "unchanged" if old[path] == new[path] else "changed")
        lines = difflib.unified_diff(old.get(path, "").splitlines(), new.get(path, "").splitlines(),
                                     f"v{old_number}/{path}", f"v{new_number}/{path}", lineterm="")
        diffs.append(FileDiff(path, status, tuple(diff_line(line) for line in lines)))
    return diffs


# ------------------------------------------------------------------------------------------ export


def export_texts(session: Session, slug: str) -> dict[str, str]:
    """The current version's Markdown keyed by its path in a content folder."""
    module = module_row(session, slug)
    version = version_row(session, module)
    texts = {f"modules/{module.folder}/{name}": text for name, text in version.source_files.items()}
    return {**texts, **quiz_texts(version)}


def module_assets(content_dir: Path | str, folder: str) -> dict[str, Path]:
    """Images and attachments in a module folder, keyed by path in a content folder."""
    root = Path(content_dir) / "modules" / folder
    if not root.is_dir():
        return {}
    return {f"modules/{folder}/{path.relative_to(root).as_posix()}": path for path in sorted(root.rglob("*"))
            if path.is_file() and path.suffix.lower() in SERVED_TYPES
            and not any(part.startswith(".") for part in path.relative_to(root).parts)}


def export_zip(session: Session, content_dir: Path | str, slug: str) -> bytes:
    """A zip of the current version's Markdown, its quizzes and the module folder's images and files."""
    module = module_row(session, slug)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path, text in export_texts(session, slug).items():
            archive.writestr(path, text)
        for path, file in module_assets(content_dir, module.folder).items():
            archive.write(file, path)
    return buffer.getvalue()


@dataclass(frozen=True)
class Exported:
    number: int
    paths: list[str]


def export_to_folder(session: Session, content_dir: Path | str, slug: str, to: Path | str | None = None) -> Exported:
    """Write the current version's Markdown into a content folder (default: the content folder itself).

    Markdown files of the module folder that the version does not have are removed, so the folder holds exactly
    the version. Exported into the content folder, the folder is recorded as holding that version. Commits.
    """
    module = module_row(session, slug)
    number = version_row(session, module).number
    target = Path(to or content_dir)
    texts = export_texts(session, slug)
    folder = target / "modules" / module.folder
    folder.mkdir(parents=True, exist_ok=True)
    for stale in folder.glob("*.md"):
        if stale.name.lower() != GUIDE_FILE and f"modules/{module.folder}/{stale.name}" not in texts:
            stale.unlink()
    for path, text in texts.items():
        (target / path).parent.mkdir(parents=True, exist_ok=True)
        (target / path).write_text(text, encoding="utf-8")
    if target.resolve() == Path(content_dir).resolve():
        module.folder_version = number
        session.commit()
    return Exported(number, sorted(texts))


# ------------------------------------------------------------------------------------------ images


@dataclass(frozen=True)
class UploadedImage:
    path: str
    snippet: str


def image_type(data: bytes) -> str | None:
    """png, jpg, gif or webp by the file's first bytes, whatever its name says."""
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    return next((kind for kind, signatures in IMAGE_SIGNATURES.items() if data.startswith(signatures)), None)


def safe_stem(filename: str) -> str:
    stem = PurePosixPath(filename.replace("\\", "/")).stem.lower()
    return re.sub(r"[^a-z0-9]+", "-", stem).strip("-")[:60] or "image"


def check_image(name: str, data: bytes) -> str:
    """The image's type; ToolError for anything but a real png, jpeg, gif or webp of at most 2 MB."""
    if len(data) > MAX_IMAGE_BYTES:
        raise ToolError(f"{name} is {len(data) / 1024 / 1024:.1f} MB; images may be at most 2 MB.",
                        advice="Save it smaller (for example 1200 pixels wide) and upload it again.")
    kind = image_type(data)
    if kind is None:
        raise ToolError(f"{name} is not a PNG, JPEG, GIF or WebP image.",
                        advice="Export the picture as PNG or JPEG and upload that file.")
    return kind


def upload_image(session: Session, content_dir: Path | str, slug: str, filename: str, data: bytes, *,
                 alt: str = "") -> UploadedImage:
    """Save an image into the module folder's ``images/`` under a safe, new name; return the Markdown to paste.

    An existing file is never replaced (published pages may show it): a different image gets a numbered name.
    """
    module = module_row(session, slug)
    extension = check_image(filename or "The file", data)
    folder = Path(content_dir) / "modules" / module.folder / IMAGE_FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    stem, counter = safe_stem(filename), 1
    name = f"{stem}.{extension}"
    while (folder / name).exists() and (folder / name).read_bytes() != data:
        counter += 1
        name = f"{stem}-{counter}.{extension}"
    (folder / name).write_bytes(data)
    description = re.sub(r"[\[\]\n]", " ", alt).strip() or "Describe the image"
    return UploadedImage(f"{IMAGE_FOLDER}/{name}", f"![{description}]({IMAGE_FOLDER}/{name})")


# ------------------------------------------------------------------------------------------ import


@dataclass(frozen=True)
class ImportedModule:
    slug: str
    report: PublishReport


class ArchiveRefused(ToolError):
    code = "archive_invalid"
    status = 422
    title = "That zip could not be imported"


# What reading a damaged or unusual zip raises: zipfile signals an unsupported compression method with
# NotImplementedError and an encrypted member with RuntimeError; zlib, EOF and decoding errors come from bad data.
UNREADABLE_ZIP = (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, RuntimeError, EOFError,
                  zlib.error, ValueError, OSError, UnicodeError)


def read_archive(data: bytes) -> dict[str, bytes]:
    """The zip's files by path; refuses (422, with the reason) archives that are not zips, too big, with unsafe
    paths, or that cannot be read: every read of the archive happens inside this guard."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return _archive_files(archive)
    except ArchiveRefused:
        raise
    except UNREADABLE_ZIP as exc:
        raise ArchiveRefused(f"The zip could not be read: {_zip_reason(exc)}.",
                             advice="Upload a zip made by Export.") from None


def _zip_reason(exc: BaseException) -> str:
    if isinstance(exc, NotImplementedError):
        return "it uses a compression method this tool does not read"
    if isinstance(exc, RuntimeError) and "encrypted" in str(exc):
        return "it is encrypted"
    if isinstance(exc, zlib.error):
        return "its compressed data is corrupt"
    if isinstance(exc, zipfile.BadZipFile) and str(exc).startswith("File is not a zip"):
        return "it is not a zip archive"
    return str(exc)[:200] or type(exc).__name__


def _archive_files(archive: zipfile.ZipFile) -> dict[str, bytes]:
    entries = [info for info in archive.infolist() if not info.is_dir()]
    if len(entries) > MAX_IMPORT_FILES or sum(info.file_size for info in entries) > MAX_IMPORT_BYTES:
        raise ArchiveRefused(f"The zip is too big: at most {MAX_IMPORT_FILES} files and "
                             f"{MAX_IMPORT_BYTES // 1024 // 1024} MB unpacked.")
    files = {}
    total = 0
    for info in entries:
        path = PurePosixPath(info.filename)
        if info.filename.startswith("/") or "\\" in info.filename or ".." in path.parts:
            raise ArchiveRefused(f"The zip holds a file outside its folders: {info.filename}")
        if path.parts[0] == "__MACOSX" or any(part.startswith(".") for part in path.parts):
            continue
        with archive.open(info) as member:
            content = member.read(MAX_IMPORT_BYTES - total + 1)
        total += len(content)
        if total > MAX_IMPORT_BYTES:
            raise ArchiveRefused(f"The zip is too big: at most {MAX_IMPORT_BYTES // 1024 // 1024} MB unpacked.")
        files[path.as_posix()] = content
    return files


def import_zip(session: Session, content_dir: Path | str, data: bytes, *, change: str, note: str,
               actor: str) -> ImportedModule:
    """Publish a module from a zip laid out as Export makes it, as a new version with origin ``import``.

    The zip holds one existing module folder (``modules/<folder>/...``) and the quizzes its pages host
    (``quizzes/<name>.md``). Everything is checked before anything is written: problems are reported as
    ``file:line: message``. New images are added to the module folder; an existing file is never replaced.
    """
    if not note.strip():
        raise ToolError("Write a change note: what changed and why.")
    files = read_archive(data)
    problems: list[Problem] = []
    folders = {PurePosixPath(path).parts[1] for path in files if path.startswith("modules/") and path.count("/") >= 2}
    if len(folders) != 1:
        raise ToolError("The zip must hold exactly one module folder, modules/<folder>/, as Export makes it.")
    folder = folders.pop()
    module_dir = Path(content_dir) / "modules" / folder
    if not module_dir.is_dir():
        raise ToolError(f"There is no module folder modules/{folder} in the content folder.",
                        advice="Import updates a module that exists; add a new module as a folder of Markdown.")
    prefix = f"modules/{folder}/"
    markdown: dict[str, str] = {}
    quizzes: dict[str, str] = {}
    assets: dict[str, bytes] = {}
    for path, raw in files.items():
        name = path[len(prefix):] if path.startswith(prefix) else ""
        is_markdown = path.endswith(".md")
        if PurePosixPath(path).name.lower() == GUIDE_FILE:
            continue
        if is_markdown and (name and "/" not in name or path.startswith("quizzes/") and path.count("/") == 1):
            try:
                text = raw.decode("utf-8-sig").replace("\r\n", "\n")
            except UnicodeDecodeError:
                problems.append(Problem(path, 1, "file is not UTF-8 text: save it as UTF-8"))
                continue
            (markdown if name else quizzes)[name or path] = text
        elif name and PurePosixPath(name).suffix.lower() in SERVED_TYPES:
            assets[name] = raw
        else:
            problems.append(Problem(path, 1, "not part of a module export: only the module's Markdown, its images "
                                             "and files, and quizzes/<name>.md"))
    for name, raw in assets.items():
        problems.extend(asset_problems(prefix + name, raw, module_dir / name))
    if MODULE_FILE not in markdown:
        problems.append(Problem(prefix + MODULE_FILE, 1, "the zip has no module.md for this module"))
    if problems:
        raise ContentProblems(sorted(problems))
    problems = checked_import(session, content_dir, folder, markdown, quizzes, assets)
    if problems:
        raise ContentProblems(problems)
    for name, raw in assets.items():
        (module_dir / name).parent.mkdir(parents=True, exist_ok=True)
        (module_dir / name).write_bytes(raw)
    report = publish_module_from_sources(session, content_dir, folder, markdown, quiz_files=quizzes, change=change,
                                         note=note.strip(), actor=actor, origin="import")
    return ImportedModule(report.modules[0].slug, report)


def asset_problems(path: str, raw: bytes, existing: Path) -> list[Problem]:
    if existing.is_file() and existing.read_bytes() != raw:
        return [Problem(path, 1, "a different file with this name is already in the module folder: rename it")]
    if existing.suffix.lower() == ".pdf":
        return [] if raw.startswith(b"%PDF") else [Problem(path, 1, "file is not a PDF")]
    try:
        kind = check_image(path, raw)
    except ToolError as exc:
        return [Problem(path, 1, exc.message)]
    if existing.suffix.lower().lstrip(".").replace("jpeg", "jpg") != kind:
        return [Problem(path, 1, f"file is a {kind.upper()} image: name it .{kind}")]
    return []


def checked_import(session: Session, content_dir: Path | str, folder: str, markdown: dict[str, str],
                   quizzes: dict[str, str], assets: dict[str, bytes]) -> list[Problem]:
    """Validate the zip's Markdown against the content folder, with its new images in place, before writing."""
    existing = session.scalars(select(Module).where(Module.folder == folder)).one_or_none()
    disk = load_tree(content_dir)
    with tempfile.TemporaryDirectory() as staging:
        staged = Path(staging) / "modules" / folder
        shutil.copytree(Path(content_dir) / "modules" / folder, staged)
        for name, raw in assets.items():
            (staged / name).parent.mkdir(parents=True, exist_ok=True)
            (staged / name).write_bytes(raw)
        tree = SourceTree(Path(staging), disk.with_module(folder, markdown).with_texts(quizzes).texts, disk.problems)
        content, problems = parse_and_validate(tree)
    module = next((m for m in content.modules if m.folder == folder), None)
    hosted = {q.path for q in content.quizzes if module is not None and q.id in module.quiz_ids}
    relevant = [p for p in problems if concerns(p, folder, hosted | set(quizzes))]
    for path in sorted(set(quizzes) - hosted):
        relevant.append(Problem(path, 1, "no page of this module hosts this quiz: leave it out of the zip"))
    if existing is not None and existing.current_version is not None:
        current = existing.current_version
        relevant += id_changes(folder, {**current.source_files, **quiz_texts(current)}, {**markdown, **quizzes})
    return sorted(set(relevant))
