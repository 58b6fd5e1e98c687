"""The Markdown files of a content folder, read from disk once and overlaid with edits from the browser."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .model import Problem

MODULE_FILE = "module.md"
GUIDE_FILE = "readme.md"


@dataclass(frozen=True)
class SourceTree:
    """The Markdown of a content folder, keyed by path relative to it (``quizzes/x.md``).

    Publishing from the browser overlays edited texts on the files read from disk; assets (images, PDFs) are
    always looked up on disk under ``root``.
    """

    root: Path
    texts: dict[str, str]
    problems: tuple[Problem, ...] = ()

    def module_folders(self) -> list[str]:
        return sorted({path.split("/")[1] for path in self.texts if path.startswith("modules/")})

    def module_texts(self, folder: str) -> dict[str, str]:
        prefix = f"modules/{folder}/"
        return {path[len(prefix):]: text for path, text in sorted(self.texts.items()) if path.startswith(prefix)}

    def quiz_paths(self) -> list[str]:
        return sorted(path for path in self.texts if path.startswith("quizzes/"))

    def with_module(self, folder: str, files: dict[str, str]) -> SourceTree:
        prefix = f"modules/{folder}/"
        texts = {path: text for path, text in self.texts.items() if not path.startswith(prefix)}
        texts.update({prefix + name: text for name, text in files.items() if name.lower() != GUIDE_FILE})
        return SourceTree(self.root, texts, self.problems)

    def with_texts(self, files: dict[str, str]) -> SourceTree:
        return SourceTree(self.root, {**self.texts, **files}, self.problems)


def is_content_file(path: Path) -> bool:
    """README.md files are guides for authors, never content."""
    return path.is_file() and path.suffix == ".md" and path.name.lower() != GUIDE_FILE


def load_tree(content_dir: Path | str) -> SourceTree:
    root = Path(content_dir)
    texts: dict[str, str] = {}
    problems: list[Problem] = []
    candidates: list[Path] = []
    modules_dir = root / "modules"
    if modules_dir.is_dir():
        for folder in sorted(p for p in modules_dir.iterdir() if p.is_dir() and not p.name.startswith(".")):
            files = [p for p in sorted(folder.iterdir()) if is_content_file(p)]
            if not any(p.name == MODULE_FILE for p in files):
                problems.append(Problem(f"modules/{folder.name}/{MODULE_FILE}", 1,
                                        "module folder has no module.md: every module folder needs one"))
            candidates.extend(files)
    quizzes_dir = root / "quizzes"
    if quizzes_dir.is_dir():
        candidates.extend(p for p in sorted(quizzes_dir.iterdir()) if is_content_file(p))
    for path in candidates:
        relative = path.relative_to(root).as_posix()
        try:
            texts[relative] = path.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError:
            problems.append(Problem(relative, 1, "file is not UTF-8 text: save it as UTF-8"))
    return SourceTree(root, texts, tuple(problems))
