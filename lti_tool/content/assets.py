"""Images and attachments: served from the module's own folder, at one URL scheme the renderer also uses."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..errors import NotFound
from ..models import Module

ASSET_ROUTE = "/content/<module_slug>/assets/<path:filename>"
SERVED_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif",
                ".webp": "image/webp", ".pdf": "application/pdf"}


def asset_url(module_slug: str, relative_path: str) -> str:
    """The URL of a file in a module folder; must agree with ``ASSET_ROUTE``."""
    return f"/content/{quote(module_slug)}/assets/{quote(relative_path)}"


def asset_media_type(filename: str) -> str | None:
    return SERVED_TYPES.get(Path(filename).suffix.lower())


def module_folder(session: Session, content_dir: Path | str, module_slug: str) -> Path:
    """The folder a published module's files are served from; NotFound for an unknown module."""
    module = session.scalars(select(Module).where(Module.slug == module_slug)).one_or_none()
    if module is None or not module.folder:
        raise NotFound("There is no such module.")
    return Path(content_dir) / "modules" / module.folder
