"""Images uploaded for a module: checked by their bytes, stored in the module's images folder."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from sqlalchemy.orm import Session

from ...errors import ToolError
from .listing import module_row

IMAGE_SIGNATURES = {"png": (b"\x89PNG\r\n\x1a\n",), "jpg": (b"\xff\xd8\xff",), "gif": (b"GIF87a", b"GIF89a")}
MAX_IMAGE_BYTES = 2 * 1024 * 1024
IMAGE_FOLDER = "images"


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


