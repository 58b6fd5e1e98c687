"""The cells of the tutor's course matrix as HTML, made in Python rather than by a Jinja macro per cell.

A page shows 50 people × 10 modules: a macro call, its filters and its escaping for each of those 500 cells were
most of the page's rendering. Cells share a few states (bucket, score, attempts, version, grade status), so the
HTML of each distinct state is made once; only a failed grade, with its error and re-send form, is made per cell.
Every value that could come from outside (the platform's error, a status) is escaped here as Jinja would; the
markup, text and whitespace (collapsed) are those the template wrote.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from markupsafe import Markup, escape

from ..learning.matrix_cells import Column, GradeSyncState, LearnerRow
from .tutor_wording import BUCKET_LABELS, percent, sync_label, when

FAILED = "failed"


@lru_cache(maxsize=1024)
def _cell_start(bucket: str, score: float | None, attempts: int, best_score: float | None, version: int | None,
                sync_status: str | None) -> str:
    """A cell up to its grade status: the same for every cell in this state, on every page."""
    html = f'<td class="state state--{escape(bucket)}">\n<strong>{escape(BUCKET_LABELS[bucket])}</strong>'
    if score is not None:
        html += f"\n<br>Score {escape(percent(score))}"
    if attempts:
        html += f"\n<br>{attempts} attempt{'s' if attempts != 1 else ''}, best {escape(percent(best_score))}"
    if version:
        html += f'\n<br><span class="hint">version {version}</span>'
    if sync_status is not None:
        html += (f'\n<br>\n<span class="sync sync--{escape(sync_status)}">'
                 f"Grade {escape(sync_label(sync_status))}</span>")
    return html


class MatrixCells:
    """The module cells and the last-activity cell of each row on one page, for one request: the re-send form
    carries this request's CSRF token and a URL made from one pattern, not a ``url_for`` per form."""

    def __init__(self, columns: Sequence[Column], resend_url: tuple[str, str], csrf_token: str) -> None:
        self._keys = [column.key for column in columns]
        self._resend_before, self._resend_after = (str(escape(part)) for part in resend_url)
        self._csrf_token = str(escape(csrf_token))

    def __call__(self, row: LearnerRow) -> Markup:
        parts: list[str] = []
        latest = None
        for key in self._keys:
            cell = row.cells[key]
            if cell.last_activity_at and (latest is None or cell.last_activity_at > latest):
                latest = cell.last_activity_at
            sync = cell.grade_sync
            parts.append(_cell_start(cell.bucket, cell.score, cell.attempts, cell.best_score, cell.version,
                                     sync.status if sync else None))
            if sync is not None and sync.status == FAILED:
                parts.append(self._resend_form(sync))
            parts.append("\n</td>\n")
        parts.append(f"<td>{escape(when(latest))}</td>")
        return Markup("".join(parts))

    def _resend_form(self, sync: GradeSyncState) -> str:
        error = f'\n<span class="hint">{escape(sync.last_error)}</span>' if sync.last_error else ""
        return (f'{error}\n<form method="post" action="{self._resend_before}{sync.id}{self._resend_after}" '
                f'class="inline-form">\n<input type="hidden" name="csrf_token" value="{self._csrf_token}">\n'
                '<button type="submit" class="button--small">Send grade again</button>\n</form>')
