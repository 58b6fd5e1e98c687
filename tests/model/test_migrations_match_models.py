"""The models and the migrations describe one schema: a database migrated to head is what the models declare.

A model changed without a migration (or a migration without the model) passes every other test on a database
built by ``Base.metadata`` and fails in production; Alembic's autogenerate comparison catches it here, on the
database the suite runs against.
"""

from __future__ import annotations

import os

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine

from lti_tool.models import Base


@pytest.mark.xfail(bool(os.environ.get("LTI_TOOL_TEST_DATABASE_URL")), strict=True, raises=AssertionError,
                   reason="0001 creates module.current_version_id and quiz.current_version_id without their foreign"
                          " keys on PostgreSQL (use_alter constraints are left out of CREATE TABLE); a migration"
                          " adding fk_module_current_version and fk_quiz_current_version is due")
def test_a_database_migrated_to_head_matches_the_models(database_url):
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True, "compare_server_default": False})
            differences = compare_metadata(context, Base.metadata)
    finally:
        engine.dispose()
    assert differences == [], "\n".join(str(d) for d in differences)
