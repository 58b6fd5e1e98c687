"""A module imported from a zip: read defensively, checked like the content folder, published as a new version."""

from __future__ import annotations

import io
import shutil
import tempfile
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...errors import ToolError
from ...models import Module
from ..assets import SERVED_TYPES
from ..model import Problem
from ..parse import GUIDE_FILE, MODULE_FILE, SourceTree, load_tree
from ..publishing import (
    ContentProblems,
    PublishReport,
    concerns,
    publish_module_from_sources,
)
from ..validate import parse_and_validate
from .editing import id_changes
from .images import check_image
from .listing import quiz_texts

MAX_IMPORT_BYTES = 20 * 1024 * 1024
MAX_IMPORT_FILES = 200


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
