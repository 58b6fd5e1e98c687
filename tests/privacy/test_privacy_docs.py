"""docs/privacy.md names every column that can hold something about a person, so a new one is documented first."""

from __future__ import annotations

import re

from sqlalchemy import Table

from lti_tool import REPO_ROOT
from lti_tool.models import Base

DOC = (REPO_ROOT / "docs" / "privacy.md").read_text(encoding="utf-8")
PERSON_LIKE = re.compile(r"(^|_)(actor|email|sub|given_name|family_name|learner_name|sourcedid|user|by)($|_)")
# Columns whose names look personal but that the doc says hold a role, never a name.
ROLE_SENTENCE = "`reviewed_by` on `module_version`, `page` and `quiz_version` holds the reviewer's role"
ROLE_NOT_PERSON = {"reviewed_by"} if ROLE_SENTENCE in DOC else set()


def _exempt_tables() -> set[str]:
    section = DOC.split("## Tables that hold nothing about a person", 1)[1].split("\n## ", 1)[0]
    paragraph = next(p for p in section.split("\n\n") if p.startswith("`"))
    return set(re.findall(r"`([a-z_]+)`", paragraph))


def _leads_to_a_person(table: Table, seen: frozenset[str] = frozenset()) -> bool:
    for fk in table.foreign_keys:
        target = fk.column.table
        if target.name == "user_account" or (target.name not in seen and target is not table
                                             and _leads_to_a_person(target, seen | {table.name})):
            return True
    return False


def test_every_column_of_every_table_that_can_hold_personal_data_is_named_in_docs_privacy():
    exempt = _exempt_tables()
    missing = [f"{table.name}.{column.name}" for table in Base.metadata.sorted_tables if table.name not in exempt
               for column in table.columns if f"`{table.name}.{column.name}`" not in DOC]
    assert missing == [], "document these in docs/privacy.md (what, why, how long): " + ", ".join(missing)


def test_tables_said_to_hold_nothing_about_a_person_neither_point_at_one_nor_have_a_personal_looking_column():
    exempt = _exempt_tables()
    tables = {table.name: table for table in Base.metadata.sorted_tables}
    assert exempt and exempt <= set(tables), exempt - set(tables)
    linked = sorted(name for name in exempt if _leads_to_a_person(tables[name]))
    person_like = sorted(f"{name}.{column.name}" for name in exempt for column in tables[name].columns
                         if PERSON_LIKE.search(column.name) and column.name not in ROLE_NOT_PERSON)
    assert linked == [] and person_like == []


def test_the_person_linked_tables_are_documented_column_by_column():
    """The tables that hold learners' data are never on the exempt list."""
    assert _exempt_tables().isdisjoint({"user_account", "enrollment", "launch", "progress", "attempt", "answer",
                                        "reflection", "certificate", "grade_sync", "audit_entry",
                                        "page_view", "resource_link", "module_version", "edition"})
