"""The models and the migrations describe one schema: a database migrated to head is what the models declare.

A model changed without a migration (or a migration without the model) passes every other test on a database
built by ``Base.metadata`` and fails in production; Alembic's autogenerate comparison catches it here, on the
database the suite runs against.
"""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine

from lti_tool.models import Base


def test_a_database_migrated_to_head_matches_the_models(database_url):
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True, "compare_server_default": False})
            differences = compare_metadata(context, Base.metadata)
    finally:
        engine.dispose()
    assert differences == [], "\n".join(str(d) for d in differences)
