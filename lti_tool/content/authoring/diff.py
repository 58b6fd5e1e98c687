"""What changed between two versions of a module, file by file and line by line."""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from sqlalchemy.orm import Session

from .listing import file_order, kind_of, module_row, version_row, version_sources


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


