"""The tutor's CSV and xlsx exports: one line per person and shown module, headed in words a tutor reads."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ..learning.matrix_cells import Cell, Column, LearnerRow
from .tutor_wording import BUCKET_LABELS

EXPORT_HEADERS = ["Name", "Email", "Person id", "Listed from", "Module", "Module id", "Edition", "State", "Score %",
                  "Submitted attempts", "Best score %", "Last activity (UTC)", "Completed (UTC)", "Overdue",
                  "Version", "Grade sync", "Grade sync error"]
# What Excel, LibreOffice and Google Sheets read as the start of a formula or command (OWASP CSV injection), with
# the full-width forms some of them accept too.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "|", "%", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def spreadsheet_cell(value: Any) -> Any:
    """Every text cell of every export goes through here: a leading apostrophe keeps text that starts like a
    formula (after any leading spaces) as text. Numbers and empty cells pass unchanged."""
    if isinstance(value, str) and value.lstrip(" ").startswith(FORMULA_START):
        return "'" + value
    return value


def _percent(value: float | None) -> float | None:
    return round(value * 100, 1) if value is not None else None


def _utc_text(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value else ""


def export_record(row: LearnerRow, column: Column, cell: Cell) -> list[Any]:
    """One export line, every cell through :func:`spreadsheet_cell`; numbers stay numbers so spreadsheets can
    sort and sum them."""
    sync = cell.grade_sync
    return [spreadsheet_cell(value) for value in (
        row.name, row.email, row.sourcedid, "Blackboard roster" if row.source == "nrps" else "Launch",
        column.module_title, column.module_slug, column.edition_name, BUCKET_LABELS[cell.bucket],
        _percent(cell.score), cell.attempts, _percent(cell.best_score), _utc_text(cell.last_activity_at),
        _utc_text(cell.completed_at), "yes" if cell.overdue else "no", cell.version, sync.status if sync else "",
        (sync.last_error or "") if sync else "")]
