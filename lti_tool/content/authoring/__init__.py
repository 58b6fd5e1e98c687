"""Authoring in the browser: edit a published module's Markdown, preview it, publish it, compare and move it.

Everything goes through the same parser, validator, renderer and publisher as the content folder; this package
only chooses which texts to give them. The content folder on disk and the versions made here never silently
overwrite each other: ``ModuleVersion.folder_digest`` and ``Module.folder_version`` record what the folder held,
and publishing warns (here) or refuses (from the files) when the other side changed.

One module per concern: :mod:`.listing` (modules, quizzes, versions, editable files), :mod:`.editing` (preview
and publish one file), :mod:`.diff`, :mod:`.export`, :mod:`.images` and :mod:`.zip_import`. The names the admin
pages and commands use are gathered here, each loaded on first use.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .diff import DiffLine, FileDiff, diff_versions
    from .editing import NeedsConfirmation, Preview, edit_warnings, preview, publish_edit
    from .export import Exported, export_to_folder, export_zip
    from .images import UploadedImage, image_type, upload_image
    from .listing import (
        EditableFile,
        ModuleListing,
        QuizListing,
        VersionInfo,
        editable_files,
        history,
        kind_of,
        list_modules,
        list_quizzes,
        load_file,
        module_listing,
    )
    from .zip_import import ArchiveRefused, ImportedModule, import_zip

__all__ = [
    "ArchiveRefused",
    "DiffLine",
    "EditableFile",
    "Exported",
    "FileDiff",
    "ImportedModule",
    "ModuleListing",
    "NeedsConfirmation",
    "Preview",
    "QuizListing",
    "UploadedImage",
    "VersionInfo",
    "diff_versions",
    "edit_warnings",
    "editable_files",
    "export_to_folder",
    "export_zip",
    "history",
    "image_type",
    "import_zip",
    "kind_of",
    "list_modules",
    "list_quizzes",
    "load_file",
    "module_listing",
    "preview",
    "publish_edit",
    "upload_image",
]

_HOMES = {
    "DiffLine": ".diff", "FileDiff": ".diff", "diff_versions": ".diff", "NeedsConfirmation": ".editing",
    "Preview": ".editing", "edit_warnings": ".editing", "preview": ".editing", "publish_edit": ".editing",
    "Exported": ".export", "export_to_folder": ".export", "export_zip": ".export", "UploadedImage": ".images",
    "image_type": ".images", "upload_image": ".images", "EditableFile": ".listing", "ModuleListing": ".listing",
    "QuizListing": ".listing", "VersionInfo": ".listing", "editable_files": ".listing", "history": ".listing",
    "kind_of": ".listing", "list_modules": ".listing", "list_quizzes": ".listing", "load_file": ".listing",
    "module_listing": ".listing", "ArchiveRefused": ".zip_import", "ImportedModule": ".zip_import",
    "import_zip": ".zip_import",
}


def __getattr__(name: str) -> Any:
    """PEP 562: load the publisher, Markdown and the zip tools only when an admin page or command uses them."""
    if name in _HOMES:
        return getattr(import_module(_HOMES[name], __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
