"""A module's published texts and images out: as a zip to download, or into the content folder."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from ..assets import SERVED_TYPES
from ..parse import GUIDE_FILE
from .listing import module_row, quiz_texts, version_row


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
    the version. Exported into the content folder, the folder is recorded as holding that version (flushed; the
    caller commits).
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
        session.flush()
    return Exported(number, sorted(texts))


