"""Exports never carry a live formula: one function neutralises every text cell of the CSV and the xlsx (every
column, present and future), tested with the full list of formula prefixes."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import String, update

from lti_tool.models import Edition, ModuleVersion
from lti_tool.web.spreadsheets import FORMULA_START, spreadsheet_cell
from tests.support import tutor_factories as f

PREFIXES = ["=", "+", "-", "@", "\t", "\r", "\n", "|", "%", "＝", "＋", "－", "＠"]


def test_the_prefix_list_is_complete():
    assert set(PREFIXES) == set(FORMULA_START)


@pytest.mark.parametrize("prefix", PREFIXES, ids=[repr(p) for p in PREFIXES])
@pytest.mark.parametrize("lead", ["", " ", "   "])
def test_a_text_cell_starting_like_a_formula_is_kept_as_text(prefix, lead):
    value = f'{lead}{prefix}HYPERLINK("https://evil.example","click")'
    assert spreadsheet_cell(value) == "'" + value


@pytest.mark.parametrize("value", ["Amara Okafor", "", "100%", "a=b", 12, -3.5, None, "2026-12-01 10:00"])
def test_other_cells_pass_unchanged(value):
    assert spreadsheet_cell(value) == value


def _hostile_course(db):
    s = f.Scenario(db)
    s.tutor_launch = f.launch(db, s.tutor, s.course, role="tutor")
    f.person(db, s.course, name='=HYPERLINK("https://evil.example","click")', email="@SUM(1+1)@nhs.example",
             sourcedid="+SID")
    hostile_name = '=HYPERLINK("https://evil.example","edition' + Edition.id.cast(String) + '")'
    db.execute(update(Edition).values(name=hostile_name))
    db.execute(update(ModuleVersion).values(title="-2+3+cmd|' /C calc'!A0"))
    db.commit()
    return s


def _unsafe(value) -> bool:
    return isinstance(value, str) and value.lstrip(" ").startswith(FORMULA_START)


def test_no_export_cell_starts_like_a_formula_in_csv_or_xlsx(client, db):
    s = _hostile_course(db)
    f.sign_in(client, s.tutor_launch)
    base = f"/course/{s.course.id}/tutor"
    csv_text = client.get(f"{base}/export.csv").get_data(as_text=True).lstrip("\ufeff")
    rows = list(csv.reader(io.StringIO(csv_text)))[1:]
    assert rows
    assert [cell for row in rows for cell in row if _unsafe(cell)] == []
    assert any(cell.startswith("'=HYPERLINK") and "edition" in cell for row in rows for cell in row), \
        "edition names are exported, neutralised"
    assert any(cell.startswith("'-2+3") for row in rows for cell in row), "module titles too"
    workbook = load_workbook(io.BytesIO(client.get(f"{base}/export.xlsx").data))
    cells = [cell for row in workbook.active.iter_rows(min_row=2) for cell in row]
    assert cells
    assert [c.coordinate for c in cells if c.data_type == "f"] == [], "no formula cells"
    assert [c.value for c in cells if _unsafe(c.value)] == []
