"""Authoring in the browser: edit a published module's Markdown, preview it, publish it, compare and move it.

Everything goes through the same parser, validator, renderer and publisher as the content folder; this package
only chooses which texts to give them. The content folder on disk and the versions made here never silently
overwrite each other: ``ModuleVersion.folder_digest`` and ``Module.folder_version`` record what the folder held,
and publishing warns (here) or refuses (from the files) when the other side changed.

One module per concern: :mod:`.listing` (modules, quizzes, versions, editable files), :mod:`.editing` (preview
and publish one file), :mod:`.diff`, :mod:`.export`, :mod:`.images` and :mod:`.zip_import`. The names the admin
pages and commands use are gathered here.
"""

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
